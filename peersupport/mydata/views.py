"""Your information: see what the service holds, download it, or delete the account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peersupport.people.access import survivor_required
from peersupport.people.confirm import confirm_page
from peersupport.people.events import AuditAction

from . import services
from .forms import EraseForm


@survivor_required
def overview(request):
    return render(request, "people/mydata.html")


@survivor_required
def download(request):
    data = services.survivor_export(user=request.user)
    services.audit_record(
        actor=request.user, action=AuditAction.ACCOUNT_EXPORTED, target=request.user
    )
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    # A neutral name: the file may sit in a shared downloads folder.
    response["Content-Disposition"] = 'attachment; filename="my-information.json"'
    return response


@survivor_required
@require_http_methods(["GET", "POST"])
def erase(request):
    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.survivor_erase(user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)  # flushes the session
            messages.success(request, _("Your account and everything in it have been deleted."))
            return redirect("index")
    return confirm_page(
        request,
        heading=_("Do you want to delete your account?"),
        happens=[
            _("Your account and everything in it are deleted at once, and you are signed out."),
            _("This cannot be undone."),
            _("If you have a peer supporter, they are told only that the pairing has ended."),
            _(
                "If a concern was raised about your pairing, the coordinators keep it, "
                "without your name."
            ),
        ],
        action=reverse("mydata:erase"),
        confirm=_("Yes, delete my account"),
        back=reverse("mydata:overview"),
        form=form,
        extra="people/_erase_note.html",
    )
