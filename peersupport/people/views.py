"""Pages anyone reaches: the public pages, the quick exit, the break and help pages, the
volunteer application and the in-app notices."""

from __future__ import annotations

from allauth.account.views import SignupView
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from peersupport.platform.middleware import HOLD_COOKIE

from . import services
from .forms import (
    SupporterApplicationForm,
)
from .models import (
    CrisisResource,
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


class SupporterApplyView(SignupView):
    """The peer-supporter application: an account and the details a coordinator reviews."""

    form_class = SupporterApplicationForm
    template_name = "people/apply.html"

    def get_form_class(self):
        # allauth would take ACCOUNT_FORMS["signup"] (the survivors' form) over form_class.
        return self.form_class


supporter_apply = SupporterApplyView.as_view()


def supporter_applied(request):
    """Where an application lands (home/adapters.py sends it here): what happens next. The
    same page whether or not the address already had an account, so it tells nobody that."""
    two_step = "supporter" in settings.MFA_REQUIRED_ROLES
    return render(request, "people/applied.html", {"two_step": two_step})


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    """The in-app notifications, newest first. Marking them read is a button (a POST)."""
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("inbox")
    notifications = list(request.user.notifications.all()[:50])
    unread = any(n.read_at is None for n in notifications)
    return render(request, "people/inbox.html", {"notifications": notifications, "unread": unread})
