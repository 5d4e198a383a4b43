"""Thin Celery tasks: they take ids (or nothing) and call a service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import outbox
from .models import User

# A delivery hands over to a fresh task after this long, so no single task outlives the
# broker's visibility timeout.
DELIVERY_TIME_BUDGET = 300.0


@shared_task(
    name=outbox.DELIVER_TASK,
    bind=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def deliver_outbox(self) -> dict:
    """The nudge after a commit, and beat's sweep every OUTBOX_SWEEP_SECONDS: deliver the
    outbox's due rows until none is left. It takes no arguments: the database says what is
    due, so running twice, or two at once, sends nothing twice."""
    result, more = outbox.outbox_deliver(time_budget=DELIVERY_TIME_BUDGET)
    if more:
        deliver_outbox.apply_async()
    return {"sent": result.sent, "retrying": result.retrying, "more": more}


# The name it had when it lived in peersupport/tasks.py: queued messages carry that name.
@shared_task(name="peersupport.tasks.send_discreet_email")
def send_discreet_email(user_id: int, force: bool = False) -> None:
    """Before the outbox, each discreet email was this task. Messages queued then may still
    wait in a broker: each becomes an outbox row (and goes out) instead of being lost."""
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        outbox.outbox_notice_add(user=user, urgent=force)
