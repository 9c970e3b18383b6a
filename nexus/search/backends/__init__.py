"""Search backends, one per database vendor, behind one interface (base.SearchBackend)."""

from __future__ import annotations

from django.db import connection

from nexus.search.backends.base import SearchBackend
from nexus.search.backends.postgres import PostgresBackend
from nexus.search.backends.sqlite import SqliteBackend

_BACKENDS: dict[str, type[SearchBackend]] = {"postgresql": PostgresBackend, "sqlite": SqliteBackend}


def search_backend() -> SearchBackend:
    """The backend of the default database: PostgreSQL full text + pg_trgm, or SQLite FTS5."""
    return _BACKENDS[connection.vendor]()
