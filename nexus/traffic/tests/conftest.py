from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexus.traffic import rules
from nexus.traffic.logbuffer import log_buffer_clear


@pytest.fixture(autouse=True)
def _fresh_traffic_state() -> Iterator[None]:
    # Rules compiled in process memory and buffered log rows must not leak between tests.
    log_buffer_clear()
    yield
    log_buffer_clear()
    rules._state["compiled"] = rules._Compiled()
    rules._state["checked_at"] = 0.0
