"""A Redis cache that falls back to this process's memory while Redis is unreachable.

allauth's rate limits (sign-in, password reset) live in the cache: when Redis blinks they keep
counting per process instead of answering 500. After a failure Redis is left alone for
`RETRY_AFTER` seconds, so an outage costs one short timeout, not one per call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Unreachable, timed out, or answering something that is not Redis: all mean "not now".
UNREACHABLE = (RedisError, OSError)
RETRY_AFTER = 5.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis (with its table of ~170 reply handlers) on
    every cache call; one per connection pool does the same work once. redis.Redis is safe to
    share between threads: each command takes its own connection from the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # Fail fast: a cache call must never hold a request for long.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("retry", Retry(NoBackoff(), 0))  # no silent retries: fall back at once
        super().__init__(server, {**params, "OPTIONS": options})
        # Room for what pages keep while Redis is away (Django's default of 300 entries would
        # drop generation numbers among them).
        self._local = LocMemCache(
            f"fallback-{id(self)}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 20000}},
        )
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._class = ReusedClientRedisCacheClient

    @property
    def redis_available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _unreachable(self, error: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + RETRY_AFTER
        logger.warning("cache: Redis unreachable (%s); using local memory", type(error))

    def _call(self, name: str, *args, **kwargs) -> Any:
        if self.redis_available:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                self._unreachable(error)
        return getattr(self._local, name)(*args, **kwargs)

    def incr_many(self, keys, start: int) -> None:
        """Add one to each key's number in one round trip; a key that is not there starts at
        `start` + 1. platform.generations moves many numbers at once this way (a batch of
        reminders touches hundreds of people)."""
        if self.redis_available:
            try:
                pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
                for key in keys:
                    made = self.make_and_validate_key(key)
                    pipeline.set(made, start, nx=True)
                    pipeline.incr(made)
                pipeline.execute()
                return
            except UNREACHABLE as error:
                self._unreachable(error)
        for key in keys:
            try:
                self._local.incr(key)
            except ValueError:
                self._local.set(key, start + 1, timeout=None)


def _delegate(name: str) -> Callable:
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FallbackRedisCache, _name, _delegate(_name))
