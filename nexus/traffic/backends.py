"""Sign-in with a lockout: after repeated failures per account or per address, sign-in
is refused with 429 until the lock expires or an admin unlocks it (traffic/limits.py).
Every sign-in goes through Django's authenticate(), so pages, the token endpoint and
GraphQL all share it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from nexus.traffic.addresses import client_address
from nexus.traffic.errors import LoginLocked
from nexus.traffic.limits import login_failure_record, login_locked_for, login_success_record


class LockoutModelBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        # Outside a request (Client.login in tests, a shell) only the account counts.
        address = client_address(request) if request is not None and hasattr(request, "META") else None
        wait = login_locked_for(username=username, address=address)
        if wait:
            raise LoginLocked(retry_after=wait)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            if username is not None or address is not None:
                login_failure_record(username=username, address=address)
            if request is not None:
                # DRF wraps the request; the log reads the Django request underneath.
                getattr(request, "_request", request)._nexus_login_failed = True
        elif username:
            login_success_record(username=username)
        return user
