"""Check-in reminders: discreet, once, in-app or email as each person chose, retried when the
mail server refuses, and an escalation once per lapse of contact."""

import re
from collections import Counter
from datetime import time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peersupport.people.models import Notification
from sessions import reminders, selectors, services, tasks
from sessions.models import (
    CheckIn,
    CheckInReminder,
    CheckInSchedule,
    ContactLapse,
    ReminderDelivery,
    ReminderStatus,
    SessionStatus,
    SupportSession,
    SweepRun,
)
from tests.factories import CoordinatorFactory, PairingFactory
from tests.platform.test_safety_frame import UNSAFE_WORDS
from tests.sessions.conftest import due_pairings, due_schedule, materialise
from tests.sessions.mailbox import RefusingBackend

pytestmark = pytest.mark.django_db


def _message_ids():
    return [m.extra_headers["Message-ID"] for m in mail.outbox]


def test_a_due_check_in_reminds_each_of_the_pair_once_by_discreet_email(pairing, settings):
    due_schedule(pairing)
    tasks.sweep_due_reminders.delay()
    assert CheckIn.objects.filter(pairing=pairing).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [pairing.survivor.email, pairing.supporter.email]
    )
    for message in mail.outbox:
        assert message.subject == "A reminder"
        assert message.from_email == settings.DEFAULT_FROM_EMAIL
        assert settings.SITE_URL + reverse("account_login") in message.body
        text = f"{message.subject} {message.from_email} {message.body}".lower()
        for word in (*UNSAFE_WORDS, "support", "check-in", "session"):
            assert word not in text, word
        for name in (pairing.survivor.display_name, pairing.supporter.display_name):
            assert name.lower() not in text
    assert CheckInReminder.objects.filter(status=ReminderStatus.SENT).count() == 2
    assert ReminderDelivery.objects.filter(outcome="sent", channel="email").count() == 2
    survivor_note = Notification.objects.get(user=pairing.survivor, kind="checkin_reminder")
    checkin = CheckIn.objects.get()
    assert survivor_note.link == reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk})
    assert Notification.objects.filter(user=pairing.supporter, kind="checkin_reminder").count() == 1


def test_running_the_sweep_again_sends_nothing_more(pairing):
    due_schedule(pairing)
    tasks.sweep_due_reminders.delay()
    tasks.sweep_due_reminders.delay()
    assert len(mail.outbox) == 2
    assert CheckIn.objects.count() == 1
    schedule = CheckInSchedule.objects.get(pairing=pairing)
    assert schedule.next_due_at > timezone.now()


def test_a_delivery_task_delivered_twice_sends_one_email_per_reminder():
    due_pairings(3)
    materialise()
    assert CheckInReminder.objects.count() == 6
    # The broker hands the same task over twice (same id): the second finds nothing to do.
    tasks.deliver_due_reminders.apply(task_id="same-task")
    tasks.deliver_due_reminders.apply(task_id="same-task")
    ids = _message_ids()
    assert len(ids) == 6
    assert len(set(ids)) == 6
    assert Notification.objects.filter(kind="checkin_reminder").count() == 6
    assert ReminderDelivery.objects.filter(outcome="sent").count() == 6


def test_no_reminder_goes_out_for_a_check_in_answered_while_it_waited_for_quiet_hours(pairing):
    quiet = {"quiet_start": time(21, 0), "quiet_end": time(8, 0)}
    due = timezone.now().replace(hour=22, minute=0, second=0, microsecond=0)  # both in UTC
    due_schedule(pairing, due_at=due, **quiet)
    assert materialise(now=due) == 1
    # Due in the quiet hours: held until the morning.
    assert reminders.reminders_deliver_batch(now=due + timedelta(minutes=5)).claimed == 0
    assert CheckInReminder.objects.filter(status=ReminderStatus.PENDING).count() == 2
    # The survivor opens the app at night and answers.
    services.checkin_answer(
        survivor=pairing.survivor,
        checkin_id=CheckIn.objects.get().pk,
        mood=3,
        wants_session="no",
        now=due + timedelta(minutes=30),
    )
    morning = reminders.reminders_deliver_batch(now=due + timedelta(hours=10))
    assert (morning.sent, morning.skipped) == (0, 2)
    assert mail.outbox == []
    assert not Notification.objects.filter(kind="checkin_reminder").exists()
    assert not ReminderDelivery.objects.exists()
    assert set(CheckInReminder.objects.values_list("status", flat=True)) == {ReminderStatus.SKIPPED}
    assert reminders.reminders_deliver_batch(now=due + timedelta(days=1)).claimed == 0


def test_people_who_chose_in_app_only_get_no_email(pairing):
    pairing.survivor.email_notifications = False
    pairing.survivor.save(update_fields=["email_notifications"])
    due_schedule(pairing)
    tasks.sweep_due_reminders.delay()
    assert [m.to for m in mail.outbox] == [[pairing.supporter.email]]
    assert Notification.objects.filter(user=pairing.survivor, kind="checkin_reminder").count() == 1
    delivery = ReminderDelivery.objects.get(reminder__recipient=pairing.survivor)
    assert (delivery.channel, delivery.outcome) == ("in_app", "sent")


def test_refused_sends_are_recorded_and_retried_with_backoff(pairing, settings):
    settings.EMAIL_BACKEND = "tests.sessions.mailbox.RefusingBackend"
    settings.REMINDER_RETRY_SECONDS = 300
    settings.REMINDER_MAX_ATTEMPTS = 3
    RefusingBackend.refused = {pairing.survivor.email}
    now = timezone.now()
    due_schedule(pairing, due_at=now - timedelta(minutes=1))
    materialise(now=now)
    reminder = CheckInReminder.objects.get(recipient=pairing.survivor)
    try:
        first = reminders.reminders_deliver_batch(now=now)
        assert (first.sent, first.retrying) == (1, 1)
        reminder.refresh_from_db()
        assert reminder.status == ReminderStatus.PENDING
        assert reminder.attempts == 1
        assert reminder.send_at == now + timedelta(seconds=300)
        failed = ReminderDelivery.objects.get(reminder=reminder)
        assert (failed.outcome, failed.error_code) == ("failed", "SMTPRecipientsRefused")
        # Not before the backoff is over; then again, with twice the wait.
        assert reminders.reminders_deliver_batch(now=now + timedelta(seconds=299)).claimed == 0
        second = reminders.reminders_deliver_batch(now=now + timedelta(seconds=300))
        assert second.retrying == 1
        reminder.refresh_from_db()
        assert reminder.send_at == now + timedelta(seconds=300 + 600)
        # The server takes it on the third try.
        RefusingBackend.refused = set()
        third = reminders.reminders_deliver_batch(now=now + timedelta(seconds=900))
        assert third.sent == 1
    finally:
        RefusingBackend.refused = set()
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    outcomes = list(
        ReminderDelivery.objects.filter(reminder=reminder)
        .order_by("attempt")
        .values_list("attempt", "outcome")
    )
    assert outcomes == [(1, "failed"), (2, "failed"), (3, "sent")]
    # The in-app reminder was made once, on the first attempt.
    assert Notification.objects.filter(user=pairing.survivor, kind="checkin_reminder").count() == 1
    assert [m.to[0] for m in mail.outbox].count(pairing.survivor.email) == 1


def test_a_reminder_that_keeps_failing_stops_after_the_last_attempt(pairing, settings):
    settings.EMAIL_BACKEND = "tests.sessions.mailbox.RefusingBackend"
    settings.REMINDER_MAX_ATTEMPTS = 2
    RefusingBackend.refused = {pairing.survivor.email}
    now = timezone.now()
    due_schedule(pairing, due_at=now - timedelta(minutes=1))
    materialise(now=now)
    try:
        reminders.reminders_deliver_batch(now=now)
        last = reminders.reminders_deliver_batch(now=now + timedelta(days=1))
    finally:
        RefusingBackend.refused = set()
    assert last.failed == 1
    reminder = CheckInReminder.objects.get(recipient=pairing.survivor)
    assert reminder.status == ReminderStatus.FAILED
    assert reminders.reminders_deliver_batch(now=now + timedelta(days=30)).claimed == 0


def test_reminders_for_a_pairing_that_was_paused_are_not_sent(pairing):
    due_schedule(pairing)
    materialise()
    pairing.state = "paused"
    pairing.save(update_fields=["state"])
    result = reminders.reminders_deliver_batch()
    assert result.skipped == 2
    assert mail.outbox == []
    assert CheckInReminder.objects.filter(status=ReminderStatus.SKIPPED).count() == 2
    # And no new check-ins come due while it is paused.
    CheckInSchedule.objects.filter(pairing=pairing).update(
        next_due_at=timezone.now() - timedelta(minutes=1)
    )
    assert materialise() == 0


def test_resuming_after_a_long_pause_moves_the_schedule_on_instead_of_a_stale_check_in(
    pairing, settings
):
    settings.CHECKIN_OVERDUE_HOURS = 48
    now = timezone.now()
    # Due three days ago, while the pairing was paused; it has just been resumed.
    missed = now - timedelta(days=3)
    due_schedule(pairing, due_at=missed)
    assert materialise(now=now) == 0
    assert not CheckIn.objects.filter(pairing=pairing).exists()
    assert not CheckInReminder.objects.exists()
    schedule = CheckInSchedule.objects.get(pairing=pairing)
    # The next one at its usual time of day, in four days.
    assert schedule.next_due_at == missed + timedelta(days=7)
    assert reminders.reminders_deliver_batch(now=now).claimed == 0
    assert mail.outbox == []
    # Nothing to flag on the caseload either.
    (row,) = selectors.supporter_caseload(pairing.supporter, now=now).rows
    assert not row.overdue_checkin
    # When that time comes, the check-in is made as usual.
    assert materialise(now=schedule.next_due_at) == 1


def test_a_check_in_a_few_hours_late_after_a_sweep_outage_is_still_made(pairing, settings):
    settings.CHECKIN_OVERDUE_HOURS = 48
    now = timezone.now()
    due = now - timedelta(hours=5)
    due_schedule(pairing, due_at=due)
    assert materialise(now=now) == 1
    assert CheckIn.objects.get(pairing=pairing).due_at == due
    assert reminders.reminders_deliver_batch(now=now).sent == 2


def test_schedules_too_late_for_a_check_in_do_not_stop_the_sweep_before_the_others():
    now = timezone.now()
    stale = due_pairings(3, due_at=now - timedelta(days=4))
    timely = due_pairings(2, due_at=now - timedelta(minutes=5))
    # Chunks of one: the first chunks hold only stale schedules and make no check-in.
    assert materialise(now=now, chunk=1) == 2
    assert set(CheckIn.objects.values_list("pairing_id", flat=True)) == {p.pk for p in timely}
    assert not CheckInSchedule.objects.filter(
        pairing__in=stale + timely, next_due_at__lte=now
    ).exists()


def test_an_active_pairing_gets_a_weekly_schedule_by_default(pairing):
    assert reminders.reminders_sweep().schedules_created == 1
    schedule = CheckInSchedule.objects.get(pairing=pairing)
    assert schedule.interval_days == 7
    assert schedule.next_due_at == pairing.activated_at + timedelta(days=7)
    # Not due for four more days, and a second sweep leaves it alone.
    assert materialise() == 0
    assert reminders.reminders_sweep().schedules_created == 0


def test_delivery_costs_a_bounded_number_of_queries_per_batch(settings):
    settings.REMINDER_BATCH_SIZE = 500
    due_pairings(20)
    materialise()
    with CaptureQueriesContext(connection) as small:
        assert reminders.reminders_deliver_batch().sent == 40
    due_pairings(60)
    materialise()
    with CaptureQueriesContext(connection) as large:
        assert reminders.reminders_deliver_batch().sent == 120
    assert len(large.captured_queries) == len(small.captured_queries)
    # The batch, its notifications, deliveries and statuses, and one audit row on the chain
    # (advisory lock, previous hash, insert).
    assert len(large.captured_queries) <= 12


def test_every_sweep_and_delivery_run_is_recorded_with_its_counts(pairing):
    due_schedule(pairing)
    tasks.sweep_due_reminders.delay()
    sweep = SweepRun.objects.get(kind="sweep")
    deliveries = SweepRun.objects.filter(kind="deliver")
    assert sweep.finished_at is not None
    assert deliveries.count() == 2  # REMINDER_PARALLEL; the second found nothing left
    assert sum(run.checkins_created for run in deliveries) == 1
    assert sum(run.sent for run in deliveries) == 2
    assert all(run.queries > 0 for run in deliveries if run.claimed)


# -- answering a check-in -------------------------------------------------------------------


def test_the_survivor_answers_a_check_in_and_the_supporter_sees_it(client, pairing):
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    client.force_login(pairing.survivor)
    home = client.get(reverse("home")).content.decode()
    url = reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk})
    assert url in home
    response = client.post(url, {"mood": "2", "wants_session": "yes", "note": "a rough week q91"})
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert (checkin.mood, checkin.wants_session) == (2, "yes")
    assert checkin.answered_at is not None
    # Told in the app, and by discreet email since they would like a session.
    assert Notification.objects.filter(user=pairing.supporter, kind="checkin_answered").exists()
    # Answering again changes nothing.
    client.post(url, {"mood": "5", "wants_session": "no"})
    checkin.refresh_from_db()
    assert checkin.mood == 2

    client.force_login(pairing.supporter)
    overview = client.get(reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk}))
    assert "a rough week q91" in overview.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert 'data-mood="2"' in home
    assert "would like a session" in home


def test_nobody_answers_or_reads_a_check_in_of_a_pairing_they_are_not_part_of(
    client, coordinator, pairing
):
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    url = reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk})
    stranger = PairingFactory()
    for outsider in (stranger.survivor, stranger.supporter, coordinator):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider.role
        assert client.post(url, {"mood": "3", "wants_session": "no"}).status_code == 404
    # The supporter of the pairing reads it but cannot answer for the survivor.
    client.force_login(pairing.supporter)
    assert client.get(url).status_code == 200
    client.post(url, {"mood": "3", "wants_session": "no"})
    checkin.refresh_from_db()
    assert checkin.answered_at is None


def test_the_check_in_answer_is_stored_encrypted(pairing):
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    services.checkin_answer(
        survivor=pairing.survivor, checkin_id=checkin.pk, mood=3, wants_session="no", note="q92"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT note FROM {CheckIn._meta.db_table} WHERE id = %s",  # noqa: S608
            [checkin.pk],
        )
        (raw,) = cursor.fetchone()
    assert "q92" not in raw


# -- schedules -----------------------------------------------------------------------------


def test_either_of_the_pair_sets_the_schedule(client, pairing):
    url = reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk})
    when = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "interval_days": "14",
        "next_due_at": when,
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        "active": "on",
    }
    for person in (pairing.survivor, pairing.supporter):
        client.force_login(person)
        assert client.get(url).status_code == 200
        assert client.post(url, data).status_code == 302
    schedule = CheckInSchedule.objects.get(pairing=pairing)
    assert schedule.interval_days == 14
    assert (schedule.quiet_start.hour, schedule.quiet_end.minute) == (22, 30)
    assert schedule.updated_by == pairing.supporter


def test_nobody_reads_or_sets_the_schedule_of_a_pairing_they_are_not_part_of(
    client, coordinator, pairing
):
    url = reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk})
    stranger = PairingFactory()
    for outsider in (stranger.survivor, stranger.supporter, coordinator):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider.role
        assert client.post(url, {"interval_days": "7"}).status_code == 404
    assert not CheckInSchedule.objects.filter(pairing=pairing, updated_by__isnull=False).exists()


def test_a_schedule_in_the_past_is_refused_on_the_field(client, pairing):
    client.force_login(pairing.survivor)
    when = timezone.localtime(timezone.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("peer_sessions:schedule", kwargs={"pk": pairing.pk}),
        {"interval_days": "7", "next_due_at": when, "quiet_start": "21:00", "quiet_end": "08:00"},
    )
    assert "next_due_at" in response.context["form"].errors


# -- lapses of contact ---------------------------------------------------------------------


def _lapse_notes():
    return Notification.objects.filter(kind="contact_lapse")


def test_a_lapse_of_contact_reaches_the_coordinators_once_per_lapse(settings):
    settings.CONTACT_LAPSE_DAYS = 14
    coordinators = [CoordinatorFactory(), CoordinatorFactory()]
    now = timezone.now()
    quiet = PairingFactory(activated_at=now - timedelta(days=20))
    lively = PairingFactory(activated_at=now - timedelta(days=20))
    SupportSession.objects.create(
        pairing=lively,
        logged_by=lively.supporter,
        starts_at=now - timedelta(days=3),
        mode="chat",
        status=SessionStatus.HELD,
    )
    assert reminders.lapses_escalate(now=now) == 1
    assert reminders.lapses_escalate(now=now + timedelta(hours=1)) == 0
    assert reminders.lapses_escalate(now=now + timedelta(days=5)) == 0
    assert ContactLapse.objects.get().pairing == quiet
    assert _lapse_notes().count() == len(coordinators)
    assert {n.user for n in _lapse_notes()} == set(coordinators)
    link = reverse("team:pairing", kwargs={"pk": quiet.pk})
    assert all(n.link == link for n in _lapse_notes())

    # They meet again; then a new silence is a new lapse, escalated once more.
    SupportSession.objects.create(
        pairing=quiet,
        logged_by=quiet.supporter,
        starts_at=now + timedelta(days=1),
        mode="chat",
        status=SessionStatus.HELD,
    )
    assert reminders.lapses_escalate(now=now + timedelta(days=10)) == 0
    # Day 16: the quiet pair's new silence, and by now the lively pair's first one too.
    assert reminders.lapses_escalate(now=now + timedelta(days=16)) == 2
    assert reminders.lapses_escalate(now=now + timedelta(days=17)) == 0
    assert ContactLapse.objects.filter(pairing=quiet).count() == 2
    assert ContactLapse.objects.filter(pairing=lively).count() == 1
    assert _lapse_notes().count() == 3 * len(coordinators)


def test_an_answered_check_in_counts_as_contact(settings):
    settings.CONTACT_LAPSE_DAYS = 14
    CoordinatorFactory()
    now = timezone.now()
    pairing = PairingFactory(activated_at=now - timedelta(days=20))
    CheckIn.objects.create(
        pairing=pairing,
        due_at=now - timedelta(days=2),
        mood=3,
        wants_session="no",
        answered_at=now - timedelta(days=2),
    )
    assert reminders.lapses_escalate(now=now) == 0


def test_the_sweep_escalates_lapses_and_emails_coordinators_discreetly(
    settings, django_capture_on_commit_callbacks
):
    settings.CONTACT_LAPSE_DAYS = 14
    coordinator = CoordinatorFactory()
    PairingFactory(activated_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_due_reminders.delay()
        tasks.sweep_due_reminders.delay()
    lapse_mail = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert len(lapse_mail) == 1
    assert lapse_mail[0].subject == "You have a new message"
    assert SweepRun.objects.filter(kind="sweep", escalated=1).count() == 1


def test_message_ids_stay_the_same_for_a_reminder_across_attempts(pairing, settings):
    # So that, should a crash ever resend one, mail systems can tell it is the same message.
    settings.EMAIL_BACKEND = "tests.sessions.mailbox.RefusingBackend"
    RefusingBackend.refused = {pairing.survivor.email}
    RefusingBackend.attempted = []
    now = timezone.now()
    due_schedule(pairing, due_at=now - timedelta(minutes=1))
    materialise(now=now)
    try:
        reminders.reminders_deliver_batch(now=now)
        RefusingBackend.refused = set()
        reminders.reminders_deliver_batch(now=now + timedelta(days=1))
    finally:
        RefusingBackend.refused = set()
    reminder = CheckInReminder.objects.get(recipient=pairing.survivor)
    tried = [m for m, to in RefusingBackend.attempted if to == pairing.survivor.email]
    assert len(tried) == 2
    assert tried[0] == tried[1]
    assert re.fullmatch(rf"<r{reminder.pk}@[\w.-]+>", tried[0])
    assert Counter(_message_ids())[tried[0]] == 1
