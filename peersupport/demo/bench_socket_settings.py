"""Settings for the daphne that bench_conversations starts: the production settings, read from
the environment as always, with the cache and the channel layer under a prefix of the run's own
(the scratch database's ids start again at 1, and tests or another run may share the Redis
database: they must not meet the benchmark's groups). Never used by the service itself."""

import os

from peersupport.settings import *  # noqa: F403
from peersupport.settings import CACHES, CHANNEL_LAYERS

_PREFIX = os.environ.get("BENCH_CACHE_PREFIX", "")
CACHES = {**CACHES, "default": {**CACHES["default"], "KEY_PREFIX": _PREFIX}}
if "CONFIG" in CHANNEL_LAYERS["default"]:
    CHANNEL_LAYERS = {
        "default": {
            **CHANNEL_LAYERS["default"],
            "CONFIG": {**CHANNEL_LAYERS["default"]["CONFIG"], "prefix": _PREFIX},
        }
    }
