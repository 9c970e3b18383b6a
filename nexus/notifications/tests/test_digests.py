"""Daily and weekly digests: who gets one, what is in it, and never twice per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils.timezone import now as timezone_now

from nexus.core.models import OutboxMessage
from nexus.core.outbox import outbox_deliver
from nexus.notifications.digests import digest_period, digests_send
from nexus.notifications.models import DigestDelivery, Event, Notification
from nexus.notifications.services import preference_set

NOW = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)  # a Wednesday


def notify(user: Any, title: str, when: datetime) -> Notification:
    event = Event.objects.create(kind="entry.published", key=f"e:{title}", title=title, url=f"/{title}/")
    notification = Notification.objects.create(recipient=user, event=event, reason="follow")
    Notification.objects.filter(pk=notification.pk).update(created_at=when)
    return notification


def test_periods_are_whole_utc_days_and_monday_weeks() -> None:
    assert digest_period("daily", NOW) == (datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    assert digest_period("weekly", NOW) == (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
    with pytest.raises(ValueError, match="daily or weekly"):
        digest_period("hourly", NOW)


def test_daily_digest_lists_yesterday_for_daily_subscribers_only(
    effects: Any, owner: Any, member: Any, outsider: Any, mentor: Any
) -> None:
    yesterday = NOW - timedelta(hours=12)
    notify(owner, "Caching notes", yesterday)  # no preference row: the default, daily
    notify(owner, "Old news", NOW - timedelta(days=3))
    notify(member, "For a weekly reader", yesterday)
    preference_set(actor=member, email_frequency="weekly")
    notify(outsider, "For a reader who said off", yesterday)
    preference_set(actor=outsider, email_frequency="off")
    notify(mentor, "For an instant reader", yesterday)
    preference_set(actor=mentor, email_frequency="instant")
    with effects():
        assert digests_send(frequency="daily", now=NOW) == 1
    [message] = mail.outbox
    assert message.to == ["owner@example.org"]
    assert message.subject == "[Nexus] Your daily digest: 1 update"
    assert "Caching notes" in message.body
    assert "Old news" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = DigestDelivery.objects.get()
    assert (delivery.user, delivery.frequency, delivery.notification_count) == (owner, "daily", 1)
    assert delivery.period_start == datetime(2026, 3, 10, tzinfo=UTC)


def test_a_rerun_sends_nothing_twice(effects: Any, owner: Any, member: Any) -> None:
    notify(owner, "Once", NOW - timedelta(hours=12))
    with effects():
        digests_send(frequency="daily", now=NOW)
    with effects():
        assert digests_send(frequency="daily", now=NOW + timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.count() == 1


def test_a_duplicate_message_for_a_sent_period_sends_nothing(effects: Any, owner: Any) -> None:
    notify(owner, "Once", NOW - timedelta(hours=12))
    with effects():
        digests_send(frequency="daily", now=NOW)
    message = OutboxMessage.objects.get(topic="notifications.digest")
    # A copy of the message that escaped (a redelivered task whose first run committed):
    OutboxMessage.objects.filter(pk=message.pk).update(delivered_at=None)
    assert outbox_deliver(message.pk) is True
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.count() == 1


def test_weekly_digest_counts_what_it_does_not_list(effects: Any, monkeypatch: Any, member: Any) -> None:
    preference_set(actor=member, email_frequency="weekly")
    for n in range(3):
        notify(member, f"Update {n}", datetime(2026, 3, 4, tzinfo=UTC))
    monkeypatch.setattr("nexus.notifications.digests.DIGEST_MAX_ITEMS", 2)
    with effects():
        assert digests_send(frequency="weekly", now=NOW) == 1
    [message] = mail.outbox
    assert message.subject == "[Nexus] Your weekly digest: 3 updates"
    assert "Update 2" in message.body
    assert "Update 1" in message.body
    assert "Update 0" not in message.body
    assert "...and 1 more" in message.body


def test_a_user_who_switched_off_after_queueing_gets_nothing(effects: Any, owner: Any) -> None:
    notify(owner, "Queued", NOW - timedelta(hours=12))
    digests_send(frequency="daily", now=NOW)  # queued; delivered after commit only in effects()
    preference_set(actor=owner, email_frequency="off")
    message = OutboxMessage.objects.get(topic="notifications.digest")
    outbox_deliver(message.pk)
    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()


def test_the_command_queues_and_a_second_run_queues_nothing(effects: Any, owner: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    notify(owner, "By hand", timezone_now() - timedelta(days=1))
    out = StringIO()
    with effects():
        call_command("nexus_digests", "daily", stdout=out)
    assert out.getvalue().startswith("1 daily digest(s) queued for ")
    call_command("nexus_digests", "daily", stdout=out)
    assert "0 daily digest(s) queued" in out.getvalue()
    assert len(mail.outbox) == 1
