import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from tests.helpers import emails_through_the_outbox  # noqa: F401 - an autouse fixture


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test starts with an empty channel layer (in memory, or this suite's Redis db)."""
    async_to_sync(get_channel_layer().flush)()
    yield
