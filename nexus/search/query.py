"""The search query language, parsed in Python before any database sees it.

Plain words, "exact phrases", -excluded words or phrases, OR between two terms, and the
filters kind: topic: tech: author: week: status:. A query never fails to parse: whatever
cannot be read as syntax is read as plain words, and the result says it degraded and why.
Every term is reduced to lowercase letters and digits, so what reaches SQL is data only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nexus.knowledge.models import EntryKind, EntryStatus
from nexus.search.errors import SearchQueryTooLong

MAX_QUERY_CHARS = 500
MAX_TERMS = 12
MAX_WORD = 40
FILTERS = ("kind", "topic", "tech", "author", "week", "status")
FILTER_ALIASES = {"technology": "tech", "by": "author"}
# Pieces of a term: runs of letters and digits. `select_related`, `django.db.models`,
# `--reuse-db` and `N+1` are several pieces, searched as a phrase (and as one joined word).
PIECE = re.compile(r"[^\W_]+", re.UNICODE)
TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
FILTER = re.compile(r"^([A-Za-z]+):(?!:)(.*)$")  # not std::vector
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Term:
    """A word (one piece) or a phrase (several); `joined` is a code token's pieces as one word."""

    pieces: tuple[str, ...]
    joined: str = ""
    prefix: bool = False  # the last word of an as-you-type query: match words it starts
    source: str = ""  # a code token as typed (select_related), to write the query back

    @property
    def is_phrase(self) -> bool:
        return len(self.pieces) > 1

    def text(self) -> str:
        if self.source:
            return self.source
        words = " ".join(self.pieces)
        return f'"{words}"' if self.is_phrase else words


@dataclass
class ParsedQuery:
    """A query as AND of groups (each an OR of terms), minus `excluded`, within `filters`."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    @property
    def degraded(self) -> bool:
        return bool(self.messages)

    @property
    def has_text(self) -> bool:
        return bool(self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.filters

    def words(self) -> list[str]:
        """Every single-piece positive word, in order (what typo correction looks at)."""
        return [term.pieces[0] for group in self.groups for term in group if not term.is_phrase]

    def replaced(self, corrections: dict[str, str]) -> ParsedQuery:
        """The same query with some words swapped (typo corrections)."""
        groups = [
            [
                Term((corrections[t.pieces[0]],))
                if not t.is_phrase and t.pieces[0] in corrections
                else Term(t.pieces, t.joined, False, t.source)
                for t in group
            ]
            for group in self.groups
        ]
        return ParsedQuery(groups, list(self.excluded), dict(self.filters), [])

    def text(self) -> str:
        """The query written back in the query language."""
        parts = [" OR ".join(term.text() for term in group) for group in self.groups]
        parts += [f"-{term.text()}" for term in self.excluded]
        parts += [f"{name}:{value}" for name, value in self.filters.items()]
        return " ".join(parts)


def query_parse(raw: str, *, prefix_last: bool = False) -> ParsedQuery:
    """Parse `raw`; refuse only a query too long to be one (SearchQueryTooLong)."""
    if len(raw) > MAX_QUERY_CHARS:
        raise SearchQueryTooLong(details={"q": [f"{len(raw)} characters; at most {MAX_QUERY_CHARS}."]})
    parsed = ParsedQuery()
    text = CONTROL.sub(" ", raw)
    if text.count('"') % 2:
        parsed.messages.append("A quote was not closed, so it was ignored.")
        last = text.rfind('"')
        text = text[:last] + " " + text[last + 1 :]
    pending_or = False
    tokens = list(TOKEN.finditer(text))
    for index, match in enumerate(tokens):
        negated = bool(match.group(1))
        if match.group(2) is not None:
            term = _term(match.group(2), phrase=True)
            if term is None:
                continue
        else:
            token = match.group(3)
            if token == "OR":
                if not parsed.groups or pending_or:
                    parsed.messages.append("OR needs a term on each side; it was ignored.")
                else:
                    pending_or = True
                continue
            found = FILTER.match(token)
            if found and _filter(parsed, found.group(1).lower(), found.group(2)):
                continue
            # -word excludes; --flag (a command-line option) is a code token to find.
            negated = token.startswith("-") and len(token) > 1 and token[1] != "-"
            last = index == len(tokens) - 1 and prefix_last and not text[match.end() :].strip()
            term = _term(token[1:] if negated else token, phrase=False, prefix=last)
            if term is None:
                if token.strip("-"):
                    parsed.messages.append(f"{token!r} has no letters or digits to search for; it was ignored.")
                continue
        if negated:
            pending_or = False
            parsed.excluded.append(term)
        elif pending_or:
            parsed.groups[-1].append(term)
            pending_or = False
        else:
            parsed.groups.append([term])
    if pending_or:
        parsed.messages.append("OR needs a term on each side; it was ignored.")
    if parsed.excluded and not parsed.groups:
        parsed.messages.append("Excluding words needs at least one word to search for; the exclusions were ignored.")
        parsed.excluded = []
    if sum(len(group) for group in parsed.groups) + len(parsed.excluded) > MAX_TERMS:
        parsed.messages.append(f"Only the first {MAX_TERMS} terms were searched for.")
        parsed.groups = parsed.groups[:MAX_TERMS]
        parsed.excluded = parsed.excluded[: max(0, MAX_TERMS - len(parsed.groups))]
    return parsed


def _term(text: str, *, phrase: bool, prefix: bool = False) -> Term | None:
    pieces = tuple(piece.lower()[:MAX_WORD] for piece in PIECE.findall(text))[:MAX_TERMS]
    if not pieces:
        return None
    if phrase or len(pieces) == 1:
        return Term(pieces, prefix=prefix and len(pieces) == 1 and len(pieces[0]) >= 2)
    # A code token: its pieces as a phrase, or the pieces joined (selectrelated).
    return Term(pieces, joined="".join(pieces)[:MAX_WORD], source=text.lower())


def _filter(parsed: ParsedQuery, name: str, value: str) -> bool:
    """Apply `name:value` if it is a filter; False when it should be read as words."""
    name = FILTER_ALIASES.get(name, name)
    if name not in FILTERS:
        if name.lower() in ("http", "https"):
            return False  # a URL, not a filter
        parsed.messages.append(
            f"{name}: is not a filter (use {', '.join(f + ':' for f in FILTERS)}); {value!r} was searched for instead."
        )
        term = _term(value, phrase=False)
        if term is not None:
            parsed.groups.append([term])
        return True
    value = value.strip().strip('"').lower()
    if not value:
        parsed.messages.append(f"{name}: needs a value, e.g. {name}:{_EXAMPLES[name]}; it was ignored.")
        return True
    if name == "kind":
        kinds = {k.lower(): k for k in EntryKind.values} | {k.replace("-", ""): k for k in EntryKind.values}
        if value not in kinds:
            parsed.messages.append(
                f"kind:{value} is not a kind (one of {', '.join(EntryKind.values)}); it was ignored."
            )
            return True
        value = kinds[value]
    elif name == "week":
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 52):
            parsed.messages.append(f"week:{value} is not a week number from 1 to 52; it was ignored.")
            return True
        value = str(int(value))
    elif name == "status":
        if value not in EntryStatus.values:
            parsed.messages.append(f"status:{value} is not draft or published; it was ignored.")
            return True
    elif not re.fullmatch(r"[\w.@+-]{1,150}", value):
        parsed.messages.append(f"{name}:{value} cannot name a {name}; it was ignored.")
        return True
    if name in parsed.filters and parsed.filters[name] != value:
        parsed.messages.append(f"Only one {name}: filter applies; {name}:{value} was ignored.")
        return True
    parsed.filters[name] = value
    return True


_EXAMPLES = {
    "kind": "challenge",
    "topic": "caching",
    "tech": "redis",
    "author": "amara",
    "week": "3",
    "status": "draft",
}
