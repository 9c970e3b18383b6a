"""The request log's write path: rows collect in process memory and are written in one
bulk INSERT when enough of them wait or the oldest has waited long enough, so a request
pays for an append, not for a database write.

The buffer is bounded (NEXUS_TRAFFIC_BUFFER_MAX): when the database cannot keep up or is
down, the oldest rows are dropped and counted, never piled up. Rows still waiting when
the process exits are written by an atexit hook.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque

from django.conf import settings
from django.db import DatabaseError, connection

from nexus.traffic.models import RequestLog

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_rows: deque[RequestLog] = deque()
_state = {"oldest": 0.0, "dropped": 0, "written": 0}


def log_buffer_add(row: RequestLog) -> None:
    """Queue one request row; flush the buffer when it is due."""
    limit = settings.NEXUS_TRAFFIC_BUFFER_MAX
    with _lock:
        if not _rows:
            _state["oldest"] = time.monotonic()
        _rows.append(row)
        while len(_rows) > limit:
            _rows.popleft()
            _state["dropped"] += 1
        due = (
            len(_rows) >= settings.NEXUS_TRAFFIC_FLUSH_SIZE
            or time.monotonic() - _state["oldest"] >= settings.NEXUS_TRAFFIC_FLUSH_SECONDS
        )
    if due:
        log_buffer_flush()


def log_buffer_flush() -> int:
    """Write every queued row in one bulk insert; returns how many were written."""
    with _lock:
        rows = list(_rows)
        _rows.clear()
    if not rows:
        return 0
    try:
        # Outside any transaction of the request (autocommit); a failure loses these rows only.
        RequestLog.objects.bulk_create(rows, batch_size=500)
    except DatabaseError:
        _state["dropped"] += len(rows)
        logger.warning("Request log: %d rows could not be written and were dropped", len(rows), exc_info=True)
        if connection.in_atomic_block is False:
            connection.close_if_unusable_or_obsolete()
        return 0
    _state["written"] += len(rows)
    return len(rows)


def log_buffer_stats() -> dict[str, int]:
    """Rows waiting, written and dropped by this process so far."""
    with _lock:
        return {"waiting": len(_rows), "written": int(_state["written"]), "dropped": int(_state["dropped"])}


def log_buffer_clear() -> None:
    """Forget the rows waiting (tests start from an empty buffer)."""
    with _lock:
        _rows.clear()


def _flush_at_exit() -> None:
    # Off in tests: at exit the settings name the real database again, not the test one.
    if not getattr(settings, "NEXUS_TRAFFIC_FLUSH_AT_EXIT", True):
        return
    try:
        log_buffer_flush()
    except Exception:  # the interpreter is going away; nothing to answer
        logger.warning("Request log: rows could not be written at exit", exc_info=True)


atexit.register(_flush_at_exit)
