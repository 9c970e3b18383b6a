"""The contract every search backend keeps, and the SQL they share (filters and access).

A backend returns at most CANDIDATE_CAP candidates, ranked: the documents whose title
matches first, then others in index order, so a frequent term never makes the database
rank (or count) every match. Facets and the total are counted over the candidates:
exact below the cap, "1,000+" at it.
"""

from __future__ import annotations

import html
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection

from nexus.search.models import Target
from nexus.search.query import ParsedQuery

CANDIDATE_CAP = 1_000
MARK_START, MARK_END = "\ue000", "\ue001"
MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)
DOCUMENT_COLUMNS = (
    "d.id, d.target, d.entry_id, d.hub_id, d.topic_id, d.technology_id, "
    "d.kind, d.author, d.week, d.topics, d.technologies"
)


@dataclass(frozen=True)
class Access:
    """Who is searching, as far as the index needs to know."""

    user_id: int | None
    admin: bool = False


class Candidate(NamedTuple):
    """A tuple, not a dataclass: a search makes up to 1,000 of them."""

    id: int
    target: str
    object_id: int
    kind: str
    author: str
    week: int | None
    topics: tuple[str, ...]
    technologies: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class Snippet:
    title_html: str
    text_html: str


def marked_html(text: str) -> str:
    """Engine output with highlight sentinels as safe HTML: escaped, hits in <mark>."""
    escaped = html.escape(" ".join(text.split()))
    if escaped.count(MARK_START) == escaped.count(MARK_END):  # as both engines mark: in pairs
        return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return MARKED.sub(r"<mark>\1</mark>", escaped).replace(MARK_START, "").replace(MARK_END, "")


_OBJECT_COLUMN = {Target.ENTRY: 2, Target.HUB: 3, Target.TOPIC: 4, Target.TECHNOLOGY: 5}


def candidate_from_row(row: tuple[Any, ...]) -> Candidate:
    """A row of candidates_sql as a Candidate (made for the page only: rows are cheaper)."""
    return Candidate(
        row[0],
        row[1],
        row[_OBJECT_COLUMN[row[1]]],
        row[6],
        row[7],
        row[8],
        tuple(row[9].split()),
        tuple(row[10].split()),
        float(row[11] or 0.0),
    )


def where_sql(parsed: ParsedQuery, access: Access) -> tuple[str, list[Any]]:
    """The conditions on the document table `d`: access first, then the filters.

    Access mirrors knowledge.selectors.entry_list_visible_to (tests hold them equal):
    admins see everything; others published things of public hubs, signed-in members
    also of cohort hubs, and everything of their own hub. status:draft is one's own drafts.
    """
    conditions: list[str] = []
    params: list[Any] = []
    if not access.admin:
        if access.user_id is None:
            conditions.append("(d.status = 'published' AND d.visibility = 'public')")
        else:
            conditions.append("((d.status = 'published' AND d.visibility IN ('public', 'cohort')) OR d.owner_id = %s)")
            params.append(access.user_id)
    filters = parsed.filters
    if filters:
        conditions.append("d.target = 'entry'")
    if filters.get("status") == "draft":
        conditions.append("d.status = 'draft' AND d.owner_id = %s")
        params.append(access.user_id if access.user_id is not None else -1)
    elif filters.get("status") == "published":
        conditions.append("d.status = 'published'")
    for name, column in (("kind", "kind"), ("author", "author")):
        if name in filters:
            conditions.append(f"d.{column} = %s")
            params.append(filters[name])
    if "week" in filters:
        conditions.append("d.week = %s")
        params.append(int(filters["week"]))
    for name, column in (("topic", "topics"), ("tech", "technologies")):
        if name in filters:
            conditions.append(f"d.{column} LIKE %s")
            params.append(f"% {filters[name]} %")
    return " AND ".join(conditions) or "1 = 1", params


class SearchBackend(ABC):
    vendor: str

    @abstractmethod
    def candidates_sql(self, parsed: ParsedQuery, access: Access, cap: int) -> tuple[str, list[Any]]:
        """The one SQL statement that finds and ranks the candidates (the bench runs it raw)."""

    @abstractmethod
    def snippet_sql(self, parsed: ParsedQuery, ids: list[int]) -> tuple[str, list[Any]]:
        """One statement: (id, highlighted title, highlighted passages) for the page's documents."""

    @abstractmethod
    def similar_terms(self, word: str, limit: int = 30) -> list[str]:
        """Vocabulary words that look like `word` (trigrams), most alike first."""

    def bulk_load_begin(self) -> None:  # noqa: B027 (optional: most backends need nothing)
        """Before a bulk load of many documents (the fake corpus): drop what is cheaper to rebuild."""

    def bulk_load_end(self) -> None:  # noqa: B027
        """After it: rebuild what bulk_load_begin dropped."""

    @abstractmethod
    def optimize(self) -> None:
        """After a bulk load: merge index segments, refresh the planner's statistics."""

    def candidates(self, parsed: ParsedQuery, access: Access, cap: int = CANDIDATE_CAP) -> list[tuple[Any, ...]]:
        """At most `cap` candidate rows (DOCUMENT_COLUMNS and a score), best first."""
        sql, params = self.candidates_sql(parsed, access, cap)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def recent_sql(self, parsed: ParsedQuery, access: Access, cap: int) -> tuple[str, list[Any]]:
        """A query of filters only: the newest matching documents."""
        where, params = where_sql(parsed, access)
        sql = (
            f"SELECT {DOCUMENT_COLUMNS}, 0.0 FROM search_searchdocument d WHERE {where} "  # noqa: S608
            "ORDER BY d.published_at DESC, d.id DESC LIMIT %s"
        )
        return sql, [*params, cap]

    def snippets(self, parsed: ParsedQuery, ids: list[int]) -> dict[int, Snippet]:
        if not ids or not parsed.has_text:
            return {}
        sql, params = self.snippet_sql(parsed, ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return {row[0]: Snippet(marked_html(row[1] or ""), self._passage(row[2:])) for row in rows}

    @staticmethod
    def _passage(texts: tuple[Any, ...]) -> str:
        """The first passage with a hit (or the first non-empty one)."""
        options = [text for text in texts if text and text.strip()]
        for text in options:
            if MARK_START in text:
                return marked_html(text)
        return marked_html(options[0][:300]) if options else ""  # cut before escaping: no half entity
