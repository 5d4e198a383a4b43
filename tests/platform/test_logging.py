"""Logs carry an exception's type and stack, never its message or what was posted."""

import io
import logging

import pytest
from django.test import RequestFactory

from peersupport.celery import app as celery_app


def _secret(*parts):
    # Built at run time so the stack's source lines cannot contain it.
    return "".join(parts)


@pytest.fixture
def console():
    """The configured console handler, writing into a buffer for the test."""
    handler = logging.getLogger("django.request").handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def _raise_chained(outer_secret, inner_secret):
    try:
        {}[inner_secret]
    except KeyError as error:
        raise ValueError(f"value {outer_secret} is not allowed") from error


def test_an_exception_is_logged_by_type_and_stack_without_its_message(console):
    secret, inner = _secret("my ", "typed ", "zq81"), _secret("key=", "(zq82)")
    request = RequestFactory().post("/profile/", {"motivation": _secret("posted ", "zq83")})
    try:
        _raise_chained(secret, inner)
    except ValueError:
        logging.getLogger("django.request").exception(
            "Internal Server Error: %s",
            request.path,
            extra={"status_code": 500, "request": request},
        )
    output = console.getvalue()
    assert "ValueError" in output and "KeyError" in output  # the types, outer and chained
    assert "_raise_chained" in output  # the stack
    assert "/profile/" in output
    for text in ("zq81", "zq82", "zq83"):
        assert text not in output


def test_a_message_that_repeats_the_exception_has_it_withheld(console):
    # As Celery's "Task x raised unexpected: ValueError('...')" does.
    secret = _secret("typed ", "zq84")
    try:
        raise ValueError(secret)
    except ValueError as error:
        logging.getLogger("celery.app.trace").error(
            "Task %s raised unexpected: %r", "some.task", error, exc_info=True
        )
        logging.getLogger("peersupport").error("failed: %s", error, exc_info=True)
    output = console.getvalue()
    assert output.count("ValueError") >= 4
    assert "zq84" not in output


def test_an_earlier_handler_cannot_leak_the_full_text_through_the_cache(console):
    secret = _secret("typed ", "zq85")
    try:
        raise RuntimeError(secret)
    except RuntimeError:
        record = logging.getLogger("peersupport").makeRecord(
            "peersupport", logging.ERROR, __file__, 1, "boom", (), __import__("sys").exc_info()
        )
    logging.Formatter().format(record)  # caches the full traceback in record.exc_text
    assert "zq85" in record.exc_text
    logging.getLogger("django.request").handlers[0].handle(record)
    assert "RuntimeError" in console.getvalue()
    assert "zq85" not in console.getvalue()


def test_celery_logs_through_the_same_configuration():
    from celery.signals import setup_logging

    from peersupport.celery import use_django_logging

    assert celery_app.conf.worker_hijack_root_logger is False
    receivers = [ref() for _key, ref in setup_logging.receivers]
    assert use_django_logging in receivers  # so Celery adds no handlers of its own
