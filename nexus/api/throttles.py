"""The API's throttles. Every one identifies a client by nexus.traffic.addresses.client_address,
the one definition of a client's address (X-Forwarded-For believed only from trusted
proxies), instead of DRF's own NUM_PROXIES reading.

Per-user API limits: DRF's UserRateThrottle also counts anonymous clients by IP, which
would cap them at the stricter of the anon and user rates; SignedInRateThrottle leaves them
to the anon limit."""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from nexus.traffic.addresses import client_address


class ClientAddressMixin:
    def get_ident(self, request: Any) -> str:
        return client_address(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass


class SignedInRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
