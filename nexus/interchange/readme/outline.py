"""What a heading means: its text normalised for matching (emoji, ZWJ sequences, variation
selectors, emphasis, numbering and trailing colons removed) and the kind of section it
opens in the program's outline. Titles keep what the learner wrote; only matching uses this."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)")
NUMBERING = re.compile(r"^(?:(?:step|part|section|challenge|problem|issue)\s*)?(?:\d+|[ivx]+|[a-z])[.):]\s+", re.I)
WEEK_NUMBER = re.compile(r"\bweeks?\s*(\d{1,2})", re.I)
SPACES = re.compile(r"\s+")
# Characters that are decoration, never words: emoji and other symbols, variation selectors,
# zero-width joiners, skin-tone modifiers, and punctuation-like marks at the edges.
DECORATION_CATEGORIES = {"So", "Sk", "Cn", "Co", "Cf", "Mn", "Me"}


class _Decoration(dict[int, int | str]):
    """A `str.translate` table: decoration to a space, everything else to itself, each
    character's category looked up once (per character, not per heading); bounded, so a
    file of a million distinct characters cannot grow it without end."""

    def __missing__(self, code: int) -> int | str:
        value: int | str = " " if unicodedata.category(chr(code)) in DECORATION_CATEGORIES else code
        if len(self) < 20_000:
            self[code] = value
        return value


DECORATION = _Decoration()


def heading_key(text: str) -> str:
    """Heading text for matching: `### 1. **Database Design** 🗃️:` -> `database design`."""
    text = text.replace("\u2011", "-").replace("\u2010", "-").replace("\u00a0", " ")
    text = text.translate(DECORATION)
    text = EMPHASIS.sub("", text)
    text = SPACES.sub(" ", text).strip(" :.-–—|#")
    text = NUMBERING.sub("", text)
    return text.replace("&", " and ").replace("/", " ").lower().strip(" :.-–—").replace("  ", " ")


def heading_title(text: str) -> str:
    """What the learner wrote, minus Markdown emphasis markers and edge whitespace or colons."""
    text = re.sub(r"(\*\*|__)", "", text).strip()
    return text.rstrip(":").strip() or text.strip()


@dataclass(frozen=True)
class SectionMeaning:
    """`kind` is an entry kind, or one of the structural meanings below."""

    kind: str
    week: int | None = None


CONTAINER = "learnings"  # "Major Learnings": its children say what they are
CONTENTS = "contents"  # a table of contents: rebuilt on export, nothing to keep
NOTE = "note"

# Order matters: "Best Practices & Personal Takeaways" is best practice before takeaway,
# "Challenges & Solutions" a challenge before anything with "solution" in it.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (CONTENTS, ("table of contents", "contents", "toc")),
    ("challenge", ("challenge", "problem", "obstacle", "issues encountered", "issues faced", "roadblock", "struggle")),
    ("best-practice", ("best practice", "good practice", "guideline", "dos and don")),
    (
        "takeaway",
        (
            "takeaway",
            "insight",
            "lesson",
            "looking back",
            "reflection",
            "differently",
            "final thought",
            "conclusion",
            "what i learned",
            "what i've learned",
        ),
    ),
    ("weekly-highlight", ("week", "timeline")),
    ("technology", ("technolog", "tech stack", "stack", "tools", "frameworks", "languages")),
    ("concept", ("concept", "fundamental")),
    (CONTAINER, ("learning", "what i learnt", "knowledge")),
)
EXACT_CONTENTS = {"contents", "toc", "table of contents", "index"}
# Each kind's phrases as one pattern: a search in C instead of a generator per phrase.
RULE_PATTERNS = tuple((kind, re.compile("|".join(map(re.escape, phrases)))) for kind, phrases in RULES[1:])


def section_meaning(text: str) -> SectionMeaning | None:
    """The outline kind a heading opens, or None when its text names no kind."""
    key = heading_key(text)
    if key in EXACT_CONTENTS:
        return SectionMeaning(CONTENTS)
    for kind, pattern in RULE_PATTERNS:
        if pattern.search(key):
            if kind == "weekly-highlight":
                return SectionMeaning(kind, week_number(text))
            return SectionMeaning(kind)
    return None


def week_number(text: str) -> int | None:
    match = WEEK_NUMBER.search(heading_key(text))
    if not match:
        return None
    week = int(match.group(1))
    return week if 1 <= week <= 52 else None


# What a child section of each kind of parent becomes when its own heading names no kind.
CHILD_KIND = {
    "technology": "technology",
    "concept": "concept",
    "challenge": "challenge",
    "best-practice": "best-practice",
    "takeaway": "takeaway",
    "weekly-highlight": "weekly-highlight",
    CONTAINER: "concept",
}
