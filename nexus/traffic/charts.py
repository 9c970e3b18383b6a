"""Charts drawn on the server as inline SVG: no chart library, no script, nothing from a CDN.
Every label goes through escaping; the numbers are ours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 220


def _number(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"


def bar_chart(items: Sequence[tuple[str, float]], *, name: str, title: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per (label, value), longest first as given."""
    if not items:
        return mark_safe(  # noqa: S308 (constant text and an escaped title)
            f'<p class="chart-empty" data-chart="{escape(name)}">No data for {escape(title.lower())} in this range.</p>'
        )
    peak = max(value for _, value in items) or 1
    height = BAR_HEIGHT * len(items) + 8
    span = WIDTH - LABEL_WIDTH - 70
    parts = [
        f'<svg class="chart chart-bars" data-chart="{escape(name)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for row, (label, value) in enumerate(items):
        y = 4 + row * BAR_HEIGHT
        length = max(1.0, span * value / peak)
        parts.append(
            f'<g class="bar"><text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label[:40])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{BAR_HEIGHT - 6}" rx="3">'
            f"<title>{escape(label)}: {_number(value)}{escape(unit)}</title></rect>"
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}">{_number(value)}{escape(unit)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every label above is escaped)


def line_chart(points: Sequence[tuple[date, float]], *, name: str, title: str) -> SafeString:
    """A line over days, with a dot per day and the first and last day labelled."""
    if not points or not any(value for _, value in points):
        return mark_safe(  # noqa: S308
            f'<p class="chart-empty" data-chart="{escape(name)}">No data for {escape(title.lower())} in this range.</p>'
        )
    height, left, bottom, top = 200, 48, 24, 12
    peak = max(value for _, value in points) or 1
    step = (WIDTH - left - 12) / max(1, len(points) - 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return left + index * step, top + (height - top - bottom) * (1 - value / peak)

    coords = [xy(i, value) for i, (_, value) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [
        f'<svg class="chart chart-line" data-chart="{escape(name)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{WIDTH - 8}" y2="{height - bottom}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{_number(peak)}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>',
        f'<polyline points="{path}" fill="none"/>',
    ]
    for (day, value), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{day:%Y-%m-%d}: {_number(value)}</title></circle>'
        )
    parts.append(f'<text x="{left}" y="{height - 6}">{points[0][0]:%b %d}</text>')
    parts.append(f'<text x="{WIDTH - 8}" y="{height - 6}" text-anchor="end">{points[-1][0]:%b %d}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
