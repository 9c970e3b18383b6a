"""The community tells the notifications app what happened, inside its own transaction:
mentions in comments and answers notify, followers of a question hear about its answers, and
a draft's or a suggested edit's discussion reaches only who may see it."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.community.services import answer_accept, comment_post_on_proposal
from nexus.community.tests.factories import make_answer, make_comment, make_question
from nexus.core.models import OutboxMessage
from nexus.core.outbox import outbox_deliver
from nexus.knowledge.services import proposal_create
from nexus.knowledge.tests.factories import make_entry
from nexus.notifications.models import Event, Notification, NotificationReason, Webhook, WebhookDelivery
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


def reasons_of(event_key: str) -> dict[str, str]:
    notifications = Notification.objects.filter(event__key=event_key).select_related("recipient")
    return {notification.recipient.username: notification.reason for notification in notifications}


@pytest.fixture
def site_webhook(admin_user: Any) -> Webhook:
    """A site-wide webhook for every comment: it must hear only of what everybody may see."""
    return Webhook.objects.create(
        owner=admin_user, name="Cohort channel", url="https://example.org/hook", secret="s", events=["comment.posted"]
    )


def test_a_mention_on_a_draft_reaches_only_who_may_see_the_draft(
    owner: Any, mentor: Any, outsider: Any, admin_user: Any, site_webhook: Webhook
) -> None:
    draft = make_entry(owner, status="draft")
    follow_create(actor=outsider, target=draft.hub)
    comment = make_comment(owner, draft, "Note to self; @admin, @mentor, @outsider: not yet.")
    deliver_pending()
    assert reasons_of(f"comment.posted:{comment.pk}") == {"admin": NotificationReason.MENTION}
    assert not WebhookDelivery.objects.filter(webhook=site_webhook).exists()


def test_a_comment_on_a_published_entry_still_reaches_the_site_webhook(
    owner: Any, member: Any, site_webhook: Webhook
) -> None:
    make_comment(member, make_entry(owner), "Nice one.")
    deliver_pending()
    assert WebhookDelivery.objects.filter(webhook=site_webhook).count() == 1


def test_a_proposal_discussion_tells_its_participants_and_mentioned_reviewers_only(
    owner: Any, member: Any, mentor: Any, outsider: Any, site_webhook: Webhook
) -> None:
    entry = make_entry(owner)
    follow_create(actor=outsider, target=entry.hub)
    proposal = proposal_create(
        actor=member, entry=entry, data={"body": "Clearer.\n"}, base_version=1, message="Clearer"
    )
    first = comment_post_on_proposal(actor=owner, proposal=proposal, body="@mentor, @outsider: does this hold?")
    deliver_pending()
    # The proposal's author takes part; the mentor may see it and was named; the outsider
    # follows the hub and was named, but may not see a suggested edit that is not theirs.
    assert reasons_of(f"comment.posted:{first.pk}") == {
        "member": NotificationReason.PARTICIPANT,
        "mentor": NotificationReason.MENTION,
    }
    reply = comment_post_on_proposal(actor=mentor, proposal=proposal, body="It holds.", parent=first)
    deliver_pending()
    assert reasons_of(f"comment.posted:{reply.pk}") == {
        "owner": NotificationReason.PARTICIPANT,
        "member": NotificationReason.PARTICIPANT,
    }
    event = Event.objects.get(key=f"comment.posted:{reply.pk}")
    assert event.url == f"/proposals/{proposal.pk}/#comment-{reply.pk}"
    assert not WebhookDelivery.objects.filter(webhook=site_webhook).exists()


def test_nobody_hears_of_a_comment_whose_proposal_is_gone(owner: Any, member: Any, mentor: Any) -> None:
    proposal = proposal_create(
        actor=member, entry=make_entry(owner), data={"body": "Clearer.\n"}, base_version=1, message="Clearer"
    )
    comment = comment_post_on_proposal(actor=owner, proposal=proposal, body="@mentor?")
    proposal.delete()
    deliver_pending()
    assert not Notification.objects.filter(event__key=f"comment.posted:{comment.pk}").exists()
