"""Django's PostgreSQL backend, health-checking a reused connection only when it has sat idle.

CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every request: under load,
one round trip more than most pages make for their content (an anonymous entry page makes
one). What the check catches is a connection that died while nobody used it: the server
restarted, a pooler or firewall dropped it. A connection that ran a query a moment ago is
no likelier to be dead than to die during the request itself, so it is not checked; one
that has been idle for HEALTH_CHECK_IDLE_SECONDS is, as Django checks every connection.
"""

from __future__ import annotations

import time
from typing import Any

from django.db.backends.postgresql import base

# Under steady traffic a worker's connection is never idle this long, so it is never checked;
# after a pause, the first request checks (and replaces) its connection before using it.
HEALTH_CHECK_IDLE_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.used_at = float("-inf")

    def close_if_health_check_failed(self) -> None:
        # Django calls this before every query; only the first of a request may check.
        now = time.monotonic()
        if self.connection is not None and now - self.used_at < HEALTH_CHECK_IDLE_SECONDS:
            self.health_check_done = True
        super().close_if_health_check_failed()
        self.used_at = now
