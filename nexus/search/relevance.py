"""Relevance against the judged queries (judgements.json): MRR@10 per query class, and
recall@10 for typos. The test suite asserts the targets on the demo corpus; the bench
prints the figures for the demo and the synthetic corpus."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser

from nexus.search.models import Target
from nexus.search.selectors import search

JUDGEMENTS = Path(__file__).with_name("judgements.json")
TOP = 10


@dataclass
class ClassFigures:
    queries: int = 0
    reciprocal_ranks: float = 0.0
    recalled: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.queries if self.queries else 0.0

    @property
    def recall(self) -> float:
        return self.recalled / self.queries if self.queries else 0.0


def judgements_load(corpus: str) -> list[dict[str, Any]]:
    """The judged queries of one corpus ("demo" or "synthetic")."""
    return [j for j in json.loads(JUDGEMENTS.read_text())["queries"] if j["corpus"] == corpus]


def _matches(hit: Any, relevant: list[str]) -> bool:
    if hit.target != Target.ENTRY:
        return False
    owner, title = hit.object.hub_username, hit.object.title
    return any(r in (f"{owner}/{title}", f"*/{title}") for r in relevant)


def relevance_evaluate(corpus: str, user: Any = None) -> dict[str, ClassFigures]:
    """Run every judged query of `corpus` as `user` (anonymous by default): figures per
    class, and "all"."""
    user = user or AnonymousUser()
    figures: dict[str, ClassFigures] = {}
    for judgement in judgements_load(corpus):
        hits = search(user, judgement["q"], page_size=TOP).hits[:TOP]
        rank = next((i for i, hit in enumerate(hits, start=1) if _matches(hit, judgement["relevant"])), None)
        for name in (judgement["class"], "all"):
            row = figures.setdefault(name, ClassFigures())
            row.queries += 1
            if rank is not None:
                row.reciprocal_ranks += 1 / rank
                row.recalled += 1
            if rank != 1:
                row.misses.append(f"{judgement['q']!r}: rank {rank}")
    return figures
