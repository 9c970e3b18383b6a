"""Differences between revisions, and three-way merges of suggested and concurrent edits.

Pure functions on text: no models, no database. Diffs use difflib; merges use merge3
(breezy's three-way merge), so no merge algorithm is written here.

The text functions first turn "\\r\\n" and lone "\\r" into "\\n" (CommonMark's line endings), so
a revision saved from Windows or a browser form does not differ from the same text saved
elsewhere on every line. Lines are then split on "\\n" only, keeping the newline: unlike
str.splitlines, a form feed, U+2028 or a mis-decoded "\\x85" inside a paragraph does not
start a new line, so line numbers here agree with the editor and with the Markdown.

An entry's details (week, kind, topics...) are single values and sets, not text: they
merge three ways with merge_value and merge_set.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

from django.utils.html import escape
from django.utils.safestring import mark_safe
from merge3 import Merge3

DiffKind = Literal["equal", "insert", "delete", "replace"]
T = TypeVar("T")

_NO_NEWLINE_MARKER = "\\ No newline at end of file\n"
# Words, runs of whitespace, and single punctuation marks: every character falls in one.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff; the *_html sides are escaped and safe to render."""

    kind: DiffKind
    old_number: int | None  # 1-based line number on the old side, None for inserts
    new_number: int | None  # 1-based line number on the new side, None for deletes
    old_html: str  # the escaped line with its newline; "" on inserts
    new_html: str  # the escaped line with its newline; "" on deletes


@dataclass(frozen=True)
class DiffStats:
    added: int
    removed: int


@dataclass(frozen=True)
class MergeConflict:
    start_line: int  # 1-based line of the merged text where the region (ours) begins
    base: str
    ours: str
    theirs: str


@dataclass(frozen=True)
class MergeResult:
    text: str  # where a conflict exists the text keeps ours, so nothing is overwritten
    conflicts: list[MergeConflict]

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_lines(text: str) -> list[str]:
    lines = text.split("\n")
    tail = lines.pop()  # "" when the text ends with a newline
    return [line + "\n" for line in lines] + ([tail] if tail else [])


def _line_opcodes(old_lines: list[str], new_lines: list[str]) -> list[tuple[DiffKind, int, int, int, int]]:
    # The same matcher settings as difflib.unified_diff, so stats, side-by-side rows and
    # the unified text always describe the same changes.
    return difflib.SequenceMatcher(None, old_lines, new_lines).get_opcodes()


def diff_unified(old: str, new: str, *, old_label: str, new_label: str, context: int = 3) -> str:
    """The unified diff from old to new ("" when they are equal), like `diff -u`."""
    if context < 0:
        raise ValueError("context must be zero or more lines")
    old_lines = _split_lines(_normalize_newlines(old))
    new_lines = _split_lines(_normalize_newlines(new))
    out: list[str] = []
    for line in difflib.unified_diff(old_lines, new_lines, fromfile=old_label, tofile=new_label, n=context):
        out.append(line)
        if not line.endswith("\n"):
            # The last line of a text without a final newline: without the marker the next
            # diff line would be glued onto it, as diff and git do.
            out.append("\n" + _NO_NEWLINE_MARKER)
    return "".join(out)


def _split_ending(line: str) -> tuple[str, str]:
    if line.endswith("\n"):
        return line[:-1], "\n"
    return line, ""


def _highlight_words(old_line: str, new_line: str) -> tuple[str, str]:
    old_body, old_ending = _split_ending(old_line)
    new_body, new_ending = _split_ending(new_line)
    old_tokens: list[str] = _TOKEN.findall(old_body)
    new_tokens: list[str] = _TOKEN.findall(new_body)
    opcodes = difflib.SequenceMatcher(None, old_tokens, new_tokens).get_opcodes()
    # Changes separated only by whitespace read as one change: "<del>quick brown</del>"
    # rather than "<del>quick</del> <del>brown</del>".
    changed = [tag != "equal" for tag, *_ in opcodes]
    for index in range(1, len(opcodes) - 1):
        _, i1, i2, _, _ = opcodes[index]
        if not changed[index] and changed[index - 1] and changed[index + 1] and "".join(old_tokens[i1:i2]).isspace():
            changed[index] = True
    old_parts: list[str] = []
    new_parts: list[str] = []
    index = 0
    while index < len(opcodes):
        _, i1, i2, j1, j2 = opcodes[index]
        if not changed[index]:
            old_parts.append(escape("".join(old_tokens[i1:i2])))
            new_parts.append(escape("".join(new_tokens[j1:j2])))
            index += 1
            continue
        while index + 1 < len(opcodes) and changed[index + 1]:
            index += 1
            _, _, i2, _, j2 = opcodes[index]
        if i2 > i1:
            old_parts.append(f"<del>{escape(''.join(old_tokens[i1:i2]))}</del>")
        if j2 > j1:
            new_parts.append(f"<ins>{escape(''.join(new_tokens[j1:j2]))}</ins>")
        index += 1
    # The newline stays outside the markup: it is not a word, and an empty <ins> shows nothing.
    return "".join(old_parts) + old_ending, "".join(new_parts) + new_ending


def diff_side_by_side(old: str, new: str) -> list[DiffRow]:
    """Every line of both texts in aligned rows, changed words marked on replaced lines."""
    old_lines = _split_lines(_normalize_newlines(old))
    new_lines = _split_lines(_normalize_newlines(new))
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in _line_opcodes(old_lines, new_lines):
        if tag == "equal":
            for offset in range(i2 - i1):
                html = mark_safe(escape(old_lines[i1 + offset]))  # noqa: S308 - escaped just now
                rows.append(DiffRow("equal", i1 + offset + 1, j1 + offset + 1, html, html))
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(paired):
            old_html, new_html = _highlight_words(old_lines[i1 + offset], new_lines[j1 + offset])
            rows.append(
                DiffRow(
                    "replace",
                    i1 + offset + 1,
                    j1 + offset + 1,
                    mark_safe(old_html),  # noqa: S308 - built from escaped pieces and our own tags
                    mark_safe(new_html),  # noqa: S308
                )
            )
        for number in range(i1 + paired, i2):
            rows.append(DiffRow("delete", number + 1, None, mark_safe(escape(old_lines[number])), ""))  # noqa: S308
        for number in range(j1 + paired, j2):
            rows.append(DiffRow("insert", None, number + 1, "", mark_safe(escape(new_lines[number]))))  # noqa: S308
    return rows


def diff_stats(old: str, new: str) -> DiffStats:
    """How many lines the change from old to new adds and removes (a replaced line is both)."""
    old_lines = _split_lines(_normalize_newlines(old))
    new_lines = _split_lines(_normalize_newlines(new))
    added = removed = 0
    for tag, i1, i2, j1, j2 in _line_opcodes(old_lines, new_lines):
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return DiffStats(added=added, removed=removed)


def _merge_lines(text: str) -> tuple[list[str], bool]:
    """The lines of a text to merge, and whether its final newline was missing (then added).

    Merging with the newline added keeps "last line" and "last line without a newline"
    from being different lines: otherwise appending to a text saved without a final
    newline (every browser form does that) touches its last line and conflicts with an
    edit there, or two appends conflict on the old last line too.
    """
    text = _normalize_newlines(text)
    missing = bool(text) and not text.endswith("\n")
    return _split_lines(text + "\n" if missing else text), missing


def _region_text(lines: list[str], start: int, end: int, newline_added: bool) -> str:
    text = "".join(lines[start:end])
    if newline_added and end == len(lines) and end > start:
        return text[:-1]
    return text


def merge_three_way(base: str, ours: str, theirs: str) -> MergeResult:
    """Merge theirs' changes since base into ours; overlapping different changes are conflicts."""
    base_lines, base_missing = _merge_lines(base)
    ours_lines, ours_missing = _merge_lines(ours)
    theirs_lines, theirs_missing = _merge_lines(theirs)
    merged: list[str] = []
    conflicts: list[MergeConflict] = []
    last_is_conflict = False
    for region in Merge3(base_lines, ours_lines, theirs_lines).merge_regions():
        last_is_conflict = False
        match region:
            case ("unchanged", start, end):
                merged.extend(base_lines[start:end])
            case ("a" | "same", start, end):
                merged.extend(ours_lines[start:end])
            case ("b", start, end):
                merged.extend(theirs_lines[start:end])
            case ("conflict", base_start, base_end, ours_start, ours_end, theirs_start, theirs_end):
                conflicts.append(
                    MergeConflict(
                        start_line=len(merged) + 1,
                        base=_region_text(base_lines, base_start, base_end, base_missing),
                        ours=_region_text(ours_lines, ours_start, ours_end, ours_missing),
                        theirs=_region_text(theirs_lines, theirs_start, theirs_end, theirs_missing),
                    )
                )
                merged.extend(ours_lines[ours_start:ours_end])
                last_is_conflict = True
            case _:
                raise AssertionError(f"unexpected merge3 region {region!r}")
    # The final newline merges like a line: ours if ours changed it, else theirs. When the
    # end of the text is in conflict it belongs to ours, which the conflict region keeps.
    missing = ours_missing if last_is_conflict or ours_missing != base_missing else theirs_missing
    text = "".join(merged)
    if missing and text.endswith("\n"):
        text = text[:-1]
    return MergeResult(text=text, conflicts=conflicts)


class _Unknown:
    """The base of a three-way merge when nobody knows what it was."""

    def __repr__(self) -> str:
        return "UNKNOWN"


# Equal to nothing but itself: a value merged from an unknown base merges only when both
# sides agree, since a change cannot be told from an older value.
UNKNOWN: Final = _Unknown()


def merge_value(base: T | _Unknown, ours: T, theirs: T) -> tuple[T, bool]:
    """Merge theirs' change of a single value since base into ours: (value, conflict).

    Unchanged on their side (theirs == base) or the same on both: ours stands. Changed
    only on their side: theirs. Changed differently on both: a conflict, and ours stands.
    """
    if theirs in (base, ours):
        return ours, False
    if ours == base:
        return theirs, False
    return ours, True


def merge_set(base: frozenset[T] | _Unknown, ours: frozenset[T], theirs: frozenset[T]) -> tuple[frozenset[T], bool]:
    """Merge theirs' additions and removals since base into ours: (members, conflict).

    Members they added join ours and members they removed leave it, so two sides adding
    or removing different members never conflict. From an unknown base a member missing
    from theirs may be one they removed or one added on our side since: only a theirs
    that keeps all of ours merges (to theirs); anything else is a conflict, because
    either answer could silently undo someone's change.
    """
    if isinstance(base, _Unknown):
        return (theirs, False) if theirs >= ours else (ours, True)
    return (ours | (theirs - base)) - (base - theirs), False


@dataclass(frozen=True)
class FieldDiff:
    """One changed field of two versions: side-by-side rows to read, the unified diff to copy."""

    field: str
    unified: str
    rows: list[DiffRow]


def fields_diff(old: dict[str, str], new: dict[str, str], *, old_label: str, new_label: str) -> list[FieldDiff]:
    """Each field of `old` (in its order) whose text differs in `new`; REST, GraphQL and the
    pages all show revisions and proposals this way."""
    return [
        FieldDiff(
            field=name,
            unified=diff_unified(
                old[name], new[name], old_label=f"{old_label}/{name}", new_label=f"{new_label}/{name}"
            ),
            rows=diff_side_by_side(old[name], new[name]),
        )
        for name in old
        if old[name] != new[name]
    ]
