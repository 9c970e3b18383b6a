"""REST face of traffic (admins only): IP rules, anomaly flags and their review, the
dashboard's figures, and unlocking a sign-in lockout."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.serializers import ErrorOutput, InputSerializer
from nexus.traffic.addresses import client_address
from nexus.traffic.models import AnomalyFlag, IpRule
from nexus.traffic.selectors import date_range_parse, flag_get, flag_list, ip_rule_list, traffic_dashboard
from nexus.traffic.services import flag_review, ip_rule_delete, ip_rule_save, login_unlock_record

ERRORS = {code: OpenApiResponse(ErrorOutput) for code in (400, 401, 403, 404, 409)}


class IpRuleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    network = serializers.CharField()
    reason = serializers.CharField()
    origin = serializers.CharField(source="source", help_text="manual or anomaly")
    created_by = serializers.CharField(source="created_by.username", default="", allow_null=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


class IpRuleSavedOutput(serializers.Serializer):
    rule = IpRuleOutput()
    created = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())


class IpRuleInput(InputSerializer):
    network = serializers.CharField(max_length=64, help_text="An address or CIDR range (IPv4 or IPv6).")
    reason = serializers.CharField(max_length=300)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    confirm = serializers.BooleanField(
        required=False, default=False, help_text="Create it even though it covers your own address."
    )


class IpRuleDeleteInput(InputSerializer):
    network = serializers.CharField(max_length=64)


class AnomalyFlagOutput(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    network = serializers.CharField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    evidence = serializers.DictField()
    status = serializers.CharField()
    reviewed_by = serializers.CharField(source="reviewed_by.username", default="", allow_null=True)
    rule = serializers.CharField(source="rule.network", default="", allow_null=True)


class FlagReviewInput(InputSerializer):
    decision = serializers.ChoiceField(choices=["dismiss", "block"])
    block_hours = serializers.IntegerField(required=False, min_value=0, max_value=24 * 366)


class UnlockInput(InputSerializer):
    username = serializers.CharField(required=False, max_length=150)
    address = serializers.CharField(required=False, max_length=64)


class SeriesPointOutput(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.FloatField()


class DashboardOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    total = serializers.IntegerField()
    days = serializers.ListField(child=serializers.DictField())
    status_classes = SeriesPointOutput(many=True)
    top_routes = SeriesPointOutput(many=True)
    slowest_routes = SeriesPointOutput(many=True, help_text="Mean duration in milliseconds.")
    countries = SeriesPointOutput(many=True)
    blocked = SeriesPointOutput(many=True)


@extend_schema_view(
    get=extend_schema(operation_id="ip_rules_list", responses={200: IpRuleOutput(many=True), **ERRORS}),
)
class IpRuleListApi(ListAPIView):
    """Active IP rules, newest first (admins only). POST blocks an address or range; DELETE
    (with `network`) lifts a rule."""

    permission_classes = [IsAuthenticated]
    serializer_class = IpRuleOutput

    def get_queryset(self) -> QuerySet[IpRule]:
        if getattr(self, "swagger_fake_view", False):
            return IpRule.objects.none()
        return ip_rule_list(self.request.user)

    @extend_schema(operation_id="ip_rules_create", request=IpRuleInput, responses={201: IpRuleSavedOutput, **ERRORS})
    def post(self, request: Request) -> Response:
        data = IpRuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = ip_rule_save(
            actor=request.user,
            network=data.validated_data["network"],
            reason=data.validated_data["reason"],
            expires_at=data.validated_data.get("expires_at"),
            own_address=client_address(request),
            confirm=data.validated_data["confirm"],
        )
        body = {"rule": IpRuleOutput(saved.rule).data, "created": saved.created, "warnings": saved.warnings}
        return Response(body, status=status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK)

    @extend_schema(operation_id="ip_rules_delete", request=IpRuleDeleteInput, responses={204: None, **ERRORS})
    def delete(self, request: Request) -> Response:
        data = IpRuleDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        ip_rule_delete(actor=request.user, network=data.validated_data["network"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(operation_id="anomaly_flags_list", responses={200: AnomalyFlagOutput(many=True), **ERRORS}),
)
class AnomalyFlagListApi(ListAPIView):
    """Anomaly flags, newest first (admins only); filter with ?status=open|dismissed|blocked."""

    permission_classes = [IsAuthenticated]
    serializer_class = AnomalyFlagOutput

    def get_queryset(self) -> QuerySet[AnomalyFlag]:
        if getattr(self, "swagger_fake_view", False):
            return AnomalyFlag.objects.none()
        flags = flag_list(self.request.user)
        wanted = self.request.query_params.get("status")
        return flags.filter(status=wanted) if wanted else flags


class AnomalyFlagReviewApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="anomaly_flags_review", request=FlagReviewInput, responses={200: AnomalyFlagOutput, **ERRORS}
    )
    def post(self, request: Request, flag_id: int) -> Response:
        """Dismiss a flag, or block its network in one step."""
        data = FlagReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        flag = flag_review(
            actor=request.user,
            flag=flag_get(request.user, flag_id),
            decision=data.validated_data["decision"],
            block_hours=data.validated_data.get("block_hours"),
        )
        return Response(AnomalyFlagOutput(flag_get(request.user, flag.pk)).data)


class TrafficDashboardApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="traffic_dashboard",
        parameters=[OpenApiParameter("start", str), OpenApiParameter("end", str)],
        responses={200: DashboardOutput, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The dashboard's figures from the daily aggregates, for a date range (default: 30 days)."""
        start, end = date_range_parse(request.query_params.get("start"), request.query_params.get("end"))
        board = traffic_dashboard(request.user, start=start, end=end)

        def points(items: list[Any]) -> list[dict[str, Any]]:
            return [{"key": item[0], "value": round(float(item[1]), 3)} for item in items]

        return Response(
            {
                "start": board.start,
                "end": board.end,
                "total": board.total,
                "days": [{"day": d, "requests": r, "visitors": v} for d, r, v in board.days],
                "status_classes": points(board.status_classes),
                "top_routes": points(board.top_routes),
                "slowest_routes": points(board.slowest_routes),
                "countries": points(board.countries),
                "blocked": points(board.blocked),
            }
        )


class LoginUnlockApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="login_unlock", request=UnlockInput, responses={204: None, **ERRORS})
    def post(self, request: Request) -> Response:
        """Lift the sign-in lockout of an account and/or an address."""
        data = UnlockInput(data=request.data)
        data.is_valid(raise_exception=True)
        login_unlock_record(
            actor=request.user,
            username=data.validated_data.get("username"),
            address=data.validated_data.get("address"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


api_urlpatterns = [
    path("traffic/rules", IpRuleListApi.as_view(), name="ip-rule-list"),
    path("traffic/flags", AnomalyFlagListApi.as_view(), name="anomaly-flag-list"),
    path("traffic/flags/<int:flag_id>/review", AnomalyFlagReviewApi.as_view(), name="anomaly-flag-review"),
    path("traffic/dashboard", TrafficDashboardApi.as_view(), name="traffic-dashboard"),
    path("traffic/unlock", LoginUnlockApi.as_view(), name="login-unlock"),
]
