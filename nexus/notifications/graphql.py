"""GraphQL face of notifications: the same reads and writes as REST, through the same
selectors and services."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from nexus.core.errors import InvalidInput
from nexus.graphql.context import signed_in_user
from nexus.graphql.paging import MAX_PAGE, PAGING, id_to_pk, page_slice
from nexus.knowledge.selectors import hub_get_for_user
from nexus.notifications import models
from nexus.notifications.errors import NotificationNotFound, WebhookNotFound
from nexus.notifications.selectors import (
    follow_list_for,
    follow_target_get,
    notification_list_for,
    notification_unread_count,
    preference_get,
    webhook_delivery_list,
    webhook_get_for_manager,
    webhook_list_for,
)
from nexus.notifications.services import (
    follow_create,
    follow_delete,
    notification_mark_all_read,
    notification_mark_read,
    preference_set,
    webhook_create,
    webhook_delete,
    webhook_update,
)


@strawberry.type(name="NotificationEvent")
class EventType:
    id: strawberry.ID
    kind: str
    title: str
    url: str
    actor: str | None
    hub: str | None
    created_at: datetime.datetime

    @classmethod
    def of(cls, event: models.Event) -> EventType:
        return cls(
            id=strawberry.ID(str(event.pk)),
            kind=event.kind,
            title=event.title,
            url=event.url,
            actor=event.actor.username if event.actor is not None else None,
            hub=event.hub.title if event.hub is not None else None,
            created_at=event.created_at,
        )


@strawberry.type(name="Notification")
class NotificationType:
    id: strawberry.ID
    reason: str
    event: EventType
    created_at: datetime.datetime
    read_at: datetime.datetime | None

    @classmethod
    def of(cls, notification: models.Notification) -> NotificationType:
        return cls(
            id=strawberry.ID(str(notification.pk)),
            reason=notification.reason,
            event=EventType.of(notification.event),
            created_at=notification.created_at,
            read_at=notification.read_at,
        )


@strawberry.type(name="Follow")
class FollowType:
    target_type: str
    target_id: strawberry.ID
    target_name: str
    created_at: datetime.datetime

    @classmethod
    def of(cls, follow: models.Follow) -> FollowType:
        return cls(
            target_type=f"{follow.content_type.app_label}.{follow.content_type.model}",
            target_id=strawberry.ID(str(follow.object_id)),
            target_name=str(follow.target) if follow.target is not None else "",
            created_at=follow.created_at,
        )


@strawberry.type(name="Webhook")
class WebhookType:
    id: strawberry.ID
    hub: str | None = strawberry.field(description="The username whose hub it serves; null: the whole site.")
    name: str
    format: str
    url: str
    events: list[str]
    secret: str = strawberry.field(
        description='Verify X-Nexus-Signature = "sha256=" + HMAC-SHA256(secret, "<timestamp>.<body>").'
    )
    is_active: bool
    allow_private_network: bool
    consecutive_failures: int
    disabled_at: datetime.datetime | None
    disabled_reason: str

    @classmethod
    def of(cls, webhook: models.Webhook) -> WebhookType:
        return cls(
            id=strawberry.ID(str(webhook.pk)),
            hub=webhook.hub.owner.username if webhook.hub is not None else None,
            name=webhook.name,
            format=webhook.format,
            url=webhook.url,
            events=list(webhook.events),
            secret=webhook.secret,
            is_active=webhook.is_active,
            allow_private_network=webhook.allow_private_network,
            consecutive_failures=webhook.consecutive_failures,
            disabled_at=webhook.disabled_at,
            disabled_reason=webhook.disabled_reason,
        )


@strawberry.type(name="WebhookDelivery")
class WebhookDeliveryType:
    id: strawberry.ID
    event: EventType
    status: str
    attempts: int
    next_attempt_at: datetime.datetime | None
    response_status: int | None
    response_ms: int | None
    error: str
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None

    @classmethod
    def of(cls, delivery: models.WebhookDelivery) -> WebhookDeliveryType:
        return cls(
            id=strawberry.ID(str(delivery.pk)),
            event=EventType.of(delivery.event),
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            response_status=delivery.response_status,
            response_ms=delivery.response_ms,
            error=delivery.error,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
        )


@strawberry.input(name="WebhookInput")
class WebhookInput:
    name: str | None = strawberry.UNSET
    format: str | None = strawberry.UNSET
    url: str | None = strawberry.UNSET
    events: list[str] | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET
    allow_private_network: bool | None = strawberry.UNSET


def _sent(data: WebhookInput) -> dict[str, Any]:
    sent = {name: value for name, value in vars(data).items() if value is not strawberry.UNSET}
    nulls = sorted(name for name, value in sent.items() if value is None)
    if nulls:
        raise InvalidInput(details={name: ["This field may not be null."] for name in nulls})
    if any("\x00" in str(value) for value in sent.values()):
        raise InvalidInput(details={"input": ["Null characters are not allowed."]})
    return sent


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description=f"Your notifications, newest first. {PAGING}")
    def notifications(
        self, info: Info, unread_only: bool = False, limit: int = 20, offset: int = 0
    ) -> list[NotificationType]:
        user = signed_in_user(info)
        page = page_slice(limit, offset)
        return [NotificationType.of(item) for item in notification_list_for(user, unread_only=unread_only)[page]]

    @strawberry.field(description="How many of your notifications are unread (counted up to 100).")
    def unread_notification_count(self, info: Info) -> int:
        return notification_unread_count(signed_in_user(info))

    @strawberry.field(description=f"What you follow, newest first. {PAGING}")
    def follows(self, info: Info, limit: int = 20, offset: int = 0) -> list[FollowType]:
        page = page_slice(limit, offset)
        return [FollowType.of(item) for item in follow_list_for(signed_in_user(info))[page]]

    @strawberry.field(description="How notifications are mailed to you: instant, daily, weekly or off.")
    def notification_preference(self, info: Info) -> str:
        return preference_get(signed_in_user(info))

    @strawberry.field(description=f"The webhooks you manage, newest first. {PAGING}")
    def webhooks(self, info: Info, limit: int = 20, offset: int = 0) -> list[WebhookType]:
        page = page_slice(limit, offset)
        return [WebhookType.of(item) for item in webhook_list_for(signed_in_user(info))[page]]

    @strawberry.field(description="One webhook you manage.")
    def webhook(self, info: Info, id: strawberry.ID) -> WebhookType:
        return WebhookType.of(webhook_get_for_manager(signed_in_user(info), id_to_pk(id, WebhookNotFound)))

    @strawberry.field(description=f"A webhook's delivery log, newest first. {PAGING}")
    def webhook_deliveries(
        self, info: Info, webhook_id: strawberry.ID, limit: int = 20, offset: int = 0
    ) -> list[WebhookDeliveryType]:
        page = page_slice(limit, offset)
        webhook = webhook_get_for_manager(signed_in_user(info), id_to_pk(webhook_id, WebhookNotFound))
        return [WebhookDeliveryType.of(item) for item in webhook_delivery_list(webhook)[page]]


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Mark some of your notifications read; answers how many changed.")
    def mark_notifications_read(self, info: Info, ids: list[strawberry.ID]) -> int:
        if len(ids) > MAX_PAGE:
            raise InvalidInput(details={"ids": [f"At most {MAX_PAGE} at a time."]})
        keys = [id_to_pk(value, NotificationNotFound) for value in ids]
        return notification_mark_read(actor=signed_in_user(info), notification_ids=keys)

    @strawberry.mutation(description="Mark all your notifications read; answers how many changed.")
    def mark_all_notifications_read(self, info: Info) -> int:
        return notification_mark_all_read(actor=signed_in_user(info))

    @strawberry.mutation(description='Follow a hub, topic, technology, project or question ("knowledge.topic", id).')
    def follow(self, info: Info, target_type: str, target_id: strawberry.ID) -> FollowType:
        user = signed_in_user(info)
        target = follow_target_get(user, target_type, str(target_id) if str(target_id).isdigit() else "x")
        return FollowType.of(follow_create(actor=user, target=target))

    @strawberry.mutation(description="Stop following something; answers true.")
    def unfollow(self, info: Info, target_type: str, target_id: strawberry.ID) -> bool:
        user = signed_in_user(info)
        target = follow_target_get(user, target_type, str(target_id) if str(target_id).isdigit() else "x")
        follow_delete(actor=user, target=target)
        return True

    @strawberry.mutation(description="Choose how notifications are mailed: instant, daily, weekly or off.")
    def set_notification_preference(self, info: Info, email_frequency: str) -> str:
        return preference_set(actor=signed_in_user(info), email_frequency=email_frequency).email_frequency

    @strawberry.mutation(description="Register a webhook for your hub (`hub`: a username) or, for admins, the site.")
    def create_webhook(self, info: Info, input: WebhookInput, hub: str | None = strawberry.UNSET) -> WebhookType:
        user = signed_in_user(info)
        username = user.username if hub is strawberry.UNSET else hub
        target_hub = hub_get_for_user(user, username) if username else None
        return WebhookType.of(webhook_create(actor=user, hub=target_hub, data=_sent(input)))

    @strawberry.mutation(description="Change a webhook you manage.")
    def update_webhook(self, info: Info, id: strawberry.ID, input: WebhookInput) -> WebhookType:
        user = signed_in_user(info)
        webhook = webhook_get_for_manager(user, id_to_pk(id, WebhookNotFound))
        return WebhookType.of(webhook_update(actor=user, webhook=webhook, data=_sent(input)))

    @strawberry.mutation(description="Delete a webhook you manage; answers its id.")
    def delete_webhook(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        user = signed_in_user(info)
        webhook = webhook_get_for_manager(user, id_to_pk(id, WebhookNotFound))
        deleted = webhook.pk
        webhook_delete(actor=user, webhook=webhook)
        return strawberry.ID(str(deleted))
