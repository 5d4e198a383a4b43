"""The safety frame on every page: quick exit, a break, crisis links, neutral titles, no cache.

The walk covers every URL pattern the project routes (not a hand-picked list): each is
requested by a visitor and by each role, and every HTML page that comes back is checked.
"""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

from peersupport.people.models import LivedExperienceArea
from peersupport.platform import errors
from peersupport.platform.middleware import HOLD_COOKIE, REFRESHED_KEY
from tests.care.samples import URGENT_ROUTE_NOT_WALKED, ethics_samples
from tests.conversations.samples import CONVERSATIONS_POST_ONLY, conversations_samples
from tests.coordination.samples import WORKSPACE_NO_PAGE, workspace_samples
from tests.factories import SupporterFactory
from tests.matching.samples import MATCHING_POST_ONLY, matching_samples
from tests.sessions.samples import sessions_samples

pytestmark = pytest.mark.django_db

# Words a bystander must never glimpse in a tab title or an address.
UNSAFE_WORDS = ("abuse", "violence", "rape", "assault", "survivor", "sexual", "trauma", "victim")

# Patterns that never answer a GET with a page of their own (they redirect or are POST-only),
# with the reason. Everything else must render an HTML page for at least one persona.
NO_PAGE_OF_THEIR_OWN = {
    "quick_exit": "redirects to the neutral site",
    "session_stay": "POST only: the idle warning's Stay signed in (test_idle_warning)",
    "account_reset_password_from_key": "needs a real key; exercised in test_accounts",
    "mfa_generate_recovery_codes": "reached from the MFA pages only after TOTP is set up",
    "mfa_download_recovery_codes": "plain-text download, after TOTP is set up",
    "mfa_view_recovery_codes": "after TOTP is set up",
    "mfa_deactivate_totp": "after TOTP is set up",
    "mfa_authenticate": "during a sign-in that needs a second step",
    "mfa_reauthenticate": "during a sign-in that needs a second step",
    "mfa_trust": "during a sign-in that needs a second step",
    "account_reauthenticate": "only in the middle of a sensitive change",
    "account_email_verification_sent": "only after a sign-up",
    "account_confirm_login_code": "sign-in by emailed code is turned off",
    "account_set_password": "only for an account that has no password",
    "mfa_activate_totp": "asks the person to confirm their password first",
    "matching:proposals": "an old address: sends coordinators on to team:proposals",
    **MATCHING_POST_ONLY,
    **CONVERSATIONS_POST_ONLY,
    **WORKSPACE_NO_PAGE,
    **URGENT_ROUTE_NOT_WALKED,
}


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace
            yield from (
                (f"{namespace}:{name}" if namespace else name, pattern)
                for name, pattern in _walk(entry)
            )
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, entry.pattern


def all_url_names():
    return sorted({name for name, _pattern in _walk(get_resolver())})


def _reverse(name, sample_kwargs):
    """Reverse a name, filling its arguments from `sample_kwargs` by argument name."""
    resolver = get_resolver()
    ns_resolver = resolver
    parts = name.split(":")
    for namespace in parts[:-1]:
        ns_resolver = ns_resolver.namespace_dict[namespace][1]
    for possibility, *_rest in ns_resolver.reverse_dict.getlist(parts[-1]):
        for _result, params in possibility:
            try:
                return reverse(name, kwargs={p: sample_kwargs[p] for p in params})
            except KeyError:
                continue
    raise AssertionError(f"no sample arguments for {name}")


@pytest.fixture
def samples(db, survivor, supporter):
    applicant = SupporterFactory()
    common = {"kind": "areas", "key": "not-a-real-key", "uidb36": "1", "provider": "none"}
    by_name = {
        "team:application": {"pk": applicant.supporter_profile.pk},
        "team:vocabulary_edit": {"pk": LivedExperienceArea.objects.first().pk},
        **ethics_samples(survivor=survivor, supporter=supporter),
        **matching_samples(survivor=survivor, supporter=supporter),
        **sessions_samples(survivor=survivor, supporter=supporter),
        **conversations_samples(survivor=survivor, supporter=supporter),
        **workspace_samples(survivor=survivor, supporter=supporter),
    }
    return lambda name: {**common, **by_name.get(name, {})}


def _personas(client_factory, survivor, supporter, coordinator):
    yield "visitor", client_factory()
    for user in (survivor, supporter, coordinator):
        c = client_factory()
        c.force_login(user)
        yield user.role, c


def _assert_safety_frame(html: str, where: str):
    assert "data-quick-exit" in html, f"{where}: no quick exit"
    assert 'href="/x/"' in html, f"{where}: the quick exit is not a plain link"
    assert "data-break-link" in html, f"{where}: no link to take a break"
    assert "data-crisis-link" in html, f"{where}: no link to crisis resources"
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).lower()
    for word in UNSAFE_WORDS:
        assert word not in title, f"{where}: '{word}' in the page title"
    # No inline scripts (a strict CSP holds): every <script> has a src, no on* handlers.
    # (JSON data blocks are not run, so they are allowed.)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, f"{where}: inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), f"{where}: inline event handler"


def test_every_page_has_the_safety_frame(client_class, survivor, supporter, coordinator, samples):
    from django.test import Client

    names = all_url_names()
    assert len(names) > 20, names  # the walk really found the routes
    rendered = set()
    for name in names:
        url = _reverse(name, samples(name))
        for url_part in url.lower().split("/"):
            for word in UNSAFE_WORDS:
                assert word not in url_part, f"{name}: '{word}' in the address {url}"
        for persona, client in _personas(Client, survivor, supporter, coordinator):
            response = client.get(url)
            assert response.status_code < 500, f"{name} as {persona}: {response.status_code}"
            if persona != "visitor":  # every answer to someone signed in, whatever its status
                assert "no-store" in response.get("Cache-Control", ""), f"{name} as {persona}"
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                _assert_safety_frame(response.content.decode(), f"{name} as {persona}")
                rendered.add(name)
            elif response.status_code == 200 and response.has_header("Content-Disposition"):
                rendered.add(name)  # a download (not a page), answered with no-store above
    never = set(names) - rendered - set(NO_PAGE_OF_THEIR_OWN)
    assert not never, f"these routes rendered no page for anyone: {sorted(never)}"


@pytest.fixture
def client_class():
    from django.test import Client

    return Client


def test_not_found_page_is_neutral_and_has_the_quick_exit(client):
    response = client.get("/no-such-page-zzq/")
    assert response.status_code == 404
    html = response.content.decode()
    _assert_safety_frame(html, "404")
    assert "zzq" not in html  # the address is not echoed


def _raises(request):
    raise RuntimeError("".join(["typed ", "zq90"]))


urlpatterns = [path("raises/", _raises)]  # this module is the urlconf of the next test
handler500 = "peersupport.platform.errors.server_error"


def test_a_view_that_raises_gets_the_neutral_500_page_with_the_quick_exit(settings):
    from django.test import Client

    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/raises/")
    assert response.status_code == 500
    html = response.content.decode()
    _assert_safety_frame(html, "500")
    assert "zq90" not in html and "RuntimeError" not in html
    assert "no-store" in response["Cache-Control"]


def test_server_error_page_has_the_quick_exit():
    request = RequestFactory().get("/")
    response = errors.server_error(request)
    assert response.status_code == 500
    _assert_safety_frame(response.content.decode(), "500")


def test_error_reports_do_not_carry_what_was_typed(settings):
    # Built at run time so the report's source-code context cannot contain it.
    typed = "".join(["my private ", "words ", "q7x"])
    request = RequestFactory().post("/profile/", {"motivation": typed})
    try:
        local_copy = typed.upper()  # noqa: F841 - a local holding it, as a view's would
        raise ValueError("boom")
    except ValueError as exc:
        reporter = ExceptionReporter(request, type(exc), exc, exc.__traceback__)
        for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
            assert typed not in report
            assert typed.upper() not in report


def test_authenticated_pages_are_never_cached(survivor_client):
    for name in ("home", "profile", "take_a_break", "help"):
        response = survivor_client.get(reverse(name))
        assert "no-store" in response["Cache-Control"], name


def test_a_signed_in_page_leaves_for_sign_in_after_the_idle_timeout(client, survivor, settings):
    visitor_page = client.get(reverse("index")).content.decode()
    assert "data-idle-refresh" not in visitor_page  # a visitor has no session to lose
    client.force_login(survivor)
    html = client.get(reverse("home")).content.decode()
    seconds = settings.SESSION_COOKIE_AGE + 5
    expected = f'content="{seconds};url={reverse("account_login")}"'
    assert re.search(r'<meta http-equiv="refresh" ' + re.escape(expected), html)


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get(reverse("index"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_quick_exit_signs_out_on_the_server_and_holds_the_browser(survivor_client, settings):
    assert Session.objects.count() == 1
    response = survivor_client.get(reverse("quick_exit"))
    assert response.status_code == 302
    assert response["Location"] == settings.QUICK_EXIT_URL
    assert Session.objects.count() == 0
    assert response.cookies[HOLD_COOKIE]["max-age"] == settings.QUICK_EXIT_HOLD_SECONDS
    assert "cache" in response["Clear-Site-Data"]
    # Back reloads the previous page: it lands on the neutral site again, not the service.
    again = survivor_client.get(reverse("home"))
    assert again.status_code == 302
    assert again["Location"] == settings.QUICK_EXIT_URL


def test_quick_exit_works_as_a_post_too(survivor_client, settings):
    response = survivor_client.post(reverse("quick_exit"))
    assert response["Location"] == settings.QUICK_EXIT_URL


def _age_session(session: Session, *, seconds_left: int, idle: int) -> None:
    """Make the stored session look as if its last refresh was `idle - seconds_left` ago."""
    store = SessionStore(session_key=session.session_key)
    store[REFRESHED_KEY] = int(time.time()) - (idle - seconds_left)
    store.save()
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + timedelta(seconds=seconds_left)
    )


def test_sessions_end_after_the_idle_timeout(survivor_client, settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert survivor_client.get(reverse("home")).status_code == 200
    session = Session.objects.get()
    # A request pushes the expiry to a full idle period from now: idle time counts, not
    # time since sign-in. Nearly expired, one request brings it back to ~15 minutes.
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    _age_session(session, seconds_left=60, idle=settings.SESSION_COOKIE_AGE)
    before = timezone.now()
    assert survivor_client.get(reverse("home")).status_code == 200
    after = timezone.now()
    session.refresh_from_db()
    assert before + idle - timedelta(seconds=1) <= session.expire_date <= after + idle
    # Past the idle time, the session is gone: the next request must sign in again.
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()
    response = survivor_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _session_writes(queries) -> int:
    return sum(
        1
        for query in queries
        if "django_session" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def test_the_idle_timeout_writes_the_session_at_most_once_a_minute(survivor_client, settings):
    survivor_client.get(reverse("home"))  # the refresh that comes with signing in
    session = Session.objects.get()
    expiry = session.expire_date
    with CaptureQueriesContext(connection) as pages:
        for _ in range(3):
            assert survivor_client.get(reverse("home")).status_code == 200
    assert _session_writes(pages.captured_queries) == 0
    session.refresh_from_db()
    assert session.expire_date == expiry
    # A minute on, the next page pushes the expiry forward with one write.
    _age_session(
        session, seconds_left=settings.SESSION_COOKIE_AGE - 61, idle=settings.SESSION_COOKIE_AGE
    )
    with CaptureQueriesContext(connection) as page:
        assert survivor_client.get(reverse("home")).status_code == 200
    assert _session_writes(page.captured_queries) == 1
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)
    # The page tells the browser how long is left, for the warning and the no-script refresh.
    html = survivor_client.get(reverse("home")).content.decode()
    refresh = int(re.search(r'http-equiv="refresh" content="(\d+);', html).group(1))
    assert settings.SESSION_COOKIE_AGE + 3 <= refresh <= settings.SESSION_COOKIE_AGE + 5


def test_sign_out_still_ends_the_session_at_once(survivor_client):
    survivor_client.get(reverse("home"))
    signed_in = Session.objects.get().session_key
    survivor_client.post(reverse("account_logout"))
    # The signed-in session is gone (a new, anonymous one may carry the "signed out" notice).
    assert not Session.objects.filter(session_key=signed_in).exists()
    assert survivor_client.get(reverse("home")).status_code == 302


def test_crisis_resources_are_data(client, coordinator_client):
    from peersupport.people.models import CrisisResource

    CrisisResource.objects.create(name="Local line zz", phone="0100 000")
    html = client.get(reverse("help")).content.decode()
    assert "Local line zz" in html
    assert "Samaritans" in html


def test_take_a_break_page_has_the_grounding_moment(client):
    html = client.get(reverse("take_a_break")).content.decode()
    assert "Feeling triggered and overwhelmed?" in html
    assert "breathe" in html.lower()
