"""allauth hooks: where people land after signing in."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # Someone asked to acknowledge a new version reads it (and what changed) first.
        # (Newcomers land on their home, where the agreements wait at the top.)
        from ethics.selectors import asked_again

        user = request.user
        if not user.is_authenticated:
            return reverse("home")
        profile = getattr(user, "supporter_profile", None) if user.is_supporter else None
        still_supporting = profile is None or profile.status not in ("declined", "retired")
        if still_supporting and asked_again(user):
            return reverse("ethics:acknowledge")
        return reverse("home")

    def get_signup_redirect_url(self, request):
        return reverse("home")
