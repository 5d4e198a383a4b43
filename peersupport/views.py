"""Pages for people: the public pages, the quick exit, each role's home, profiles, the team."""

from __future__ import annotations

from allauth.account.views import SignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .access import (
    coordinator_required,
    get_application_for,
    supporter_required,
)
from .forms import (
    VOCABULARIES,
    AccountSettingsForm,
    CoordinatorCreateForm,
    DecisionForm,
    PauseForm,
    SupporterApplicationForm,
    SupporterProfileForm,
    SurvivorProfileForm,
    vocabulary_form_class,
)
from .middleware import HOLD_COOKIE
from .models import (
    CrisisResource,
    Notification,
    Role,
    SupporterProfile,
    SupporterStatus,
    SurvivorProfile,
)


def index(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "index.html")


@require_http_methods(["GET", "POST"])
def quick_exit(request):
    """Leave at once: end the session on the server and go to the neutral site.

    Works as a plain link. The cookie makes Back (which reloads, nothing being cached) land on
    the neutral site too, for QUICK_EXIT_HOLD_SECONDS.
    """
    logout(request)
    request.session.flush()
    response = HttpResponseRedirect(settings.QUICK_EXIT_URL)
    response.set_cookie(
        HOLD_COOKIE,
        "1",
        max_age=settings.QUICK_EXIT_HOLD_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    response.delete_cookie(settings.SESSION_COOKIE_NAME)
    response.delete_cookie(settings.CSRF_COOKIE_NAME)
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def take_a_break(request):
    return render(request, "break.html")


def help_now(request):
    resources = CrisisResource.objects.active()
    return render(request, "help.html", {"resources": resources})


@login_required
def home(request):
    user = request.user
    if user.role == Role.SURVIVOR:
        profile, _created = SurvivorProfile.objects.get_or_create(user=user)
        return render(request, "people/home_survivor.html", {"profile": profile})
    if user.role == Role.SUPPORTER:
        profile = get_object_or_404(SupporterProfile, user=user)
        caseload = None
        if profile.status in (SupporterStatus.APPROVED, SupporterStatus.PAUSED):
            from sessions.selectors import supporter_caseload

            caseload = supporter_caseload(user, profile=profile)
        return render(
            request, "people/home_supporter.html", {"profile": profile, "caseload": caseload}
        )
    if user.role == Role.COORDINATOR:
        from .workspace.views import queue  # the coordinator's home is the queue

        return queue(request)
    raise Http404


@login_required
def profile_edit(request):
    user = request.user
    role_form_class, instance = None, None
    if user.role == Role.SURVIVOR:
        instance, _created = SurvivorProfile.objects.get_or_create(user=user)
        role_form_class = SurvivorProfileForm
    elif user.role == Role.SUPPORTER:
        instance = get_object_or_404(SupporterProfile, user=user)
        role_form_class = SupporterProfileForm

    data = request.POST if request.method == "POST" else None
    account_form = AccountSettingsForm(data, instance=user, prefix="account")
    role_form = (
        role_form_class(data, instance=instance, prefix="profile") if role_form_class else None
    )
    if request.method == "POST":
        forms_ok = account_form.is_valid() and (role_form is None or role_form.is_valid())
        if forms_ok and isinstance(role_form, SupporterProfileForm):
            # Capacity and "open to new people" touch matching: the service locks the
            # profile, checks the places taken and sends open offers back to the queue.
            data = role_form.cleaned_data
            try:
                services.supporter_profile_update(
                    profile_id=instance.pk,
                    actor=user,
                    areas=data["areas"],
                    languages=data["languages"],
                    meeting_modes=data["meeting_modes"],
                    gender=data["gender"],
                    availability=services.slots_to_mask(data["availability"]),
                    capacity=data["capacity"],
                    accepting_new=data["accepting_new"],
                )
            except ValidationError as error:
                role_form.add_error("capacity", error.messages[0])
                forms_ok = False
            else:
                role_form = None  # saved
        if forms_ok:
            account_form.save()
            if role_form is not None:
                role_form.save()
            services.audit_record(actor=user, action="profile.updated", target=user)
            messages.success(request, _("Saved."))
            return redirect("profile")
    return render(
        request, "people/profile.html", {"account_form": account_form, "role_form": role_form}
    )


@supporter_required
@require_http_methods(["GET", "POST"])
def supporter_pause(request):
    profile = get_object_or_404(SupporterProfile, user=request.user)
    form = PauseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        pausing = profile.status == SupporterStatus.APPROVED
        try:
            services.supporter_set_paused(
                profile_id=profile.pk,
                actor=request.user,
                paused=pausing,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("You are paused. No new people will be offered to you.")
                if pausing
                else _("Welcome back. You can be offered new people again."),
            )
        return redirect("home")
    return render(request, "people/pause.html", {"form": form, "profile": profile})


class SupporterApplyView(SignupView):
    """The peer-supporter application: an account and the details a coordinator reviews."""

    form_class = SupporterApplicationForm
    template_name = "people/apply.html"

    def get_form_class(self):
        # allauth would take ACCOUNT_FORMS["signup"] (the survivors' form) over form_class.
        return self.form_class


supporter_apply = SupporterApplyView.as_view()


# The team's pages (coordinators only)


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
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Decision saved."))
            return redirect("team:applications")
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
            form.add_error("email", error.messages[0])
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
            "kinds": VOCABULARIES,
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
                actor=request.user, action=f"vocabulary.{kind}.saved", target=item
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


@login_required
def inbox(request):
    """The in-app notifications. Opening the page marks them read."""
    notifications = list(request.user.notifications.all()[:50])
    unread = [n.pk for n in notifications if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "people/inbox.html", {"notifications": notifications})
