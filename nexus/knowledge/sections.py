"""How a hub is read, on its page and in the static site alike: its sections in the order a
learner's README tells them, and long parts shortened to a line of prose."""

from __future__ import annotations

import re

from django.utils.text import Truncator

from nexus.knowledge.models import EntryKind

HUB_SECTIONS: tuple[tuple[str, str, str], ...] = (
    (EntryKind.TECHNOLOGY, "technologies", "Technologies"),
    (EntryKind.CONCEPT, "concepts", "Concepts"),
    (EntryKind.CHALLENGE, "challenges", "Challenges and solutions"),
    (EntryKind.BEST_PRACTICE, "best-practices", "Best practices"),
    (EntryKind.TAKEAWAY, "takeaways", "Takeaways"),
    (EntryKind.WEEKLY_HIGHLIGHT, "timeline", "Weekly highlights"),
    (EntryKind.NOTE, "notes", "Notes"),
)

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
EXCERPT_SOURCE_CHARS = 2000  # enough for 40 words; a 200 kB body is never scanned whole


def markdown_excerpt(markdown: str, words: int = 40) -> str:
    """The start of a Markdown part as one line of prose: code blocks left out."""
    prose = " ".join(_FENCE.sub(" ", markdown[:EXCERPT_SOURCE_CHARS]).split())
    return Truncator(prose).words(words) if prose else ("(code: see the entry)" if markdown.strip() else "")
