"""The coordinators' pages for the agreements: every document with its versions, drafting a
new version, publishing it, and reading any version (drafts too). Coordinators only: anyone
else gets 404.

Reading and acknowledging the current versions is everyone's page (ethics.agreements.views).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ethics.agreements import selectors as agreement_selectors
from ethics.agreements import services as agreement_services
from ethics.agreements.access import get_document_for, get_version_for
from ethics.care.forms import ConfirmForm
from peersupport.people.access import coordinator_required
from peersupport.people.form_base import show_validation_error

from .forms import DraftForm


@coordinator_required
def agreements(request):
    return render(
        request,
        "team/agreements.html",
        {"documents": agreement_selectors.documents_with_versions()},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def draft(request, pk: int):
    document = get_document_for(request.user, pk)
    draft = document.versions.drafts().first()
    base = draft or agreement_selectors.current_versions().filter(document=document).first()
    if request.method == "POST" and request.POST.get("action") == "discard" and draft:
        agreement_services.agreement_draft_discard(version_id=draft.pk, actor=request.user)
        messages.info(request, _("The draft was discarded."))
        return redirect("team:agreements")
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
            saved = agreement_services.agreement_draft_save(
                document_id=document.pk,
                actor=request.user,
                introduction=form.cleaned_data["introduction"],
                items=form.cleaned_data["items"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Draft saved. Check it, then publish it."))
            return redirect("team:publish", pk=saved.pk)
    return render(
        request, "team/draft_form.html", {"document": document, "draft": draft, "form": form}
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def publish(request, pk: int):
    version = get_version_for(request.user, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_services.agreement_publish(version_id=version.pk, actor=request.user)
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Published. Everyone it applies to will be asked to acknowledge it."),
            )
            return redirect("team:agreements")
    return render(
        request,
        "team/publish.html",
        {"version": agreement_selectors.version_with_items(version.pk), "form": form},
    )


@coordinator_required
def version(request, pk: int):
    version = get_version_for(request.user, pk)
    return render(
        request,
        "team/version.html",
        {"version": agreement_selectors.version_with_items(version.pk)},
    )
