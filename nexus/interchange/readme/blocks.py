"""A README as a flat list of top-level blocks with their source line ranges, read off
markdown-it's token stream (never regexes over raw lines for structure): fenced code keeps
its `# comment` lines, headings nested in list items still open sections, and the traps of
real files (merge markers under a line, `Title` over `---`, unfenced GraphQL comments,
unclosed fences, plain-text title lines) are decided here once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Only block tokens are read (an inline token's `content` is its raw source text), so the
# inline pass, which would fill `children` nobody reads, is switched off: it was a third
# of the parse.
PARSER = MarkdownIt("commonmark", {"maxNesting": 40}).enable("table").disable(["inline", "text_join"])
MERGE_MARKER = re.compile(r"^\s*(={7}|<{7}|>{7})(\s.*)?$")
CODE_LIKE = re.compile(r"[{}();]\s*$|^\s*[{}]")
TITLE_LINE_MAX = 70


@dataclass
class Block:
    kind: str  # heading, paragraph, list, table, fence, html, hr, quote, code
    start: int  # first source line (0-based)
    end: int  # one past the last non-blank line
    level: int = 0  # heading level
    text: str = ""  # heading text, or a paragraph's inline text
    items: list[tuple[int, int]] = field(default_factory=list)  # list items' line ranges
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # table rows: line, cells


@dataclass
class ReadmeBlocks:
    lines: list[str]
    blocks: list[Block]
    warnings: list[tuple[int, str]]


def readme_blocks(text: str) -> ReadmeBlocks:
    """The blocks of `text` (already decoded, `\\n` line ends)."""
    lines = text.split("\n")
    tokens = PARSER.parse(text)
    blocks: list[Block] = []
    warnings: list[tuple[int, str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        close = _closing_index(tokens, index)
        if token.level == 0 and token.map is not None:
            blocks.extend(_top_level(tokens[index : close + 1], lines, warnings))
        index = close + 1
    blocks = [_trimmed(block, lines) for block in blocks]
    if not any(block.kind == "heading" for block in blocks):
        blocks = _plain_title_lines(blocks, lines)
    return ReadmeBlocks(lines, blocks, warnings)


def _closing_index(tokens: list[Token], index: int) -> int:
    if tokens[index].nesting != 1:
        return index
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1


def _top_level(group: list[Token], lines: list[str], warnings: list[tuple[int, str]]) -> list[Block]:
    first = group[0]
    start, end = first.map or (0, 0)
    if first.type == "heading_open":
        return [_heading(first, group[1].content, lines, start, end)]
    if first.type in ("bullet_list_open", "ordered_list_open"):
        return _list(group, start, end)
    if first.type == "table_open":
        return [Block("table", start, end, rows=_row_cells(group))]
    if first.type == "fence":
        if not _fence_closed(first, lines, end):
            warnings.append(
                (start + 1, f"The code fence opened on line {start + 1} is never closed; it was closed at the end.")
            )
        return [Block("fence", start, end, text=first.info)]
    kinds = {
        "paragraph_open": "paragraph",
        "html_block": "html",
        "hr": "hr",
        "blockquote_open": "quote",
        "code_block": "code",
    }
    text = group[1].content if first.type == "paragraph_open" and len(group) > 1 else first.content
    return [Block(kinds.get(first.type, "paragraph"), start, end, text=text)]


def _row_cells(group: list[Token]) -> list[tuple[int, list[str]]]:
    rows: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for token in group:
        if token.type == "tr_open":
            current = []
            rows.append(((token.map or (0, 0))[0], current))
        elif token.type == "inline" and current is not None:
            current.append(token.content)
    return rows


def _heading(token: Token, text: str, lines: list[str], start: int, end: int) -> Block:
    if token.markup in ("=", "-"):
        underline = lines[end - 1] if end - 1 < len(lines) else ""
        # A merge marker or a rule under a sentence is not a title; a short line is.
        if (
            MERGE_MARKER.match(underline)
            or end - start > 2
            or len(text) > TITLE_LINE_MAX
            or text.rstrip()[-1:] in ".,;"
        ):
            return Block("paragraph", start, end, text=text)
    elif token.markup == "#" and text[:1].islower() and _between_code(lines, start):
        # `# fetch one user` between `query {` lines of an unfenced GraphQL example.
        return Block("code", start, end, text=text)
    return Block("heading", start, end, level=int(token.tag[1]), text=text)


def _between_code(lines: list[str], line: int) -> bool:
    neighbours = [text for text in (*reversed(lines[max(0, line - 2) : line]), *lines[line + 1 : line + 3]) if text]
    return any(CODE_LIKE.search(text) for text in neighbours[:2])


def _list(group: list[Token], start: int, end: int) -> list[Block]:
    """A list, split where a list item holds a heading (`- ## Challenges and Solutions`)."""
    blocks: list[Block] = []
    items: list[tuple[int, int]] = []
    for position, token in enumerate(group):
        if token.type == "list_item_open" and token.level == 1 and token.map:
            items.append((token.map[0], token.map[1]))
        elif token.type == "heading_open" and token.map and token.level == 2:
            if items[:-1]:
                blocks.append(Block("list", items[0][0], items[-2][1], items=items[:-1]))
            line = token.map[0]
            blocks.append(Block("heading", line, line + 1, level=int(token.tag[1]), text=group[position + 1].content))
            rest_start, rest_end = line + 1, items[-1][1]
            if rest_end > rest_start:
                blocks.append(Block("paragraph", rest_start, rest_end))
            items = []
    if items:
        blocks.append(Block("list", items[0][0], end if blocks == [] else items[-1][1], items=items))
    return blocks


def _fence_closed(token: Token, lines: list[str], end: int) -> bool:
    last = lines[end - 1].strip() if 0 < end <= len(lines) else ""
    marker = token.markup
    return end - (token.map or (0, 0))[0] >= 2 and last.startswith(marker) and set(last) <= {marker[0]}


def _trimmed(block: Block, lines: list[str]) -> Block:
    end = block.end
    while end > block.start + 1 and not lines[end - 1].strip():
        end -= 1
    block.end = end
    return block


def _plain_title_lines(blocks: list[Block], lines: list[str]) -> list[Block]:
    """In a file with no Markdown headings, short one-line paragraphs are its titles."""
    result: list[Block] = []
    for block in blocks:
        one_line = block.kind == "paragraph" and block.end - block.start == 1
        text = lines[block.start].strip() if one_line else ""
        if one_line and 0 < len(text) <= TITLE_LINE_MAX and text[-1] not in ".,;!?" and not text.startswith(("[", "<")):
            level = 1 if not result else 2
            result.append(Block("heading", block.start, block.end, level=level, text=text))
        else:
            result.append(block)
    return result
