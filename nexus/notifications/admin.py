from django.contrib import admin

from nexus.notifications.models import DigestDelivery, Event, Follow, Notification, Webhook, WebhookDelivery


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["kind", "title", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "key"]
    readonly_fields = [field.name for field in Event._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "event", "reason", "created_at", "read_at", "emailed_at"]
    list_select_related = ["recipient", "event"]
    raw_id_fields = ["recipient", "event"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "content_type", "object_id", "created_at"]
    raw_id_fields = ["user"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "period_start", "notification_count", "sent_at"]
    readonly_fields = [field.name for field in DigestDelivery._meta.fields]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    # Changes go through the pages or the API, which check the URL and audit them; the
    # signing secret is its owner's, shown to them once, never here.
    list_display = ["name", "hub", "owner", "format", "is_active", "consecutive_failures"]
    exclude = ["secret"]
    readonly_fields = [field.name for field in Webhook._meta.fields if field.name != "secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["webhook", "event", "status", "attempts", "response_status", "response_ms", "created_at"]
    list_select_related = ["webhook", "event"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
