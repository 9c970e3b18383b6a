"""Reads of follows, notifications, preferences and webhooks: each returns only what the
viewer may see (or manages), with a query count that does not grow with the rows returned."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from nexus.accounts.roles import Role, user_has_role
from nexus.notifications.errors import FollowTargetNotFound, WebhookNotFound
from nexus.notifications.models import Follow, Notification, NotificationPreference, Webhook, WebhookDelivery
from nexus.notifications.permissions import FOLLOWABLE, can_manage_webhooks, can_view_follow_target

# The header shows "99+" past this: counting is bounded however many are unread.
UNREAD_COUNT_CAP = 99


def follow_target_get(user: Any, target_type: str, target_id: Any) -> Model:
    """The followable object `target_type` ("knowledge.topic") number `target_id`, or
    FollowTargetNotFound when there is none the user may see."""
    label = str(target_type).lower()
    if label not in FOLLOWABLE or "." not in label:
        raise FollowTargetNotFound(
            f"{target_type!r} cannot be followed.",
            details={"target_type": [f"Choose one of: {', '.join(FOLLOWABLE)}."]},
        )
    try:
        model = apps.get_model(label)
        pk = int(target_id)
    except (LookupError, TypeError, ValueError) as error:
        raise FollowTargetNotFound() from error
    if not 0 < pk < 2**63:
        raise FollowTargetNotFound()
    manager: Any = model._default_manager
    target = manager.filter(pk=pk).first()
    if target is None or not can_view_follow_target(user, target):
        raise FollowTargetNotFound()
    return target


def follow_exists(user: Any, target: Model) -> bool:
    """Whether the user follows `target` (one indexed query; False for anonymous visitors)."""
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).exists()


def follow_list_for(user: Any) -> QuerySet[Follow]:
    """What the user follows, newest first, each target loaded in one query per kind of target."""
    return Follow.objects.filter(user=user).select_related("content_type").prefetch_related("target").order_by("-id")


def notification_list_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with event, actor and hub loaded."""
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.select_related("event__actor", "event__hub").order_by("-id")


def notification_unread_count(user: Any) -> int:
    """How many notifications the user has not read, up to UNREAD_COUNT_CAP + 1: one query
    on the partial index of unread rows, bounded however many there are."""
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("pk", flat=True)
    return len(unread[: UNREAD_COUNT_CAP + 1])


def preference_get(user: Any) -> str:
    """The user's e-mail frequency (the site default when they never chose)."""
    chosen = NotificationPreference.objects.filter(user=user).values_list("email_frequency", flat=True).first()
    return chosen or settings.NEXUS_NOTIFICATIONS_DEFAULT_EMAIL


def webhook_list_for(user: Any) -> QuerySet[Webhook]:
    """The webhooks the user manages (admins: all of them), newest first."""
    webhooks = Webhook.objects.select_related("hub__owner", "owner").order_by("-id")
    if not user.is_authenticated:
        return webhooks.none()
    if user_has_role(user, Role.ADMIN):
        return webhooks
    return webhooks.filter(hub__owner=user)


def webhook_get_for_manager(user: Any, webhook_id: int) -> Webhook:
    """A webhook the user manages, or WebhookNotFound (others' webhooks do not exist to them)."""
    webhook = (
        Webhook.objects.select_related("hub__owner", "owner").filter(pk=webhook_id).first()
        if 0 < webhook_id < 2**63
        else None
    )
    if webhook is None or not can_manage_webhooks(user, webhook.hub):
        raise WebhookNotFound()
    return webhook


def webhook_delivery_list(webhook: Webhook) -> QuerySet[WebhookDelivery]:
    """A webhook's delivery log, newest first, with each delivery's event."""
    return webhook.deliveries.select_related("event__actor", "event__hub").order_by("-id")
