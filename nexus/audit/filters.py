"""The one definition of how the audit trail is filtered; the REST list and the page share it."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from nexus.audit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(
        method="filter_action",
        help_text='An action ("proposal.merge"), or every action under a prefix ("proposal." or "proposal.*").',
    )
    actor = django_filters.CharFilter(field_name="actor_repr", lookup_expr="iexact", help_text="Username.")
    target_type = django_filters.CharFilter(
        method="filter_target_type", help_text='"app.model", e.g. "knowledge.entry".'
    )
    target_id = django_filters.CharFilter(field_name="target_id")
    q = django_filters.CharFilter(method="filter_text", help_text="Text in the target's name.")
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_action(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        value = value.strip()
        if value.endswith((".", "*")):
            return queryset.filter(action__startswith=value.rstrip("*"))
        return queryset.filter(action=value)

    def filter_target_type(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        app_label, _, model = value.strip().lower().partition(".")
        return queryset.filter(target_type__app_label=app_label, target_type__model=model)

    def filter_text(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        return queryset.filter(Q(target_repr__icontains=value) | Q(action__icontains=value))
