"""Pages for reading and acknowledging the agreements, and the guidelines.

Drafting and publishing new versions are the coordinators' pages (peersupport.coordination).
Thin: parse, check access (the object or 404), call a service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peersupport.people.form_base import show_validation_error
from peersupport.people.models import Role

from . import guidelines, selectors, services
from .access import get_version_for
from .forms import AcknowledgeForm

# -- agreements -----------------------------------------------------------------------------


def _ack_form(data=None, *, version_id: int) -> AcknowledgeForm:
    # One form per version on the page: ids must not collide.
    return AcknowledgeForm(data, initial={"version": version_id}, auto_id=f"v{version_id}_%s")


def _next_url(request) -> str:
    """Where someone was going when sign-in sent them here (?next=), if it is one of ours."""
    url = str(request.GET.get("next", ""))
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def acknowledge(request):
    """Read the current agreements for your role and acknowledge each one; then go on to
    where sign-in was taking them (?next=), or home."""
    user = request.user
    next_url = _next_url(request)
    posted = None
    if request.method == "POST":
        raw = str(request.POST.get("version", ""))
        posted = _ack_form(request.POST, version_id=int(raw) if raw.isdigit() else 0)
        if posted.is_valid():
            try:
                services.agreement_acknowledge(user=user, version_id=posted.cleaned_data["version"])
            except ValidationError as error:
                show_validation_error(posted, error)
            else:
                if selectors.has_acknowledged_current(user):
                    messages.success(request, _("Thank you. You are all set."))
                    return redirect(next_url or "home")
                messages.success(request, _("Thank you. There is one more to read."))
                url = reverse("agreements:acknowledge")
                return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)
    entries = selectors.agreements_page(user)
    for entry in entries:
        version_id = entry.version.pk
        if posted is not None and posted.initial["version"] == version_id:
            entry.form = posted
        else:
            entry.form = _ack_form(version_id=version_id)
    return render(
        request,
        "ethics/acknowledge.html",
        {
            "entries": entries,
            "outstanding": [e for e in entries if e.acknowledgement is None],
            # The error summary at the top of the page lists what went wrong (base.html finds
            # this form): beside the box too when its version is shown with a form; alone for
            # a version that is not (not current, not for this role, already acknowledged).
            "posted": posted,
            "history": selectors.acknowledgement_history(user)[:50],
            "confidentiality": guidelines.confidentiality_context(),
        },
        status=400 if posted is not None else 200,
    )


def guidelines_page(request):
    """The guidelines as a page, and (?format=pdf) as the downloadable PDF."""
    versions = list(selectors.with_items(selectors.current_versions()))
    if request.GET.get("format") == "pdf":
        response = HttpResponse(guidelines.render(versions), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{guidelines.FILE_NAME}"'
        return response
    return render(
        request,
        "ethics/guidelines.html",
        {
            "versions": versions,
            "preface": guidelines.preface(),
            "confidentiality": guidelines.confidentiality_context(),
        },
    )


def version_detail(request, pk: int):
    """A published version, for anyone (it is in the guidelines). Coordinators have their own
    page for a version, with its drafts and publishing: an old link takes them there."""
    if request.user.is_authenticated and request.user.role == Role.COORDINATOR:
        return redirect("team:version", pk=pk)
    version = get_version_for(request.user, pk)
    version = selectors.version_with_items(version.pk)
    return render(request, "ethics/version.html", {"version": version})
