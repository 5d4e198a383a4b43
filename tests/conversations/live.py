"""Opening a conversation's websocket as a signed-in person, as a browser would (the real ASGI
application: origin check, session cookie, URL routing, the consumer)."""

from __future__ import annotations

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from peersupport.asgi import application

TIMEOUT = 3


def session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def socket(key: str | None, pairing_id: int, *, origin: str = "http://testserver"):
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
    return WebsocketCommunicator(application, f"/ws/conversations/{pairing_id}/", headers=headers)


async def opened(key: str | None, pairing_id: int, **kwargs):
    communicator = socket(key, pairing_id, **kwargs)
    try:
        connected, _code = await communicator.connect(timeout=TIMEOUT)
    except BaseException:
        await communicator.wait(0.5)  # raises what the application raised, if it did
        raise
    assert connected
    return communicator


async def refused(key: str | None, pairing_id: int, **kwargs) -> bool:
    communicator = socket(key, pairing_id, **kwargs)
    connected, _code = await communicator.connect(timeout=TIMEOUT)
    if connected:
        await communicator.disconnect()
    return not connected


async def next_of_type(communicator, kind: str) -> dict:
    while True:
        data = await communicator.receive_json_from(timeout=TIMEOUT)
        if data["type"] == kind:
            return data


async def assert_closed(communicator, code: int) -> None:
    data = await communicator.receive_json_from(timeout=TIMEOUT)
    assert data["type"] == "closed"
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output == {"type": "websocket.close", "code": code}
