"""Logs that never carry what a person typed.

An exception's message can hold anything: a value from a query, a key from a PostgreSQL
IntegrityError's detail, words from a form. The formatter here writes the exception's type and
its stack (file, line, function, source line) but never its message, for the exception and for
every exception chained to it, and takes the message text out of the log line itself where a
logger repeated it there (Celery's "raised unexpected: ValueError(...)"). It never writes the
request Django's loggers attach (so never POST data).
"""

from __future__ import annotations

import logging
import traceback

WITHHELD = "[message withheld]"


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _chain(exc: BaseException | None) -> list[BaseException]:
    """The exception and those chained to it, outermost last (as Python prints them)."""
    seen: list[BaseException] = []
    while exc is not None and all(exc is not other for other in seen):
        seen.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return list(reversed(seen))


def _texts_of(exc: BaseException) -> set[str]:
    texts = set()
    for render in (str, repr):
        try:
            text = render(exc)
        except Exception:  # noqa: BLE001,S112 - a broken __str__ must not break logging
            continue
        texts.add(text)
    texts.update(arg for arg in getattr(exc, "args", ()) if isinstance(arg, str))
    # Too short to be worth withholding (replacing them would garble the line), or the name.
    return {
        text
        for text in texts
        if len(text) >= 3 and text not in (type(exc).__name__, f"{type(exc).__name__}()")
    }


def format_exception_without_text(exc: BaseException) -> str:
    parts = []
    for number, link in enumerate(_chain(exc)):
        if number:
            parts.append("\nThe exception above led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(link.__traceback__)))
        parts.append(f"{_type_name(link)}: {WITHHELD}\n")
    return "".join(parts).rstrip("\n")


class NoTextFormatter(logging.Formatter):
    """A Formatter for every handler: exception type and stack, never the exception's text."""

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_info[1] if record.exc_info else None
        message = record.getMessage()
        if exc is not None:
            for link in _chain(exc):
                for text in sorted(_texts_of(link), key=len, reverse=True):
                    message = message.replace(text, f"{_type_name(link)}({WITHHELD})")
        record.message = message
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        # Never record.exc_text: another handler's formatter may have cached the full text there.
        if exc is not None:
            line = f"{line}\n{format_exception_without_text(exc)}"
        if record.stack_info:
            line = f"{line}\n{self.formatStack(record.stack_info)}"
        return line
