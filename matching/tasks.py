"""Thin Celery tasks for matching: they call a service."""

from celery import shared_task

from . import runner, services


@shared_task
def run_matching() -> dict:
    return runner.matching_run(actor=None).as_dict()


@shared_task
def expire_offers() -> int:
    return services.offers_expire()
