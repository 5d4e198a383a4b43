"""Coordinators' pages for people and settings: supporters' applications, adding a
coordinator, and the lists people choose from. Coordinators only: anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peersupport.people import audit, services
from peersupport.people.access import coordinator_required, get_application_for
from peersupport.people.events import AuditAction
from peersupport.people.form_base import first_error, show_validation_error
from peersupport.people.forms import (
    VOCABULARIES,
    CoordinatorCreateForm,
    DecisionForm,
    vocabulary_form_class,
)
from peersupport.people.models import SupporterProfile, SupporterStatus


@coordinator_required
def applications(request):
    status = request.GET.get("status", SupporterStatus.APPLIED)
    if status not in SupporterStatus.values:
        status = SupporterStatus.APPLIED
    queryset = (
        SupporterProfile.objects.filter(status=status)
        .select_related("user", "gender")
        .prefetch_related("areas", "languages")
        .order_by("created_at")
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "team/applications.html",
        {"page": page, "status": status, "statuses": SupporterStatus.choices},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def application_detail(request, pk: int):
    profile = get_application_for(request.user, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supporter_decide(
                profile_id=profile.pk,
                coordinator=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("team:applications")
    audit.record_read(request, AuditAction.APPLICATION_VIEWED, profile)
    return render(request, "team/application_detail.html", {"profile": profile, "form": form})


@coordinator_required
@require_http_methods(["GET", "POST"])
def coordinator_new(request):
    form = CoordinatorCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.coordinator_create(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", first_error(error))
        else:
            # They choose their own password through the emailed link.
            services.coordinator_send_link(user=user, request=request)
            messages.success(request, _("Coordinator added. They have been emailed a link."))
            return redirect("home")
    return render(request, "team/coordinator_new.html", {"form": form})


def _vocabulary_model(kind: str):
    model = VOCABULARIES.get(kind)
    if model is None:
        raise Http404
    return model


@coordinator_required
def vocabulary_list(request, kind: str):
    model = _vocabulary_model(kind)
    return render(
        request,
        "team/vocabulary_list.html",
        {
            "kind": kind,
            "kinds": {key: m._meta.verbose_name_plural for key, m in VOCABULARIES.items()},
            "items": model.objects.all(),
            "title": model._meta.verbose_name_plural,
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def vocabulary_edit(request, kind: str, pk: int | None = None):
    model = _vocabulary_model(kind)
    instance = get_object_or_404(model, pk=pk) if pk is not None else None
    form = vocabulary_form_class(model)(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        if hasattr(item, "slug") and not item.slug:
            item.slug = _unique_slug(model, item.name)
        try:
            item.save()
        except IntegrityError:
            form.add_error(None, _("That entry already exists."))
        else:
            services.audit_record(
                actor=request.user, action=AuditAction(f"vocabulary.{kind}.saved"), target=item
            )
            messages.success(request, _("Saved."))
            return redirect("team:vocabulary", kind=kind)
    return render(
        request,
        "team/vocabulary_form.html",
        {"form": form, "kind": kind, "title": model._meta.verbose_name},
    )


def _unique_slug(model, name: str) -> str:
    base = slugify(name)[:50] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
