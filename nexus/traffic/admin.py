from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from nexus.core.errors import NexusError
from nexus.traffic.addresses import client_address
from nexus.traffic.models import AnomalyFlag, DailyAggregate, FlagStatus, IpRule, RequestLog
from nexus.traffic.services import flag_review, ip_rule_delete, ip_rule_save


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RequestLog)
class RequestLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "method", "route", "path", "status", "duration_ms", "country", "network"]
    list_filter = ["status", "method", "blocked", "login_failed"]
    search_fields = ["route", "path", "network"]
    show_full_result_count = False


@admin.register(DailyAggregate)
class DailyAggregateAdmin(ReadOnlyAdmin):
    list_display = ["day", "dimension", "key", "requests", "errors", "visitors", "duration_max_ms"]
    list_filter = ["dimension", "day"]


@admin.register(IpRule)
class IpRuleAdmin(admin.ModelAdmin):
    """Rules are saved through the service (validation, audit, cache invalidation)."""

    list_display = ["network", "reason", "source", "created_by", "created_at", "expires_at"]
    list_filter = ["source"]
    search_fields = ["network", "reason"]
    fields = ["network", "reason", "expires_at"]

    def save_model(self, request: HttpRequest, obj: IpRule, form: Any, change: bool) -> None:
        try:
            saved = ip_rule_save(
                actor=request.user,
                network=obj.network,
                reason=obj.reason,
                expires_at=obj.expires_at,
                own_address=client_address(request),
                confirm=True,
            )
        except NexusError as error:
            messages.error(request, f"{error.message} {error.details}")
            return
        obj.pk = saved.rule.pk
        for warning in saved.warnings:
            messages.warning(request, warning)

    def delete_model(self, request: HttpRequest, obj: IpRule) -> None:
        ip_rule_delete(actor=request.user, network=obj.network)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rule in queryset:
            ip_rule_delete(actor=request.user, network=rule.network)


@admin.register(AnomalyFlag)
class AnomalyFlagAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "network", "reason", "status", "reviewed_by"]
    list_filter = ["kind", "status"]
    actions = ["block", "dismiss"]

    def _review(self, request: HttpRequest, queryset: Any, decision: str) -> None:
        for flag in queryset.filter(status=FlagStatus.OPEN):
            flag_review(actor=request.user, flag=flag, decision=decision)

    @admin.action(description="Block the flagged networks")
    def block(self, request: HttpRequest, queryset: Any) -> None:
        self._review(request, queryset, "block")

    @admin.action(description="Dismiss the flags")
    def dismiss(self, request: HttpRequest, queryset: Any) -> None:
        self._review(request, queryset, "dismiss")
