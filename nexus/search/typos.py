"""Choosing a correction for a mistyped word among the vocabulary's look-alikes."""

from __future__ import annotations

from collections.abc import Iterable

MIN_TYPO_LENGTH = 5  # shorter words are too ambiguous to correct


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (a wrong, missing, extra or swapped letter is one
    edit), or limit + 1 as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def best_correction(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate within one edit (two for words of nine letters or more)."""
    limit = 2 if len(word) >= 9 else 1
    best: tuple[int, int, str] | None = None
    for order, candidate in enumerate(candidates):
        if candidate == word:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit and (best is None or (distance, order) < best[:2]):
            best = (distance, order, candidate)
    return best[2] if best else None
