"""Rules, flags, the roll-up and retention, anomaly detection, the commands, the REST
face and the dashboard page."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import bearer
from nexus.audit.models import AuditEvent
from nexus.traffic.anomalies import anomaly_scan
from nexus.traffic.models import AnomalyFlag, DailyAggregate, FlagKind, FlagStatus, IpRule, RequestLog
from nexus.traffic.services import traffic_retention, traffic_rollup

pytestmark = pytest.mark.django_db


def log(at: datetime, n: int = 1, **fields: Any) -> None:
    row = {"method": "GET", "route": "web:home", "status": 200, "duration_ms": 10.0, "country": "DE"}
    row.update({"network": "203.0.113.0/24", "address_hash": "a" * 32, **fields})
    RequestLog.objects.bulk_create([RequestLog(created_at=at, **row) for _ in range(n)])


def test_rollup_then_retention_keeps_aggregates_and_deletes_old_rows(settings: Any) -> None:
    settings.NEXUS_TRAFFIC_RETENTION_DAYS = 7
    today = timezone.localdate()
    old = timezone.make_aware(datetime.combine(today - timedelta(days=10), datetime.min.time())) + timedelta(hours=5)
    log(old, 3)
    log(old, 1, status=404, route="", path="/.env", address_hash="b" * 32, duration_ms=50.0, country="")
    log(old, 2, status=403, blocked=True, address_hash="c" * 32)
    recent = timezone.now() - timedelta(days=1)
    log(recent, 2)
    assert traffic_rollup(old.date()) > 0
    assert traffic_rollup(old.date()) > 0  # idempotent
    result = traffic_retention(today=today)
    assert result == {"days_rolled_up": 1, "rows_deleted": 6}
    assert RequestLog.objects.count() == 2
    day = {(a.dimension, a.key): a for a in DailyAggregate.objects.filter(day=old.date())}
    total = day[("total", "")]
    assert (total.requests, total.errors, total.visitors, total.duration_max_ms) == (6, 3, 3, 50.0)
    assert (day[("status", "2xx")].requests, day[("status", "4xx")].requests) == (3, 3)
    assert day[("route", "(no route)")].requests == 1
    assert day[("country", "DE")].requests == 5
    assert day[("blocked", "203.0.113.0/24")].requests == 2
    assert traffic_rollup(old.date()) == 0  # raw rows gone: the aggregates stay as they are
    assert DailyAggregate.objects.filter(day=old.date()).count() == len(day)


def test_the_scan_flags_probing_errors_volume_and_failed_logins_once(settings: Any) -> None:
    settings.NEXUS_ANOMALY_VOLUME_MIN = 50
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    at = end - timedelta(minutes=30)
    log(at, 6, route="", path="/wp-login.php", status=404, address_hash="p" * 32, network="198.51.100.0/24")
    log(at, 60, address_hash="v" * 32, network="192.0.2.0/24")
    log(at, 12, route="accounts:login", login_failed=True, address_hash="f" * 32)
    log(at, 3)  # an ordinary visitor
    flags = anomaly_scan(window_end=end)
    assert sorted((f.kind, f.network) for f in flags) == [
        (FlagKind.FAILED_LOGINS, "203.0.113.0/24"),
        (FlagKind.PROBING, "198.51.100.0/24"),
        (FlagKind.VOLUME, "192.0.2.0/24"),
    ]
    probe = next(f for f in flags if f.kind == FlagKind.PROBING)
    assert probe.evidence["probes"] == 6
    assert probe.evidence["top"][0] == {"method": "GET", "target": "/wp-login.php", "status": 404, "count": 6}
    assert anomaly_scan(window_end=end) == []  # the same hour flags nothing twice


def test_auto_block_blocks_flagged_networks_for_a_while(settings: Any) -> None:
    settings.NEXUS_ANOMALY_AUTO_BLOCK = True
    settings.NEXUS_ANOMALY_BLOCK_HOURS = 2
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    log(end - timedelta(minutes=5), 6, route="", path="/.env", status=404)
    (flag,) = anomaly_scan(window_end=end)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.BLOCKED
    rule = IpRule.objects.get(network="203.0.113.0/24")
    assert rule.source == IpRule.Source.ANOMALY
    assert timedelta(hours=1) < rule.expires_at - timezone.now() <= timedelta(hours=2)  # type: ignore[operator]


def test_commands_block_unblock_scan_and_unlock() -> None:
    out = StringIO()
    call_command("nexus_block", "203.0.113.0/24", "--reason", "abuse", "--hours", "3", stdout=out)
    assert out.getvalue().startswith("Blocked 203.0.113.0/24 until ")
    with pytest.raises(CommandError, match="not an IP address or CIDR range"):
        call_command("nexus_block", "300.1.1.1", "--reason", "x")
    call_command("nexus_unblock", "203.0.113.0/24", stdout=out)
    with pytest.raises(CommandError, match="No rule blocks exactly"):
        call_command("nexus_unblock", "203.0.113.0/24")
    call_command("nexus_scan_anomalies", "--current", stdout=out)
    assert "0 new flag(s)." in out.getvalue()
    call_command("nexus_unlock", "--user", "owner", stdout=out)
    with pytest.raises(CommandError):
        call_command("nexus_unlock", "--address", "nope")
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "ip_rule.create",
        "ip_rule.delete",
        "login.unlock",
    ]


# --- REST ------------------------------------------------------------------------------------


def test_rules_rest_is_for_admins_and_warns_about_your_own_address(
    api_client: Any, admin_user: Any, member: Any
) -> None:
    body = {"network": "127.0.0.0/24", "reason": "oops"}
    assert api_client.post("/api/v1/traffic/rules", body, format="json").status_code == 401
    denied = api_client.post("/api/v1/traffic/rules", body, format="json", **bearer(member))
    assert denied.status_code == 403
    refused = api_client.post("/api/v1/traffic/rules", body, format="json", **bearer(admin_user))
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "ip_rule_blocks_you"
    assert not IpRule.objects.exists()
    bad = api_client.post(
        "/api/v1/traffic/rules", {"network": "1.2.3.4/99", "reason": "x"}, format="json", **bearer(admin_user)
    )
    assert bad.status_code == 400
    assert "network" in bad.json()["error"]["details"]
    created = api_client.post(
        "/api/v1/traffic/rules", {"network": "2001:db8::/48", "reason": "scanner"}, format="json", **bearer(admin_user)
    )
    assert created.status_code == 201
    assert created.json()["rule"]["network"] == "2001:db8::/48"
    listed = api_client.get("/api/v1/traffic/rules", **bearer(admin_user)).json()["results"]
    assert [rule["network"] for rule in listed] == ["2001:db8::/48"]
    deleted = api_client.delete(
        "/api/v1/traffic/rules", {"network": "2001:db8::/48"}, format="json", **bearer(admin_user)
    )
    assert deleted.status_code == 204


def test_flags_rest_review_blocks_in_one_call(api_client: Any, admin_user: Any) -> None:
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    log(end - timedelta(minutes=5), 6, route="", path="/.env", status=404)
    (flag,) = anomaly_scan(window_end=end)
    listed = api_client.get("/api/v1/traffic/flags", {"status": "open"}, **bearer(admin_user)).json()["results"]
    assert [row["id"] for row in listed] == [flag.pk]
    url = f"/api/v1/traffic/flags/{flag.pk}/review"
    reviewed = api_client.post(url, {"decision": "block", "block_hours": 1}, format="json", **bearer(admin_user))
    assert reviewed.status_code == 200
    assert (reviewed.json()["status"], reviewed.json()["rule"]) == ("blocked", "203.0.113.0/24")
    again = api_client.post(url, {"decision": "dismiss"}, format="json", **bearer(admin_user))
    assert again.status_code == 409
    missing = api_client.post(
        "/api/v1/traffic/flags/999999/review", {"decision": "dismiss"}, format="json", **bearer(admin_user)
    )
    assert missing.status_code == 404


def test_list_query_counts_do_not_grow(api_client: Any, admin_user: Any) -> None:
    def count(n: int) -> int:
        IpRule.objects.all().delete()
        AnomalyFlag.objects.all().delete()
        IpRule.objects.bulk_create(
            [IpRule(network=f"10.{i // 256}.{i % 256}.0/24", reason="r", created_by=admin_user) for i in range(n)]
        )
        now = timezone.now()
        AnomalyFlag.objects.bulk_create(
            [
                AnomalyFlag(
                    window_start=now, window_end=now, network="x", address_hash=str(i), kind="probing", reason="r"
                )
                for i in range(n)
            ]
        )
        api_client.get("/api/v1/traffic/rules", **bearer(admin_user))
        with CaptureQueriesContext(connection) as queries:
            rules = api_client.get("/api/v1/traffic/rules", {"page_size": 100}, **bearer(admin_user))
            flags = api_client.get("/api/v1/traffic/flags", {"page_size": 100}, **bearer(admin_user))
        assert len(rules.json()["results"]) == len(flags.json()["results"]) == n
        return len(queries)

    assert count(10) == count(100)


def test_dashboard_rest_and_bad_ranges(api_client: Any, admin_user: Any, member: Any) -> None:
    today = timezone.localdate()
    DailyAggregate.objects.create(day=today, dimension="total", key="", requests=5, visitors=2)
    DailyAggregate.objects.create(day=today, dimension="route", key="web:home", requests=5, duration_total_ms=50)
    body = api_client.get("/api/v1/traffic/dashboard", **bearer(admin_user)).json()
    assert body["total"] == 5
    assert body["top_routes"] == [{"key": "web:home", "value": 5.0}]
    assert body["slowest_routes"] == [{"key": "web:home", "value": 10.0}]
    assert len(body["days"]) == 30
    for params in (
        {"start": "yesterday"},
        {"start": "2026-02-01", "end": "2026-01-01"},
        {"start": "2000-01-01", "end": "2026-01-01"},
    ):
        response = api_client.get("/api/v1/traffic/dashboard", params, **bearer(admin_user))
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "date_range_invalid"
    assert api_client.get("/api/v1/traffic/dashboard", **bearer(member)).status_code == 403


# --- Pages -------------------------------------------------------------------------------------


def test_dashboard_page_for_admins_only(client: Client, admin_user: Any, member: Any) -> None:
    assert client.get("/traffic/").status_code == 302  # to the login page
    client.force_login(member)
    assert client.get("/traffic/").status_code == 403
    client.force_login(admin_user)
    DailyAggregate.objects.create(day=timezone.localdate(), dimension="total", key="", requests=5, visitors=2)
    page = client.get("/traffic/")
    assert page.status_code == 200
    assert b'data-chart="requests"' in page.content
    assert b">Traffic</a>" in page.content  # the nav link admins see
    assert client.get("/traffic/", {"start": "nonsense"}).status_code == 400


def test_one_click_block_from_the_dashboard(client: Client, admin_user: Any) -> None:
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    log(end - timedelta(minutes=5), 6, route="", path="/.env", status=404)
    (flag,) = anomaly_scan(window_end=end)
    client.force_login(admin_user)
    response = client.post(f"/traffic/flags/{flag.pk}/review/", {"decision": "block"})
    assert response.status_code == 302
    assert IpRule.objects.filter(network="203.0.113.0/24").exists()
    own = client.post("/traffic/rules/", {"network": "127.0.0.1", "reason": "me"}, follow=True)
    assert b"covers your own address" in own.content
    assert not IpRule.objects.filter(network="127.0.0.1/32").exists()


def test_audit_page_for_admins(client: Client, admin_user: Any, member: Any) -> None:
    AuditEvent.objects.create(action="backup.create", target_repr="file.json")
    client.force_login(member)
    assert client.get("/audit/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/audit/", {"action": "backup.*"})
    assert page.status_code == 200
    assert b"file.json" in page.content
    assert client.get("/audit/", {"since": "not a date"}).status_code == 400
