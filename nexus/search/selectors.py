"""Reads: search, related entries and the zero-result report. Results hold only what the
viewer may see: the index applies access first, and every hit is then loaded through the
knowledge selectors, which decide it once more (a hit they do not return is dropped)."""

from __future__ import annotations

import heapq
import operator
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.text import slugify

from nexus.accounts.roles import Role, user_has_role
from nexus.core.cache import cache_memo
from nexus.core.errors import NotFound
from nexus.knowledge.models import Entry, Technology, Topic
from nexus.knowledge.selectors import (
    entry_cards_visible_to,
    entry_list_visible_to,
    hub_list_visible_to,
    technology_list,
    topic_list,
)
from nexus.search.backends import search_backend
from nexus.search.backends.base import CANDIDATE_CAP, Access, Candidate, Snippet, candidate_from_row
from nexus.search.caching import SEARCH_VOCABULARY_CACHE_SCOPE
from nexus.search.errors import SearchInvalid, SearchQueryEmpty
from nexus.search.models import SearchTerm, Target, ZeroResultQuery
from nexus.search.permissions import can_view_zero_results
from nexus.search.query import ParsedQuery, Term, query_parse
from nexus.search.typos import MIN_TYPO_LENGTH, best_correction

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
FEW_RESULTS = 3  # fewer exact results than this, and a typo correction is tried
FACET_VALUES = 10
RELATED_LIMIT = 5
RELATED_WORDS = 8
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "my",
        "not",
        "of",
        "on",
        "or",
        "so",
        "than",
        "that",
        "the",
        "this",
        "to",
        "too",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "why",
        "with",
        "you",
        "your",
    ]
)


@dataclass(frozen=True)
class SearchHit:
    target: str
    object: Any  # EntryCard, Hub, Topic or Technology
    title_html: str
    snippet_html: str
    score: float
    topics: tuple[str, ...] = ()  # slugs, from the index (no query per hit)
    technologies: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        if self.target == Target.ENTRY:
            return f"/h/{self.object.hub_username}/{self.object.slug}/"
        if self.target == Target.HUB:
            return f"/h/{self.object.owner.username}/"
        if self.target == Target.TOPIC:
            return f"/topics/{self.object.slug}/"
        return f"/technologies/{self.object.slug}/"


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResults:
    query: str
    parsed: ParsedQuery
    hits: list[SearchHit]
    total: int  # candidates found, at most CANDIDATE_CAP
    capped: bool  # more match than were counted: show "1,000+"
    page: int
    page_size: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    did_you_mean: str | None = None
    corrected: bool = False  # hits include those of the corrected query

    @property
    def degraded(self) -> bool:
        return self.parsed.degraded

    @property
    def messages(self) -> list[str]:
        return self.parsed.messages

    @property
    def total_label(self) -> str:
        return f"{CANDIDATE_CAP:,}+" if self.capped else f"{self.total:,}"

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total

    @property
    def is_zero(self) -> bool:
        return self.total == 0 and self.parsed.has_text


def _vocabulary() -> tuple[tuple[Topic, ...], tuple[Technology, ...]]:
    """Every topic and technology (a few dozen), kept in the process until one changes
    (read-only: every search of the process shares them)."""
    return cache_memo(SEARCH_VOCABULARY_CACHE_SCOPE, compute=lambda: (tuple(topic_list()), tuple(technology_list())))


def _access(user: Any) -> Access:
    if not user.is_authenticated:
        return Access(user_id=None)
    return Access(user_id=user.pk, admin=user_has_role(user, Role.ADMIN))


def _clamp(page: Any, page_size: Any) -> tuple[int, int]:
    try:
        page_number, size = int(page), int(page_size)
    except (TypeError, ValueError):
        raise SearchInvalid(details={"page": ["Page and page_size are whole numbers."]}) from None
    # Past the last candidate a page is simply empty; sizes are clamped, not refused.
    return max(1, min(page_number, CANDIDATE_CAP + 1)), max(1, min(size, MAX_PAGE_SIZE))


def _resolve_vocabulary_filters(
    parsed: ParsedQuery, topics: Iterable[Topic], technologies: Iterable[Technology]
) -> None:
    """topic: and tech: accept a slug, a name or (technologies) an alias, any case."""
    for name, items in (("topic", topics), ("tech", technologies)):
        value = parsed.filters.get(name)
        if value is None:
            continue
        for item in items:
            names = {item.slug, slugify(item.name), item.name.lower()}
            names |= {alias.lower() for alias in getattr(item, "aliases", None) or []}
            names |= {slugify(alias) for alias in getattr(item, "aliases", None) or []}
            if value in names or slugify(value) in names:
                parsed.filters[name] = item.slug
                break


def _corrections(words: list[str]) -> dict[str, str]:
    """Mistyped words (five letters or more, unknown to the vocabulary) and their corrections."""
    candidates = [w for w in dict.fromkeys(words) if len(w) >= MIN_TYPO_LENGTH and w.isalpha()]
    if not candidates:
        return {}
    # Each word as a range of one, not `term IN (...)`: PostgreSQL's planner answers the IN
    # from the pg_trgm GIN index (15 ms on 20k entries) where the unique btree takes 0.1 ms.
    exact = reduce(operator.or_, (Q(term__gte=word, term__lte=word) for word in candidates))
    known = set(SearchTerm.objects.filter(exact).values_list("term", flat=True))
    backend = search_backend()
    corrections = {}
    for word in candidates:
        if word in known:
            continue
        correction = best_correction(word, backend.similar_terms(word))
        if correction:
            corrections[word] = correction
    return corrections


# The DOCUMENT_COLUMNS a facet counts: kind, author, week, topics, technologies.
_KIND, _AUTHOR, _WEEK, _TOPICS, _TECHNOLOGIES = (operator.itemgetter(column) for column in (6, 7, 8, 9, 10))


def _spread(combinations: Counter[str]) -> dict[str, int]:
    """Counts of slugs from counts of the space-separated slug lists that hold them."""
    counts: dict[str, int] = {}
    get = counts.get  # a plain dict: Counter's += on a new key goes through __missing__
    for combination, count in combinations.items():
        for slug in combination.split():
            counts[slug] = get(slug, 0) + count
    return counts


def _facets(
    rows: list[tuple[Any, ...]], topics: dict[str, str], technologies: dict[str, str]
) -> dict[str, list[FacetValue]]:
    # A search has up to 1,000 raw rows (DOCUMENT_COLUMNS): each counter is built in one
    # C-level pass over them, never updated row by row in Python. Topics and technologies
    # are counted as whole lists first: a thousand rows hold a hundred or so distinct ones.
    entries = [row for row in rows if row[1] == Target.ENTRY]
    counters: dict[str, dict[Any, int]] = {
        "kind": Counter(map(_KIND, entries)),
        "topic": _spread(Counter(map(_TOPICS, entries))),
        "tech": _spread(Counter(map(_TECHNOLOGIES, entries))),
        "author": Counter(map(_AUTHOR, entries)),
        "week": Counter(filter(None, map(_WEEK, entries))),
    }
    labels: dict[str, dict[str, str]] = {"topic": topics, "tech": technologies}
    facets = {}
    for name, counter in counters.items():
        names = labels.get(name, {})
        best = heapq.nsmallest(FACET_VALUES, counter.items(), key=lambda item: (-item[1], str(item[0])))
        facets[name] = [FacetValue(str(value), names.get(str(value), str(value)), count) for value, count in best]
    return facets


def _hydrate(
    user: Any,
    page: list[Candidate],
    snippets: dict[int, Snippet],
    topics: dict[int, Topic],
    technologies: dict[int, Technology],
) -> list[SearchHit]:
    """The page's candidates as hits, each loaded through the knowledge selectors."""
    entry_ids = [c.object_id for c in page if c.target == Target.ENTRY]
    hub_ids = [c.object_id for c in page if c.target == Target.HUB]
    # Topics and technologies come from the index, so the entries need no prefetch; and
    # only what a result shows is read, as values (see EntryCard).
    entries = entry_cards_visible_to(user, entry_ids)
    hubs = {h.pk: h for h in hub_list_visible_to(user).filter(pk__in=hub_ids)} if hub_ids else {}
    found: dict[str, dict[int, Any]] = {
        Target.ENTRY: entries,
        Target.HUB: hubs,
        Target.TOPIC: topics,
        Target.TECHNOLOGY: technologies,
    }
    hits = []
    for candidate in page:
        item = found[candidate.target].get(candidate.object_id)
        if item is None:
            continue  # the knowledge selectors do not show it to this user
        snippet = snippets.get(candidate.id)
        title = str(item.title if hasattr(item, "title") else item.name)
        if snippet is None or not snippet.title_html:
            from html import escape

            snippet = Snippet(escape(title), escape(getattr(item, "summary", "") or "")[:300])
        hits.append(
            SearchHit(
                candidate.target,
                item,
                snippet.title_html,
                snippet.text_html,
                candidate.score,
                candidate.topics,
                candidate.technologies,
            )
        )
    return hits


def search(user: Any, q: str, *, page: Any = 1, page_size: Any = PAGE_SIZE, as_you_type: bool = False) -> SearchResults:
    """Search everything `user` may see; see query.py for the language. Raises
    SearchQueryTooLong, SearchQueryEmpty (nothing to search for) or SearchInvalid."""
    page_number, size = _clamp(page, page_size)
    parsed = query_parse(q, prefix_last=as_you_type)
    if parsed.is_empty:
        raise SearchQueryEmpty(details={"q": parsed.messages or ["The query is empty."]})
    topic_items, technology_items = _vocabulary()
    _resolve_vocabulary_filters(parsed, topic_items, technology_items)
    access = _access(user)
    if parsed.filters.get("status") == "draft" and access.user_id is None:
        parsed.messages.append("status:draft searches your own drafts: sign in to see them.")
    backend = search_backend()
    candidates = backend.candidates(parsed, access)
    capped = len(candidates) >= CANDIDATE_CAP
    did_you_mean, corrected_query, used_correction = None, parsed, False
    if len(candidates) < FEW_RESULTS and parsed.has_text:
        corrections = _corrections(parsed.words())
        if corrections:
            corrected_query = parsed.replaced(corrections)
            did_you_mean = corrected_query.text()
            seen = {row[0] for row in candidates}
            extra = [row for row in backend.candidates(corrected_query, access) if row[0] not in seen]
            used_correction = bool(extra)
            candidates = candidates + extra[: CANDIDATE_CAP - len(candidates)]
    start = (page_number - 1) * size
    page_candidates = [candidate_from_row(row) for row in candidates[start : start + size]]
    snippets = backend.snippets(corrected_query if used_correction else parsed, [c.id for c in page_candidates])
    hits = _hydrate(
        user,
        page_candidates,
        snippets,
        {t.pk: t for t in topic_items},
        {t.pk: t for t in technology_items},
    )
    return SearchResults(
        query=q,
        parsed=parsed,
        hits=hits,
        total=len(candidates),
        capped=capped,
        page=page_number,
        page_size=size,
        facets=_facets(candidates, {t.slug: t.name for t in topic_items}, {t.slug: t.name for t in technology_items}),
        did_you_mean=did_you_mean,
        corrected=used_correction,
    )


def _related_words(entry: Entry) -> list[Term]:
    names = [t.name for t in entry.topics.all()] + [t.name for t in entry.technologies.all()]
    words = [w for w in query_parse(" ".join([entry.title, *names])[:400]).words() if w not in STOPWORDS]
    return [Term((word,)) for word in dict.fromkeys(words)][:RELATED_WORDS]


def entry_related(user: Any, entry: Entry, limit: int = RELATED_LIMIT) -> list[Entry]:
    """Entries like `entry` (its title words, topics and technologies) the user may see."""
    terms = _related_words(entry)
    if not terms:
        return []
    parsed = ParsedQuery(groups=[terms], filters={})
    candidates = [
        c
        for c in map(candidate_from_row, search_backend().candidates(parsed, _access(user), cap=limit * 4 + 1))
        if c.target == Target.ENTRY and c.object_id != entry.pk
    ][: limit * 2]
    ids = [c.object_id for c in candidates]
    loaded = {e.pk: e for e in entry_list_visible_to(user).filter(pk__in=ids)} if ids else {}
    return [loaded[i] for i in ids if i in loaded][:limit]


def zero_result_list(user: Any) -> QuerySet[ZeroResultQuery]:
    """Queries that found nothing, most frequent first; mentors and admins only."""
    if not can_view_zero_results(user):
        raise NotFound("No such page.")
    return ZeroResultQuery.objects.order_by("-count", "-last_seen")


def entry_ids_matching(user: Any, q: str) -> Iterable[int]:
    """Entry ids a query finds for `user`, best first (the relevance judgements use it)."""
    return [hit.object.pk for hit in search(user, q, page_size=MAX_PAGE_SIZE).hits if hit.target == Target.ENTRY]
