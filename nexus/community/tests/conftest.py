from __future__ import annotations

import time

import pytest


@pytest.fixture
def one_posting_minute() -> None:
    """The posting budget is counted per clock minute: a test that exhausts it must not
    straddle a minute, or it gets two budgets (CI saw 47 of 30 posts, and a 4th of 3,
    accepted). Starts the test with at least 20 s of the minute left."""
    if time.time() % 60 > 40:
        time.sleep(60.5 - time.time() % 60)
