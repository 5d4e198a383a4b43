"""Dates people enter in sessions are checked at the form (a plain message beside the field)
and at the service (the guard); a date already stored out of range never breaks a page.

The issue: a session dated 0001-01-01 by a supporter in Asia/Tokyo was stored as a date BC,
and the caseload and the pair's sessions page answered 500 until the row was removed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from peersupport.platform import dates as shown_dates
from sessions import dates, services
from sessions.models import (
    READABLE_FROM,
    READABLE_TO,
    CheckIn,
    CheckInSchedule,
    SessionStatus,
    SupportSession,
)
from tests.factories import PairingFactory, SupporterFactory, SurvivorFactory
from tests.sessions.conftest import NO_QUIET_HOURS, materialise

pytestmark = pytest.mark.django_db

# East of UTC, the furthest east (UTC+14), and west of UTC (with daylight saving).
ZONES = ["Asia/Tokyo", "Pacific/Kiritimati", "America/Adak"]

HOSTILE = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "10000-01-01T00:00",
    "0000-01-01T00:00",
    "",
    "garbage",
    "1900-01-01T10:00",
    "2001-05-05T10:00",  # years people may enter, long before the pairing started
    "2027-02-30T10:00",
    "9999-12-31T23:59-12:00",  # an offset that carries it into year 10000 in UTC
    "9" * 500,
]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pair(zone_name: str, *, survivor_zone: str | None = None):
    """A supporter on `zone_name`'s clock and the person they support, paired 3 days ago."""
    supporter = SupporterFactory(time_zone=zone_name)
    survivor = SurvivorFactory(time_zone=survivor_zone or zone_name)
    return PairingFactory(
        request__survivor=survivor,
        supporter=supporter,
        activated_at=timezone.now() - timedelta(days=3),
    )


def _planned(pairing, *, when=None, **fields) -> SupportSession:
    return SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=when or timezone.now() + timedelta(days=2),
        duration_minutes=60,
        mode="chat",
        status=fields.pop("status", SessionStatus.SCHEDULED),
        **fields,
    )


def _session_data(pairing, starts_at: str, status: str) -> dict:
    return {
        "pairing": pairing.pk,
        "starts_at": starts_at,
        "duration_minutes": 60,
        "mode": "chat",
        "status": status,
        "wellbeing": "",
        "notes": "",
    }


def _within_the_window(moment: datetime, pairing) -> bool:
    started = pairing.activated_at - timedelta(days=1)  # from the start of that local day
    return shown_dates.sane(moment) and started <= moment <= timezone.now() + dates.PLAN_AHEAD_LIMIT


def _answered_sanely(response, field: str, typed: str) -> None:
    """200 with the error beside `field` (never repeating what was typed), or 302."""
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        errors = response.context["form"].errors
        assert field in errors, errors
        if len(typed) >= 4:
            assert all(typed not in message for message in errors[field])


def _last_sunday(month: int) -> date:
    """The next last Sunday of `month` (March or October: the clocks change in London)."""
    today = timezone.now().date()
    for year in (today.year, today.year + 1):
        day = date(year, month, 31)
        day -= timedelta(days=(day.weekday() - 6) % 7)
        if day > today:
            return day
    raise AssertionError("unreachable")


# -- the forms -------------------------------------------------------------------------------


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("status", ["held", "scheduled", "cancelled_supporter"])
def test_hostile_dates_in_the_session_form_are_refused_beside_the_field(zone_name, status):
    pairing = _pair(zone_name)
    client = _client(pairing.supporter)
    url = reverse("peer_sessions:session_new")
    for typed in HOSTILE:
        response = client.post(url, _session_data(pairing, typed, status))
        _answered_sanely(response, "starts_at", typed)
    for session in SupportSession.objects.all():
        assert _within_the_window(session.starts_at, pairing)


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("status", ["held", "scheduled", "missed"])
def test_hostile_dates_when_moving_or_logging_a_planned_session_are_refused(zone_name, status):
    pairing = _pair(zone_name)
    planned = _planned(pairing)
    client = _client(pairing.supporter)
    url = reverse("peer_sessions:session_edit", kwargs={"pk": planned.pk})
    for typed in HOSTILE:
        response = client.post(url, _session_data(pairing, typed, status))
        _answered_sanely(response, "starts_at", typed)
    planned.refresh_from_db()
    assert _within_the_window(planned.starts_at, pairing)


@pytest.mark.parametrize("zone_name", ZONES)
def test_hostile_dates_in_the_check_in_times_are_refused(zone_name):
    pairing = _pair(zone_name)
    for person in (pairing.supporter, pairing.survivor):
        client = _client(person)
        url = reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk})
        for typed in HOSTILE:
            data = {"interval_days": 7, "next_due_at": typed, "active": "on", **NO_QUIET_HOURS}
            _answered_sanely(client.post(url, data), "next_due_at", typed)
    schedule = CheckInSchedule.objects.filter(pairing=pairing).first()
    assert schedule is None or _within_the_window(schedule.next_due_at, pairing)


def test_the_year_1_in_tokyo_gets_the_dates_it_may_have_in_plain_words():
    pairing = _pair("Asia/Tokyo")
    response = _client(pairing.supporter).post(
        reverse("peer_sessions:session_new"), _session_data(pairing, "0001-01-01T00:00", "held")
    )
    assert response.status_code == 200
    tokyo = ZoneInfo("Asia/Tokyo")
    started = formats.date_format(pairing.activated_at.astimezone(tokyo).date(), "DATE_FORMAT")
    today = formats.date_format(timezone.now().astimezone(tokyo).date(), "DATE_FORMAT")
    assert response.context["form"].errors["starts_at"] == [
        f"Choose a date from {started} to {today}."
    ]
    assert not SupportSession.objects.exists()


@pytest.mark.parametrize(
    ("month", "message"),
    [(3, "The clocks go forward"), (10, "The clocks go back")],
)
def test_a_time_the_clocks_skip_or_repeat_in_london_is_refused_in_plain_words(month, message):
    pairing = _pair("Europe/London")
    when = f"{_last_sunday(month).isoformat()}T01:30"
    client = _client(pairing.supporter)
    planned = client.post(
        reverse("peer_sessions:session_new"), _session_data(pairing, when, "scheduled")
    )
    schedule = client.post(
        reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk}),
        {"interval_days": 7, "next_due_at": when, "active": "on", **NO_QUIET_HOURS},
    )
    for response, field in ((planned, "starts_at"), (schedule, "next_due_at")):
        assert response.status_code == 200
        assert response.context["form"].errors[field][0].startswith(message)
    assert not SupportSession.objects.exists()
    assert not CheckInSchedule.objects.exists()


@pytest.mark.parametrize("zone_name", ZONES)
def test_sane_dates_are_still_saved_on_each_clock(zone_name):
    pairing = _pair(zone_name)
    client = _client(pairing.supporter)
    zone = ZoneInfo(zone_name)
    soon = (timezone.now() + timedelta(days=2)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    start_day = pairing.activated_at.astimezone(zone).date()
    first_morning = f"{start_day.isoformat()}T00:05"  # before the activation, the same day
    new = reverse("peer_sessions:session_new")
    assert client.post(new, _session_data(pairing, soon, "scheduled")).status_code == 302
    assert client.post(new, _session_data(pairing, first_morning, "held")).status_code == 302
    schedule = client.post(
        reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk}),
        {"interval_days": 7, "next_due_at": soon, "active": "on", **NO_QUIET_HOURS},
    )
    assert schedule.status_code == 302
    held = SupportSession.objects.get(status=SessionStatus.HELD)
    assert held.starts_at.astimezone(zone).date() == start_day


# -- the services ----------------------------------------------------------------------------


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("given_in", ["their zone", "UTC"])
@pytest.mark.parametrize(
    "wall_clock",
    [datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59), datetime(1999, 12, 31, 12)],  # noqa: DTZ001
)
def test_the_services_refuse_out_of_range_times_without_overflowing(
    zone_name, given_in, wall_clock
):
    pairing = _pair(zone_name)
    planned = _planned(pairing)
    when = wall_clock.replace(tzinfo=UTC if given_in == "UTC" else ZoneInfo(zone_name))
    attempts = [
        lambda status: services.session_log(
            supporter=pairing.supporter,
            pairing_id=pairing.pk,
            starts_at=when,
            duration_minutes=60,
            mode="chat",
            status=status,
        ),
        lambda status: services.session_update(
            supporter=pairing.supporter,
            session_id=planned.pk,
            starts_at=when,
            duration_minutes=60,
            mode="chat",
            status=status,
        ),
    ]
    for attempt in attempts:
        for status in ("held", "missed", "scheduled", "cancelled_supporter"):
            with pytest.raises(ValidationError) as refused:
                attempt(status)
            assert "starts_at" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.schedule_save(
            user=pairing.survivor,
            pairing_id=pairing.pk,
            interval_days=7,
            next_due_at=when,
            **NO_QUIET_HOURS,
        )
    assert "next_due_at" in refused.value.message_dict
    assert list(SupportSession.objects.values_list("pk", flat=True)) == [planned.pk]
    planned.refresh_from_db()
    assert planned.status == SessionStatus.SCHEDULED
    assert not CheckInSchedule.objects.exists()


def test_the_service_refuses_a_session_before_the_pairing_started_but_not_earlier_that_day():
    pairing = _pair("UTC")
    day_start = datetime.combine(pairing.activated_at.date(), time.min, tzinfo=UTC)

    def log(starts_at):
        return services.session_log(
            supporter=pairing.supporter,
            pairing_id=pairing.pk,
            starts_at=starts_at,
            duration_minutes=60,
            mode="chat",
            status="held",
        )

    with pytest.raises(ValidationError) as refused:
        log(day_start - timedelta(minutes=1))
    assert refused.value.message_dict["starts_at"][0].startswith("Choose a date from")
    assert log(day_start).starts_at == day_start


def test_the_service_refuses_a_time_without_a_time_zone(pairing):
    with pytest.raises(ValidationError) as refused:
        services.session_log(
            supporter=pairing.supporter,
            pairing_id=pairing.pk,
            starts_at=datetime.now() - timedelta(hours=1),  # noqa: DTZ005
            duration_minutes=60,
            mode="chat",
            status="held",
        )
    assert "starts_at" in refused.value.message_dict


# -- dates already stored out of range -------------------------------------------------------


def _url(name: str, obj) -> str:
    return reverse(f"peer_sessions:{name}", kwargs={"pk": obj.pk})


def _store_out_of_range(pairing):
    """What the code before these checks could leave behind, at the ends of what Python
    can hold: a held session at the very start, a planned one and the check-in schedule at
    the very end, and a check-in due at the very start."""
    low = _planned(pairing, when=READABLE_FROM, status=SessionStatus.HELD, private_notes="n")
    high = _planned(pairing, when=READABLE_TO)
    CheckInSchedule.objects.create(
        pairing=pairing, interval_days=7, next_due_at=READABLE_TO, **NO_QUIET_HOURS
    )
    checkin = CheckIn.objects.create(pairing=pairing, due_at=READABLE_FROM)
    return low, high, checkin


@pytest.mark.parametrize("zone_name", [*ZONES, "UTC"])
def test_dates_stored_out_of_range_never_break_a_page(zone_name):
    pairing = _pair(zone_name)
    low, high, checkin = _store_out_of_range(pairing)
    pair = {"pk": pairing.pk}
    shown = [
        reverse("home"),
        reverse("peer_sessions:pairing", kwargs=pair),
        _url("session", low),
        _url("session", high),
    ]
    also = [
        reverse("peer_sessions:schedule", kwargs=pair),
        _url("session_change", high),
        reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk}),
    ]
    supporter_only = [
        _url("session_edit", low),
        _url("session_edit", high),
        _url("session_notes", low),
    ]
    for person, urls in (
        (pairing.supporter, shown + also + supporter_only),
        (pairing.survivor, shown + also),
    ):
        client = _client(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (person.role, url)
            if url in shown:
                assert "date not valid" in response.content.decode(), (person.role, url)


@pytest.mark.parametrize("zone_name", ZONES)
def test_a_session_stored_out_of_range_can_be_given_a_good_date(zone_name):
    pairing = _pair(zone_name)
    low, high, _checkin = _store_out_of_range(pairing)
    client = _client(pairing.supporter)
    zone = ZoneInfo(zone_name)
    for session, status, moment in (
        (low, "held", timezone.now() - timedelta(days=1)),
        (high, "scheduled", timezone.now() + timedelta(days=1)),
    ):
        url = reverse("peer_sessions:session_edit", kwargs={"pk": session.pk})
        form = client.get(url).context["form"]
        assert form["starts_at"].value() is None  # empty, to be chosen again
        typed = moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        assert client.post(url, _session_data(pairing, typed, status)).status_code == 302
        session.refresh_from_db()
        assert _within_the_window(session.starts_at, pairing)
    schedule_form = client.get(reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk}))
    offered = schedule_form.context["form"]["next_due_at"].value()
    assert _within_the_window(offered, pairing)


def test_the_sweep_moves_on_a_schedule_stored_at_the_very_start():
    # The check-in time follows the survivor's clock; year 1 in UTC is year 0 on the clock
    # Kiritimati kept then (10.5 hours behind): counting from it would overflow.
    pairing = _pair("UTC", survivor_zone="Pacific/Kiritimati")
    schedule = CheckInSchedule.objects.create(
        pairing=pairing, interval_days=7, next_due_at=READABLE_FROM, **NO_QUIET_HOURS
    )
    assert materialise() == 0  # far too late for a check-in of its own
    schedule.refresh_from_db()
    assert timezone.now() < schedule.next_due_at <= timezone.now() + timedelta(days=7)


@pytest.mark.django_db(transaction=True)
def test_a_session_stored_as_a_date_bc_is_brought_into_range_then_refused(seed_data, postgres):
    pairing = _pair("Asia/Tokyo")
    session = _planned(pairing, status=SessionStatus.HELD, when=timezone.now() - timedelta(days=1))
    table = SupportSession._meta.db_table
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("peer_sessions", "0001_initial")])
        with connection.cursor() as cursor:  # as the code before the checks stored it
            cursor.execute(
                f"UPDATE {table} SET starts_at = '0001-01-01 00:00+09' WHERE id = %s",  # noqa: S608
                [session.pk],
            )
        with pytest.raises(ValueError, match="out of range"):
            SupportSession.objects.get(pk=session.pk)  # what failed every page
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    session.refresh_from_db()
    assert session.starts_at == READABLE_FROM
    page = _client(pairing.supporter).get(
        reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk})
    )
    assert "date not valid" in page.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET starts_at = '0001-01-01 00:00+09' WHERE id = %s",  # noqa: S608
            [session.pk],
        )
