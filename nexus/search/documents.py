"""What a search document holds: an entry's Markdown split into weighted fields (title;
summary, headings and vocabulary; prose; code), with the code-aware pass that makes
`select_related`, `django.db.models`, `--reuse-db` and `N+1` findable by their pieces and
as one joined word. Pure functions: indexing, reindexing and the fake corpus share them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nexus.knowledge.models import EntryKind, EntryStatus, Visibility

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]{0,200}>")
# A code token: letters/digits joined by . _ - + / :: (select_related, django.db.models,
# --reuse-db, N+1, app/models.py), or a camelCase / PascalCase name (ModelSerializer).
CODE_TOKEN = re.compile(
    r"(?:--?)?[^\W_]+(?:(?:[._+/-]|::)+[^\W_]*)+|[a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*"
)
CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
PIECE = re.compile(r"[^\W_]+")
PATH_SEPARATOR = re.compile(r"[./]|::")
WORD = re.compile(r"[^\W\d_]{4,40}")
MAX_FIELD = 200_000  # characters of one field that are indexed (entries are capped at 256 KB)
MAX_TERMS_PER_DOCUMENT = 2_000


@dataclass(frozen=True)
class DocumentText:
    title: str
    summary: str
    body: str
    code: str
    terms: str


def markdown_fields(markdown: str) -> tuple[str, str, str]:
    """(headings, prose, code) of a Markdown text: fenced code apart, link targets dropped."""
    code_parts: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        code_parts.append(match.group(2))
        return "\n"

    prose = FENCE.sub(keep_code, markdown)
    headings = [match.group(1) for match in HEADING.finditer(prose)]
    prose = HEADING.sub(" ", prose)
    prose = HTML_TAG.sub(" ", LINK_TARGET.sub("] ", prose))
    return "\n".join(headings), prose, "\n".join(code_parts)


def code_terms(*texts: str) -> str:
    """The joined forms of the code tokens in `texts` (selectrelated, djangodbmodels,
    reusedb, n1) and the words of camelCase names (model serializer), once each.

    A document's terms are the code_terms of its title, summary, body and code, in that
    order, so a document holding a code token anywhere holds its joined form: PostgreSQL
    finds the matches of a code token by it (backends/postgres.py)."""
    found: dict[str, None] = {}
    for text in texts:
        for token in CODE_TOKEN.findall(text[:MAX_FIELD]):
            pieces = PIECE.findall(token)
            if len(pieces) > 1:
                found["".join(pieces).lower()[:60]] = None
                # Movie.objects.select_related: each dotted part on its own too (selectrelated).
                for part in PATH_SEPARATOR.split(token):
                    part_pieces = PIECE.findall(part)
                    if len(part_pieces) > 1:
                        found["".join(part_pieces).lower()[:60]] = None
            for piece in pieces:
                words = CAMEL.findall(piece)
                if len(words) > 1:
                    for word in words:
                        found[word.lower()] = None
            if len(found) >= MAX_TERMS_PER_DOCUMENT:
                break
    return " ".join(found)


def vocabulary_words(*texts: str) -> set[str]:
    """The words (4 to 40 letters) a typo may be corrected towards."""
    words: set[str] = set()
    for text in texts:
        words.update(word.lower() for word in WORD.findall(text[:MAX_FIELD]))
        if len(words) >= MAX_TERMS_PER_DOCUMENT:
            break
    return words


def entry_text(
    *,
    kind: str,
    title: str,
    summary: str,
    body: str,
    problem: str = "",
    solution: str = "",
    outcome: str = "",
    vocabulary: Iterable[str] = (),
) -> DocumentText:
    """The weighted fields of an entry. A challenge's problem, solution and outcome are
    prose like its body; topic, technology (with aliases) and tag names weigh like the summary."""
    markdown = body if kind != EntryKind.CHALLENGE else "\n\n".join((problem, solution, outcome, body))
    headings, prose, code = markdown_fields(markdown[:MAX_FIELD])
    summary_field = "\n".join([summary, headings, " ".join(vocabulary)])
    return DocumentText(
        title=title,
        summary=summary_field,
        body=prose,
        code=code,
        terms=code_terms(title, summary_field, prose, code),
    )


def entry_access(*, status: str, visibility: str) -> dict[str, Any]:
    return {"status": status, "visibility": visibility}


PUBLIC_ACCESS = {"status": EntryStatus.PUBLISHED, "visibility": Visibility.PUBLIC}


def slugs_field(slugs: Iterable[str]) -> str:
    """Slugs between spaces, so `LIKE '% redis %'` finds exactly one of them."""
    joined = " ".join(sorted(set(slugs)))
    return f" {joined} " if joined else ""
