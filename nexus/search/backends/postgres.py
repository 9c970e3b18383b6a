"""PostgreSQL: the generated weighted tsvector (GIN), a tsquery built from the parsed
query with plainto/phraseto_tsquery (so no user text is ever tsquery syntax), ts_rank on
the capped candidates only, ts_headline on the page only, pg_trgm for typo suggestions."""

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

CONFIG = "'english'::regconfig"
HEADLINE = (
    f'StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=20, MinWords=8, FragmentDelimiter=" … "'
)
TITLE_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
HEADLINE_CHARS = 1_500
SUMMARY_CHARS = 300  # ts_headline re-parses its text: bound the work per result
TRIGRAM_THRESHOLD = "0.2"
# As migration 0002 creates them; a bulk load drops and rebuilds them.
GIN_INDEXES = {"search_doc_vector_gin": "vector", "search_doc_title_gin": "title_vector"}


def _term_sql(term: Term, *, joined_code: bool = False) -> tuple[str, list[Any]]:
    if joined_code and term.joined:
        return f"plainto_tsquery({CONFIG}, %s)", [term.joined]
    if term.prefix:
        return f"to_tsquery({CONFIG}, %s)", [f"{term.pieces[0]}:*"]
    if not term.is_phrase:
        return f"plainto_tsquery({CONFIG}, %s)", [term.pieces[0]]
    phrase = f"phraseto_tsquery({CONFIG}, %s)"
    if term.joined:
        return f"({phrase} || plainto_tsquery({CONFIG}, %s))", [" ".join(term.pieces), term.joined]
    return phrase, [" ".join(term.pieces)]


def tsquery_sql(parsed: ParsedQuery, *, joined_code: bool = False) -> tuple[str, list[Any]]:
    """The parsed query as one tsquery expression with parameters. With `joined_code`, a
    code token is its joined form only (see PostgresBackend.candidates_sql)."""
    parts: list[str] = []
    params: list[Any] = []
    for group in parsed.groups:
        sqls = []
        for term in group:
            sql, term_params = _term_sql(term, joined_code=joined_code)
            sqls.append(sql)
            params += term_params
        parts.append(f"({' || '.join(sqls)})")
    for term in parsed.excluded:
        sql, term_params = _term_sql(term)
        parts.append(f"!!({sql})")
        params += term_params
    return " && ".join(parts), params


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def candidates_sql(self, parsed: ParsedQuery, access: Access, cap: int) -> tuple[str, list[Any]]:
        if not parsed.has_text:
            return self.recent_sql(parsed, access, cap)
        query, query_params = tsquery_sql(parsed)
        # The GIN index holds no positions, so a phrase is checked against each row's
        # vector: the pieces of N+1 or --reuse-db are in most documents, and pooling them
        # as a phrase rechecked 12,000 rows of 100,000 (95 ms) to find four. Every document
        # holding a code token indexes its joined form (documents.code_terms), so the pool
        # of any match asks for that; titles and the rank still read the phrase.
        pool, pool_params = tsquery_sql(parsed, joined_code=True)
        where, where_params = where_sql(parsed, access)
        # Two cheap pools, each stopped at the cap (the tsquery is written inline so the
        # planner sees a constant and can use the GIN indexes): documents whose title
        # matches (few, and the likeliest answers) ranked a point higher, then any match.
        # ts_rank runs on the pooled rows only, in the scan that finds them.
        columns = f"{DOCUMENT_COLUMNS}, ts_rank(d.vector, ({query}), 1)"
        # Pooled by title, a document may still hold an excluded word in its body.
        also = f" AND d.vector @@ ({query})" if parsed.excluded else ""
        sql = (
            "SELECT * FROM (SELECT DISTINCT ON (id) * FROM ("  # noqa: S608
            f"(SELECT {columns} + 1.0 AS score FROM search_searchdocument d "
            f"WHERE d.title_vector @@ ({query}){also} AND {where} LIMIT %s) "
            "UNION ALL "
            f"(SELECT {columns} AS score FROM search_searchdocument d WHERE d.vector @@ ({pool}) AND {where} LIMIT %s)"
            ") AS pooled ORDER BY id, score DESC) AS hits ORDER BY score DESC, id DESC LIMIT %s"
        )
        params = [
            *query_params,
            *query_params,
            *(query_params if parsed.excluded else []),
            *where_params,
            cap,
            *query_params,
            *pool_params,
            *where_params,
            cap,
            cap,
        ]
        return sql, params

    def bulk_load_begin(self) -> None:
        # Maintaining the GIN indexes row by row costs more than building them once.
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_doc_vector_gin")
            cursor.execute("DROP INDEX IF EXISTS search_doc_title_gin")

    def bulk_load_end(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_searchdocument'")
            present = {row[0] for row in cursor.fetchall()}
            missing = [name for name in GIN_INDEXES if name not in present]
            if missing:
                cursor.execute("SET maintenance_work_mem = '256MB'")
            for name in missing:
                cursor.execute(f"CREATE INDEX {name} ON search_searchdocument USING gin ({GIN_INDEXES[name]})")

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            # Every table: a bulk load makes the entries' statistics as stale as the index's.
            cursor.execute("ANALYZE")
        self.bulk_load_end()  # a bulk load that was killed left its indexes dropped

    def snippet_sql(self, parsed: ParsedQuery, ids: list[int]) -> tuple[str, list[Any]]:
        query, params = tsquery_sql(parsed)
        # ts_headline re-parses the text it is given: the title and the start of the prose
        # only, so highlighting a page costs little next to finding it.
        sql = (
            f"SELECT d.id, ts_headline({CONFIG}, d.title, q.q, %s), "  # noqa: S608
            f"ts_headline({CONFIG}, left(d.body, {HEADLINE_CHARS}), q.q, %s), "
            f"left(d.summary, {SUMMARY_CHARS}) "
            f"FROM search_searchdocument d CROSS JOIN (SELECT ({query}) AS q) q WHERE d.id = ANY(%s)"
        )
        return sql, [TITLE_HEADLINE, HEADLINE, *params, list(ids)]

    def similar_terms(self, word: str, limit: int = 30) -> list[str]:
        with connection.cursor() as cursor:
            # The index answers `%` above this threshold; pg_trgm's default 0.3 misses one
            # wrong letter in a five-letter word.
            cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, false)", [TRIGRAM_THRESHOLD])
            cursor.execute(
                "SELECT term FROM search_searchterm WHERE term %% %s ORDER BY similarity(term, %s) DESC, term LIMIT %s",
                [word, word, limit],
            )
            return [row[0] for row in cursor.fetchall()]
