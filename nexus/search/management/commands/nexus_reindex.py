"""Rebuild the search index from the entries, hubs, topics and technologies."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from nexus.core.progress import progress_iter
from nexus.search.backends import search_backend
from nexus.search.services import search_reindex_batches, search_reindex_total


def _each_indexed(batches: Any) -> Any:
    for count in batches:
        yield from range(count)


class Command(BaseCommand):
    help = "Rebuild every search document (safe while Nexus runs: each batch is one transaction)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = search_reindex_total()
        done = sum(
            1
            for _ in progress_iter(
                _each_indexed(search_reindex_batches()),
                total=total,
                label="Reindexing",
                unit="documents",
                stream=sys.stderr,
            )
        )
        search_backend().optimize()
        self.stdout.write(f"Reindexed {done:,} documents.")
