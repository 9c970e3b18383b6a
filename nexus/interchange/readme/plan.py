"""A README's text to an import plan: the hub's title and intro, the typed entries it holds
(each with its source lines, a confidence and the reason it got its kind), what is only
structure (outline headings, a table of contents, table headers), and the coverage: every
non-blank line placed exactly once, or listed with why it could not be."""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from nexus.interchange.readme.blocks import Block, ReadmeBlocks, readme_blocks
from nexus.interchange.readme.challenges import (
    BOLD_LEAD,
    LABEL_AT_START,
    LIST_MARKER,
    Challenge,
    challenge_from_unit,
    challenges_from_table,
)
from nexus.interchange.readme.markers import marker_read
from nexus.interchange.readme.outline import (
    CHILD_KIND,
    CONTAINER,
    CONTENTS,
    NOTE,
    heading_key,
    heading_title,
    section_meaning,
    week_number,
)

SPLIT_KINDS = ("technology", "concept", "best-practice", "takeaway", "weekly-highlight")
# `Python – what it is`, `Caching: why`, `Docker - containers` (a name, then a description).
NAME_AND_DESCRIPTION = re.compile(r"^(?P<name>[^:–—]{1,60}?)\s*(?:\s[-–—]\s|[:：]\s)\s*(?P<rest>\S.*)$")
RULE_OR_BLANK = re.compile(r"^\s{0,3}(?:(?:[-*_]\s*){3,})?$")
CHECK_PREFIX = re.compile(r"^\s*(?:✅|✔️?|☑️?|·|•|▪️?|➤|→)\s*")
TITLE_MAX = 200
EXPORT_PARTS = {"problem": "problem", "solution": "solution", "outcome": "outcome"}


@dataclass
class PlannedEntry:
    key: str
    kind: str
    title: str
    body: str = ""
    problem: str = ""
    solution: str = ""
    outcome: str = ""
    summary: str = ""
    week: int | None = None
    slug: str = ""
    status: str = ""
    topics: list[str] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    ranges: list[tuple[int, int]] = field(default_factory=list)  # 0-based, end exclusive
    confidence: float = 0.5
    reason: str = ""

    def content(self) -> dict[str, str]:
        return {
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "problem": self.problem,
            "solution": self.solution,
            "outcome": self.outcome,
        }

    def line_span(self) -> tuple[int, int]:
        """1-based first and last source line, for people."""
        return (min(s for s, _ in self.ranges) + 1, max(e for _, e in self.ranges)) if self.ranges else (0, 0)


@dataclass
class Coverage:
    lines: int  # non-blank source lines
    placed: int
    unplaced: list[tuple[int, str]]  # 1-based line, why

    @property
    def percent(self) -> float:
        return 100.0 if not self.lines else round(100.0 * self.placed / self.lines, 1)


@dataclass
class ReadmePlan:
    title: str
    intro: str
    entries: list[PlannedEntry]
    structure: list[tuple[int, int, str]]
    warnings: list[tuple[int, str]]
    coverage: Coverage
    hub_ranges: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Section:
    heading: Block | None
    blocks: list[Block]
    children: list[_Section]
    end: int

    @property
    def start(self) -> int:
        return self.heading.start if self.heading else (self.blocks[0].start if self.blocks else self.end)

    @property
    def body_start(self) -> int:
        return self.heading.end if self.heading else self.start


class _Planner:
    def __init__(self, parsed: ReadmeBlocks) -> None:
        self.lines = parsed.lines
        self.warnings = list(parsed.warnings)
        self.entries: list[PlannedEntry] = []
        self.structure: list[tuple[int, int, str]] = []
        self.hub_title = ""
        self.hub_ranges: list[tuple[int, int]] = []
        self.intro = ""

    # --- text of line ranges ----------------------------------------------------------

    def text(self, start: int, end: int) -> str:
        start, end = self.trim(start, end)
        return "\n".join(self.lines[start:end]).strip("\n")

    def raw(self, start: int, end: int) -> str:
        """Exactly the lines, but the blank ones at the edges (an export's own spacing)."""
        return "\n".join(self.lines[start:end]).strip("\n")

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """A range without the blank lines and thematic breaks (`---`) at its edges: rules
        between sections are decoration, and belong to no entry."""
        while start < end and RULE_OR_BLANK.match(self.lines[start]):
            start += 1
        while end > start and RULE_OR_BLANK.match(self.lines[end - 1]):
            end -= 1
        return start, end

    def item_text(self, start: int, end: int) -> tuple[str, str]:
        """A list item's first line without its marker, and the rest dedented."""
        first = LIST_MARKER.sub("", self.lines[start], count=1).strip()
        rest = self.lines[start + 1 : end]
        indents = [len(line) - len(line.lstrip(" ")) for line in rest if line.strip()]
        cut = min(indents, default=0)
        return first, "\n".join(line[cut:] for line in rest).strip("\n")

    # --- output ------------------------------------------------------------------------

    def add(
        self, kind: str, title: str, ranges: list[tuple[int, int]], confidence: float, reason: str, **fields: Any
    ) -> None:
        title = title.strip() or "Untitled"
        if len(title) > TITLE_MAX:
            title = title[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
        ranges = [r for r in (self.trim(s, e) for s, e in ranges) if r[1] > r[0]]
        if kind == "weekly-highlight" and not fields.get("week"):
            kind, reason = NOTE, reason + "; no week number, so kept as a note"
        self.entries.append(
            PlannedEntry(key="", kind=kind, title=title, ranges=ranges, confidence=confidence, reason=reason, **fields)
        )

    def add_structure(self, start: int, end: int, why: str) -> None:
        if end > start:
            self.structure.append((start, end, why))

    # --- the document -------------------------------------------------------------------

    def plan(self, blocks: list[Block]) -> None:
        for block in blocks:
            if block.kind == "hr":
                self.add_structure(block.start, block.end, "thematic break")
        segments = _marker_segments(blocks, self.lines)
        for index, (kind, segment) in enumerate(segments):
            if kind == "marked":
                following = segments[index + 1][1][0].start if index + 1 < len(segments) else len(self.lines)
                self.marked_entry(segment, following)
            elif kind == "marker":
                self.add_structure(segment[0].start, segment[0].end, "Nexus export marker")
            else:
                self.outline(segment)

    def outline(self, blocks: list[Block]) -> None:
        if not blocks:
            return
        root = _tree(blocks)
        preamble, sections = root.blocks, root.children
        first = sections[0] if sections else None
        if first is not None and first.heading is not None and first.heading.level == 1 and not self.hub_title:
            # The first H1 names the hub; it and the text before its first subsection are the intro.
            self.hub_title = heading_title(first.heading.text)
            intro_end = first.children[0].start if first.children else first.end
            self.set_intro(preamble[0].start if preamble else first.start, intro_end, first.heading)
            sections = first.children + sections[1:]
        elif preamble and sections and not self.hub_ranges:
            self.set_intro(preamble[0].start, preamble[-1].end, None)
        elif preamble:
            # With no heading at all (only HTML, one long line, a bare list) the text is a
            # note: as the hub's intro it would be dropped whenever the hub has one already.
            start, end = preamble[0].start, preamble[-1].end
            why = "text before the first heading" if sections else "a file with no headings, kept whole"
            self.add(NOTE, "Notes", [(start, end)], 0.5, why, body=self.text(start, end))
        for section in sections:
            self.section(section, inherited=None)

    def set_intro(self, start: int, end: int, heading: Block | None) -> None:
        self.hub_ranges.append((start, end))
        body_start = heading.end if heading else start
        before = self.text(start, heading.start) if heading else ""
        self.intro = "\n\n".join(part for part in (before, self.text(body_start, end)) if part.strip())

    def section(self, section: _Section, inherited: str | None) -> None:
        assert section.heading is not None
        heading = section.heading
        meaning = section_meaning(heading.text)
        kind = meaning.kind if meaning else CHILD_KIND.get(inherited or "")
        own_end = section.children[0].start if section.children else section.end
        if kind == CONTENTS:
            self.add_structure(section.start, section.end, "table of contents (rebuilt on export)")
            return
        if kind in (None, NOTE) and not _any_meaning(section.children):
            self.leaf_note(section, section.end, "its heading names no kind")
            return
        if section.children:
            if self.text(heading.end, own_end).strip():
                self.leaf(section, kind, own_end, meaning is not None, inherited)
            else:
                self.add_structure(heading.start, heading.end, "outline heading")
            child_kind = kind if kind not in (None, NOTE) else None
            for child in section.children:
                self.section(child, inherited=child_kind)
            return
        self.leaf(section, kind, section.end, meaning is not None, inherited)

    def leaf(self, section: _Section, kind: str | None, end: int, named: bool, inherited: str | None) -> None:
        assert section.heading is not None
        blocks = [block for block in section.blocks if block.start < end]
        if kind in (None, NOTE, CONTAINER):
            self.leaf_note(
                section, end, "a section of the outline" if kind == CONTAINER else "its heading names no kind"
            )
        elif kind == "challenge":
            if inherited == "challenge" or re.match(
                r"^(challenge|problem|issue)\s*\d", heading_key(section.heading.text)
            ):
                self.single_challenge(section, end)
            else:
                self.challenge_section(section, blocks, end)
        else:
            self.kind_section(section, blocks, kind, end, named)

    def leaf_note(self, section: _Section, end: int, why: str) -> None:
        assert section.heading is not None
        if not self.text(section.heading.end, end).strip():
            self.add_structure(section.heading.start, section.heading.end, "empty section")
            return
        self.add(
            NOTE,
            heading_title(section.heading.text),
            [(section.start, end)],
            0.5,
            f"kept as a note: {why}",
            body=self.text(section.heading.end, end),
        )

    def single_challenge(self, section: _Section, end: int) -> None:
        """Family 2: a heading per challenge, labelled paragraphs (or prose) under it."""
        assert section.heading is not None
        lines = self.lines[section.heading.end : end]
        found = challenge_from_unit(lines, title=heading_title(section.heading.text), family="heading")
        assert found is not None
        self.add_challenge(found, [(section.start, end)], 0.85 if found.family == "labelled" else 0.7)

    def add_challenge(self, found: Challenge, ranges: list[tuple[int, int]], confidence: float) -> None:
        reason = "challenge" + (" with its solution" if found.solution else " with no solution yet (an open question)")
        self.add(
            "challenge",
            found.title,
            ranges,
            confidence,
            f"{reason} ({found.family or 'labelled'})",
            problem=found.problem,
            solution=found.solution,
            outcome=found.outcome,
            body=found.body,
        )

    def challenge_section(self, section: _Section, blocks: list[Block], end: int) -> None:
        assert section.heading is not None
        self.add_structure(section.heading.start, section.heading.end, "outline heading")
        units: list[list[tuple[int, int]]] = []  # each unit: line ranges
        intro: list[tuple[int, int]] = []
        for block in blocks:
            if block.kind == "hr":
                continue
            if block.kind == "table":
                found = challenges_from_table(block.rows)
                if found:
                    self.add_structure(
                        block.start, block.rows[1][0] if len(block.rows) > 1 else block.end, "table header"
                    )
                    for number, challenge in enumerate(found, start=1):
                        row_line = block.rows[number][0]
                        self.add_challenge(challenge, [(row_line, row_line + 1)], 0.9)
                    continue
            for unit in _units(block, self.lines):
                first = self.lines[unit[0]]
                label = LABEL_AT_START.match(first)
                continues = label is not None and label.group("label").lower().split()[0] in (
                    "solution",
                    "solutions",
                    "fix",
                    "key",
                    "resolution",
                    "workaround",
                    "how",
                    "tools",
                    "tool",
                    "lesson",
                    "lessons",
                    "outcome",
                    "result",
                )
                if block.kind in ("fence", "code", "html", "quote") or continues:
                    (units[-1] if units else intro).append(unit)
                elif not units and block.kind == "paragraph" and first.rstrip().endswith(":") and not label:
                    intro.append(unit)
                else:
                    units.append([unit])
        if intro:
            self.add(
                NOTE,
                heading_title(section.heading.text),
                intro,
                0.5,
                "the text that introduces a challenges section",
                body="\n\n".join(self.text(s, e) for s, e in intro),
            )
        for ranges in units:
            lines = [line for start, stop in ranges for line in (*self.lines[start:stop], "")][:-1]
            unit_challenge = challenge_from_unit(lines)
            if unit_challenge is None:
                continue
            confidence = {"labelled": 0.9, "title-and-solution": 0.75}.get(unit_challenge.family, 0.6)
            self.add_challenge(unit_challenge, ranges, confidence)

    def kind_section(self, section: _Section, blocks: list[Block], kind: str, end: int, named: bool) -> None:
        """Technologies, concepts, practices, takeaways, weeks: one entry per named item when
        the list items carry a name and a description, else one entry for the section."""
        assert section.heading is not None
        heading = section.heading
        items = [
            (s, e, block)
            for block in blocks
            for s, e in _units(block, self.lines)
            if block.kind in ("list", "paragraph")
        ]
        items = [(s, e, b) for s, e, b in items if b.kind == "list" or CHECK_PREFIX.match(self.lines[s])]
        named_items = [(s, e, self.item_name(s, e)) for s, e, _ in items]
        with_names = [item for item in named_items if item[2] is not None]
        title = heading_title(heading.text)
        if kind in SPLIT_KINDS and len(with_names) >= 2 and len(with_names) >= 0.6 * len(named_items):
            placed = {(s, e) for s, e, _ in named_items}
            for start, stop, name in named_items:
                first, rest = self.item_text(start, stop)
                name_title, description = name if name else (first, "")
                body = "\n".join(part for part in (description, rest) if part.strip())
                week = week_number(name_title) if kind == "weekly-highlight" else None
                self.add(kind, name_title, [(start, stop)], 0.75, f"an item under “{title}”", body=body, week=week)
            leftovers = [
                (b.start, b.end) for b in blocks if b.kind != "hr" and not any(b.start <= s < b.end for s, _ in placed)
            ]
            ranges = [(heading.start, heading.end), *leftovers]
            if leftovers:
                body = "\n\n".join(self.text(s, e) for s, e in leftovers)
                self.add(NOTE, title, ranges, 0.5, f"the text around the items of “{title}”", body=body)
            else:
                self.add_structure(heading.start, heading.end, "outline heading")
            return
        week = week_number(heading.text) if kind == "weekly-highlight" else None
        self.add(
            kind,
            title,
            [(section.start, end)],
            0.8 if named else 0.65,
            f"its heading names a {kind.replace('-', ' ')}" if named else "its place in the outline",
            body=self.text(heading.end, end),
            week=week,
        )

    def item_name(self, start: int, stop: int) -> tuple[str, str] | None:
        """(name, description) of `**Name** – description` items, or None."""
        line = CHECK_PREFIX.sub("", LIST_MARKER.sub("", self.lines[start], count=1)).strip()
        lead = BOLD_LEAD.match(line)
        if lead:
            rest = line[lead.end() :].lstrip("–—-: ").strip()
            if rest or stop - start > 1:
                return heading_title(lead.group("title")), rest
            return None
        match = NAME_AND_DESCRIPTION.match(line)
        if match and len(match.group("name").split()) <= 6:
            return match.group("name").strip(), match.group("rest").strip()
        return None

    # --- entries between Nexus export markers -------------------------------------------

    def marked_entry(self, blocks: list[Block], region_end: int) -> None:
        marker = marker_read(self.lines[blocks[0].start]) or ("entry", {})
        data = marker[1] if isinstance(marker[1], dict) else {}
        heading = next((b for b in blocks[1:] if b.kind == "heading"), None)
        if heading is None:
            self.outline(blocks[1:])
            self.add_structure(blocks[0].start, blocks[0].end, "Nexus export marker")
            return
        fields: dict[str, Any] = {"body": "", "problem": "", "solution": "", "outcome": ""}
        current, start = "body", heading.end
        for block in blocks:
            part = heading_key(block.text) if block.kind == "heading" and block.level == 4 else ""
            if block.start >= heading.end and part in EXPORT_PARTS and data.get("kind") == "challenge":
                fields[current] = self.raw(start, block.start)
                current, start = EXPORT_PARTS[part], block.end
        fields[current] = self.raw(start, region_end)
        kind = str(data.get("kind") or NOTE)
        self.add(
            kind,
            heading_title(heading.text) if not data.get("title") else str(data["title"]),
            [(blocks[0].start, region_end)],
            1.0,
            "exported by Nexus",
            summary=str(data.get("summary") or ""),
            week=data.get("week"),
            slug=str(data.get("slug") or ""),
            status=str(data.get("status") or ""),
            topics=[str(t) for t in data.get("topics") or []],
            technologies=[str(t) for t in data.get("technologies") or []],
            tags=[str(t) for t in data.get("tags") or []],
            **fields,
        )


def _any_meaning(sections: list[_Section]) -> bool:
    return any(
        (s.heading is not None and section_meaning(s.heading.text) is not None) or _any_meaning(s.children)
        for s in sections
    )


def _units(block: Block, lines: list[str]) -> list[tuple[int, int]]:
    """The parts of a block that can each be one entry: list items, `✅` lines, the block."""
    if block.kind == "list" and block.items:
        return [
            (start, min(end, block.end) if index == len(block.items) - 1 else end)
            for index, (start, end) in enumerate(block.items)
        ]
    if block.kind == "paragraph" and any(CHECK_PREFIX.match(lines[n]) for n in range(block.start, block.end)):
        starts = [n for n in range(block.start, block.end) if CHECK_PREFIX.match(lines[n])]
        if starts[0] != block.start:
            starts.insert(0, block.start)
        return [(s, e) for s, e in zip(starts, [*starts[1:], block.end], strict=True)]
    return [(block.start, block.end)]


def _tree(blocks: list[Block]) -> _Section:
    """Sections nested by heading level; a section ends where the next one of its level or
    higher starts."""
    end_of_all = blocks[-1].end if blocks else 0
    root = _Section(None, [], [], end_of_all)
    stack: list[tuple[int, _Section]] = [(0, root)]
    for block in blocks:
        if block.kind == "heading":
            while stack[-1][0] >= block.level and len(stack) > 1:
                _, closed = stack.pop()
                closed.end = block.start
            section = _Section(block, [], [], end_of_all)
            stack[-1][1].children.append(section)
            stack.append((block.level, section))
        else:
            stack[-1][1].blocks.append(block)
    for _, open_section in stack[1:]:
        open_section.end = end_of_all
    return root


def _marker_segments(blocks: list[Block], lines: list[str]) -> list[tuple[str, list[Block]]]:
    """Split blocks at Nexus export markers: ("outline", blocks), ("marked", marker + entry
    blocks), ("marker", [a section or end marker])."""
    segments: list[tuple[str, list[Block]]] = []
    current: tuple[str, list[Block]] = ("outline", [])
    for block in blocks:
        marker = marker_read(lines[block.start]) if block.kind == "html" else None
        if marker is None:
            current[1].append(block)
            continue
        if current[1]:
            segments.append(current)
        if marker[0] == "entry":
            current = ("marked", [block])
        else:
            segments.append(("marker", [block]))
            current = ("outline" if marker[0] == "end" else "sectioned", [])
    if current[1]:
        segments.append(current)
    # Between a section marker and the next entry, only the section's own heading stands.
    return [("marker", seg) if kind == "sectioned" else (kind, seg) for kind, seg in segments]


def readme_plan(text: str) -> ReadmePlan:
    """Plan the import of a decoded README (no database)."""
    with _collector_paused():
        parsed = readme_blocks(text)
        planner = _Planner(parsed)
        planner.plan(parsed.blocks)
        _assign_keys(planner.entries)
        coverage = _coverage(parsed.lines, planner)
    return ReadmePlan(
        title=planner.hub_title,
        intro=planner.intro,
        entries=planner.entries,
        structure=planner.structure,
        warnings=planner.warnings,
        coverage=coverage,
        hub_ranges=planner.hub_ranges,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is planned. Parsing allocates a few
    objects per line (tokens, blocks, sections), each counting towards the next full
    collection of the whole process: on a file of 10,000 headings those collections were 40%
    of the time, and found nothing (reference counting frees all of it). Collection resumes
    on the way out, an exception included."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _assign_keys(entries: list[PlannedEntry]) -> None:
    """Identity of an entry within its file, stable across edits of its text: the matching
    form of its title, numbered when a title repeats. (An exported entry is also found by
    the slug its marker carries.)"""
    seen: Counter[str] = Counter()
    for entry in entries:
        base = heading_key(entry.title) or entry.slug or "untitled"
        seen[base] += 1
        entry.key = base if seen[base] == 1 else f"{base}#{seen[base]}"


def _coverage(lines: list[str], planner: _Planner) -> Coverage:
    owners = [0] * len(lines)
    for start, end in [*planner.hub_ranges, *(r for e in planner.entries for r in e.ranges)]:
        for number in range(start, min(end, len(lines))):
            owners[number] += 1
    # Structure (outline headings, rules, table headers) fills only what no entry took.
    for start, end, _ in planner.structure:
        for number in range(start, min(end, len(lines))):
            owners[number] = owners[number] or 1
    non_blank = [n for n, line in enumerate(lines) if line.strip()]
    unplaced = [(n + 1, "no entry or note took this line") for n in non_blank if owners[n] == 0]
    doubled = [(n + 1, "placed twice") for n in non_blank if owners[n] > 1]
    return Coverage(
        lines=len(non_blank), placed=len(non_blank) - len(unplaced) - len(doubled), unplaced=unplaced + doubled
    )
