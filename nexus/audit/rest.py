"""REST face of the audit trail: admins read and filter it; nothing writes through here."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated

from nexus.api.serializers import ErrorOutput
from nexus.audit.filters import AuditEventFilter
from nexus.audit.models import AuditEvent
from nexus.audit.selectors import audit_event_list


class AuditEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor_repr", help_text="Username; empty for the operator or the system.")
    target_type = serializers.SerializerMethodField()
    target_id = serializers.CharField()
    target = serializers.CharField(source="target_repr", help_text="The target's name when the action happened.")
    details = serializers.DictField()
    ip = serializers.CharField(help_text="Anonymised: the IPv4 /24 or IPv6 /48 the request came from.")
    request_id = serializers.CharField()

    def get_target_type(self, event: AuditEvent) -> str:
        if event.target_type is None:
            return ""
        return f"{event.target_type.app_label}.{event.target_type.model}"


@extend_schema_view(
    get=extend_schema(
        operation_id="audit_list",
        responses={
            200: AuditEventOutput(many=True),
            400: OpenApiResponse(ErrorOutput),
            401: OpenApiResponse(ErrorOutput),
            403: OpenApiResponse(ErrorOutput),
        },
    )
)
class AuditEventListApi(ListAPIView):
    """The audit trail, newest first (admins only); filter by action or action prefix,
    actor, target, text and time range."""

    permission_classes = [IsAuthenticated]
    serializer_class = AuditEventOutput
    filterset_class = AuditEventFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the filters
            return AuditEvent.objects.none()
        return audit_event_list(self.request.user)


api_urlpatterns = [
    path("audit", AuditEventListApi.as_view(), name="audit-list"),
]
