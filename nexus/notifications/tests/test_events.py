"""event_publish and its fan-out: followers, mentions, visibility, once per key."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from nexus.accounts.tests.factories import UserFactory
from nexus.core.models import OutboxMessage
from nexus.knowledge.models import Topic, Visibility
from nexus.knowledge.services import (
    entry_set_status,
    entry_update,
    hub_ensure,
    hub_update,
    proposal_create,
    proposal_merge,
)
from nexus.knowledge.tests.factories import make_entry
from nexus.notifications.models import Event, Notification, NotificationReason
from nexus.notifications.services import event_publish, follow_create, mentions_parse, preference_set


@pytest.fixture
def topic(db: None) -> Topic:
    return Topic.objects.get_or_create(slug="caching", defaults={"name": "Caching"})[0]


def publish(actor: Any, followed: list[Any], *, key: str = "k1", mention_text: str = "", hub: Any = None) -> None:
    with transaction.atomic():
        event_publish(
            kind="comment.posted",
            actor=actor,
            followed=followed,
            title="A comment",
            url="/somewhere/",
            key=key,
            mention_text=mention_text,
            hub=hub,
        )


def recipients(**filters: Any) -> dict[str, str]:
    return {n.recipient.username: n.reason for n in Notification.objects.filter(**filters).select_related("recipient")}


def test_mentions_are_parsed_without_emails_or_trailing_dots() -> None:
    text = "Thanks @Member and @mentor. Mail me at me@example.org, cc @member again"
    assert mentions_parse(text) == ["member", "mentor"]


def test_followers_and_mentioned_users_are_notified_never_the_actor(
    effects: Any, owner: Any, member: Any, outsider: Any, mentor: Any, topic: Topic
) -> None:
    follow_create(actor=member, target=topic)
    follow_create(actor=owner, target=topic)
    with effects():
        publish(owner, [topic], mention_text="@mentor @owner @nobody-by-that-name")
    assert recipients() == {"member": NotificationReason.FOLLOW, "mentor": NotificationReason.MENTION}
    event = Event.objects.get()
    assert (event.kind, event.actor, event.title, event.url) == ("comment.posted", owner, "A comment", "/somewhere/")


def test_the_same_key_fans_out_once(effects: Any, owner: Any, member: Any, topic: Topic) -> None:
    follow_create(actor=member, target=topic)
    with effects():
        publish(owner, [topic], key="same")
        publish(owner, [topic], key="same")
    assert OutboxMessage.objects.filter(topic="notifications.event").count() == 1
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_refused(owner: Any, topic: Topic) -> None:
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        event_publish(kind="comment.posted", actor=owner, followed=[topic], title="t", url="/", key="k")


def test_an_unknown_kind_is_refused(owner: Any) -> None:
    with transaction.atomic(), pytest.raises(ValueError, match="Unknown event kind"):
        event_publish(kind="entry.exploded", actor=owner, followed=[], title="t", url="/", key="k")


def test_nothing_is_sent_for_a_write_that_rolls_back(effects: Any, owner: Any, member: Any, topic: Topic) -> None:
    follow_create(actor=member, target=topic)

    def failing_write() -> None:
        with transaction.atomic():
            publish(owner, [topic])
            raise ZeroDivisionError("the write fails after the event was published")

    with effects(), pytest.raises(ZeroDivisionError):
        failing_write()
    assert OutboxMessage.objects.count() == 0
    assert Notification.objects.count() == 0


def test_followers_of_a_private_hub_hear_nothing_they_cannot_see(
    effects: Any, owner: Any, member: Any, admin_user: Any, topic: Topic
) -> None:
    hub = hub_ensure(owner)
    follow_create(actor=member, target=topic)
    follow_create(actor=admin_user, target=topic)
    hub_update(actor=owner, hub=hub, data={"visibility": Visibility.PRIVATE})
    with effects():
        publish(owner, [topic], hub=hub, mention_text="@member")
    assert recipients() == {"admin": NotificationReason.FOLLOW}


def test_instant_preference_mails_with_one_click_unsubscribe(
    effects: Any, owner: Any, member: Any, outsider: Any, topic: Topic
) -> None:
    follow_create(actor=member, target=topic)
    follow_create(actor=outsider, target=topic)  # the default: daily digest, no instant mail
    preference_set(actor=member, email_frequency="instant")
    with effects():
        publish(owner, [topic])
    assert [message.to for message in mail.outbox] == [["member@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "[Nexus] A comment"
    assert "http://testserver/somewhere/" in message.body or "/somewhere/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert Notification.objects.get(recipient=member).emailed_at is not None


# --- Knowledge publishes its events -----------------------------------------------------------


def test_publishing_an_entry_notifies_followers_of_its_hub_and_topics_once(
    effects: Any, owner: Any, member: Any, outsider: Any, topic: Topic
) -> None:
    follow_create(actor=member, target=hub_ensure(owner))
    follow_create(actor=outsider, target=topic)
    with effects():
        draft = make_entry(owner, status="draft", topics=["caching"])
    assert Notification.objects.count() == 0  # a draft is nobody's business
    with effects():
        entry_set_status(actor=owner, entry=draft, status="published")
    assert recipients() == {"member": "follow", "outsider": "follow"}
    event = Event.objects.get()
    assert event.kind == "entry.published"
    assert event.url == f"/h/owner/{draft.slug}/"
    assert event.hub == draft.hub
    with effects():
        entry_set_status(actor=owner, entry=draft, status="draft")
        entry_set_status(actor=owner, entry=draft, status="published")
    assert Notification.objects.count() == 2  # published again: not news again


def test_creating_published_and_publishing_by_edit_notify(effects: Any, owner: Any, member: Any) -> None:
    follow_create(actor=member, target=hub_ensure(owner))
    with effects():
        make_entry(owner, title="Born published")
        draft = make_entry(owner, title="Edited into print", status="draft")
        entry_update(actor=owner, entry=draft, data={"status": "published"}, base_version=draft.version)
    assert sorted(Event.objects.values_list("title", flat=True)) == ["Born published", "Edited into print"]
    assert Notification.objects.filter(recipient=member).count() == 2


def test_proposals_opened_and_merged_notify_followers(effects: Any, owner: Any, member: Any) -> None:
    watcher = UserFactory(username="watcher")
    entry = make_entry(owner)
    follow_create(actor=watcher, target=entry.hub)
    with effects():
        proposal = proposal_create(
            actor=member, entry=entry, data={"body": "Cache more.\n"}, base_version=entry.version, message="Clearer"
        )
        proposal_merge(actor=owner, proposal=proposal)
    kinds = sorted(Event.objects.values_list("kind", flat=True))
    assert kinds == ["proposal.merged", "proposal.opened"]
    assert Notification.objects.filter(recipient=watcher).count() == 2
    # The owner merged (actor of that event) but hears of the proposal only if they follow.
    assert not Notification.objects.filter(recipient=owner).exists()


def test_a_title_with_line_breaks_still_mails(effects: Any, owner: Any, member: Any, topic: Topic) -> None:
    follow_create(actor=member, target=topic)
    preference_set(actor=member, email_frequency="instant")
    with effects(), transaction.atomic():
        event_publish(
            kind="question.asked", actor=owner, followed=[topic], title="Why\r\nBcc: x@evil", url="/q/", key="q"
        )
    assert [message.subject for message in mail.outbox] == ["[Nexus] Why Bcc: x@evil"]


def test_a_user_who_switched_mail_off_meanwhile_gets_none(effects: Any, owner: Any, member: Any, topic: Topic) -> None:
    follow_create(actor=member, target=topic)
    preference_set(actor=member, email_frequency="instant")
    with effects(), transaction.atomic():
        publish(owner, [topic])
        preference_set(actor=member, email_frequency="off")
    assert mail.outbox == []
    assert Notification.objects.get(recipient=member).emailed_at is None
