"""Writes of notifications: publishing events (fanned out through the outbox), follows,
read marks, e-mail preferences and webhooks. Each service owns its transaction."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone

from nexus.accounts.models import User
from nexus.audit.services import audit_record
from nexus.core.errors import InvalidInput, field_errors
from nexus.core.outbox import outbox_enqueue
from nexus.knowledge.models import Hub, Visibility
from nexus.knowledge.permissions import can_view_hub
from nexus.notifications.errors import FollowTargetNotFound, UnsubscribeLinkInvalid
from nexus.notifications.mail import EMAIL_TOPIC, absolute_url, notification_mail, unsubscribe_token_user_id
from nexus.notifications.models import (
    WEBHOOK_EVENT_KINDS,
    DeliveryStatus,
    DigestDelivery,
    EmailFrequency,
    Event,
    Follow,
    Notification,
    NotificationPreference,
    NotificationReason,
    Webhook,
    WebhookDelivery,
    WebhookFormat,
)
from nexus.notifications.permissions import (
    can_allow_private_webhook,
    can_follow,
    can_manage_webhooks,
    can_view_audience,
    has_audience_check,
    is_followable,
    require,
)
from nexus.notifications.webhooks import webhook_deliveries_attempt, webhook_url_check

EVENT_TOPIC = "notifications.event"
# @username in a comment or answer: not part of an e-mail address (no word character or @
# right before it); a trailing dot ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")
MAX_MENTIONS = 20


def mentions_parse(text: str) -> list[str]:
    """The distinct usernames @mentioned in `text`, lower-cased, at most MAX_MENTIONS."""
    names: list[str] = []
    for match in MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".").lower()
        if name and name not in names:
            names.append(name)
    return names[:MAX_MENTIONS]


# --- Events -------------------------------------------------------------------------------


def event_publish(
    *,
    kind: str,
    actor: Any,
    followed: Sequence[Model],
    title: str,
    url: str,
    key: str,
    mention_text: str = "",
    hub: Hub | None = None,
    participant_ids: Iterable[int] = (),
    audience: Model | None = None,
) -> None:
    """Record that something happened; after commit, one outbox message fans it out to
    followers of `followed`, participants (the users taking part in a discussion), @mentioned
    users, instant e-mails and matching webhooks.

    With an `audience` (the entry or proposal it happened on), only users who may see that
    object are told, and only the hub's own webhooks hear of it unless everybody may see it:
    a mention in a draft's or a suggested edit's discussion reaches nobody outside it.
    Call it inside the caller's transaction.atomic(); the same key is published once."""
    if kind not in WEBHOOK_EVENT_KINDS:
        raise ValueError(f"Unknown event kind {kind!r}; choose one of {', '.join(WEBHOOK_EVENT_KINDS)}.")
    if audience is not None and not has_audience_check(audience):
        raise ValueError(f"No visibility check for {audience._meta.label}; add one to AUDIENCES (permissions).")
    targets = [
        [ContentType.objects.get_for_model(item).pk, item.pk]
        for item in followed
        if item is not None and item.pk is not None and is_followable(item)
    ]
    outbox_enqueue(
        topic=EVENT_TOPIC,
        payload={
            "kind": kind,
            "key": key,
            "actor_id": getattr(actor, "pk", None),
            "followed": targets,
            "title": title[:300],
            "url": url[:500],
            "mentions": mentions_parse(mention_text),
            "participants": sorted({user_id for user_id in participant_ids if user_id is not None}),
            "audience": [ContentType.objects.get_for_model(audience).pk, audience.pk] if audience is not None else None,
            "hub_id": hub.pk if hub is not None else None,
        },
        key=f"{EVENT_TOPIC}:{key}",
    )


def event_fan_out(payload: dict[str, Any]) -> Event:
    """Apply a published event: its notifications, instant e-mails and webhook deliveries.
    Idempotent: a second run finds the rows and adds nothing."""
    hub = Hub.objects.filter(pk=payload["hub_id"]).first() if payload.get("hub_id") else None
    event, _ = Event.objects.get_or_create(
        key=payload["key"],
        defaults={
            "kind": payload["kind"],
            "actor_id": payload.get("actor_id"),
            "hub": hub,
            "title": payload["title"],
            "url": payload["url"],
        },
    )
    reasons: dict[int, str] = {}
    targets = Q()
    for content_type_id, object_id in payload.get("followed") or []:
        targets |= Q(content_type_id=content_type_id, object_id=object_id)
    if targets:
        for user_id in Follow.objects.filter(targets).values_list("user_id", flat=True).distinct():
            reasons[user_id] = NotificationReason.FOLLOW
    for user_id in payload.get("participants") or []:
        reasons[user_id] = NotificationReason.PARTICIPANT
    if payload.get("mentions"):
        mentioned = (
            User.objects.alias(name=Lower("username"))
            .filter(name__in=payload["mentions"], is_active=True)
            .values_list("pk", flat=True)
        )
        for user_id in mentioned:
            reasons[user_id] = NotificationReason.MENTION
    if payload.get("actor_id") is not None:
        reasons.pop(payload["actor_id"], None)  # nobody is told about their own doing
    public = True
    if payload.get("audience"):
        # Only who may see the entry or proposal hears of what happens on it; if it is gone
        # by now, nobody does.
        audience = _audience(payload["audience"])
        if audience is None:
            reasons, public = {}, False
        else:
            reasons = _only_who(reasons, lambda user: can_view_audience(user, audience))
            public = can_view_audience(AnonymousUser(), audience)
    elif hub is not None and hub.visibility == Visibility.PRIVATE:
        # Only who may see the hub hears of what happens in it.
        reasons = _only_who(reasons, lambda user: can_view_hub(user, hub))
    _notify(event, reasons)
    _deliver_to_webhooks(event, hub, public=public)
    return event


def _only_who(reasons: dict[int, str], may_see: Callable[[User], bool]) -> dict[int, str]:
    """The recipients in `reasons` who are active and pass `may_see`."""
    if not reasons:
        return reasons
    return {user.pk: reasons[user.pk] for user in User.objects.filter(pk__in=reasons, is_active=True) if may_see(user)}


def _audience(reference: list[int]) -> Model | None:
    """The object an event's recipients must be able to see, from its payload reference."""
    content_type_id, object_id = reference
    return ContentType.objects.get_for_id(content_type_id).get_all_objects_for_this_type(pk=object_id).first()


def _notify(event: Event, reasons: dict[int, str]) -> None:
    """Notification rows for `reasons` ({user id: reason}), and instant e-mails."""
    if not reasons:
        return
    Notification.objects.bulk_create(
        [Notification(recipient_id=user_id, event=event, reason=reason) for user_id, reason in reasons.items()],
        ignore_conflicts=True,
    )
    instant = NotificationPreference.objects.filter(
        user_id__in=reasons, email_frequency=EmailFrequency.INSTANT
    ).values_list("user_id", flat=True)
    pending = Notification.objects.filter(event=event, recipient_id__in=instant, emailed_at__isnull=True)
    for notification_id in pending.values_list("pk", flat=True):
        outbox_enqueue(
            topic=EMAIL_TOPIC,
            payload={"notification_id": notification_id},
            key=f"{EMAIL_TOPIC}:{notification_id}",
        )


def _deliver_to_webhooks(event: Event, hub: Hub | None, *, public: bool) -> None:
    """Deliveries for the active webhooks that subscribed to this kind: the hub's own, and
    the site-wide ones for what everybody may see."""
    everybody_sees = public and (hub is None or hub.visibility == Visibility.PUBLIC)
    scope = Q(hub__isnull=True) if everybody_sees else Q(pk__in=[])
    if hub is not None:
        scope |= Q(hub=hub)
    # Events are filtered here, not in SQL: SQLite has no JSON containment lookup.
    webhooks = [hook for hook in Webhook.objects.filter(scope, is_active=True) if event.kind in hook.events]
    if not webhooks:
        return
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook=hook, event=event, next_attempt_at=now) for hook in webhooks],
        ignore_conflicts=True,
    )
    ids = list(
        WebhookDelivery.objects.filter(
            event=event, webhook__in=webhooks, status=DeliveryStatus.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )
    # The HTTP attempt runs after this transaction commits, never holding it open; if the
    # process dies first, the delivery is due and the retry sweep attempts it.
    transaction.on_commit(lambda: webhook_deliveries_attempt(ids))


def notification_email_send(notification_id: int) -> bool:
    """Mail one notification (once: the row records that it was mailed); False when there
    is nothing to send (mailed already, the address is gone, or the user switched e-mail off)."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "event__actor")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.email or not notification.recipient.is_active:
        return False
    frequency = (
        NotificationPreference.objects.filter(user=notification.recipient)
        .values_list("email_frequency", flat=True)
        .first()
    )
    if frequency == EmailFrequency.OFF:
        return False
    event = notification.event
    body = render_to_string(
        "notifications/email/instant.txt",
        {"notification": notification, "event": event, "link": absolute_url(event.url)},
    )
    notification_mail(user=notification.recipient, subject=f"[Nexus] {event.title}"[:200], body=body).send()
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


# --- Follows ------------------------------------------------------------------------------


def follow_create(*, actor: Any, target: Model) -> Follow:
    """Follow a hub, topic, technology, project or question the actor may see."""
    if not can_follow(actor, target):
        raise FollowTargetNotFound()
    with transaction.atomic():
        follow, _ = Follow.objects.get_or_create(
            user=actor, content_type=ContentType.objects.get_for_model(target), object_id=target.pk
        )
    return follow


def follow_delete(*, actor: Any, target: Model) -> None:
    """Stop following `target` (nothing happens if the actor did not follow it)."""
    if not actor.is_authenticated:
        raise FollowTargetNotFound()
    with transaction.atomic():
        Follow.objects.filter(
            user=actor, content_type=ContentType.objects.get_for_model(target), object_id=target.pk
        ).delete()


# --- In-app notifications -----------------------------------------------------------------


def notification_mark_read(*, actor: Any, notification_ids: Sequence[int]) -> int:
    """Mark the actor's notifications read; ids of anyone else's are ignored. Returns how many changed."""
    with transaction.atomic():
        return Notification.objects.filter(recipient=actor, pk__in=list(notification_ids), read_at__isnull=True).update(
            read_at=timezone.now()
        )


def notification_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read."""
    with transaction.atomic():
        return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def notifications_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Forget what is older than NEXUS_NOTIFICATION_RETENTION_DAYS: read notifications, the
    events nobody's notification still points at (with their webhook delivery logs) and
    the digest records of long-past periods. Unread notifications stay, with their events,
    however old. Returns how many rows of each went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NEXUS_NOTIFICATION_RETENTION_DAYS)
    with transaction.atomic():
        notifications, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
        unreferenced = Event.objects.filter(created_at__lt=cutoff).exclude(
            pk__in=Notification.objects.values("event_id")
        )
        _, events = unreferenced.delete()
        digests, _ = DigestDelivery.objects.filter(period_end__lt=cutoff).delete()
    return {
        "notifications": notifications,
        "events": events.get(Event._meta.label, 0),
        "webhook_deliveries": events.get(WebhookDelivery._meta.label, 0),
        "digests": digests,
    }


# --- E-mail preference --------------------------------------------------------------------


def preference_set(*, actor: Any, email_frequency: str) -> NotificationPreference:
    """Choose how notifications are mailed: instant, daily or weekly digest, or off."""
    if email_frequency not in EmailFrequency.values:
        raise InvalidInput(details={"email_frequency": [f"Choose one of: {', '.join(EmailFrequency.values)}."]})
    with transaction.atomic():
        preference, created = NotificationPreference.objects.get_or_create(
            user=actor, defaults={"email_frequency": email_frequency}
        )
        if not created and preference.email_frequency != email_frequency:
            preference.email_frequency = email_frequency
            preference.save(update_fields=["email_frequency", "updated_at"])
    return preference


def unsubscribe(*, token: str) -> User:
    """The one-click unsubscribe of a mailed link: e-mail off for the user it names."""
    user_id = unsubscribe_token_user_id(token)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None:
        raise UnsubscribeLinkInvalid()
    preference_set(actor=user, email_frequency=EmailFrequency.OFF)
    return user


# --- Webhooks -----------------------------------------------------------------------------

WEBHOOK_FIELDS = ("name", "format", "url", "events", "is_active", "allow_private_network")


def _webhook_apply(actor: Any, webhook: Webhook, data: dict[str, Any]) -> list[str]:
    """Set and check the sent fields on `webhook` (not saved); returns the changed names."""
    unknown = sorted(set(data) - set(WEBHOOK_FIELDS))
    if unknown:
        raise InvalidInput(details={name: ["This webhook field does not exist."] for name in unknown})
    errors: dict[str, list[str]] = {}
    wants_private = bool(data.get("allow_private_network", webhook.allow_private_network))
    if wants_private != webhook.allow_private_network and not can_allow_private_webhook(actor):
        errors["allow_private_network"] = ["Only an admin can let a webhook reach a private network."]
    if "events" in data:
        events = data["events"]
        if not isinstance(events, list) or not events or any(kind not in WEBHOOK_EVENT_KINDS for kind in events):
            errors["events"] = [f"Choose one or more of: {', '.join(WEBHOOK_EVENT_KINDS)}."]
        else:
            data = {**data, "events": sorted(set(events))}
    if "format" in data and data["format"] not in WebhookFormat.values:
        errors["format"] = [f"Choose one of: {', '.join(WebhookFormat.values)}."]
    for name, value in data.items():
        if name not in errors:
            setattr(webhook, name, value.strip() if isinstance(value, str) else value)
    try:
        webhook.full_clean(exclude=["hub", "owner", "secret"])
    except ValidationError as error:
        for name, messages in field_errors(error).items():
            errors.setdefault(name, messages)
    if errors:
        raise InvalidInput(details=errors)
    # A switched-off webhook sends nothing: its URL is checked when it is (switched) on,
    # and again before every delivery.
    if webhook.is_active and {"url", "allow_private_network", "is_active"} & set(data):
        webhook_url_check(webhook.url, allow_private=webhook.allow_private_network)
    if "is_active" in data and webhook.is_active:
        # Turning a disabled webhook back on starts its failure count again.
        webhook.consecutive_failures, webhook.disabled_at, webhook.disabled_reason = 0, None, ""
        data = {**data, "consecutive_failures": 0, "disabled_at": None, "disabled_reason": ""}
    return list(data)


def _webhook_details(webhook: Webhook) -> dict[str, Any]:
    return {
        "name": webhook.name,
        "format": webhook.format,
        "url": webhook.url,
        "events": webhook.events,
        "hub_id": webhook.hub_id,
        "is_active": webhook.is_active,
        "allow_private_network": webhook.allow_private_network,
    }


def webhook_create(*, actor: Any, hub: Hub | None, data: dict[str, Any]) -> Webhook:
    """Register a Discord, Slack or generic JSON webhook for a hub (its owner or an admin)
    or for the whole site (admins); the URL must not reach a private network."""
    require(
        can_manage_webhooks(actor, hub),
        "Only the hub's owner or an admin can add webhooks." if hub else "Only admins add site-wide webhooks.",
    )
    webhook = Webhook(hub=hub, owner=actor, secret=secrets.token_urlsafe(32))
    data = {"format": WebhookFormat.JSON, "events": list(WEBHOOK_EVENT_KINDS), **data}
    for required in ("name", "url"):
        if not str(data.get(required) or "").strip():
            raise InvalidInput(details={required: ["This field is required."]})
    _webhook_apply(actor, webhook, data)
    with transaction.atomic():
        webhook.save()
        audit_record(actor=actor, action="webhook.create", target=webhook, details=_webhook_details(webhook))
    return webhook


def webhook_update(*, actor: Any, webhook: Webhook, data: dict[str, Any]) -> Webhook:
    """Change a webhook's name, format, URL, events or switch it on and off."""
    require(can_manage_webhooks(actor, webhook.hub), "Only the hub's owner or an admin can change this webhook.")
    changed = _webhook_apply(actor, webhook, data)
    with transaction.atomic():
        if changed:
            webhook.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="webhook.update",
            target=webhook,
            details={"changed": sorted(changed), **_webhook_details(webhook)},
        )
    return webhook


def webhook_delete(*, actor: Any, webhook: Webhook) -> None:
    """Remove a webhook and its delivery log."""
    require(can_manage_webhooks(actor, webhook.hub), "Only the hub's owner or an admin can delete this webhook.")
    with transaction.atomic():
        audit_record(actor=actor, action="webhook.delete", target=webhook, details=_webhook_details(webhook))
        webhook.delete()
