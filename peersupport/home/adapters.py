"""allauth hooks: where people land after signing in; how failed sign-ins are counted."""

from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ethics.agreements.selectors import asked_again
from peersupport.people.models import SupporterStatus


def _asked_again(user) -> bool:
    """Someone asked to acknowledge a new version (still supporting, if a supporter)."""
    if not user.is_authenticated:
        return False
    profile = getattr(user, "supporter_profile", None) if user.is_supporter else None
    still_supporting = profile is None or profile.status != SupporterStatus.DECLINED
    return still_supporting and bool(asked_again(user))


class AccountAdapter(DefaultAccountAdapter):
    # allauth's words for a failed sign-in, in the service's voice (issue 12).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("The email address or password is not right. Try again."),
    }

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed sign-ins per account; that lets anyone who knows an address
        # lock its owner out. Counting per account *and* address slows guessing from any one
        # place (with the per-address limit) while the owner, elsewhere, still gets in.
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def get_login_redirect_url(self, request):
        # Someone asked to acknowledge a new version reads it (and what changed) first.
        # (Newcomers land on their home, where the agreements wait at the top.)
        if _asked_again(request.user):
            return reverse("agreements:acknowledge")
        return reverse("home")

    def post_login(self, request, user, *, redirect_url=None, signup=False, **kwargs):
        # allauth follows ?next= (handed in as redirect_url) before asking
        # get_login_redirect_url, so a sign-in through /accounts/login/?next=... would skip the
        # new version. Send them to read it first, keeping where they were going for afterwards
        # (the acknowledgement page checks again that it is one of ours).
        if not signup and _asked_again(user):
            next_url = redirect_url() if callable(redirect_url) else redirect_url
            next_url = next_url or get_next_redirect_url(request)
            url = reverse("agreements:acknowledge")
            if next_url and next_url != url:
                url += "?" + urlencode({"next": next_url})
            redirect_url = url
        return super().post_login(request, user, redirect_url=redirect_url, signup=signup, **kwargs)

    def get_signup_redirect_url(self, request):
        if _applying(request):
            return reverse("supporter_applied")
        return reverse("home")

    def respond_email_verification_sent(self, request, user):
        # A volunteer who sends an application reads what happens next, not allauth's page.
        # Decided by the page they sent it from, never by the account: an address that
        # already had one (user is None, ACCOUNT_PREVENT_ENUMERATION) lands on the same page.
        if _applying(request):
            return HttpResponseRedirect(reverse("supporter_applied"))
        return super().respond_email_verification_sent(request, user)


def _applying(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "supporter_apply"
