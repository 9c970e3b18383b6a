from __future__ import annotations

from typing import Any

from nexus.knowledge.models import Entry, EntryKind, EntryStatus
from nexus.knowledge.services import entry_create, hub_ensure


def make_entry(owner: Any, **fields: Any) -> Entry:
    """An entry written through the service, as its owner would (published unless told)."""
    data = {"kind": EntryKind.CONCEPT, "title": "Caching strategies", "body": "Cache reads.\n", **fields}
    data.setdefault("status", EntryStatus.PUBLISHED)
    return entry_create(actor=owner, hub=hub_ensure(owner), data=data).entry
