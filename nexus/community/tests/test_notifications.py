"""The community tells the notifications app what happened, inside its own transaction:
mentions in comments and answers notify, followers of a question hear about its answers."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.community.services import answer_accept
from nexus.community.tests.factories import make_answer, make_comment, make_question
from nexus.core.models import OutboxMessage
from nexus.core.outbox import outbox_deliver
from nexus.knowledge.tests.factories import make_entry
from nexus.notifications.models import Event, Notification
from nexus.notifications.services import follow_create

pytestmark = pytest.mark.django_db


def deliver_pending() -> None:
    """What the relay does after commit (inline) or a worker does (Celery), here and now: the
    test's transaction never commits, so neither would run."""
    for message_id in OutboxMessage.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True):
        outbox_deliver(message_id)


def test_a_mention_in_a_comment_notifies_once(owner: Any, member: Any, outsider: Any) -> None:
    entry = make_entry(owner)
    comment = make_comment(member, entry, "What do you think, @outsider?")
    deliver_pending()
    deliver_pending()  # a second copy finds the message delivered: nothing twice
    event = Event.objects.get(key=f"comment.posted:{comment.pk}")
    assert event.kind == "comment.posted"
    assert list(Notification.objects.filter(recipient=outsider).values_list("event__kind", flat=True)) == [
        "comment.posted"
    ]


def test_answers_and_acceptance_reach_the_followers_of_a_question(owner: Any, member: Any, outsider: Any) -> None:
    question = make_question(owner)
    deliver_pending()
    follow_create(actor=outsider, target=question)
    answer = make_answer(member, question, "Ask @owner about it.")
    deliver_pending()
    answer_accept(actor=owner, answer=answer)
    deliver_pending()
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"question.asked", "answer.posted", "answer.accepted"} <= kinds
    assert Notification.objects.filter(recipient=owner, event__kind="answer.posted").exists()  # the mention
    followed = Notification.objects.filter(recipient=outsider).values_list("event__kind", flat=True)
    assert sorted(followed) == ["answer.accepted", "answer.posted"]
