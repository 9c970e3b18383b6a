"""The demo's traffic: two weeks on the dashboard, a flagged prober and its rule, loaded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nexus.traffic.demo import DEMO_DAYS, PROBER_NETWORK, traffic_demo_load
from nexus.traffic.models import AnomalyFlag, DailyAggregate, Dimension, IpRule, RequestLog

pytestmark = pytest.mark.django_db


def test_two_weeks_of_aggregates_a_flagged_prober_and_its_rule_once() -> None:
    first = traffic_demo_load()
    assert first["requests"] == RequestLog.objects.count() > DEMO_DAYS * 100
    totals = DailyAggregate.objects.filter(dimension=Dimension.TOTAL)
    assert totals.count() == DEMO_DAYS
    assert max(totals.values_list("day", flat=True)) == timezone.localdate() - timedelta(days=1)
    countries = set(DailyAggregate.objects.filter(dimension=Dimension.COUNTRY).values_list("key", flat=True))
    assert {"NG", "SE", "JP"} <= countries
    flag = AnomalyFlag.objects.get()
    assert (flag.network, flag.kind, flag.status) == (PROBER_NETWORK, "probing", "open")
    assert first["flags"] == 1
    rule = IpRule.objects.get(network=PROBER_NETWORK)
    assert rule.expires_at is not None
    assert "probed" in rule.reason

    assert traffic_demo_load() == {"requests": 0, "flags": 0, "rules": 0}
    assert (RequestLog.objects.count(), AnomalyFlag.objects.count(), IpRule.objects.count()) == (
        first["requests"],
        1,
        1,
    )
