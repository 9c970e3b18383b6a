"""Values computed at most once per request: a read that many parts of one request make
(who holds which role, read for every member a list shows) costs one cache round trip,
not one per caller.

RequestIdMiddleware opens the scope for each request and closes it when the response is
done. Outside a request (tasks, commands, the shell) nothing is memoised, so a long-running
worker never keeps a stale value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_memo: ContextVar[dict[str, Any] | None] = ContextVar("nexus_request_memo", default=None)


@contextmanager
def request_memo_scope() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def request_memo(key: str, compute: Callable[[], T]) -> T:
    """compute() once per request under `key` (every call, outside a request)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def request_memo_forget(key: str) -> None:
    """Drop `key` from this request's memo: the request changed what it holds."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)
