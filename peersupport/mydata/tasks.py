"""Thin Celery task: beat runs the retention sweep daily (settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from . import retention


@shared_task
def retention_sweep() -> dict[str, int]:
    """Counts only: nothing a person wrote."""
    return retention.sweep()
