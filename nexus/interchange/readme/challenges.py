"""Challenge / solution pairs in the six families README-FORMATS.md lists: tables, a
heading per challenge with labelled paragraphs, bullets with inline labels, plain labelled
lines, `**Title:** solution` bullets, and prose. A challenge with no solution is kept as an
open challenge (a question for the cohort)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nexus.interchange.readme.outline import heading_key, heading_title

EMPH = r"(?:\*\*|__|\*|_)?"
LABEL_WORDS = (
    r"issues? encountered|issues? faced|challenge|problem|issue|obstacle|"
    r"solution implemented|solutions?|key fix|fix|resolution|workaround|how i solved it|"
    r"description|tools? used|tools?|lessons? learned|lesson|outcome|result"
)
# A label at the start of a line (after a list marker or an emoji), emphasis and colon in
# any order: `**Challenge:**`, `**Challenge**:`, `_Fix_:`, `✅ Solution:`, `Solution:text`.
LABEL_AT_START = re.compile(
    rf"^\s*(?:[-*+·]\s+|\d+[.)]\s+)?(?:[^\w\s*_\\]{{1,4}}\s*)?{EMPH}\s*(?P<label>{LABEL_WORDS})(?:\s*\d+)?\s*{EMPH}"
    rf"\s*[:：]\s*{EMPH}\s*",
    re.I,
)
# The same label later on a line: `Challenge: slow queries. Solution: an index.`
LABEL_INLINE = re.compile(
    rf"(?<=\s){EMPH}(?P<label>solution implemented|solution|fix|resolution|workaround|tools?|lesson|outcome)"
    rf"{EMPH}\s*[:：]\s*{EMPH}\s*",
    re.I,
)
FIELD_OF_LABEL = {
    "challenge": "problem",
    "problem": "problem",
    "issue": "problem",
    "issues": "problem",
    "obstacle": "problem",
    "description": "problem",
    "solution": "solution",
    "solutions": "solution",
    "fix": "solution",
    "key fix": "solution",
    "resolution": "solution",
    "workaround": "solution",
    "how i solved it": "solution",
    "solution implemented": "solution",
    "tools": "solution",
    "tool": "solution",
    "tools used": "solution",
    "lesson": "outcome",
    "lessons learned": "outcome",
    "lesson learned": "outcome",
    "outcome": "outcome",
    "result": "outcome",
}
# Labels kept in the text (they add meaning); the rest are the field's own name.
KEPT_LABELS = {"tools", "tool", "tools used", "lesson", "lesson learned", "lessons learned", "description"}
BOLD_LEAD = re.compile(r"^\s*(?:[-*+·]\s+|\d+[.)]\s+)?(?:[^\w\s*_\\]{1,4}\s*)?(\*\*|__)(?P<title>.+?)\1\s*[:：]?\s*")
LIST_MARKER = re.compile(r"^\s*(?:[-*+·]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
SOLUTION_CUES = re.compile(
    r"\b(to (?:overcome|solve|fix|address) (?:this|it|that)|i (?:solved|fixed|resolved|overcame|used|switched|added)"
    r"|we (?:solved|fixed|resolved|used|switched|added)|the fix|the solution|resolved (?:it|this) by|by using)\b",
    re.I,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TITLE_MAX = 120
SPACES_RE = re.compile(r"\s+")


@dataclass
class Challenge:
    title: str
    problem: str = ""
    solution: str = ""
    outcome: str = ""
    body: str = ""
    family: str = ""
    lines: list[int] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return not self.solution.strip()


def challenge_from_unit(lines: list[str], *, title: str | None = None, family: str = "") -> Challenge | None:
    """Read one unit (a list item, a paragraph, or a heading's section body) as a challenge.
    Returns None when the unit only continues the previous one (a lone `Solution:` line)."""
    parts: dict[str, list[str]] = {"pre": [], "problem": [], "solution": [], "outcome": []}
    current = "pre"
    labelled = False
    lead_title = None
    for number, line in enumerate(lines):
        if number == 0 and title is None:
            lead = BOLD_LEAD.match(line)
            if lead and not LABEL_AT_START.match(line):
                lead_title = heading_title(lead.group("title"))
                line = line[lead.end() :]
                current = "lead"
                parts.setdefault("lead", [])
        match = LABEL_AT_START.match(line)
        if match:
            labelled = True
            label = SPACES_RE.sub(" ", match.group("label").lower())
            current = FIELD_OF_LABEL.get(label, "problem")
            rest = line[match.end() :]
            line = f"{label.capitalize()}: {rest}" if label in KEPT_LABELS else rest
        elif number == 0:
            line = LIST_MARKER.sub("", line, count=1)
        pieces = _inline_labels(line, current)
        labelled = labelled or len(pieces) > 1
        for piece_field, piece in pieces:
            parts.setdefault(piece_field, []).append(piece)
        current = pieces[-1][0]
    lead_text = _text(parts.get("lead", []))
    pre = _text(parts["pre"])
    problem, solution, outcome = _text(parts["problem"]), _text(parts["solution"]), _text(parts["outcome"])
    if labelled:
        problem = "\n\n".join(part for part in (pre, lead_text, problem) if part)
    elif lead_title is not None:
        solution = "\n\n".join(part for part in (lead_text, pre) if part)  # `**N+1 queries:** used select_related`
        family = family or "title-and-solution"
    else:
        problem, solution = _prose_split(pre)
        family = family or "prose"
    chosen_title = title or lead_title or _first_sentence(problem) or _first_sentence(solution)
    if not chosen_title:
        return None
    if not problem and not lead_title and title is None and labelled and solution:
        return None  # only a solution: it belongs to the challenge before it
    return Challenge(
        title=chosen_title,
        problem=problem,
        solution=solution,
        outcome=outcome,
        family=family or ("labelled" if labelled else ""),
    )


def _inline_labels(line: str, current: str) -> list[tuple[str, str]]:
    """Split `Challenge: x Solution: y` on one line into its fields; the last piece's field
    is where the following lines go."""
    pieces = []
    position = 0
    field_name = current
    for match in LABEL_INLINE.finditer(line):
        pieces.append((field_name, line[position : match.start()].rstrip()))
        label = match.group("label").lower()
        field_name = FIELD_OF_LABEL.get(label, field_name)
        position = match.start() if label in KEPT_LABELS else match.end()
    pieces.append((field_name, line[position:]))
    return [pieces[0], *(piece for piece in pieces[1:] if piece[1].strip())]


def _text(lines: list[str]) -> str:
    if not lines:
        return ""
    text = "\n".join(line.rstrip() for line in lines)
    # A trailing `\` was a hard line break before the next label, not part of the text.
    return _dedent(text).strip("\n").strip().removesuffix("\\").rstrip()


def _dedent(text: str) -> str:
    rows = text.split("\n")
    indents = [len(row) - len(row.lstrip(" ")) for row in rows[1:] if row.strip()]
    cut = min(indents, default=0)
    return "\n".join([rows[0].strip(), *(row[cut:] for row in rows[1:])]) if rows else text


def _prose_split(text: str) -> tuple[str, str]:
    """Prose with no labels: the paragraph (or sentence) where a solution cue starts ("To
    overcome this, I...") begins the solution; everything before is the problem."""
    paragraphs = text.split("\n\n")
    for index, paragraph in enumerate(paragraphs):
        if SOLUTION_CUES.search(paragraph) and index > 0:
            return "\n\n".join(paragraphs[:index]).strip(), "\n\n".join(paragraphs[index:]).strip()
    sentences = SENTENCE_END.split(text) if "\n" not in text.strip() else []
    for index, sentence in enumerate(sentences):
        if index > 0 and SOLUTION_CUES.search(sentence):
            return " ".join(sentences[:index]).strip(), " ".join(sentences[index:]).strip()
    return text.strip(), ""


def _first_sentence(text: str) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    line = re.sub(r"(\*\*|__)", "", line)
    sentence = SENTENCE_END.split(line, maxsplit=1)[0].rstrip(".:; ")
    if len(sentence) <= TITLE_MAX:
        return sentence
    cut = sentence[:TITLE_MAX].rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + "…"


def challenges_from_table(rows: list[tuple[int, list[str]]]) -> list[Challenge] | None:
    """Family 1: `| Challenge | Solution |` or `| Challenge | Description | Solution |`."""
    if len(rows) < 2:
        return None
    header = [heading_key(cell) for cell in rows[0][1]]
    challenge_col = _column(header, ("challenge", "problem", "issue", "obstacle"))
    solution_col = _column(header, ("solution", "fix", "resolution", "workaround", "how i solved"))
    if challenge_col is None or solution_col is None:
        return None
    description_col = _column(header, ("description", "detail", "context", "cause"))
    outcome_col = _column(header, ("outcome", "result", "lesson", "impact"))
    found = []
    for line, cells in rows[1:]:

        def cell(index: int | None, cells: list[str] = cells) -> str:
            return cells[index].strip() if index is not None and index < len(cells) else ""

        title = heading_title(cell(challenge_col)) or f"Challenge on line {line + 1}"
        problem = cell(description_col) or cell(challenge_col)
        found.append(
            Challenge(
                title=_first_sentence(title) or title,
                problem=problem,
                solution=cell(solution_col),
                outcome=cell(outcome_col),
                family="table",
                lines=[line],
            )
        )
    return found


def _column(header: list[str], words: tuple[str, ...]) -> int | None:
    for index, text in enumerate(header):
        if any(word in text for word in words):
            return index
    return None
