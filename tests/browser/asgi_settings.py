"""Settings for the daphne that tests/browser/test_conversation_browser.py starts: the test
suite's (DATABASE_URL names the test database), with the test's neutral site as the quick
exit's address."""

import os

from peersupport.settings_test import *  # noqa: F403

QUICK_EXIT_URL = os.environ["TEST_QUICK_EXIT_URL"]
