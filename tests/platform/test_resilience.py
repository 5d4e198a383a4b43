"""When Redis blinks, sign-in and its rate limits keep working; failed sign-ins count per
account and address (nobody locks the owner out); the real client is seen behind a proxy;
flash messages stay on the server."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from peersupport.platform.cache import FallbackRedisCache
from tests.factories import PASSWORD

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once
LIMITS = {"login_failed": "10/m/ip,5/5m/key", "login": "30/m/ip"}


def _unreachable_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "peersupport.platform.cache.FallbackRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }


def test_the_cache_falls_back_to_memory_when_redis_is_unreachable():
    backend = FallbackRedisCache(UNREACHABLE_REDIS, {})
    backend.set("k", 1)
    assert backend.get("k") == 1
    assert backend.add("k", 2) is False
    assert backend.incr("k") == 2
    assert not backend.redis_available  # left alone for a moment: one timeout, not one per call


def test_the_cache_uses_redis_when_it_is_there(redis_url):
    backend = FallbackRedisCache(redis_url, {})
    backend.set("resilience-test", "in redis", 30)
    assert backend.redis_available
    other = FallbackRedisCache(redis_url, {})  # another process's view: shared through Redis
    assert other.get("resilience-test") == "in redis"
    backend.delete("resilience-test")


@pytest.mark.django_db
def test_sign_in_and_password_reset_work_while_redis_is_down(settings, survivor):
    _unreachable_cache(settings)
    settings.ACCOUNT_RATE_LIMITS = LIMITS
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": survivor.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(survivor.pk)
    response = Client().post(reverse("account_reset_password"), {"email": survivor.email})
    assert response.status_code == 302


def _sign_in(client: Client, email: str, password: str, ip: str):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_a_stranger_failing_on_purpose_cannot_lock_the_owner_out(settings, survivor):
    settings.ACCOUNT_RATE_LIMITS = LIMITS
    cache.clear()
    stranger = Client()
    for _ in range(5):
        _sign_in(stranger, survivor.email, "wrong-guess", "203.0.113.9")
    # The stranger is now slowed down, even with the right password...
    refused = _sign_in(stranger, survivor.email, PASSWORD, "203.0.113.9")
    assert refused.status_code == 200
    assert "_auth_user_id" not in stranger.session
    # ...while the owner, from their own address, signs in.
    owner = Client()
    assert _sign_in(owner, survivor.email, PASSWORD, "198.51.100.7").status_code == 302
    assert owner.session.get("_auth_user_id") == str(survivor.pk)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_limit(settings, survivor):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    cache.clear()
    proxy = "10.0.0.2"
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _ in range(3):
        first.post(reverse("account_login"), {"login": survivor.email, "password": "nope"})
    response = first.post(reverse("account_login"), {"login": survivor.email, "password": PASSWORD})
    assert "_auth_user_id" not in first.session  # this client is limited...
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = second.post(
        reverse("account_login"), {"login": survivor.email, "password": PASSWORD}
    )
    assert response.status_code == 302  # ...the next one behind the same proxy is not
    assert second.session.get("_auth_user_id") == str(survivor.pk)


@pytest.mark.django_db
def test_flash_messages_are_kept_on_the_server_not_in_a_cookie(survivor_client):
    response = survivor_client.post(
        reverse("profile"),
        {
            "account-display_name": "Sam",
            "account-time_zone": "Europe/London",
            "profile-relationship": "survivor",
        },
    )
    assert "messages" not in response.cookies
    page = survivor_client.get(reverse("profile")).content.decode()
    assert "Saved." in page


def test_many_numbers_move_in_one_go_with_or_without_redis(redis_url):
    down = FallbackRedisCache(UNREACHABLE_REDIS, {})
    down.set("n1", 5)
    down.incr_many(["n1", "n2"], start=1000)
    assert (down.get("n1"), down.get("n2")) == (6, 1001)  # a missing number starts afresh
    up = FallbackRedisCache(redis_url, {})
    up.delete_many(["incr-many-a", "incr-many-b"])
    up.set("incr-many-a", 7, None)
    up.incr_many(["incr-many-a", "incr-many-b"], start=1000)
    assert (up.get("incr-many-a"), up.get("incr-many-b")) == (8, 1001)
    up.delete_many(["incr-many-a", "incr-many-b"])


@pytest.mark.django_db
def test_pages_that_keep_values_answer_while_redis_is_down(
    settings, survivor_client, supporter_client, coordinator_client, pairing
):
    """Homes, the unread badge, the queue and the concerns list keep their values in the
    cache: with Redis away they keep them in each process's memory and answer as usual."""
    _unreachable_cache(settings)
    for client in (survivor_client, supporter_client, coordinator_client):
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("profile")).status_code == 200
    assert coordinator_client.get(reverse("team:concerns")).status_code == 200
    assert coordinator_client.get(reverse("team:health")).status_code == 200
