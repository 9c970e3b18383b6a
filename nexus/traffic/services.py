"""Writes of traffic: IP rules, flag reviews, the daily roll-up and retention."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Count, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from nexus.audit.services import audit_record
from nexus.traffic.addresses import address_network, address_parse, network_parse
from nexus.traffic.errors import FlagClosed, IpRuleInvalid, IpRuleNotFound
from nexus.traffic.limits import login_unlock
from nexus.traffic.models import AnomalyFlag, DailyAggregate, Dimension, FlagStatus, IpRule, RequestLog
from nexus.traffic.permissions import require_manage_ip_rules, require_review_flags
from nexus.traffic.rules import rules_changed

# Narrower than this would block a good part of the internet by mistake.
MIN_PREFIX = {4: 8, 6: 16}
REVIEW_DECISIONS = ("dismiss", "block")


@dataclass
class RuleSaved:
    rule: IpRule
    created: bool
    warnings: list[str] = field(default_factory=list)


def _clean_network(text: Any) -> str:
    network = network_parse(text)
    if network is None:
        raise IpRuleInvalid(
            details={
                "network": [
                    f"{str(text)[:60]!r} is not an IP address or CIDR range; write e.g. 203.0.113.7, "
                    "203.0.113.0/24 or 2001:db8::/48."
                ]
            }
        )
    if network.prefixlen < MIN_PREFIX[network.version]:
        raise IpRuleInvalid(
            details={
                "network": [
                    f"{network} is too wide to block (at most a /{MIN_PREFIX[network.version]} for "
                    f"IPv{network.version}); block narrower ranges."
                ]
            }
        )
    return str(network)


def _covers(network: str, address: str | None) -> bool:
    parsed = address_parse(address)
    if parsed is None:
        return False
    net = ipaddress.ip_network(network)
    return parsed.version == net.version and parsed in net


def ip_rule_save(
    *,
    actor: Any,
    network: str,
    reason: str,
    expires_at: datetime | None = None,
    own_address: str | None = None,
    confirm: bool = False,
    source: str = IpRule.Source.MANUAL,
) -> RuleSaved:
    """Block an address or range (a rule for the same range is updated). A rule covering
    `own_address`, the admin's own, is refused unless confirmed, and then warned about."""
    require_manage_ip_rules(actor)
    cleaned = _clean_network(network)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Say why this address is blocked; the reason is shown to other admins."]
    elif len(reason) > 300:
        errors["reason"] = ["Keep the reason under 300 characters."]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["The expiry is in the past; leave it empty for a rule that never expires."]
    if errors:
        raise IpRuleInvalid(details=errors)
    warnings = []
    if _covers(cleaned, own_address):
        if not confirm:
            raise IpRuleInvalid(
                f"This rule covers your own address ({own_address}): you would lock yourself out. Send confirm "
                "to create it anyway (undo it with `manage.py nexus_unblock`).",
                code="ip_rule_blocks_you",
                details={"network": [f"{cleaned} contains your address {own_address}."]},
            )
        warnings.append(f"This rule blocks your own address ({own_address}).")
    with transaction.atomic():
        rule = IpRule.objects.select_for_update().filter(network=cleaned).first()
        created = rule is None
        if rule is None:
            rule = IpRule.objects.create(
                network=cleaned,
                reason=reason,
                expires_at=expires_at,
                source=source,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        else:
            rule.reason, rule.expires_at = reason, expires_at
            rule.save(update_fields=["reason", "expires_at"])
        audit_record(
            actor=actor,
            action="ip_rule.create" if created else "ip_rule.update",
            target=rule,
            details={"reason": reason, "expires_at": expires_at, "source": source, "warnings": warnings},
        )
        transaction.on_commit(rules_changed)
    rules_changed()
    return RuleSaved(rule, created, warnings)


def ip_rule_delete(*, actor: Any, network: str) -> IpRule:
    """Lift the rule for exactly this address or range."""
    require_manage_ip_rules(actor)
    cleaned = _clean_network(network)
    with transaction.atomic():
        rule = IpRule.objects.select_for_update().filter(network=cleaned).first()
        if rule is None:
            raise IpRuleNotFound(f"No rule blocks exactly {cleaned}.")
        audit_record(actor=actor, action="ip_rule.delete", target=rule, details={"reason": rule.reason})
        rule.delete()
        transaction.on_commit(rules_changed)
    rules_changed()
    return rule


def flag_review(*, actor: Any, flag: AnomalyFlag, decision: str, block_hours: int | None = None) -> AnomalyFlag:
    """Dismiss a flag, or block its network (for `block_hours`, default
    NEXUS_ANOMALY_BLOCK_HOURS; 0 blocks until unblocked) in one step."""
    require_review_flags(actor)
    if decision not in REVIEW_DECISIONS:
        raise IpRuleInvalid(
            details={"decision": [f"Choose one of: {', '.join(REVIEW_DECISIONS)}."]}, code="flag_decision_invalid"
        )
    hours = settings.NEXUS_ANOMALY_BLOCK_HOURS if block_hours is None else block_hours
    if hours < 0 or hours > 24 * 366:
        raise IpRuleInvalid(details={"block_hours": ["Give between 0 (no expiry) and 8784 hours."]})
    with transaction.atomic():
        locked = AnomalyFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.status != FlagStatus.OPEN:
            raise FlagClosed()
        if decision == "block":
            saved = ip_rule_save(
                actor=actor,
                network=locked.network,
                reason=f"Flagged: {locked.reason}"[:300],
                expires_at=timezone.now() + timedelta(hours=hours) if hours else None,
                source=IpRule.Source.ANOMALY,
            )
            locked.rule, locked.status = saved.rule, FlagStatus.BLOCKED
        else:
            locked.status = FlagStatus.DISMISSED
        locked.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "rule", "reviewed_by", "reviewed_at"])
        audit_record(actor=actor, action=f"flag.{decision}", target=locked, details={"network": locked.network})
    return locked


def login_unlock_record(*, actor: Any, username: str | None = None, address: str | None = None) -> None:
    """Lift the sign-in lockout of an account and/or an address (audited)."""
    require_manage_ip_rules(actor)
    errors: dict[str, list[str]] = {}
    if address and address_parse(address) is None:
        errors["address"] = [f"{address[:60]!r} is not an IP address."]
    if not username and not address:
        errors["non_field_errors"] = ["Name an account, an address or both."]
    if errors:
        raise IpRuleInvalid(details=errors, code="unlock_invalid")
    parsed = str(address_parse(address)) if address else None
    login_unlock(username=username, address=parsed)
    audit_record(
        actor=actor, action="login.unlock", target=username or None, details={"network": address_network(parsed or "")}
    )


# --- Roll-up and retention -----------------------------------------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=1)


_STATUS_CLASS = Case(
    When(status__lt=200, then=Value("1xx")),
    When(status__lt=300, then=Value("2xx")),
    When(status__lt=400, then=Value("3xx")),
    When(status__lt=500, then=Value("4xx")),
    default=Value("5xx"),
    output_field=CharField(),
)
_MEASURES = {
    "n": Count("id"),
    "errors": Count("id", filter=Q(status__gte=400)),
    "visitors": Count("address_hash", distinct=True),
    "total": Sum("duration_ms"),
    "slowest": Max("duration_ms"),
}


def _aggregates(day: date, dimension: str, rows: QuerySet[Any], key_field: str | None) -> list[DailyAggregate]:
    if key_field is None:
        grouped: list[dict[str, Any]] = [rows.aggregate(**_MEASURES)]
    else:
        grouped = list(rows.values(key_field).annotate(**_MEASURES).order_by())
    return [
        DailyAggregate(
            day=day,
            dimension=dimension,
            key=(str(group[key_field]) if key_field else "")[:200],
            requests=group["n"] or 0,
            errors=group["errors"] or 0,
            visitors=group["visitors"] or 0,
            duration_total_ms=group["total"] or 0.0,
            duration_max_ms=group["slowest"] or 0.0,
        )
        for group in grouped
        if group["n"]
    ]


def traffic_rollup(day: date) -> int:
    """Recompute the daily aggregates of `day` from its raw rows (idempotent); a day whose
    raw rows are gone keeps the aggregates it has."""
    start, end = _day_bounds(day)
    rows = RequestLog.objects.filter(created_at__gte=start, created_at__lt=end)
    if not rows.exists():
        return 0
    routed = rows.annotate(
        route_key=Case(When(route="", then=Value("(no route)")), default="route", output_field=CharField())
    )
    aggregates = [
        *_aggregates(day, Dimension.TOTAL, rows, None),
        *_aggregates(day, Dimension.STATUS, rows.annotate(status_class=_STATUS_CLASS), "status_class"),
        *_aggregates(day, Dimension.ROUTE, routed, "route_key"),
        *_aggregates(day, Dimension.COUNTRY, rows, "country"),
        *_aggregates(day, Dimension.BLOCKED, rows.filter(blocked=True), "network"),
    ]
    with transaction.atomic():
        DailyAggregate.objects.filter(day=day).delete()
        DailyAggregate.objects.bulk_create(aggregates)
    return len(aggregates)


def traffic_retention(*, today: date | None = None) -> dict[str, int]:
    """Roll up and then delete raw rows older than NEXUS_TRAFFIC_RETENTION_DAYS days; the
    aggregates stay."""
    today = today or timezone.localdate()
    cutoff, _ = _day_bounds(today - timedelta(days=settings.NEXUS_TRAFFIC_RETENTION_DAYS))
    first = RequestLog.objects.filter(created_at__lt=cutoff).order_by("created_at").values_list("created_at", flat=True)
    deleted = days = 0
    oldest = first.first()
    day = timezone.localtime(oldest).date() if oldest else None
    while day is not None and _day_bounds(day)[0] < cutoff:
        start, end = _day_bounds(day)
        with transaction.atomic():
            if traffic_rollup(day):
                days += 1
            deleted += RequestLog.objects.filter(created_at__gte=start, created_at__lt=min(end, cutoff)).delete()[0]
        day += timedelta(days=1)
    return {"days_rolled_up": days, "rows_deleted": deleted}


def traffic_rollup_recent() -> int:
    """Roll up today and yesterday (the dashboard's freshest days)."""
    today = timezone.localdate()
    return traffic_rollup(today - timedelta(days=1)) + traffic_rollup(today)
