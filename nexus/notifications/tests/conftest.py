from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest


@pytest.fixture
def effects(settings: Any, django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """`with effects(): ...` runs the block's after-commit effects (the outbox fan-out, the
    e-mails and webhook attempts it queues) in-process, as the embedded default does."""
    settings.NEXUS_TASKS_MODE = "inline"

    def run() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def receiver() -> Iterator[Any]:
    """A real HTTP server on 127.0.0.1 that records what webhooks post to it."""
    from nexus.notifications.tests.receiver import Receiver

    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    """The admin allow-list lets webhooks reach the local receiver."""
    settings.NEXUS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
