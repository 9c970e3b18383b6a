"""Daily and weekly digests: what happened in what each subscriber follows, mailed once per
user and period. The scheduled job queues one outbox message per subscriber; its handler
sends the mail and writes the DigestDelivery row in the same transaction, so a re-run (of
the job or of a message) sends nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from nexus.accounts.models import User
from nexus.core.outbox import outbox_enqueue
from nexus.notifications.mail import absolute_url, notification_mail
from nexus.notifications.models import DigestDelivery, EmailFrequency, Notification, NotificationPreference

DIGEST_TOPIC = "notifications.digest"
DIGEST_FREQUENCIES = (EmailFrequency.DAILY, EmailFrequency.WEEKLY)
# A digest lists this many notifications and counts the rest.
DIGEST_MAX_ITEMS = 50


def digest_period(frequency: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last whole period before `now`: yesterday (daily) or last week, Monday to Monday (weekly), in UTC."""
    now = now or timezone.now()
    midnight = datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)
    if frequency == EmailFrequency.DAILY:
        return midnight - timedelta(days=1), midnight
    if frequency == EmailFrequency.WEEKLY:
        monday = midnight - timedelta(days=midnight.weekday())
        return monday - timedelta(days=7), monday
    raise ValueError(f"Digests are daily or weekly, not {frequency!r}.")


def digest_subscribers(frequency: str, start: datetime, end: datetime) -> list[int]:
    """Ids of users who chose this digest, had notifications in the period and were not sent it yet."""
    users = User.objects.filter(
        is_active=True, notifications__created_at__gte=start, notifications__created_at__lt=end
    ).exclude(email="")
    chosen = Q(notification_preference__email_frequency=frequency)
    if frequency == settings.NEXUS_NOTIFICATIONS_DEFAULT_EMAIL:
        chosen |= Q(notification_preference__isnull=True)
    sent = DigestDelivery.objects.filter(frequency=frequency, period_start=start).values("user_id")
    return list(users.filter(chosen).exclude(pk__in=sent).values_list("pk", flat=True).distinct().order_by("pk"))


def digests_send(*, frequency: str, now: datetime | None = None) -> int:
    """Queue the digest of the period that just ended for every subscriber; returns how many."""
    start, end = digest_period(frequency, now)
    user_ids = digest_subscribers(frequency, start, end)
    with transaction.atomic():
        for user_id in user_ids:
            outbox_enqueue(
                topic=DIGEST_TOPIC,
                payload={
                    "user_id": user_id,
                    "frequency": frequency,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                },
                key=f"{DIGEST_TOPIC}:{frequency}:{start.date().isoformat()}:{user_id}",
            )
    return len(user_ids)


def digest_deliver(payload: dict[str, Any]) -> bool:
    """Mail one user's digest for one period, once; False when it was sent already or is
    no longer wanted."""
    frequency = payload["frequency"]
    start, end = datetime.fromisoformat(payload["start"]), datetime.fromisoformat(payload["end"])
    user = User.objects.filter(pk=payload["user_id"], is_active=True).exclude(email="").first()
    if user is None:
        return False
    chosen = (
        NotificationPreference.objects.filter(user=user).values_list("email_frequency", flat=True).first()
        or settings.NEXUS_NOTIFICATIONS_DEFAULT_EMAIL
    )
    if chosen != frequency:
        return False  # the user changed their mind since the job queued it
    with transaction.atomic():
        delivery, created = DigestDelivery.objects.get_or_create(
            user=user, frequency=frequency, period_start=start, defaults={"period_end": end}
        )
        if not created:
            return False
        notifications = Notification.objects.filter(
            recipient=user, created_at__gte=start, created_at__lt=end
        ).select_related("event__actor")
        total = notifications.count()
        items = [
            {"notification": item, "event": item.event, "link": absolute_url(item.event.url)}
            for item in notifications.order_by("-id")[:DIGEST_MAX_ITEMS]
        ]
        label = "daily" if frequency == EmailFrequency.DAILY else "weekly"
        body = render_to_string(
            "notifications/email/digest.txt",
            {"user": user, "items": items, "more": max(total - len(items), 0), "label": label, "start": start},
        )
        subject = f"[Nexus] Your {label} digest: {total} update{'s' if total != 1 else ''}"
        notification_mail(user=user, subject=subject, body=body).send()
        delivery.notification_count = total
        delivery.save(update_fields=["notification_count"])
    return True
