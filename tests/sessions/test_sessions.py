"""Logging and planning sessions, what the survivor sees, private notes, and refused input."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peersupport.people.models import AuditEvent, Notification
from peersupport.platform.crypto import decrypt
from sessions import services
from sessions.models import CheckIn, CheckInSchedule, SessionStatus, SupportSession
from tests.factories import PairingFactory, SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db

NEW = reverse("peer_sessions:session_new")


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form(pairing, **overrides) -> dict:
    data = {
        "pairing": pairing.pk,
        "starts_at": _local(timezone.now() - timedelta(hours=2)),
        "duration_minutes": 50,
        "mode": "video",
        "status": "held",
        "wellbeing": "4",
        "notes": "",
    }
    data.update(overrides)
    return data


def _session(pairing, *, status=SessionStatus.HELD, when=None, notes="", **fields):
    return SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=when or timezone.now() - timedelta(days=1),
        duration_minutes=60,
        mode="chat",
        status=status,
        private_notes=notes,
        **fields,
    )


def test_supporter_logs_a_held_session_with_wellbeing_and_private_notes(supporter_client, pairing):
    response = supporter_client.post(NEW, _form(pairing, notes="We talked about sleep q81"))
    assert response.status_code == 302
    session = SupportSession.objects.get()
    assert (session.pairing, session.logged_by) == (pairing, pairing.supporter)
    assert (session.status, session.mode, session.duration_minutes) == ("held", "video", 50)
    assert session.wellbeing == 4
    assert session.private_notes == "We talked about sleep q81"
    audit = AuditEvent.objects.get(action="session.logged")
    assert "q81" not in str(audit.data)


def test_supporter_plans_a_session_and_the_survivor_sees_it_coming_up(
    supporter_client, survivor, pairing, client
):
    when = timezone.now() + timedelta(days=3)
    response = supporter_client.post(
        NEW, _form(pairing, status="scheduled", starts_at=_local(when), notes="plan q82")
    )
    assert response.status_code == 302
    session = SupportSession.objects.get()
    assert Notification.objects.filter(user=survivor, kind="session_planned").count() == 1
    client.force_login(survivor)
    html = client.get(reverse("home")).content.decode()
    assert reverse("peer_sessions:session", kwargs={"pk": session.pk}) in html
    assert "data-upcoming" in html
    assert "q82" not in html


def test_survivor_sees_past_sessions_without_the_supporters_notes(survivor_client, pairing):
    past = _session(pairing, notes="private words q83")
    upcoming = _session(
        pairing, status=SessionStatus.SCHEDULED, when=timezone.now() + timedelta(days=2)
    )
    home = survivor_client.get(reverse("home")).content.decode()
    overview = survivor_client.get(
        reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk})
    ).content.decode()
    detail = survivor_client.get(reverse("peer_sessions:session", kwargs={"pk": past.pk}))
    assert detail.status_code == 200
    for html in (home, overview, detail.content.decode()):
        assert "q83" not in html
    for html in (home, overview):
        assert reverse("peer_sessions:session", kwargs={"pk": past.pk}) in html
        assert reverse("peer_sessions:session", kwargs={"pk": upcoming.pk}) in html


def test_survivor_cancels_a_planned_session_and_the_supporter_is_told(
    survivor_client, supporter, pairing
):
    planned = _session(
        pairing, status=SessionStatus.SCHEDULED, when=timezone.now() + timedelta(days=2)
    )
    url = reverse("peer_sessions:session_change", kwargs={"pk": planned.pk})
    assert survivor_client.get(url).status_code == 200
    assert survivor_client.post(url, {"action": "cancel"}).status_code == 302
    planned.refresh_from_db()
    assert planned.status == SessionStatus.CANCELLED_BY_SURVIVOR
    assert planned.cancelled_at is not None
    assert Notification.objects.filter(user=supporter, kind="session_cancelled").count() == 1


def test_survivor_asks_for_another_time_once_and_the_supporter_sees_it(
    survivor_client, supporter, pairing
):
    planned = _session(
        pairing, status=SessionStatus.SCHEDULED, when=timezone.now() + timedelta(days=2)
    )
    url = reverse("peer_sessions:session_change", kwargs={"pk": planned.pk})
    survivor_client.post(url, {"action": "another_time"})
    survivor_client.post(url, {"action": "another_time"})
    planned.refresh_from_db()
    assert planned.reschedule_requested_at is not None
    assert planned.status == SessionStatus.SCHEDULED
    assert Notification.objects.filter(user=supporter, kind="session_reschedule").count() == 1
    survivor_client.force_login(supporter)
    home = survivor_client.get(reverse("home")).content.decode()
    assert 'data-flag="reschedule"' in home


def test_supporter_moving_the_session_clears_the_request_for_another_time(
    supporter_client, pairing
):
    planned = _session(
        pairing,
        status=SessionStatus.SCHEDULED,
        when=timezone.now() + timedelta(days=2),
        reschedule_requested_at=timezone.now(),
    )
    later = timezone.now() + timedelta(days=4)
    response = supporter_client.post(
        reverse("peer_sessions:session_edit", kwargs={"pk": planned.pk}),
        {
            "starts_at": _local(later),
            "duration_minutes": 45,
            "mode": "phone",
            "status": "scheduled",
            "wellbeing": "",
        },
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.reschedule_requested_at is None
    assert planned.mode == "phone"


# -- private notes -------------------------------------------------------------------------


def test_notes_are_stored_encrypted_and_the_column_never_holds_the_plain_text(pairing):
    secret = "they mentioned their brother q84"
    session = _session(pairing, notes=secret)
    table = SupportSession._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT private_notes FROM {table} WHERE id = %s", [session.pk])  # noqa: S608
        (raw,) = cursor.fetchone()
    assert secret not in raw
    assert "q84" not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token
    assert decrypt(raw) == secret


def test_notes_are_readable_by_their_author_only(
    client, supporter_client, survivor, coordinator, pairing
):
    session = _session(pairing, notes="only mine q85")
    url = reverse("peer_sessions:session_notes", kwargs={"pk": session.pk})
    own = supporter_client.get(url)
    assert own.status_code == 200
    assert "only mine q85" in own.content.decode()
    for outsider in (survivor, coordinator, SupporterFactory(), SurvivorFactory()):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider.role
        assert client.post(url, {"notes": "overwritten"}).status_code == 404, outsider.role
    session.refresh_from_db()
    assert session.private_notes == "only mine q85"


def test_the_author_can_rewrite_their_notes(supporter_client, pairing):
    session = _session(pairing, notes="first")
    url = reverse("peer_sessions:session_notes", kwargs={"pk": session.pk})
    assert supporter_client.post(url, {"notes": "second q86"}).status_code == 302
    session.refresh_from_db()
    assert session.private_notes == "second q86"


def test_another_supporter_gets_404_for_the_session_and_its_pair(client, pairing):
    session = _session(pairing, notes="x")
    client.force_login(SupporterFactory())
    for url in (
        reverse("peer_sessions:session", kwargs={"pk": session.pk}),
        reverse("peer_sessions:session_edit", kwargs={"pk": session.pk}),
        reverse("peer_sessions:session_change", kwargs={"pk": session.pk}),
        reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk}),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("state", ["offered", "awaiting_agreement"])
def test_the_survivor_reaches_no_sessions_page_before_the_pairing_starts(client, survivor, state):
    # Before the pairing starts the survivor must not learn who the supporter is.
    pairing = PairingFactory(
        request__survivor=survivor,
        supporter=SupporterFactory(display_name="Quillonmere"),
        state=state,
        activated_at=None,
    )
    session = _session(
        pairing, status=SessionStatus.SCHEDULED, when=timezone.now() + timedelta(days=2)
    )
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    client.force_login(survivor)
    pages = {
        reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk}): {},
        reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk}): {"interval_days": "7"},
        reverse("peer_sessions:session", kwargs={"pk": session.pk}): None,
        reverse("peer_sessions:session_change", kwargs={"pk": session.pk}): {"action": "cancel"},
        reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk}): {
            "mood": "3",
            "wants_session": "no",
        },
    }
    for url, data in pages.items():
        assert client.get(url).status_code == 404, url
        if data is not None:
            assert client.post(url, data).status_code == 404, url
    assert "Quillonmere" not in client.get(reverse("home")).content.decode()
    session.refresh_from_db()
    checkin.refresh_from_db()
    assert (session.status, checkin.answered_at) == (SessionStatus.SCHEDULED, None)
    assert not CheckInSchedule.objects.filter(pairing=pairing).exists()

    # Once it starts, the same pages open.
    pairing.state, pairing.activated_at = "active", timezone.now()
    pairing.save(update_fields=["state", "activated_at"])
    overview = client.get(reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk}))
    assert "Quillonmere" in overview.content.decode()
    answer = client.get(reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk}))
    assert answer.status_code == 200


# -- refused input ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["paused", "awaiting_agreement"])
def test_a_session_for_a_pairing_that_is_not_active_is_refused_on_the_field(
    supporter_client, pairing, state
):
    pairing.state = state
    pairing.save(update_fields=["state"])
    response = supporter_client.post(NEW, _form(pairing))
    assert response.status_code == 200
    assert "pairing" in response.context["form"].errors
    assert not SupportSession.objects.exists()


def test_a_held_session_in_the_far_future_is_refused_on_the_field(supporter_client, pairing):
    future = timezone.now() + timedelta(days=30)
    response = supporter_client.post(NEW, _form(pairing, starts_at=_local(future)))
    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    assert not SupportSession.objects.exists()


def test_a_planned_session_in_the_past_is_refused_on_the_field(supporter_client, pairing):
    past = timezone.now() - timedelta(days=1)
    response = supporter_client.post(
        NEW, _form(pairing, status="scheduled", starts_at=_local(past))
    )
    assert "starts_at" in response.context["form"].errors


@pytest.mark.parametrize("length", ["-30", "0", "100000"])
def test_a_session_with_an_impossible_length_is_refused_on_the_field(
    supporter_client, pairing, length
):
    response = supporter_client.post(NEW, _form(pairing, duration_minutes=length))
    assert response.status_code == 200
    assert "duration_minutes" in response.context["form"].errors
    assert not SupportSession.objects.exists()


def test_the_service_refuses_a_negative_length_too(pairing):
    with pytest.raises(ValidationError) as refused:
        services.session_log(
            supporter=pairing.supporter,
            pairing_id=pairing.pk,
            starts_at=timezone.now() - timedelta(hours=1),
            duration_minutes=-5,
            mode="chat",
            status="held",
        )
    assert "duration_minutes" in refused.value.message_dict


# -- what a session may become ---------------------------------------------------------------


def _update(session, **changes):
    values = {
        "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes,
        "mode": session.mode,
        "status": session.status,
        "wellbeing": session.wellbeing,
        **changes,
    }
    return services.session_update(
        supporter=session.pairing.supporter, session_id=session.pk, **values
    )


def _refused_on(field, session, **changes) -> None:
    with pytest.raises(ValidationError) as refused:
        _update(session, **changes)
    assert field in refused.value.message_dict, refused.value.message_dict


def test_a_session_the_survivor_cancelled_stays_cancelled(pairing):
    planned = _session(
        pairing, status=SessionStatus.SCHEDULED, when=timezone.now() + timedelta(days=2)
    )
    services.session_cancel(user=pairing.survivor, session_id=planned.pk)
    planned.refresh_from_db()
    for status in ("scheduled", "held", "missed", "cancelled_supporter", "cancelled_survivor"):
        _refused_on("status", planned, status=status)
    _refused_on("status", planned, starts_at=timezone.now() + timedelta(days=3))
    planned.refresh_from_db()
    assert planned.status == SessionStatus.CANCELLED_BY_SURVIVOR


def test_a_held_session_may_be_corrected_to_missed_but_never_cancelled_or_planned(pairing):
    held = _session(pairing)
    for status in ("cancelled_survivor", "cancelled_supporter", "scheduled"):
        _refused_on("status", held, status=status)
    held.refresh_from_db()
    assert held.status == SessionStatus.HELD
    assert _update(held, status="missed").status == SessionStatus.MISSED
    assert _update(held, status="held").status == SessionStatus.HELD


def test_a_planned_session_is_held_missed_cancelled_or_moved(pairing):
    def planned():
        return _session(
            pairing, status=SessionStatus.SCHEDULED, when=timezone.now() - timedelta(hours=2)
        )

    assert _update(planned(), status="held").status == SessionStatus.HELD
    assert _update(planned(), status="missed").status == SessionStatus.MISSED
    cancelled = _update(planned(), status="cancelled_supporter")
    assert cancelled.cancelled_at is not None
    assert Notification.objects.filter(user=pairing.survivor, kind="session_cancelled").exists()
    later = timezone.now() + timedelta(days=2)
    moved = _update(planned(), status="scheduled", starts_at=later)
    assert (moved.status, moved.starts_at) == (SessionStatus.SCHEDULED, later)


def test_planning_or_moving_a_session_needs_an_active_pairing(pairing):
    planned = _session(
        pairing, status=SessionStatus.SCHEDULED, when=timezone.now() - timedelta(hours=2)
    )
    pairing.state = "paused"
    pairing.save(update_fields=["state"])
    _refused_on("status", planned, starts_at=timezone.now() + timedelta(days=2))
    planned.refresh_from_db()
    assert planned.starts_at < timezone.now()
    # How a past session went may still be recorded while the pairing is paused.
    assert _update(planned, status="held").status == SessionStatus.HELD


def test_a_cancelled_session_more_than_a_year_ahead_is_refused_on_the_field(pairing):
    far = timezone.now() + timedelta(days=400)
    with pytest.raises(ValidationError) as refused:
        services.session_log(
            supporter=pairing.supporter,
            pairing_id=pairing.pk,
            starts_at=far,
            duration_minutes=60,
            mode="chat",
            status="cancelled_supporter",
        )
    assert "starts_at" in refused.value.message_dict
    planned = _session(
        pairing, status=SessionStatus.SCHEDULED, when=timezone.now() + timedelta(days=2)
    )
    _refused_on("starts_at", planned, status="cancelled_supporter", starts_at=far)
    assert SupportSession.objects.get().status == SessionStatus.SCHEDULED


def test_the_update_page_offers_only_what_the_session_may_become(supporter_client, pairing):
    held = _session(pairing)
    url = reverse("peer_sessions:session_edit", kwargs={"pk": held.pk})
    choices = {
        value
        for value, _label in supporter_client.get(url).context["form"].fields["status"].choices
    }
    assert choices == {"held", "missed"}
    response = supporter_client.post(
        url,
        {
            "starts_at": _local(held.starts_at),
            "duration_minutes": 60,
            "mode": "chat",
            "status": "cancelled_survivor",
            "wellbeing": "",
        },
    )
    assert "status" in response.context["form"].errors
    held.refresh_from_db()
    assert held.status == SessionStatus.HELD

    cancelled = _session(pairing, status=SessionStatus.CANCELLED_BY_SURVIVOR)
    edit = reverse("peer_sessions:session_edit", kwargs={"pk": cancelled.pk})
    assert supporter_client.get(edit).status_code == 302
    assert supporter_client.post(edit, {"status": "scheduled"}).status_code == 302
    detail = supporter_client.get(reverse("peer_sessions:session", kwargs={"pk": cancelled.pk}))
    assert edit not in detail.content.decode()
    cancelled.refresh_from_db()
    assert cancelled.status == SessionStatus.CANCELLED_BY_SURVIVOR


def test_nobody_logs_a_session_for_a_pairing_they_are_not_part_of(
    client, survivor, coordinator, pairing
):
    for outsider in (SupporterFactory(), survivor, coordinator):
        client.force_login(outsider)
        assert client.post(NEW, _form(pairing)).status_code == 404, outsider.role
        assert client.get(NEW, {"pairing": pairing.pk}).status_code == 404, outsider.role
    assert not SupportSession.objects.exists()


def test_an_ended_pairing_is_gone_for_its_supporter(supporter_client, pairing):
    pairing.state, pairing.end_reason = "ended", "completed"
    pairing.save(update_fields=["state", "end_reason"])
    assert supporter_client.post(NEW, _form(pairing)).status_code == 404
    url = reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk})
    assert supporter_client.get(url).status_code == 404


def test_form_errors_do_not_echo_what_was_typed(supporter_client, pairing):
    response = supporter_client.post(NEW, _form(pairing, mode="zzq-mode", duration_minutes="zzq"))
    errors = response.context["form"].errors
    assert {"mode", "duration_minutes"} <= set(errors)
    assert all("zzq" not in message for messages in errors.values() for message in messages)


def test_a_second_pairing_of_the_supporter_is_offered_in_the_form(supporter_client, pairing):
    other = PairingFactory(supporter=pairing.supporter)
    html = supporter_client.get(NEW, {"pairing": other.pk}).content.decode()
    assert other.survivor.display_name in html
    assert pairing.survivor.display_name in html


def test_after_the_pairing_ends_notes_stay_with_it_unless_the_setting_keeps_them(
    client, supporter_client, pairing, settings
):
    session = _session(pairing, notes="kept words q87")
    pairing.state, pairing.end_reason = "ended", "completed"
    pairing.save(update_fields=["state", "end_reason"])
    url = reverse("peer_sessions:session_notes", kwargs={"pk": session.pk})
    settings.KEEP_PRIVATE_NOTES_AFTER_END = False
    assert supporter_client.get(url).status_code == 404
    settings.KEEP_PRIVATE_NOTES_AFTER_END = True
    page = supporter_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "kept words q87" in html
    assert pairing.survivor.display_name not in html
    assert supporter_client.post(url, {"notes": "changed"}).status_code == 404  # read-only
    client.force_login(pairing.survivor)
    assert client.get(url).status_code == 404


def _writes(queries) -> list[str]:
    # The login session's row is saved on every request (sliding expiry): not ours to count.
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]


def test_opening_any_sessions_page_writes_nothing(survivor_client, supporter_client, pairing):
    planned = _session(
        pairing, status=SessionStatus.SCHEDULED, when=timezone.now() + timedelta(days=2)
    )
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    pages = {
        supporter_client: [
            NEW,
            f"{NEW}?pairing={pairing.pk}&plan=1",
            reverse("peer_sessions:session", kwargs={"pk": planned.pk}),
            reverse("peer_sessions:session_edit", kwargs={"pk": planned.pk}),
            reverse("peer_sessions:session_notes", kwargs={"pk": planned.pk}),
            reverse("peer_sessions:session_change", kwargs={"pk": planned.pk}),
            reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk}),
            reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk}),
            reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk}),
            reverse("home"),
        ],
        survivor_client: [
            reverse("peer_sessions:session", kwargs={"pk": planned.pk}),
            reverse("peer_sessions:session_change", kwargs={"pk": planned.pk}),
            reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk}),
            reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk}),
            reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk}),
            reverse("home"),
        ],
    }
    for client, urls in pages.items():
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            assert _writes(queries.captured_queries) == [], url
    # The schedule page shows the defaults without saving them.
    assert not CheckInSchedule.objects.exists()
