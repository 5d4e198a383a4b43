"""The benchmark's URLconf (bench_pages only; the shipped one is peersupport.urls): every
shipped address, plus the minimal authenticated page the pages are measured against.

The shipped URLconf is included by name, as ROOT_URLCONF names it, so this module adds a page
without the demo layer importing the root one.
"""

from django.urls import include, path

from peersupport.demo.bench_views import minimal

urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("peersupport.urls")),
]

# The same error pages as the shipped URLconf.
handler404 = "peersupport.platform.errors.not_found"
handler500 = "peersupport.platform.errors.server_error"
handler403 = "peersupport.platform.errors.forbidden"
handler400 = "peersupport.platform.errors.bad_request"
