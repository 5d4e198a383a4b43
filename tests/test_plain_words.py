"""Every state, reason and kind a page can show has plain words (its choices label), and the
pages show those words, never the stored code."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import models
from django.urls import reverse

from ethics.care import services as care_services
from ethics.care.models import ConcernCategory
from matching import services
from matching.models import EndReason, PairingState, PairingTransition
from peersupport.people.events import AuditAction
from peersupport.people.models import AuditEvent
from tests.factories import SupportRequestFactory
from tests.helpers import acknowledge_current

PROJECT_PACKAGES = ("peersupport", "matching", "sessions", "ethics")
# Words that keep their capital inside a sentence.
PROPER = {"I"}


def _project_enums() -> list[type[models.Choices]]:
    found, todo = [], list(models.Choices.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_PACKAGES:
            found.append(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _not_plain(label: str) -> str | None:
    if not label:
        return "no words"
    if "_" in label or re.search(r"\w\.\w", label):
        return "reads like a code"
    if not (label[0].isupper() or label[0].isdigit()):
        return "does not start with a capital"
    capitals = [w for w in re.findall(r"[A-Za-z][\w'-]*", label)[1:] if w[0].isupper()]
    if [w for w in capitals if w not in PROPER]:
        return "not sentence case"
    return None


def test_the_enums_found_include_every_kind_shown():
    names = {cls.__name__ for cls in _project_enums()}
    assert {
        "PairingState",
        "EndReason",
        "TransitionReason",
        "RequestStatus",
        "SessionStatus",
        "ConcernStatus",
        "FlagActionKind",
        "ChangeKind",
        "SupporterStatus",
        "AuditAction",
        "NotificationKind",
        "RaiserSide",
    } <= names


@pytest.mark.parametrize("enum", _project_enums(), ids=lambda cls: cls.__name__)
def test_every_value_has_plain_words(enum):
    problems = {
        member.value: (str(member.label), why)
        for member in enum
        if (why := _not_plain(str(member.label)))
    }
    assert problems == {}


def test_the_plain_words_check_refuses_codes_and_title_case():
    assert _not_plain("awaiting_agreement")
    assert _not_plain("pairing.active")
    assert _not_plain("Account Erase Refused")
    assert _not_plain("the peer supporter")
    assert _not_plain("Offer accepted, waiting for both to agree") is None
    assert _not_plain("I am a survivor") is None


# A field holding a state, status, reason, kind or action printed as it is stored, not in an
# attribute (data-state="{{ pairing.state }}" is for tests and styles, never read by people).
RAW_CODE = re.compile(
    r"(?<![=\"'])\{\{\s*(?P<expr>[\w.]+)\.(state|from_state|to_state|status|reason|end_reason|kind|"
    r"action|category|raiser_side|mode|role)\s*(\|[^}]*)?\}\}"
)
# Already words: a matcher's reason (engine/wording.py) and what a person wrote for a change.
ALREADY_WORDS = {"c", "change"}


def test_no_template_prints_a_stored_code():
    root = Path(settings.BASE_DIR) / "templates"
    printed = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.html")
        for match in RAW_CODE.finditer(path.read_text())
        if match.group("expr") not in ALREADY_WORDS
    ]
    assert printed == []


def test_the_template_check_finds_a_printed_code():
    assert RAW_CODE.search("<td>{{ t.to_state }}</td>")
    assert RAW_CODE.search("<td>{{ event.action|default:'' }}</td>")
    assert not RAW_CODE.search('<p data-state="{{ pairing.state }}">')
    assert not RAW_CODE.search("<td>{{ t.get_to_state_display }}</td>")


@pytest.mark.django_db
def test_a_pairing_history_shows_words_not_codes(survivor, supporter, coordinator_client):
    acknowledge_current(survivor, supporter)
    request = SupportRequestFactory(survivor=survivor)
    pairing = services.pairing_propose(request=request, supporter=supporter, actor=None)
    services.pairing_offer(pairing_id=pairing.pk, actor=None)
    services.offer_accept(pairing_id=pairing.pk, supporter=supporter)
    services.pairing_end(
        pairing_id=pairing.pk, actor=survivor, reason=EndReason.SURVIVOR_CHANGE, reopen=True
    )
    states = set(
        PairingTransition.objects.filter(pairing=pairing).values_list("to_state", flat=True)
    )
    assert {PairingState.AWAITING_AGREEMENT, PairingState.ENDED} <= states

    page = coordinator_client.get(reverse("team:pairing", args=[pairing.pk])).content.decode()

    history = page[page.index("data-history-pairing") :]
    for code in ("awaiting_agreement", "survivor_change", "matcher", "agreed", "offered"):
        assert f">{code}<" not in history and f">{code}:" not in history
    for words in (
        "Awaiting agreement",
        "Asked for a different supporter",
        "Suggested by the matcher",
        "Both agreed to the expectations",
    ):
        assert words in history


@pytest.mark.django_db
def test_an_audit_trail_shows_what_happened_in_words(pairing, coordinator_client):
    concern = care_services.concern_raise(
        user=pairing.survivor, pairing=pairing, category=ConcernCategory.OTHER, text="x"
    )
    page = coordinator_client.get(reverse("team:concern", args=[concern.pk])).content.decode()

    assert AuditEvent.objects.filter(action=AuditAction.CONCERN_RAISED).exists()
    assert "concern.raised" not in page and "concern.viewed" not in page
    assert "Concern raised" in page and "Concern opened" in page
