"""Where the current request comes from, for the audit rows written while serving it.

The traffic middleware sets the anonymised client address once it has decided which
address to believe; the request id comes from nexus.core.request_id. Outside a request
(commands, tasks) both are empty.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

_client_address: ContextVar[str] = ContextVar("nexus_audit_client_address", default="")


def audit_address_set(anonymised_address: str) -> Token[str]:
    """Remember the (already anonymised) client address of the current request."""
    return _client_address.set(anonymised_address)


def audit_address_reset(token: Token[str]) -> None:
    _client_address.reset(token)


def audit_address() -> str:
    return _client_address.get()
