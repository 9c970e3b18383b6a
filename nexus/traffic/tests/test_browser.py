"""The dashboard in a real browser: the charts render (under the CSP, with no script)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from nexus.traffic.models import DailyAggregate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_charts_render(live_server: Any, page: Any, admin_user: Any, client: Any) -> None:
    today = timezone.localdate()
    for offset in range(5):
        DailyAggregate.objects.create(
            day=today - timedelta(days=offset), dimension="total", requests=10 + offset, visitors=3
        )
    DailyAggregate.objects.create(day=today, dimension="status", key="2xx", requests=40)
    DailyAggregate.objects.create(day=today, dimension="route", key="web:home", requests=40, duration_total_ms=400)
    DailyAggregate.objects.create(day=today, dimension="country", key="DE", requests=30)
    client.force_login(admin_user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/traffic/")
    assert page.locator("h1").inner_text() == "Traffic"
    for name in ("requests", "status", "routes", "slowest", "countries"):
        chart = page.locator(f'svg[data-chart="{name}"]')
        assert chart.count() == 1
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 10
    assert page.locator('svg[data-chart="requests"] circle').count() == 30
    assert page.locator('svg[data-chart="countries"] rect').count() == 1
    assert not [e for e in errors if "Content Security Policy" in e]
