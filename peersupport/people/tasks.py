"""Thin Celery tasks: they take ids and call a service."""

from celery import shared_task

from . import mail


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_discreet_email(self, user_id: int, force: bool = False) -> None:
    try:
        mail.send_discreet_email(user_id=user_id, force=force)
    except mail.TemporaryMailError as error:
        raise self.retry(exc=error, countdown=60 * (2**self.request.retries)) from error
