"""A request computes a memoised value once; outside a request nothing is kept, so tasks
and commands always read afresh; a request that changes the value can forget it."""

from __future__ import annotations

from nexus.core.request_memo import request_memo, request_memo_forget, request_memo_scope


def test_inside_a_request_a_value_is_computed_once_and_can_be_forgotten() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with request_memo_scope():
        assert [request_memo("k", compute) for _ in range(3)] == [1, 1, 1]
        request_memo_forget("k")
        assert request_memo("k", compute) == 2
    with request_memo_scope():  # the next request starts empty
        assert request_memo("k", compute) == 3


def test_outside_a_request_nothing_is_memoised() -> None:
    calls: list[int] = []
    assert [request_memo("k", lambda: calls.append(1) or len(calls)) for _ in range(2)] == [1, 2]
    request_memo_forget("k")  # harmless without a scope
