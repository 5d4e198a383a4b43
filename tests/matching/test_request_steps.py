"""The request in short steps: each step, the check-your-answers page, changing a step from
there, one request written through the service; the answers in between never readable in the
session rows; a step with errors stays; changing a request the same way."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from matching.models import RequestStatus, SupportRequest
from matching.request_steps import SESSION_KEY, STEPS
from peersupport.people.models import AuditEvent, Gender, Language, LivedExperienceArea, MeetingMode
from tests.helpers import acknowledge_current
from tests.matching.steps import check_url, fields_of, send_request, step_url

pytestmark = pytest.mark.django_db

NOTE = "canary-steps-5b1e I find evenings easier"


@pytest.fixture
def asking(client, survivor):
    acknowledge_current(survivor)
    client.force_login(survivor)
    return client


def _answers(**overrides) -> dict:
    data = {
        "areas_must": [LivedExperienceArea.objects.get(slug="adult-assault").pk],
        "languages": [Language.objects.get(slug="en").pk],
        "meeting_modes": [MeetingMode.objects.get(slug="chat").pk],
        "time_zone": "Europe/Dublin",
        "availability": ["2", "20"],
        "note_for_supporter": NOTE,
    }
    data.update(overrides)
    return data


def _raw_sessions() -> str:
    """Every django_session row as stored, and decoded."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        stored = " ".join(row[0] for row in cursor.fetchall())
    decoded = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    return stored + " " + decoded


def test_each_step_then_check_then_one_request_through_the_service(asking, survivor):
    start = asking.get(reverse("matching:request_new"))
    assert start.url == step_url("matters")
    answers = _answers()
    for number, step in enumerate(STEPS, start=1):
        page = asking.get(step_url(step.slug))
        body = page.content.decode()
        assert page.status_code == 200
        assert f"Step {number} of {len(STEPS)}" in body
        assert str(step.title) in body and ">Back</a>" in body
        moved = asking.post(step_url(step.slug), fields_of(step.slug, answers))
        following = STEPS[number].slug if number < len(STEPS) else None
        assert moved.url == (step_url(following) if following else check_url())
        assert not SupportRequest.objects.exists()  # nothing is written before the check page

    check = asking.get(check_url())
    body = check.content.decode()
    assert "Check your answers" in body
    assert "Dublin (Ireland)" in body and "Monday evening, Sunday evening" in body and NOTE in body
    for step in STEPS:  # a Change link to every step, which comes back here
        assert f'href="{step_url(step.slug)}?change=1"' in body
    assert not SupportRequest.objects.exists()

    sent = asking.post(check_url())
    request = SupportRequest.objects.get(survivor=survivor)
    assert sent.url == reverse("matching:request", args=[request.pk])
    assert request.status == RequestStatus.OPEN
    assert request.note_for_supporter == NOTE
    assert request.time_zone == "Europe/Dublin"
    assert request.availability == (1 << 2) | (1 << 20)
    assert list(request.areas_must.values_list("slug", flat=True)) == ["adult-assault"]
    assert AuditEvent.objects.filter(action="request.opened", actor=survivor).count() == 1
    # The answers are gone from the session; a second send writes nothing.
    assert SESSION_KEY not in asking.session
    again = asking.post(check_url())
    assert again.status_code == 302
    assert SupportRequest.objects.filter(survivor=survivor).count() == 1


def test_change_from_the_check_page_goes_back_to_it(asking, survivor):
    for step in STEPS:
        asking.post(step_url(step.slug), fields_of(step.slug, _answers()))
    change = asking.get(step_url("meeting") + "?change=1")
    body = change.content.decode()
    assert f'href="{check_url()}"' in body  # Back goes to the check page
    assert 'value="Europe/Dublin" selected' in body  # the answer given before
    video = MeetingMode.objects.get(slug="video").pk
    moved = asking.post(
        step_url("meeting") + "?change=1",
        fields_of("meeting", _answers(meeting_modes=[video])),
    )
    assert moved.url == check_url()
    assert "Video" in asking.get(check_url()).content.decode()
    asking.post(check_url())
    request = SupportRequest.objects.get(survivor=survivor)
    assert list(request.meeting_modes.values_list("pk", flat=True)) == [video]
    assert request.note_for_supporter == NOTE  # the other steps kept


def test_a_step_with_errors_stays_and_says_what_is_wrong(asking):
    asking.post(step_url("matters"), {})
    asking.post(step_url("supporter"), {})
    response = asking.post(step_url("meeting"), {"time_zone": "Europe/London"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose at least one language." in body
    assert "Choose at least one way to meet." in body
    assert "<title>Error: " in body and 'data-step="meeting"' in body
    # The supporter step's own rule: a "must" needs a choice.
    response = asking.post(step_url("supporter"), {"gender_must": "on"})
    assert response.status_code == 400
    assert "Choose a gender, or untick “must”." in response.content.decode()
    assert asking.get(check_url()).url == step_url("meeting")  # not yet: a step is missing
    assert not SupportRequest.objects.exists()


def test_the_check_page_sends_back_to_a_step_that_no_longer_holds(asking):
    gender = Gender.objects.active().first()
    answers = _answers(gender_pref=gender.pk, gender_must="on")
    for step in STEPS:
        asking.post(step_url(step.slug), fields_of(step.slug, answers))
    gender.active = False  # retired by a coordinator meanwhile
    gender.save()
    response = asking.get(check_url())
    assert response.url == step_url("supporter") + "?change=1"
    page = asking.get(response.url)
    assert page.status_code == 200 and "Choose one of the options shown." in page.content.decode()
    assert asking.post(check_url()).url == step_url("supporter") + "?change=1"
    assert not SupportRequest.objects.exists()


def test_the_answers_in_between_are_never_plain_in_the_session_rows(asking, survivor):
    for step in STEPS:
        asking.post(step_url(step.slug), fields_of(step.slug, _answers()))
    assert NOTE in asking.get(check_url()).content.decode()
    sessions = _raw_sessions()
    assert SESSION_KEY in sessions  # the draft is there ...
    assert "canary-steps-5b1e" not in sessions  # ... but not what was written
    assert "Europe/Dublin" not in sessions and "areas_must" not in sessions
    # Signing out ends it; signing in again starts afresh.
    asking.post(reverse("account_logout"))
    assert "canary-steps-5b1e" not in _raw_sessions()
    asking.force_login(survivor)
    assert asking.get(reverse("matching:request_new")).url == step_url("matters")
    assert NOTE not in asking.get(step_url("anything-else")).content.decode()


def test_changing_a_request_starts_on_the_check_page_and_saves_through_the_service(
    asking, survivor
):
    send_request(asking, _answers())
    request = SupportRequest.objects.get()
    start = asking.get(reverse("matching:request_edit", args=[request.pk]))
    assert start.url == check_url(request.pk)
    body = asking.get(start.url).content.decode()
    assert "Check your changes" in body and NOTE in body
    assert f'href="{step_url("anything-else", request.pk)}?change=1"' in body
    moved = asking.post(
        step_url("anything-else", request.pk) + "?change=1",
        {"note_for_supporter": "canary-steps-5b1e changed"},
    )
    assert moved.url == check_url(request.pk)
    request.refresh_from_db()
    assert request.note_for_supporter == NOTE  # nothing written until it is saved
    saved = asking.post(check_url(request.pk))
    assert saved.url == reverse("matching:request", args=[request.pk])
    request.refresh_from_db()
    assert request.note_for_supporter == "canary-steps-5b1e changed"
    assert AuditEvent.objects.filter(action="request.updated", actor=survivor).count() == 1
    assert SupportRequest.objects.count() == 1


def test_the_week_grid_is_on_the_meeting_step_with_a_label_for_every_box(asking):
    body = asking.get(step_url("meeting")).content.decode()
    grid = re.search(r'<table class="table table-sm week-grid[^"]*" id="id_availability">', body)
    assert grid is not None
    boxes = re.findall(r'<input type="checkbox"[^>]*name="availability"[^>]*>', body)
    assert len(boxes) == 21
    assert "Monday morning" in body and "Sunday evening" in body
