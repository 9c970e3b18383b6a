"""SQLite: an FTS5 table (porter, unicode61) whose MATCH expression is built from the
parsed query with every term quoted (so no user text is ever FTS5 syntax), bm25 with
column weights on the capped candidates only, snippet()/highlight() on the page only,
and an FTS5 trigram table over the vocabulary for typo suggestions."""

from __future__ import annotations

from typing import Any

from django.db import connection

from nexus.search.backends.base import (
    DOCUMENT_COLUMNS,
    MARK_END,
    MARK_START,
    Access,
    SearchBackend,
    where_sql,
)
from nexus.search.query import ParsedQuery, Term

# bm25 weights of the FTS columns: title, summary (and headings), body, code, joined code tokens.
WEIGHTS = "10.0, 4.0, 1.0, 0.6, 0.6"


def _term_match(term: Term) -> str:
    phrase = f'"{" ".join(term.pieces)}"'  # pieces are letters and digits only: nothing to escape
    if term.prefix:
        return f"{phrase}*"
    if term.joined:
        return f'({phrase} OR "{term.joined}")'
    return phrase


def match_expression(parsed: ParsedQuery, *, title: bool = False) -> str:
    """The parsed query as an FTS5 MATCH expression; with `title`, of the documents whose
    title holds what is searched for (an excluded word still may be nowhere)."""
    groups = [f"({' OR '.join(_term_match(term) for term in group)})" for group in parsed.groups]
    expression = " AND ".join(groups)
    if title:
        expression = f"{{title}} : ({expression})"
    for term in parsed.excluded:
        expression = f"({expression}) NOT {_term_match(term)}"
    return expression


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def candidates_sql(self, parsed: ParsedQuery, access: Access, cap: int) -> tuple[str, list[Any]]:
        if not parsed.has_text:
            return self.recent_sql(parsed, access, cap)
        match = match_expression(parsed)
        where, params = where_sql(parsed, access)
        matches = (
            f"FROM search_fts f JOIN search_searchdocument d ON d.id = f.rowid WHERE search_fts MATCH %s AND {where}"
        )
        bm25 = f"bm25(search_fts, {WEIGHTS})"
        # The title matches come first, ranked among themselves (as on PostgreSQL): a tiny
        # topic whose description names a word must not outrank the entry titled with it,
        # which bm25's length normalisation alone lets it. A probe counts the matches up to
        # the cap (it stops there). At most `cap` are all ranked by bm25; beyond it, only
        # the newest other matches follow the title matches, so a frequent term never ranks
        # every match. SQLite tests the probe once, before it runs a branch.
        sql = (
            f"WITH probe AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT 1 {matches} LIMIT %s)), "  # noqa: S608
            "hits AS ("
            f"SELECT f.rowid AS id, -{bm25} AS score {matches} AND (SELECT n FROM probe) <= %s "
            "UNION ALL "
            f"SELECT * FROM (SELECT f.rowid AS id, 1000.0 - {bm25} AS score {matches} ORDER BY rank LIMIT %s) "
            "UNION ALL "
            f"SELECT * FROM (SELECT f.rowid AS id, 0.0 AS score {matches} AND (SELECT n FROM probe) > %s "
            "ORDER BY f.rowid DESC LIMIT %s)) "
            f"SELECT {DOCUMENT_COLUMNS}, max(hits.score) AS score "
            "FROM hits JOIN search_searchdocument d ON d.id = hits.id "
            "GROUP BY d.id ORDER BY score DESC, d.id DESC LIMIT %s"
        )
        return sql, [
            *(match, *params, cap + 1),
            *(match, *params, cap),
            *(match_expression(parsed, title=True), *params, cap),
            *(match, *params, cap, cap),
            cap,
        ]

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")

    def snippet_sql(self, parsed: ParsedQuery, ids: list[int]) -> tuple[str, list[Any]]:
        marks = f"'{MARK_START}', '{MARK_END}'"
        placeholders = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT rowid, highlight(search_fts, 0, {marks}), "  # noqa: S608
            f"snippet(search_fts, 2, {marks}, ' … ', 24), "
            f"snippet(search_fts, 1, {marks}, ' … ', 24), "
            f"snippet(search_fts, 3, {marks}, ' … ', 24) "
            f"FROM search_fts WHERE search_fts MATCH %s AND rowid IN ({placeholders})"
        )
        return sql, [match_expression(parsed), *ids]

    def similar_terms(self, word: str, limit: int = 30) -> list[str]:
        trigrams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        if not trigrams:
            return []
        match = " OR ".join(f'"{trigram}"' for trigram in trigrams)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM search_term_trigram WHERE search_term_trigram MATCH %s ORDER BY rank LIMIT %s",
                [match, limit],
            )
            return [row[0] for row in cursor.fetchall()]
