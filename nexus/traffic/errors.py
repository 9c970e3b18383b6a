"""Traffic errors. The 429s carry `retry_after` (seconds), sent as the Retry-After header."""

from __future__ import annotations

from typing import Any

from nexus.core.errors import InvalidInput, NexusError, NotFound


class IpRuleInvalid(InvalidInput):
    code = "ip_rule_invalid"
    message = "This IP rule is invalid."


class IpRuleNotFound(NotFound):
    code = "ip_rule_not_found"
    message = "There is no such IP rule."


class FlagNotFound(NotFound):
    code = "flag_not_found"
    message = "There is no such anomaly flag."


class FlagClosed(NexusError):
    code = "flag_closed"
    status = 409
    message = "This flag was already reviewed."


class DateRangeInvalid(InvalidInput):
    code = "date_range_invalid"
    message = "The date range is invalid."


class AddressBlocked(NexusError):
    code = "address_blocked"
    status = 403
    message = "Requests from your network are blocked. If you think this is a mistake, contact the cohort's admins."


class _RetryLater(NexusError):
    status = 429

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        details = {"retry_after_seconds": self.retry_after, **kwargs.pop("details", {})}
        super().__init__(message, details=details, **kwargs)


class RateLimited(_RetryLater):
    code = "rate_limited"
    message = "Too many requests; slow down and retry after the number of seconds in Retry-After."


class LoginLocked(_RetryLater):
    code = "login_locked"
    message = (
        "Too many failed sign-ins for this account or from your network; sign-in is paused. Retry later, "
        "or ask an admin to unlock it."
    )
