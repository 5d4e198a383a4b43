"""Settings for the gunicorn that bench_pages starts: the production settings, read from the
environment as always, with the benchmark's URLconf (the minimal page beside the shipped ones)
and a cache key prefix of the run's own. Never used by the service itself."""

import os

from peersupport.settings import *  # noqa: F403
from peersupport.settings import CACHES

ROOT_URLCONF = "peersupport.demo.bench_urls"
# The scratch database's ids start again at 1 each run: values another run (or anyone else
# on the same Redis) cached under the same keys must not be read.
CACHES = {
    **CACHES,
    "default": {**CACHES["default"], "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", "")},
}
