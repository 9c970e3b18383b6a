"""Reads for import and export: what a hub exports (what its viewer may see, in the order it
was written) and what an earlier import of a file left behind."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from nexus.interchange.models import ImportedEntry, ImportSource
from nexus.knowledge.models import Entry, Hub
from nexus.knowledge.selectors import entry_list_visible_to


def hub_entries_for_export(user: Any, hub: Hub) -> QuerySet[Entry]:
    """The hub's entries `user` may see, whole, oldest first (the order they were written)."""
    return entry_list_visible_to(user).filter(hub=hub).defer(None).order_by("id")


def import_source_get(hub: Hub, name: str) -> ImportSource | None:
    return ImportSource.objects.filter(hub=hub, name=name).first()


def imported_entries(source: ImportSource | None) -> dict[str, ImportedEntry]:
    """What the last import of `source` made, by key, with the entries it points to."""
    if source is None:
        return {}
    return {item.key: item for item in ImportedEntry.objects.filter(source=source).select_related("entry")}


def hub_entries_by_slug(hub: Hub, slugs: list[str]) -> dict[str, Entry]:
    """Entries of `hub` with these slugs: how an exported README finds its entries again."""
    return {entry.slug: entry for entry in Entry.objects.filter(hub=hub, slug__in=slugs)}
