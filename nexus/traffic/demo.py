"""Demo traffic, so the dashboard of a fresh `make run` has two weeks to show: synthetic
requests from documentation address ranges (RFC 5737, RFC 3849), rolled up into daily
aggregates by the same rollup the scheduler runs, one prober the anomaly scan flags, and
the rule that blocks it. Loaded once: a second load finds the rule and adds nothing."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from nexus.traffic.addresses import address_hash, address_network
from nexus.traffic.anomalies import anomaly_scan
from nexus.traffic.models import IpRule, RequestLog
from nexus.traffic.services import ip_rule_save, traffic_rollup

DEMO_DAYS = 14
PROBER = "203.0.113.77"  # TEST-NET-3: never a real client
PROBER_NETWORK = "203.0.113.0/24"
# (route name, path, weight): what the cohort reads most, roughly.
ROUTES = [
    ("knowledge:entry", "/h/amara/caching-strategies/", 30),
    ("knowledge:hub", "/h/amara/", 14),
    ("web:home", "/", 12),
    ("api:v1:entry-list", "/api/v1/entries", 16),
    ("api:v1:entry-detail", "/api/v1/entries/1", 10),
    ("graphql", "/graphql/", 8),
    ("search:search", "/search/", 7),
    ("community:question-list", "/questions/", 5),
    ("accounts:login", "/accounts/login/", 3),
]
VISITORS = [
    *(f"192.0.2.{n}" for n in range(10, 40)),
    *(f"198.51.100.{n}" for n in range(5, 25)),
    *(f"2001:db8:{n:x}::1" for n in range(1, 11)),
]
COUNTRIES = ["NG", "KE", "SE", "IN", "BR", "DE", "US", "JP", "GH", "ES"]
# Each visitor always comes from the same country (the prober from none the database knows).
COUNTRY_OF = {address: COUNTRIES[n % len(COUNTRIES)] for n, address in enumerate(VISITORS)}
PROBES = ["/.env", "/wp-login.php", "/admin/", "/.git/config", "/phpmyadmin/", "/wp-admin/"]


def _row(rng: random.Random, moment: datetime, address: str, route: str, path: str, status: int) -> RequestLog:
    return RequestLog(
        created_at=moment,
        method="GET",
        route=route,
        path=path if not route else "",
        status=status,
        duration_ms=round(rng.lognormvariate(3.0, 0.6), 1),
        country=COUNTRY_OF.get(address, ""),
        network=address_network(address),
        address_hash=address_hash(address, moment.date()),
    )


def traffic_demo_load() -> dict[str, int]:
    """Two weeks of demo requests with their aggregates, a flagged prober and its rule."""
    if IpRule.objects.filter(network=PROBER_NETWORK).exists():
        return {"requests": 0, "flags": 0, "rules": 0}
    rng = random.Random(2026)  # noqa: S311  # the same demo every time, not a secret
    today = timezone.localdate()
    names, paths, weights = zip(*[(r, p, w) for r, p, w in ROUTES], strict=True)
    rows: list[RequestLog] = []
    for back in range(DEMO_DAYS, 0, -1):
        day = today - timedelta(days=back)
        start = timezone.make_aware(datetime.combine(day, time()))
        # More on weekdays, and a cohort that grows a little each day.
        volume = (260 if day.weekday() < 5 else 120) + (DEMO_DAYS - back) * 8
        for _ in range(volume):
            index = rng.choices(range(len(names)), weights=weights)[0]
            status = rng.choices([200, 304, 404, 403, 429], weights=[88, 6, 4, 1, 1])[0]
            moment = start + timedelta(seconds=rng.randrange(86_400))
            rows.append(_row(rng, moment, rng.choice(VISITORS), names[index], paths[index], status))
    # Yesterday at 02:00 one address asked for what no visitor of Nexus would.
    probe_hour = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(2)))
    for n in range(24):
        moment = probe_hour + timedelta(seconds=n * 90)
        rows.append(_row(rng, moment, PROBER, "", PROBES[n % len(PROBES)], 404))
    with transaction.atomic():
        RequestLog.objects.bulk_create(rows, batch_size=2000)
        for back in range(DEMO_DAYS, 0, -1):
            traffic_rollup(today - timedelta(days=back))
        flags = anomaly_scan(window_end=probe_hour + timedelta(hours=1))
        ip_rule_save(
            actor=None,
            network=PROBER_NETWORK,
            reason="Demo: probed /.env, /wp-login.php and /admin/ at night",
            expires_at=timezone.now() + timedelta(days=7),
        )
    return {"requests": len(rows), "flags": len(flags), "rules": 1}
