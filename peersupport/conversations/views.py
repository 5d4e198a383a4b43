"""The conversation's pages: the page itself (the list, newest last, and a plain form: it all
works without JavaScript), removing and reporting a message, and the coordinators' read-only
view opened by a safety flag or a reported message (each read audited).

Every address answers 404 to anyone but the pairing's two people, and to them too once the
pairing is not active (access.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peersupport.people.access import coordinator_required, survivor_or_supporter_required
from peersupport.people.events import AuditAction
from peersupport.people.form_base import first_error, show_validation_error
from peersupport.people.services import audit_record

from . import access, selectors, services
from .forms import MessageForm, ReportForm


def _page_url(pk: int) -> str:
    return reverse("conversations:conversation", args=[pk]) + "#latest"


@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def conversation(request, pk: int):
    pairing = access.get_conversation_for(request.user, pk)
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.message_send(
                    user=request.user, pairing_id=pairing.pk, text=form.cleaned_data["text"]
                )
            except services.ConversationClosed as error:
                raise Http404 from error
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                return redirect(_page_url(pairing.pk))
    else:
        form = MessageForm()
    before = request.GET.get("before")
    page, earlier = selectors.messages_page(
        pairing.pk, before=int(before) if before and before.isdigit() else None
    )
    is_survivor = request.user.pk == pairing.survivor_id
    return render(
        request,
        "conversations/conversation.html",
        {
            "pairing": pairing,
            "other": pairing.supporter if is_survivor else pairing.survivor,
            "is_survivor": is_survivor,
            "messages_page": page,
            "earlier": page[0].pk if earlier and page else None,
            "form": form,
            "chat_sessions": selectors.chat_sessions(pairing),
            "max_chars": settings.CONVERSATION_MAX_CHARS,
            "ping_seconds": settings.CONVERSATION_PING_SECONDS,
        },
    )


@survivor_or_supporter_required
@require_POST
def message_remove(request, pk: int, message_pk: int):
    pairing = access.get_conversation_for(request.user, pk)
    try:
        services.message_remove(user=request.user, pairing_id=pairing.pk, message_id=message_pk)
    except services.ConversationClosed as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, first_error(error))
    return redirect(_page_url(pairing.pk))


@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def message_report(request, pk: int, message_pk: int):
    pairing = access.get_conversation_for(request.user, pk)
    try:
        message = services.reportable_message(
            user=request.user, pairing=pairing, message_id=message_pk
        )
    except ValidationError as error:
        raise Http404 from error
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.message_report(
                    user=request.user,
                    pairing_id=pairing.pk,
                    message_id=message.pk,
                    category=form.cleaned_data["category"],
                    text=form.cleaned_data["text"],
                )
            except services.ConversationClosed as error:
                raise Http404 from error
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                messages.success(
                    request, _("Thank you. A coordinator will look at it and may contact you.")
                )
                return redirect(_page_url(pairing.pk))
    else:
        form = ReportForm()
    return render(
        request,
        "conversations/report.html",
        {"pairing": pairing, "message": message, "form": form},
    )


@coordinator_required
def read_for_flag(request, pk: int):
    """An open safety flag lets a coordinator read the pair's conversation; each read is audited."""
    flag = access.get_flag_for_reading(request.user, pk)
    audit_record(
        actor=request.user,
        action=AuditAction.CONVERSATION_READ_FLAG,
        target=flag,
        pairing=flag.pairing_id,
    )
    return render(
        request,
        "conversations/read.html",
        {
            "pairing": flag.pairing,
            "messages_list": selectors.all_messages(flag.pairing_id),
            "back": reverse("team:flag", args=[flag.pk]),
            "report": None,
        },
    )


@coordinator_required
def read_for_report(request, pk: int):
    """A reported message, as it was sent, and the conversation around it while the pairing is
    there; each read is audited."""
    concern = access.get_report_for_reading(request.user, pk)
    audit_record(
        actor=request.user,
        action=AuditAction.CONVERSATION_READ_REPORT,
        target=concern,
        pairing=concern.pairing_id,
    )
    return render(
        request,
        "conversations/read.html",
        {
            "pairing": concern.pairing,
            "messages_list": (
                selectors.all_messages(concern.pairing_id) if concern.pairing_id else []
            ),
            "back": reverse("team:concern", args=[concern.pk]),
            "report": concern.reported_message,
        },
    )
