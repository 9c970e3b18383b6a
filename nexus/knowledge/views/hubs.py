"""Reading pages: the list of hubs, a hub as a README, and entries by topic or technology."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nexus.core.errors import InvalidInput
from nexus.knowledge.models import Entry, EntryKind
from nexus.knowledge.sections import HUB_SECTIONS, markdown_excerpt
from nexus.knowledge.selectors import (
    entry_list_for_hub_page,
    entry_list_visible_to,
    hub_get_for_user,
    hub_list_visible_to,
    technology_get,
    technology_list,
    topic_get,
    topic_list,
)

PAGE_SIZE = 30


def _page(items: QuerySet[Any], request: HttpRequest) -> tuple[list[Any], int | None]:
    """One page of a newest-first list, continued with ?before=<id> (no COUNT of the table)."""
    before = request.GET.get("before", "")
    if before:
        if not (before.isascii() and before.isdigit() and len(before) <= 9):
            raise InvalidInput(details={"before": ["Use the link at the end of the page."]})
        items = items.filter(pk__lt=int(before))
    rows = list(items[: PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None


def hub_list(request: HttpRequest) -> HttpResponse:
    hubs, next_before = _page(hub_list_visible_to(request.user), request)
    return render(request, "knowledge/hub_list.html", {"hubs": hubs, "next_before": next_before})


def hub_detail(request: HttpRequest, username: str) -> HttpResponse:
    """A learner's hub, read like their README: one section per kind, a weekly timeline."""
    hub = hub_get_for_user(request.user, username)
    entries = list(entry_list_for_hub_page(request.user, hub))
    by_kind: dict[str, list[Entry]] = {kind: [] for kind, _, _ in HUB_SECTIONS}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    by_kind[EntryKind.WEEKLY_HIGHLIGHT].sort(key=lambda entry: (entry.week or 0, entry.pk))
    challenges = [
        (entry, markdown_excerpt(entry.problem), markdown_excerpt(entry.solution))
        for entry in by_kind[EntryKind.CHALLENGE]
    ]
    sections = [
        {"kind": kind, "anchor": anchor, "title": title, "entries": by_kind[kind], "challenges": challenges}
        for kind, anchor, title in HUB_SECTIONS
        if by_kind[kind]
    ]
    context = {
        "hub": hub,
        "owner": hub.owner,
        "sections": sections,
        "is_owner": request.user.is_authenticated and hub.owner_id == request.user.pk,
    }
    return render(request, "knowledge/hub.html", context)


def topic_index(request: HttpRequest) -> HttpResponse:
    return render(request, "knowledge/topic_list.html", {"topics": topic_list(), "technologies": technology_list()})


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = topic_get(slug)
    entries, next_before = _page(entry_list_visible_to(request.user).filter(topics=topic), request)
    context = {"subject": topic, "what": "Topic", "description": topic.description}
    return render(request, "knowledge/entries_by.html", {**context, "entries": entries, "next_before": next_before})


def technology_detail(request: HttpRequest, slug: str) -> HttpResponse:
    technology = technology_get(slug)
    entries, next_before = _page(entry_list_visible_to(request.user).filter(technologies=technology), request)
    aliases = ", ".join(str(alias) for alias in technology.aliases or [])
    context = {
        "subject": technology,
        "what": "Technology",
        "description": f"Also known as {aliases}." if aliases else "",
    }
    return render(request, "knowledge/entries_by.html", {**context, "entries": entries, "next_before": next_before})
