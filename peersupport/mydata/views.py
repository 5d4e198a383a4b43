"""Your information: see what the service holds, download it, or delete the account. For
survivors (services.py) and supporters (supporter.py, also while suspended or retired)."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from peersupport.people.access import role_required
from peersupport.people.confirm import confirm_page
from peersupport.people.events import AuditAction
from peersupport.people.models import Role

from . import services, supporter
from .forms import EraseForm

# A suspended or retired supporter still takes or deletes their own information.
own_information = role_required(Role.SURVIVOR, Role.SUPPORTER, barred_ok=True)


_SURVIVOR_ERASE = [
    _lazy("Your account and everything in it are deleted at once, and you are signed out."),
    _lazy("This cannot be undone."),
    _lazy("If you have a peer supporter, they are told only that the pairing has ended."),
    _lazy(
        "If a concern was raised about your pairing, the coordinators keep it, without your name."
    ),
]
_SUPPORTER_ERASE = [
    _lazy("Your account and everything in it are deleted at once, and you are signed out."),
    _lazy("This cannot be undone."),
    _lazy(
        "Each person you support is told their pairing has ended, and is back in the queue "
        "for a new peer supporter at once."
    ),
    _lazy(
        "Concerns and safety flags about your pairings stay with the coordinators, without "
        "your name."
    ),
]


@own_information
def overview(request):
    if request.user.role == Role.SUPPORTER:
        return render(request, "people/mydata_supporter.html")
    return render(request, "people/mydata.html")


@own_information
def download(request):
    if request.user.role == Role.SUPPORTER:
        data = supporter.supporter_export(user=request.user)
    else:
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


@own_information
@require_http_methods(["GET", "POST"])
def erase(request):
    form = EraseForm(request.POST or None, user=request.user)
    is_supporter = request.user.role == Role.SUPPORTER
    if request.method == "POST" and form.is_valid():
        try:
            if is_supporter:
                supporter.supporter_erase(user=request.user)
            else:
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
        happens=_SUPPORTER_ERASE if is_supporter else _SURVIVOR_ERASE,
        action=reverse("mydata:erase"),
        confirm=_("Yes, delete my account"),
        back=reverse("mydata:overview"),
        form=form,
        extra="people/_erase_note.html",
    )
