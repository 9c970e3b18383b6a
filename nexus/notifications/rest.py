"""REST face of notifications: the inbox, read marks, follows, the e-mail preference,
webhooks and their delivery logs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.pagination import NexusCursorPagination
from nexus.api.serializers import ErrorOutput, InputSerializer
from nexus.knowledge.selectors import hub_get_for_user
from nexus.notifications.models import (
    WEBHOOK_EVENT_KINDS,
    DeliveryStatus,
    EmailFrequency,
    EventKind,
    Follow,
    Notification,
    NotificationReason,
    Webhook,
    WebhookDelivery,
    WebhookFormat,
)
from nexus.notifications.permissions import FOLLOWABLE
from nexus.notifications.selectors import (
    UNREAD_COUNT_CAP,
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

ERRORS = {code: OpenApiResponse(ErrorOutput) for code in (400, 401, 403, 404)}


# --- Output -------------------------------------------------------------------------------


class EventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField()
    url = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    hub = serializers.CharField(source="hub.title", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=NotificationReason.choices)
    event = EventOutput()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class UnreadCountOutput(serializers.Serializer):
    unread = serializers.IntegerField(help_text=f"Counted up to {UNREAD_COUNT_CAP + 1}; see `capped`.")
    capped = serializers.BooleanField(help_text=f"True when more than {UNREAD_COUNT_CAP} are unread.")


class MarkedOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications changed from unread to read.")


class FollowOutput(serializers.Serializer):
    target_type = serializers.SerializerMethodField()
    target_id = serializers.IntegerField(source="object_id")
    target_name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_target_type(self, follow: Follow) -> str:
        return f"{follow.content_type.app_label}.{follow.content_type.model}"

    def get_target_name(self, follow: Follow) -> str:
        return str(follow.target) if follow.target is not None else ""


class PreferenceOutput(serializers.Serializer):
    email_frequency = serializers.ChoiceField(choices=EmailFrequency.choices)


class WebhookOutput(serializers.Serializer):
    id = serializers.IntegerField()
    hub = serializers.CharField(source="hub.owner.username", allow_null=True, default=None)
    owner = serializers.CharField(source="owner.username")
    name = serializers.CharField()
    format = serializers.ChoiceField(choices=WebhookFormat.choices)
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=WEBHOOK_EVENT_KINDS))
    secret = serializers.CharField(
        help_text='Verify X-Nexus-Signature = "sha256=" + HMAC-SHA256(secret, "<timestamp>.<body>").'
    )
    is_active = serializers.BooleanField()
    allow_private_network = serializers.BooleanField()
    consecutive_failures = serializers.IntegerField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class WebhookDeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    event = EventOutput()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    response_status = serializers.IntegerField(allow_null=True)
    response_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


# --- Input --------------------------------------------------------------------------------


class MarkReadInput(InputSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=100)


class FollowInput(InputSerializer):
    target_type = serializers.CharField(
        max_length=100, help_text=f"One of: {', '.join(FOLLOWABLE)} (and more apps' models)."
    )
    target_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class PreferenceInput(InputSerializer):
    email_frequency = serializers.ChoiceField(choices=EmailFrequency.choices)


class WebhookInput(InputSerializer):
    hub = serializers.CharField(
        required=False, allow_null=True, help_text="The username whose hub it serves; null for the whole site (admins)."
    )
    name = serializers.CharField(max_length=100)
    format = serializers.ChoiceField(choices=WebhookFormat.choices, required=False)
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    is_active = serializers.BooleanField(required=False)
    allow_private_network = serializers.BooleanField(required=False, help_text="Admins only.")


class WebhookUpdateInput(WebhookInput):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("hub")


# --- Views --------------------------------------------------------------------------------


def _fake(view: Any) -> bool:
    return getattr(view, "swagger_fake_view", False)  # drf-spectacular inspects views without a request


class NotificationListApi(ListAPIView):
    """The signed-in user's notifications, newest first; ?unread=true for unread only."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationOutput
    pagination_class = NexusCursorPagination

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread notifications")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Notification]:
        if _fake(self):
            return Notification.objects.none()
        unread = self.request.query_params.get("unread", "").lower() in ("1", "true", "yes")
        return notification_list_for(self.request.user, unread_only=unread)


class NotificationUnreadCountApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UnreadCountOutput, 401: ERRORS[401]}, summary="How many notifications are unread")
    def get(self, request: Request) -> Response:
        count = notification_unread_count(request.user)
        return Response({"unread": min(count, UNREAD_COUNT_CAP + 1), "capped": count > UNREAD_COUNT_CAP})


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=MarkReadInput, responses={200: MarkedOutput, 400: ERRORS[400]}, summary="Mark some read")
    def post(self, request: Request) -> Response:
        data = MarkReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            {"marked": notification_mark_read(actor=request.user, notification_ids=data.validated_data["ids"])}
        )


class NotificationReadAllApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: MarkedOutput}, summary="Mark every notification read")
    def post(self, request: Request) -> Response:
        return Response({"marked": notification_mark_all_read(actor=request.user)})


class FollowListApi(ListAPIView):
    """What the signed-in user follows, newest first. POST follows something."""

    permission_classes = [IsAuthenticated]
    serializer_class = FollowOutput
    pagination_class = NexusCursorPagination

    def get_queryset(self) -> QuerySet[Follow]:
        return Follow.objects.none() if _fake(self) else follow_list_for(self.request.user)

    @extend_schema(request=FollowInput, responses={201: FollowOutput, 400: ERRORS[400], 404: ERRORS[404]})
    def post(self, request: Request) -> Response:
        data = FollowInput(data=request.data)
        data.is_valid(raise_exception=True)
        target = follow_target_get(request.user, data.validated_data["target_type"], data.validated_data["target_id"])
        follow = follow_create(actor=request.user, target=target)
        return Response(FollowOutput(follow).data, status=status.HTTP_201_CREATED)


class FollowDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 404: ERRORS[404]}, summary="Stop following something")
    def delete(self, request: Request, target_type: str, target_id: int) -> Response:
        target = follow_target_get(request.user, target_type, target_id)
        follow_delete(actor=request.user, target=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreferenceApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PreferenceOutput})
    def get(self, request: Request) -> Response:
        return Response({"email_frequency": preference_get(request.user)})

    @extend_schema(request=PreferenceInput, responses={200: PreferenceOutput, 400: ERRORS[400]})
    def put(self, request: Request) -> Response:
        data = PreferenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        preference = preference_set(actor=request.user, email_frequency=data.validated_data["email_frequency"])
        return Response({"email_frequency": preference.email_frequency})


class WebhookListApi(ListAPIView):
    """The webhooks the signed-in user manages. POST registers one."""

    permission_classes = [IsAuthenticated]
    serializer_class = WebhookOutput
    pagination_class = NexusCursorPagination

    def get_queryset(self) -> QuerySet[Webhook]:
        return Webhook.objects.none() if _fake(self) else webhook_list_for(self.request.user)

    @extend_schema(
        request=WebhookInput, responses={201: WebhookOutput, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]}
    )
    def post(self, request: Request) -> Response:
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        username = fields.pop("hub", request.user.username)
        hub = hub_get_for_user(request.user, username) if username else None
        webhook = webhook_create(actor=request.user, hub=hub, data=fields)
        return Response(WebhookOutput(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: WebhookOutput, 404: ERRORS[404]})
    def get(self, request: Request, webhook_id: int) -> Response:
        return Response(WebhookOutput(webhook_get_for_manager(request.user, webhook_id)).data)

    @extend_schema(request=WebhookUpdateInput, responses={200: WebhookOutput, 400: ERRORS[400], 404: ERRORS[404]})
    def patch(self, request: Request, webhook_id: int) -> Response:
        webhook = webhook_get_for_manager(request.user, webhook_id)
        data = WebhookUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        webhook = webhook_update(actor=request.user, webhook=webhook, data=dict(data.validated_data))
        return Response(WebhookOutput(webhook).data)

    @extend_schema(request=None, responses={204: None, 404: ERRORS[404]})
    def delete(self, request: Request, webhook_id: int) -> Response:
        webhook_delete(actor=request.user, webhook=webhook_get_for_manager(request.user, webhook_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(ListAPIView):
    """A webhook's delivery log, newest first: status, attempts, HTTP status, response time, error."""

    permission_classes = [IsAuthenticated]
    serializer_class = WebhookDeliveryOutput
    pagination_class = NexusCursorPagination

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        if _fake(self):
            return WebhookDelivery.objects.none()
        webhook = webhook_get_for_manager(self.request.user, self.kwargs["webhook_id"])
        return webhook_delivery_list(webhook)


api_urlpatterns = [
    path("notifications", NotificationListApi.as_view(), name="notification-list"),
    path("notifications/unread-count", NotificationUnreadCountApi.as_view(), name="notification-unread-count"),
    path("notifications/read", NotificationReadApi.as_view(), name="notification-read"),
    path("notifications/read-all", NotificationReadAllApi.as_view(), name="notification-read-all"),
    path("notifications/preferences", PreferenceApi.as_view(), name="notification-preferences"),
    path("follows", FollowListApi.as_view(), name="follow-list"),
    path("follows/<str:target_type>/<int:target_id>", FollowDetailApi.as_view(), name="follow-detail"),
    path("webhooks", WebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<int:webhook_id>", WebhookDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<int:webhook_id>/deliveries", WebhookDeliveryListApi.as_view(), name="webhook-delivery-list"),
]
