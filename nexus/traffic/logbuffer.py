"""The request log's write path: rows collect in process memory and are written in one
statement when enough of them wait or the oldest has waited long enough, so a request
pays for an append, not for a database write.

A row is a plain tuple (LogRow), written with COPY (PostgreSQL) or multi-row INSERTs:
building a model instance per request and compiling a bulk_create per batch cost more
than the rest of the middleware together (bench/traffic.py). The write is done by the
request that filled the buffer: a flusher thread was tried and measured slower (it
competes for the GIL with the requests of its process).

The buffer is bounded (NEXUS_TRAFFIC_BUFFER_MAX): when the database cannot keep up or is
down, the oldest rows are dropped and counted, never piled up, and a failed write is not
tried again for NEXUS_TRAFFIC_FLUSH_SECONDS. Rows still waiting when
the process exits are written by an atexit hook.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import threading
import time
from collections import deque
from datetime import datetime
from typing import Any, NamedTuple, cast

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Field

from nexus.traffic.models import RequestLog

logger = logging.getLogger(__name__)

_lock = threading.Lock()


class LogRow(NamedTuple):
    """One request as RequestLog stores it; the field names are its columns."""

    created_at: datetime
    method: str
    route: str
    path: str
    status: int
    duration_ms: float
    user_id: int | None
    country: str
    network: str
    address_hash: str
    blocked: bool
    login_failed: bool


_rows: deque[LogRow] = deque()
_state = {"oldest": 0.0, "dropped": 0, "written": 0, "retry_at": 0.0}


@functools.cache
def _fields() -> list[Field[Any, Any]]:
    """RequestLog's fields in LogRow's order (a row names them by attname: user_id)."""
    by_attname = {field.attname: field for field in RequestLog._meta.concrete_fields}
    return [by_attname[name] for name in LogRow._fields]


def _target() -> tuple[str, str]:
    """The quoted table and column list a row is written to, in LogRow's order."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in _fields())  # concrete: never None
    return quote(RequestLog._meta.db_table), columns


def _insert_sql(count: int) -> str:
    """One INSERT of `count` rows: one round trip, where an executemany is one per row."""
    table, columns = _target()  # quoted names from the model; every value is a parameter
    row = "(" + ", ".join(["%s"] * len(LogRow._fields)) + ")"
    return f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([row] * count)  # noqa: S608


def _write(rows: list[LogRow]) -> None:
    """All of `rows` or none of them."""
    if connection.vendor == "postgresql":
        _copy(rows)
        return
    adapt = connection.ops.adapt_datetimefield_value  # the backend's form of an aware datetime
    # SQLite caps the parameters of one statement; the backend says how many rows fit.
    batch = max(1, min(500, connection.ops.bulk_batch_size(_fields(), rows)))
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = [value for row in chunk for value in (adapt(row.created_at), *row[1:])]
            cursor.execute(_insert_sql(len(chunk)), params)


def _copy(rows: list[LogRow]) -> None:
    """PostgreSQL: one COPY, a transaction by itself, streaming the rows without a statement
    to build, send and parse per batch; the binary format with declared column types costs a
    third of the client CPU of the text one."""
    table, columns = _target()
    # "varchar(8)" -> "varchar": the type names psycopg knows (a concrete field has one).
    types = [cast(str, field.db_type(connection)).split("(")[0] for field in _fields()]
    # Inside a caller's transaction (a command, a test) a failed COPY must not abort it.
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    copy_sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
    # cursor.copy is psycopg's own: its errors are turned into Django's here.
    with savepoint, connection.wrap_database_errors, connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def log_buffer_add(row: LogRow) -> None:
    """Queue one request row; write the buffer when it is due."""
    limit = settings.NEXUS_TRAFFIC_BUFFER_MAX
    with _lock:
        if not _rows:
            _state["oldest"] = time.monotonic()
        _rows.append(row)
        while len(_rows) > limit:
            _rows.popleft()
            _state["dropped"] += 1
        now = time.monotonic()
        due = now >= _state["retry_at"] and (
            len(_rows) >= settings.NEXUS_TRAFFIC_FLUSH_SIZE
            or now - _state["oldest"] >= settings.NEXUS_TRAFFIC_FLUSH_SECONDS
        )
    if due:
        log_buffer_flush()


def log_buffer_flush() -> int:
    """Write every queued row in one statement; returns how many were written."""
    with _lock:
        rows = list(_rows)
        _rows.clear()
    if not rows:
        return 0
    try:
        # Outside any transaction of the request (autocommit); a failure loses these rows only.
        _write(rows)
    except DatabaseError:
        with _lock:
            _state["dropped"] += len(rows)
            # A database that is down would make every due request wait for the connect
            # timeout; the next attempt waits (the buffer stays bounded meanwhile).
            _state["retry_at"] = time.monotonic() + settings.NEXUS_TRAFFIC_FLUSH_SECONDS
        logger.warning("Request log: %d rows could not be written and were dropped", len(rows), exc_info=True)
        if connection.in_atomic_block is False:
            connection.close_if_unusable_or_obsolete()
        return 0
    with _lock:
        _state["written"] += len(rows)
        _state["retry_at"] = 0.0
    return len(rows)


def log_buffer_stats() -> dict[str, int]:
    """Rows waiting, written and dropped by this process so far."""
    with _lock:
        return {"waiting": len(_rows), "written": int(_state["written"]), "dropped": int(_state["dropped"])}


def log_buffer_clear() -> None:
    """Forget the rows waiting and any back-off (tests start from an empty buffer)."""
    with _lock:
        _rows.clear()
        _state["retry_at"] = 0.0


def _flush_at_exit() -> None:
    # Off in tests: at exit the settings name the real database again, not the test one.
    if not getattr(settings, "NEXUS_TRAFFIC_FLUSH_AT_EXIT", True):
        return
    try:
        log_buffer_flush()
    except Exception:  # the interpreter is going away; nothing to answer
        logger.warning("Request log: rows could not be written at exit", exc_info=True)


atexit.register(_flush_at_exit)
