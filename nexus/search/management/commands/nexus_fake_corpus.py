"""Make a synthetic corpus of N entries for benchmarks (`make bench` uses 100,000)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexus.core.progress import progress_iter
from nexus.search.corpus import corpus_build, corpus_existing

MAX_ENTRIES = 2_000_000


def _each_entry(batches: Any) -> Any:
    for count in batches:
        yield from range(count)


class Command(BaseCommand):
    help = (
        "Make the synthetic corpus N entries big (varied kinds, technologies, code blocks), in hubs of made-up "
        "learners named corpus-NNNNN. Entries already made are kept, so running it again adds only the rest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entries", type=int, help="How many corpus entries there should be.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = options["entries"]
        if not 1 <= total <= MAX_ENTRIES:
            raise CommandError(f"Give a number of entries from 1 to {MAX_ENTRIES:,}.")
        existing = corpus_existing()
        made = sum(
            1
            for _ in progress_iter(
                _each_entry(corpus_build(total)),
                total=max(total - existing, 0),
                label="Writing the corpus",
                unit="entries",
                stream=sys.stderr,
            )
        )
        self.stdout.write(f"Corpus: {made:,} entries written, {max(existing, total):,} in all.")
