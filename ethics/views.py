"""Pages for agreements, the guidelines, concerns, flags, debriefs and change requests.

Thin: parse, check access (ethics.access: the object or 404), call a service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peersupport.access import coordinator_required, role_required
from peersupport.models import Role

from . import guidelines, selectors, services
from .access import (
    get_change_request_for,
    get_concern_for,
    get_debrief_for,
    get_document_for,
    get_flag_for,
    get_pairing_to_block,
    get_pairing_to_change,
    get_pairing_to_flag,
    get_pairing_to_raise_concern,
    get_version_for,
    is_approved_supporter,
)
from .forms import (
    AcknowledgeForm,
    ChangeForm,
    ConcernForm,
    ConcernUpdateForm,
    ConfirmForm,
    DebriefForm,
    DraftForm,
    FlagActionForm,
    FlagForm,
    MessageForm,
)
from .models import ChangeStatus, DebriefStatus, FlagStatus

anyone_signed_in = role_required(Role.SURVIVOR, Role.SUPPORTER, Role.COORDINATOR)
party_required = role_required(Role.SURVIVOR, Role.SUPPORTER)


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field if it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


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
                _apply_errors(posted, error)
            else:
                if selectors.has_acknowledged_current(user):
                    messages.success(request, _("Thank you. You are all set."))
                    return redirect(next_url or "home")
                messages.success(request, _("Thank you. There is one more to read."))
                url = reverse("ethics:acknowledge")
                return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)
    entries = selectors.agreements_page(user)
    on_page = False
    for entry in entries:
        version_id = entry.version.pk
        if posted is not None and posted.initial["version"] == version_id:
            entry.form, on_page = posted, entry.acknowledgement is None
        else:
            entry.form = _ack_form(version_id=version_id)
    return render(
        request,
        "ethics/acknowledge.html",
        {
            "entries": entries,
            "outstanding": [e for e in entries if e.acknowledgement is None],
            # An error about a version not shown with a form (not current, not for this
            # role, already acknowledged) goes at the top of the page.
            "page_error": posted if posted is not None and not on_page else None,
            "history": selectors.acknowledgement_history(user)[:50],
            "confidentiality": _confidentiality_context(),
        },
        status=400 if posted is not None else 200,
    )


def _confidentiality_context() -> dict:
    return {
        "intro": guidelines.CONFIDENTIALITY_INTRO,
        "limits": guidelines.CONFIDENTIALITY_LIMITS,
        "after": guidelines.CONFIDENTIALITY_AFTER,
    }


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
            "confidentiality": _confidentiality_context(),
        },
    )


def version_detail(request, pk: int):
    version = get_version_for(request.user, pk)
    version = selectors.version_with_items(version.pk)
    return render(request, "ethics/version.html", {"version": version})


@coordinator_required
def manage(request):
    return render(request, "ethics/manage.html", {"documents": selectors.documents_with_versions()})


@coordinator_required
@require_http_methods(["GET", "POST"])
def draft_edit(request, pk: int):
    document = get_document_for(request.user, pk)
    draft = document.versions.drafts().first()
    base = draft or selectors.current_versions().filter(document=document).first()
    if request.method == "POST" and request.POST.get("action") == "discard" and draft:
        services.agreement_draft_discard(version_id=draft.pk, actor=request.user)
        messages.info(request, _("The draft was discarded."))
        return redirect("ethics:manage")
    initial = {}
    if base is not None:
        initial = {
            "introduction": base.introduction,
            "items": "\n".join(item.text for item in base.items.order_by("number")),
            "summary": draft.summary if draft else "",
        }
    form = DraftForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agreement_draft_save(
                document_id=document.pk,
                actor=request.user,
                introduction=form.cleaned_data["introduction"],
                items=form.cleaned_data["items"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Draft saved. Check it, then publish it."))
            return redirect("ethics:publish", pk=saved.pk)
    return render(
        request, "ethics/draft_form.html", {"document": document, "draft": draft, "form": form}
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def publish(request, pk: int):
    version = get_version_for(request.user, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_publish(version_id=version.pk, actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Published. Everyone it applies to will be asked to acknowledge it."),
            )
            return redirect("ethics:manage")
    return render(
        request,
        "ethics/publish.html",
        {"version": selectors.version_with_items(version.pk), "form": form},
    )


# -- concerns -------------------------------------------------------------------------------


@anyone_signed_in
def concerns(request):
    if request.user.role == Role.COORDINATOR:
        items = selectors.open_concerns()
    else:
        items = selectors.concerns_raised_by(request.user)
    return render(request, "ethics/concerns.html", {"concerns": items})


@party_required
@require_http_methods(["GET", "POST"])
def concern_new(request, pk: int):
    pairing = get_pairing_to_raise_concern(request.user, pk)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(
                user=request.user,
                pairing=pairing,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you. A coordinator will look at it."))
            return redirect("ethics:concern", pk=concern.pk)
    return render(request, "ethics/concern_form.html", {"form": form, "pairing": pairing})


@anyone_signed_in
@require_http_methods(["GET", "POST"])
def concern_detail(request, pk: int):
    concern = get_concern_for(request.user, pk)
    is_coordinator = request.user.role == Role.COORDINATOR
    form = None
    if is_coordinator:
        form = ConcernUpdateForm(request.POST or None, initial={"status": concern.status})
        if request.method == "POST" and form.is_valid():
            try:
                services.concern_update(
                    concern_id=concern.pk,
                    coordinator=request.user,
                    status=form.cleaned_data["status"],
                    response=form.cleaned_data["response"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("ethics:concern", pk=concern.pk)
        if request.method == "GET":
            services.concern_record_view(concern=concern, coordinator=request.user)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "ethics/concern_detail.html",
        {
            "concern": concern,
            "form": form,
            "trail": selectors.audit_trail(concern) if is_coordinator else None,
        },
    )


# -- safety flags ---------------------------------------------------------------------------


@role_required(Role.SUPPORTER, Role.COORDINATOR)
def flags(request):
    if request.user.role == Role.COORDINATOR:
        items = selectors.open_safety_flags()
    else:
        items = selectors.flags_raised_by(request.user)
    return render(request, "ethics/flags.html", {"flags": items})


@role_required(Role.SUPPORTER)
@require_http_methods(["GET", "POST"])
def flag_new(request, pk: int):
    pairing = get_pairing_to_flag(request.user, pk)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag = services.safety_flag_raise(
                supporter=request.user,
                pairing=pairing,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Sent. Every coordinator has been alerted."))
            return redirect("ethics:flag", pk=flag.pk)
    return render(
        request,
        "ethics/flag_form.html",
        {"form": form, "pairing": pairing, "confidentiality": _confidentiality_context()},
    )


@role_required(Role.SUPPORTER, Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def flag_detail(request, pk: int):
    flag = get_flag_for(request.user, pk)
    is_coordinator = request.user.role == Role.COORDINATOR
    form = None
    if is_coordinator:
        form = FlagActionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.safety_flag_act(
                    flag_id=flag.pk,
                    coordinator=request.user,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Recorded."))
                return redirect("ethics:flag", pk=flag.pk)
        if request.method == "GET":
            services.safety_flag_record_view(flag=flag, coordinator=request.user)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "ethics/flag_detail.html",
        {
            "flag": flag,
            "form": form if flag.status != FlagStatus.CLOSED else None,
            "actions": flag.actions.select_related("actor") if is_coordinator else None,
            "trail": selectors.audit_trail(flag) if is_coordinator else None,
        },
    )


# -- debriefs -------------------------------------------------------------------------------


def _debrief_access(user) -> None:
    if user.role != Role.COORDINATOR and not is_approved_supporter(user):
        raise Http404


@role_required(Role.SUPPORTER, Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def debriefs(request):
    user = request.user
    _debrief_access(user)
    if request.method == "POST" and user.role == Role.SUPPORTER:
        try:
            services.debrief_volunteer_set(
                user=user, volunteer=request.POST.get("volunteer") == "1"
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("ethics:debriefs")
    return render(
        request,
        "ethics/debriefs.html",
        {
            "debriefs": selectors.debriefs_for(user),
            "is_volunteer": selectors.is_debrief_volunteer(user),
            "may_volunteer": is_approved_supporter(user, paused_ok=False),
        },
    )


@role_required(Role.SUPPORTER)
@require_http_methods(["GET", "POST"])
def debrief_new(request):
    _debrief_access(request.user)
    form = DebriefForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            debrief = services.debrief_request(
                supporter=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Sent to the supporter network."))
            return redirect("ethics:debrief", pk=debrief.pk)
    return render(request, "ethics/debrief_form.html", {"form": form})


@role_required(Role.SUPPORTER, Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def debrief_detail(request, pk: int):
    debrief = get_debrief_for(request.user, pk)
    user = request.user
    form = MessageForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "message":
            form = MessageForm(request.POST)
            if form.is_valid():
                try:
                    services.debrief_message_add(
                        debrief_id=debrief.pk, user=user, text=form.cleaned_data["text"]
                    )
                except ValidationError as error:
                    _apply_errors(form, error)
                else:
                    return redirect("ethics:debrief", pk=debrief.pk)
        elif action in ("pick_up", "close"):
            try:
                if action == "pick_up":
                    services.debrief_pick_up(debrief_id=debrief.pk, user=user)
                else:
                    services.debrief_close(debrief_id=debrief.pk, user=user)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                if action == "close":
                    messages.success(request, _("Closed."))
                    return redirect("ethics:debriefs")
                messages.success(request, _("You picked it up. Say hello below."))
            return redirect("ethics:debrief", pk=debrief.pk)
        else:
            raise Http404
    in_it = user.pk in (debrief.requested_by_id, debrief.picked_up_by_id)
    return render(
        request,
        "ethics/debrief_detail.html",
        {
            "debrief": debrief,
            "thread": debrief.messages.select_related("author"),
            "form": form if in_it and debrief.status == DebriefStatus.PICKED_UP else None,
            "may_pick_up": debrief.status == DebriefStatus.OPEN
            and user.pk != debrief.requested_by_id,
            "may_close": debrief.status != DebriefStatus.CLOSED
            and (in_it or user.role == Role.COORDINATOR),
        },
        status=400 if form.errors else 200,
    )


# -- change requests and blocks -------------------------------------------------------------


@anyone_signed_in
def changes(request):
    if request.user.role == Role.COORDINATOR:
        items = selectors.open_change_requests()
    else:
        items = selectors.change_requests_by(request.user)
    return render(request, "ethics/changes.html", {"changes": items})


@party_required
@require_http_methods(["GET", "POST"])
def change_new(request, pk: int):
    pairing = get_pairing_to_change(request.user, pk)
    is_survivor = request.user.role == Role.SURVIVOR
    form = ChangeForm(request.POST or None, reason_required=not is_survivor)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_request_open(
                user=request.user, pairing=pairing, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you. A coordinator will be in touch."))
            return redirect("ethics:change", pk=change.pk)
    return render(
        request,
        "ethics/change_form.html",
        {"form": form, "pairing": pairing, "is_survivor": is_survivor},
    )


@anyone_signed_in
@require_http_methods(["GET", "POST"])
def change_detail(request, pk: int):
    change = get_change_request_for(request.user, pk)
    if request.method == "POST":
        status = request.POST.get("status", "")
        try:
            services.change_request_close(request_id=change.pk, actor=request.user, status=status)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Saved."))
        return redirect("ethics:change", pk=change.pk)
    is_coordinator = request.user.role == Role.COORDINATOR
    return render(
        request,
        "ethics/change_detail.html",
        {
            "change": change,
            "is_coordinator": is_coordinator,
            "is_open": change.status == ChangeStatus.OPEN,
            "trail": selectors.audit_trail(change) if is_coordinator else None,
        },
    )


@role_required(Role.SURVIVOR)
@require_http_methods(["GET", "POST"])
def block(request, pk: int):
    pairing = get_pairing_to_block(request.user, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supporter_block(survivor=request.user, pairing_id=pairing.pk)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Done. Your pairing is paused, they can no longer see your details, and "
                    "they will never be offered to you again. A coordinator will be in touch."
                ),
            )
            return redirect("home")
    return render(request, "ethics/block.html", {"form": form, "pairing": pairing})
