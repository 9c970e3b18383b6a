"""A hub back to README.md in the program's canonical outline, with a table of contents.
Each entry carries an invisible marker (an HTML comment) so that importing the file again
gives exactly the same entries; GitHub shows a clean README."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from nexus.interchange.readme.markers import marker_write
from nexus.interchange.readme.outline import heading_title
from nexus.knowledge.models import Entry, EntryKind, EntryStatus, Hub

# (section id, heading, which entries) in the order of the program's outline.
OVERVIEW_WORDS = ("overview", "objective", "introduction", "about")
COLLABORATION_WORDS = ("collaborat", "team", "community")
SECTIONS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("technologies", "Technologies"),
    ("concepts", "Concepts"),
    ("challenges", "Challenges and solutions"),
    ("practices", "Best practices and takeaways"),
    ("weeks", "Weekly highlights"),
    ("collaboration", "Collaboration"),
    ("notes", "Notes"),
)
CHALLENGE_PARTS = (("Problem", "problem"), ("Solution", "solution"), ("Outcome", "outcome"))


def section_of(entry: Entry) -> str:
    kind = entry.kind
    if kind == EntryKind.NOTE:
        title = entry.title.lower()
        if any(word in title for word in OVERVIEW_WORDS):
            return "overview"
        if any(word in title for word in COLLABORATION_WORDS):
            return "collaboration"
        return "notes"
    return {
        EntryKind.TECHNOLOGY: "technologies",
        EntryKind.CONCEPT: "concepts",
        EntryKind.CHALLENGE: "challenges",
        EntryKind.BEST_PRACTICE: "practices",
        EntryKind.TAKEAWAY: "practices",
        EntryKind.WEEKLY_HIGHLIGHT: "weeks",
    }[EntryKind(kind)]


def hub_readme_export(hub: Hub, entries: Iterable[Entry]) -> str:
    """The README.md of `hub` holding `entries` (load them with their vocabulary)."""
    grouped: dict[str, list[Entry]] = {section: [] for section, _ in SECTIONS}
    for entry in entries:
        grouped[section_of(entry)].append(entry)
    grouped["weeks"].sort(key=lambda entry: (entry.week or 0, entry.pk))
    present = [(section, heading) for section, heading in SECTIONS if grouped[section]]
    out = [f"# {_one_line(hub.title)}", ""]
    if hub.intro.strip():
        out += [hub.intro.strip("\n"), ""]
    if present:
        out += ["## Contents", ""]
        out += [f"- [{heading}](#{_github_anchor(heading)})" for _, heading in present]
        out.append("")
    for section, heading in present:
        out += [marker_write("section", section), f"## {heading}", ""]
        for entry in grouped[section]:
            out += _entry_lines(entry)
    out += [marker_write("end"), ""]
    return "\n".join(out)


def _entry_lines(entry: Entry) -> list[str]:
    title_line = _one_line(entry.title)
    meta: dict[str, Any] = {"kind": entry.kind, "slug": entry.slug}
    if heading_title(title_line) != entry.title or "#" in entry.title:
        meta["title"] = entry.title  # a title the heading line cannot carry as it is
    if entry.summary:
        meta["summary"] = entry.summary
    if entry.week is not None:
        meta["week"] = entry.week
    if entry.status != EntryStatus.PUBLISHED:
        meta["status"] = entry.status
    for name in ("topics", "technologies"):
        slugs = [item.slug for item in getattr(entry, name).all()]
        if slugs:
            meta[name] = slugs
    tags = [tag.name for tag in entry.tags.all()]
    if tags:
        meta["tags"] = tags
    lines = [marker_write("entry", meta), f"### {title_line}", ""]
    if entry.body.strip():
        lines += [entry.body.strip("\n"), ""]
    if entry.kind == EntryKind.CHALLENGE:
        for heading, name in CHALLENGE_PARTS:
            text = getattr(entry, name)
            if text.strip():
                lines += [f"#### {heading}", "", text.strip("\n"), ""]
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
