"""The audit trail page (admins): newest first, filtered like the REST list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nexus.audit.filters import AuditEventFilter
from nexus.audit.selectors import audit_event_list

PAGE_SIZE = 50


@login_required
def audit_events(request: HttpRequest) -> HttpResponse:
    """Who did what, when and from where; filter by action, actor, target and time."""
    found = AuditEventFilter(request.GET, queryset=audit_event_list(request.user))
    status = 200 if found.is_valid() else 400
    events = found.qs if status == 200 else audit_event_list(request.user).none()
    # No COUNT(*) of a table that only grows: a page knows only whether another follows.
    page_number = max(1, int(request.GET.get("page", "1")) if request.GET.get("page", "1").isdigit() else 1)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(events[offset : offset + PAGE_SIZE + 1])
    context = {
        "filter": found,
        "events": rows[:PAGE_SIZE],
        "page": page_number,
        "has_next": len(rows) > PAGE_SIZE,
        "query": request.GET.copy(),
    }
    return render(request, "audit/events.html", context, status=status)
