"""Counts that never drift under concurrent clicks, on a real PostgreSQL with threads: each
thread has its own connection and transaction, as two web workers would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from nexus.accounts.tests.factories import UserFactory
from nexus.community.models import AnswerVote, Reaction
from nexus.community.selectors import answer_score, reaction_counts
from nexus.community.services import answer_vote, reaction_set
from nexus.community.tests.factories import make_answer, make_question
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (services column): SQLite serialises every writer")


def run_at_once(calls: list[Callable[[], Any]]) -> list[Exception]:
    """Run the calls in threads released together; returns the errors they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
        except Exception as error:  # noqa: BLE001 (reported to the test, not lost in the thread)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_the_same_click_from_many_threads_counts_once() -> None:
    owner, clicker = UserFactory(username="owner"), UserFactory(username="clicker")
    entry = make_entry(owner)
    calls = [lambda: reaction_set(actor=clicker, target=entry, kind="helpful") for _ in range(THREADS)]
    assert run_at_once(calls) == []
    assert Reaction.objects.filter(entry=entry).count() == 1
    assert reaction_counts("entry", [entry.pk])[entry.pk]["helpful"] == 1


def test_many_users_clicking_at_once_are_all_counted() -> None:
    owner = UserFactory(username="owner")
    entry = make_entry(owner)
    users = [UserFactory(username=f"reader{n}") for n in range(THREADS)]
    calls: list[Callable[[], Any]] = []
    for user in users:
        calls.append(lambda user=user: reaction_set(actor=user, target=entry, kind="thanks"))
        calls.append(lambda user=user: reaction_set(actor=user, target=entry, kind="thanks"))
    assert run_at_once(calls) == []
    assert reaction_counts("entry", [entry.pk])[entry.pk]["thanks"] == THREADS


def test_racing_votes_of_one_user_leave_one_vote() -> None:
    asker, answerer, voter = (UserFactory(username=name) for name in ("asker", "answerer", "voter"))
    answer = make_answer(answerer, make_question(asker))
    calls = [lambda: answer_vote(actor=voter, answer=answer, value=1) for _ in range(THREADS)]
    assert run_at_once(calls) == []
    assert AnswerVote.objects.filter(answer=answer).count() == 1
    assert answer_score(answer) == 1
