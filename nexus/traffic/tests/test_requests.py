"""The door: blocked networks answer 403 without a query, limits answer 429 with
Retry-After, sign-in locks after repeated failures, and every request leaves one
anonymised log row, written in batches."""

from __future__ import annotations

import tracemalloc
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import bearer, inside_fixed_windows
from nexus.audit.models import AuditEvent
from nexus.traffic.addresses import address_hash
from nexus.traffic.errors import IpRuleInvalid
from nexus.traffic.logbuffer import LogRow, log_buffer_add, log_buffer_flush, log_buffer_stats
from nexus.traffic.models import RequestLog
from nexus.traffic.services import ip_rule_delete, ip_rule_save

pytestmark = pytest.mark.django_db


def test_a_blocked_network_gets_403_json_for_the_api_and_a_page_for_browsers(client: Client) -> None:
    ip_rule_save(actor=None, network="127.0.0.0/24", reason="test")
    client.get("/api/v1/users")  # compiles the rules once
    with CaptureQueriesContext(connection) as queries:
        api = client.get("/api/v1/users")
        gql = client.post("/graphql/", {"query": "{ __typename }"}, content_type="application/json")
        page = client.get("/", HTTP_ACCEPT="text/html")
    assert len(queries) == 0  # no database query for a blocked client
    assert api.status_code == gql.status_code == page.status_code == 403
    assert api.json()["error"]["code"] == "address_blocked"
    assert gql.json()["error"]["code"] == "address_blocked"
    assert page["Content-Type"].startswith("text/html")
    assert b"blocked" in page.content


def test_an_unblocked_client_passes_without_a_rule_query(client: Client, owner: Any) -> None:
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert not [q for q in queries if "traffic_iprule" in q["sql"]]


def test_unblocking_and_expiry_lift_the_block(client: Client) -> None:
    ip_rule_save(actor=None, network="127.0.0.1", reason="test")
    assert client.get("/healthz").status_code == 403
    ip_rule_delete(actor=None, network="127.0.0.1/32")
    assert client.get("/healthz").status_code == 200
    saved = ip_rule_save(actor=None, network="127.0.0.1", reason="test", expires_at=timezone.now() + timedelta(hours=1))
    assert client.get("/healthz").status_code == 403
    type(saved.rule).objects.filter(pk=saved.rule.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    from nexus.traffic.rules import rules_changed

    rules_changed()
    assert client.get("/healthz").status_code == 200


def test_the_xff_header_of_an_untrusted_peer_does_not_escape_a_block(client: Client) -> None:
    ip_rule_save(actor=None, network="127.0.0.1", reason="test")
    assert client.get("/healthz", HTTP_X_FORWARDED_FOR="8.8.8.8").status_code == 403


def test_behind_a_trusted_proxy_the_forwarded_client_is_blocked(client: Client, settings: Any) -> None:
    settings.NEXUS_TRUSTED_PROXIES = ["127.0.0.1"]
    ip_rule_save(actor=None, network="203.0.113.0/24", reason="test")
    assert client.get("/healthz", HTTP_X_FORWARDED_FOR="203.0.113.50").status_code == 403
    assert client.get("/healthz", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200


# --- Rate limits --------------------------------------------------------------------------------


@pytest.fixture
def strict(settings: Any, fresh_address_windows: None) -> None:
    settings.NEXUS_RATE_ANON = "8/m"
    settings.NEXUS_RATE_ANON_BURST = "5/10s"
    settings.NEXUS_RATE_USER = "7/m"
    settings.NEXUS_RATE_AUTH = "3/m"


def test_anonymous_bursts_get_429_with_retry_after_and_the_error_format(client: Client, strict: None) -> None:
    statuses = [client.get("/healthz").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = client.get("/api/v1/users")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 10
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["details"]["limit"] == "anon-burst"
    assert error["details"]["retry_after_seconds"] == int(refused["Retry-After"])


def test_signed_in_sessions_count_per_account(client: Client, owner: Any, strict: None) -> None:
    inside_fixed_windows(str(owner.pk))
    client.force_login(owner)
    statuses = [client.get("/healthz").status_code for _ in range(8)]
    assert statuses == [200] * 7 + [429]
    assert client.get("/healthz").json()["error"]["details"]["limit"] == "user"


@pytest.mark.usefixtures("fresh_address_windows")
def test_login_and_signup_posts_have_a_stricter_limit(client: Client, settings: Any) -> None:
    settings.NEXUS_RATE_AUTH = "3/m"
    posts = [client.post("/accounts/login/", {"username": f"u{i}", "password": "x"}).status_code for i in range(4)]
    assert posts == [200, 200, 200, 429]
    assert client.get("/accounts/login/").status_code == 200  # reading the form is not limited
    tokens = [
        client.post("/api/v1/auth/token", {"username": f"t{i}", "password": "x"}, content_type="application/json")
        for i in range(4)
    ]
    assert [response.status_code for response in tokens] == [401, 401, 401, 429]


def test_a_burst_of_10000_requests_is_refused_with_bounded_memory(client: Client, settings: Any) -> None:
    settings.NEXUS_RATE_ANON_BURST = "50/10s"
    settings.NEXUS_RATE_ANON = "200/m"
    tracemalloc.start()
    statuses: dict[int, int] = {}
    for _ in range(10_000):
        status = client.get("/healthz").status_code
        statuses[status] = statuses.get(status, 0) + 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert statuses[200] <= 200
    assert statuses[429] >= 9_800
    assert log_buffer_stats()["waiting"] <= settings.NEXUS_TRAFFIC_BUFFER_MAX  # bounded, oldest dropped
    assert peak < 64 * 1024 * 1024


def test_header_floods_are_answered(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_FORWARDED_FOR="1.1.1.1," * 50_000, HTTP_X_REQUEST_ID="x" * 10_000)
    assert response.status_code == 200
    assert len(response["X-Request-ID"]) <= 64


# --- Sign-in lockout ----------------------------------------------------------------------------


def test_repeated_failures_lock_the_account_and_an_admin_unlocks_it(
    api_client: Any, owner: Any, admin_user: Any, settings: Any
) -> None:
    settings.NEXUS_LOCKOUT_ACCOUNT_FAILURES = 3
    bad = {"username": "owner", "password": "wrong"}
    statuses = [api_client.post("/api/v1/auth/token", bad, format="json").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    good = {"username": "owner", "password": "a long enough password"}
    locked = api_client.post("/api/v1/auth/token", good, format="json")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_locked"
    assert int(locked["Retry-After"]) > 0
    page = Client().post("/accounts/login/", {"username": "owner", "password": "a long enough password"})
    assert page.status_code == 429
    assert b"sign-in is paused" in page.content

    unlocked = api_client.post("/api/v1/traffic/unlock", {"username": "owner"}, format="json", **bearer(admin_user))
    assert unlocked.status_code == 204
    ok = api_client.post("/api/v1/auth/token", good, format="json")
    assert ok.status_code == 200
    assert AuditEvent.objects.filter(action="login.unlock", actor=admin_user).exists()


def test_failures_from_one_address_lock_it_across_accounts(client: Client, settings: Any) -> None:
    settings.NEXUS_LOCKOUT_ADDRESS_FAILURES = 3
    for i in range(3):
        assert client.post("/accounts/login/", {"username": f"nobody{i}", "password": "x"}).status_code == 200
    assert client.post("/accounts/login/", {"username": "someone-else", "password": "x"}).status_code == 429


# --- The request log ----------------------------------------------------------------------------


def test_each_request_leaves_one_anonymised_row_written_in_one_batch(client: Client, owner: Any) -> None:
    client.force_login(owner)
    client.get("/api/v1/users/owner", REMOTE_ADDR="8.8.8.8")
    client.get("/wp-login.php", REMOTE_ADDR="2001:4860:4860::8888")
    Client().post("/accounts/login/", {"username": "owner", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    assert RequestLog.objects.count() == 0  # buffered, not written per request
    with CaptureQueriesContext(connection) as queries:
        assert log_buffer_flush() == 3
    # One statement for the batch: a multi-row INSERT on SQLite, a COPY on PostgreSQL.
    assert len([q for q in queries if q["sql"].startswith(("INSERT", "COPY"))]) == 1
    api, probe, login = RequestLog.objects.order_by("id")
    assert (api.method, api.route, api.path, api.status) == ("GET", "api:v1:user-detail", "", 200)
    assert (api.user_id, api.country, api.network) == (owner.pk, "US", "8.8.8.0/24")
    assert api.address_hash == address_hash("8.8.8.8", api.created_at.date())
    assert (probe.route, probe.path, probe.status, probe.network) == ("", "/wp-login.php", 404, "2001:4860:4860::/48")
    assert login.login_failed is True
    stored = " ".join(str(v) for row in RequestLog.objects.values() for v in row.values())
    assert "8.8.8.8" not in stored
    assert "203.0.113.9" not in stored


def test_the_log_switch_turns_recording_off(client: Client, settings: Any) -> None:
    settings.NEXUS_TRAFFIC_LOG = False
    client.get("/healthz")
    client.get("/")
    assert log_buffer_flush() == 0


def test_a_buffer_past_its_flush_size_writes_itself(client: Client, settings: Any) -> None:
    settings.NEXUS_TRAFFIC_FLUSH_SIZE = 3
    for _ in range(3):
        client.get("/")
    assert RequestLog.objects.count() == 3


@pytest.mark.django_db
def test_a_failed_write_drops_its_rows_and_waits_before_trying_again(settings: Any) -> None:
    settings.NEXUS_TRAFFIC_FLUSH_SIZE = 1
    settings.NEXUS_TRAFFIC_FLUSH_SECONDS = 3600
    now = timezone.now()
    row = LogRow(now, "GET", "web:home", "", 200, 1.5, None, "", "203.0.113.0/24", "a" * 32, False, False)
    dropped = log_buffer_stats()["dropped"]
    log_buffer_add(row._replace(status=-1))  # the database refuses it (a positive column)
    assert log_buffer_stats()["dropped"] == dropped + 1
    log_buffer_add(row)  # due, but the write failed a moment ago: it waits in the buffer
    assert log_buffer_stats()["waiting"] == 1
    assert RequestLog.objects.count() == 0  # and the test's transaction survived the failure
    assert log_buffer_flush() == 1  # an explicit flush (a command, the exit hook) does not wait
    assert RequestLog.objects.get().route == "web:home"


def test_the_audit_trail_gets_the_anonymised_address(api_client: Any, admin_user: Any) -> None:
    response = api_client.post(
        "/api/v1/traffic/rules",
        {"network": "198.51.100.0/24", "reason": "scraping"},
        format="json",
        REMOTE_ADDR="203.0.113.77",
        **bearer(admin_user),
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(action="ip_rule.create")
    assert (event.ip, event.actor) == ("203.0.113.0/24", admin_user)
    assert event.request_id == response["X-Request-ID"]


# --- Security headers ---------------------------------------------------------------------------


def test_security_headers_are_set(client: Client) -> None:
    page = client.get("/")
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert page["X-Frame-Options"] == "DENY"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in page  # only in production, over HTTPS


def test_hsts_is_sent_in_production_settings(client: Client, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_rule_wider_than_allowed_or_malformed_is_refused() -> None:
    for bad in ("0.0.0.0/0", "10.0.0.0/7", "::/0", "banana", "1.2.3.4/40"):
        with pytest.raises(IpRuleInvalid):
            ip_rule_save(actor=None, network=bad, reason="x")
