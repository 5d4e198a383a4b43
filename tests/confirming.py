"""Checks for the "check before you continue" pages: a GET shows what will happen and a button
that posts to the view that does the work, and changes nothing."""

from __future__ import annotations

import re

from ethics.care.models import ChangeRequest
from matching.models import Block, Pairing, PairingTransition, SupportRequest
from peersupport.people.models import (
    AuditEvent,
    Notification,
    OutgoingEmail,
    SupporterProfile,
    User,
)
from sessions.models import SupportSession


def everything() -> dict:
    """What any of the confirmed actions could change, to compare before and after a GET."""
    return {
        "users": User.objects.count(),
        "pairings": list(Pairing.objects.order_by("pk").values_list("pk", "state", "end_reason")),
        "transitions": PairingTransition.objects.count(),
        "requests": list(SupportRequest.objects.order_by("pk").values_list("pk", "status")),
        "changes": list(ChangeRequest.objects.order_by("pk").values_list("pk", "status")),
        "sessions": list(SupportSession.objects.order_by("pk").values_list("pk", "status")),
        "blocks": Block.objects.count(),
        "supporters": list(
            SupporterProfile.objects.order_by("pk").values_list("pk", "status", "decision_reason")
        ),
        "notifications": Notification.objects.count(),
        "audit": AuditEvent.objects.count(),
        "outbox": OutgoingEmail.objects.count(),
    }


def assert_confirmation(client, url: str, *, posts_to: str, button: str, fields=()) -> str:
    """GET `url`: a confirmation page whose form posts to `posts_to` (with the hidden `fields`,
    pairs of name and value) under `button`, with a way back; nothing changed. Returns the
    page's HTML for further checks."""
    before = everything()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert everything() == before, "a GET of a confirmation page changed something"
    assert re.search(r"<title>\s*Check before you continue · ", html), "title not neutral"
    assert "data-confirmation" in html
    assert "What happens next" in html
    confirmation = html.split("data-confirmation", 1)[1]
    form = re.search(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', confirmation, re.S)
    assert form, "no form that posts"
    assert form.group(1) == posts_to
    assert "csrfmiddlewaretoken" in form.group(2)
    assert button in form.group(2)
    for name, value in fields:
        assert f'name="{name}" value="{value}"' in form.group(2), (name, value)
    assert "No, go back" in html
    return html
