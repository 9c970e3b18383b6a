"""The id of the request being served, for every log line written while serving it."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

_current: ContextVar[str] = ContextVar("nexus_request_id", default="-")
# A proxy's id is reused only when it cannot inject anything into a log line.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_from_header(value: str | None) -> str:
    """The caller's X-Request-ID when it is safe to log, else a fresh one."""
    if value and _ACCEPTABLE.match(value):
        return value
    return uuid.uuid4().hex


def request_id_set(value: str) -> object:
    return _current.set(value)


def request_id_reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current_request_id() -> str:
    return _current.get()


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record so formatters can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True
