"""The benchmark's yardstick (bench_pages): the least an authenticated page can do here.

Served only through peersupport/demo/bench_urls.py, never the shipped URLconf.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from peersupport.people.models import Notification


@login_required
def minimal(request):
    """The database session and `request.user` (through the same middleware as every page),
    one small query, a tiny template."""
    unread = Notification.objects.filter(user=request.user).unread().count()
    return render(request, "demo/bench_minimal.html", {"unread": unread})
