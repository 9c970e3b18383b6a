"""Keeps a cache outage to one warning line per interval instead of a traceback per call.

django-redis logs every ignored failure with `logger.exception`; with Redis down that is
a traceback for each cache call of each request. The outage is worth knowing about, the
thousandth repetition is not.
"""

from __future__ import annotations

import logging
import threading
import time


class CacheOutageLogFilter(logging.Filter):
    def __init__(self, interval_seconds: float = 30.0) -> None:
        super().__init__()
        self.interval = interval_seconds
        self._last = -float("inf")
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the last warning (a new outage is reported at once)."""
        with self._lock:
            self._last = -float("inf")

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.interval:
                return False
            self._last = now
        if record.exc_info and record.exc_info[1] is not None:
            cause = record.exc_info[1].__cause__ or record.exc_info[1]
            record.msg = f"Cache unavailable, serving without it: {type(cause).__name__}: {cause}"
            record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
