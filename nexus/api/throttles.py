"""Per-user API limits. DRF's UserRateThrottle also counts anonymous clients by IP, which
would cap them at the stricter of the anon and user rates; this one leaves them to the
anon limit."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import UserRateThrottle


class SignedInRateThrottle(UserRateThrottle):
    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
