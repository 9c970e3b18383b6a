"""The one Markdown renderer of Nexus: CommonMark + GFM in, sanitised HTML and facts out.

Entries, comments and answers all render through `markdown_render`. The pipeline is
markdown-it-py (parse, raw HTML allowed) -> our token pass (heading ids, facts) ->
markdown-it's HTML renderer (Pygments for fences) -> nh3 (the only thing that decides
what HTML survives). The parser and the sanitiser are built once, at import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from nexus.core.errors import NexusError

MARKDOWN_MAX_BYTES: int = 262_144  # UTF-8 bytes

# Block nesting deeper than this renders as plain text. markdown-it's own recursion guard;
# the CommonMark preset's 20 is already generous for prose and keeps "> > > ..." linear.
MAX_NESTING = 20

# A fence larger than this is shown escaped instead of highlighted: Pygments lexers are
# regex state machines, and a few are far slower than linear on hostile input.
HIGHLIGHT_MAX_CHARS = 32_768

LINK_REL = "nofollow noopener noreferrer"

TOC_LEVELS = range(2, 5)


class MarkdownTooLarge(NexusError):
    code = "markdown_too_large"
    status = 400
    message = "This Markdown is too large."

    def __init__(self, size_bytes: int, max_bytes: int) -> None:
        super().__init__(
            f"This Markdown is {size_bytes:,} bytes; the limit is {max_bytes:,} bytes. "
            "Split the entry into smaller entries and link them together.",
            details={"size_bytes": size_bytes, "max_bytes": max_bytes},
        )


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    line: int  # 1-based line of the source


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str  # sanitised HTML, safe to mark_safe in templates
    toc: list[Heading]  # headings of level 2 to 4, in order
    headings: list[Heading]  # every heading, in order
    images_without_alt: list[int]  # source lines of images whose alt text is empty
    fences_without_language: list[int]  # source lines of fenced code blocks with no info string
    links: list[str]  # every Markdown link href, in order, as it appears in the HTML


# --- parser ---------------------------------------------------------------------------


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "maxNesting": MAX_NESTING, "xhtmlOut": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(tasklists_plugin)  # disabled checkboxes by default
    assert md.linkify is not None  # linkify-it-py is installed with markdown-it-py[linkify]
    # Bare host names are not links: "README.md", "settings.py" and "main.rs" all end in a
    # country TLD, and a developer's notes are full of them. Scheme links, "www." links and
    # e-mail addresses are linked, as on GitHub.
    md.linkify.set({"fuzzy_link": False})
    md.linkify.add("ftp:", None)  # the sanitiser would strip the href anyway
    www = _WwwLinks(md.linkify.re)
    # Bound methods: linkify-it would otherwise graft plain functions onto its class.
    md.linkify.add("www.", {"validate": www.validate, "normalize": www.normalize})
    md.add_render_rule("fence", _render_fence)
    return md


class _WwwLinks:
    """GitHub's "www." autolinks, which linkify-it only finds as fuzzy links."""

    def __init__(self, patterns: dict[str, str]) -> None:
        self.tail = re.compile(
            f"(?:(?:{patterns['src_domain']})\\.)*{patterns['src_domain_root']}{patterns['src_port']}"
            f"{patterns['src_host_terminator']}{patterns['src_path']}",
            flags=re.IGNORECASE,
        )

    def validate(self, text: str, pos: int) -> int:
        # match(text, pos), not a slice: slicing per candidate is quadratic on "www.www.www."
        found = self.tail.match(text, pos)
        return len(found.group(0)) if found else 0

    def normalize(self, match: Any) -> None:
        match.url = "https://" + match.url


# --- code fences ----------------------------------------------------------------------

_FORMATTER = HtmlFormatter(cssclass="highlight", nowrap=False)


@functools.lru_cache(maxsize=256)
def _lexer_for(language: str) -> Lexer | None:
    # Lexers are stateless between calls; building one costs more than highlighting a snippet.
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


def _fence_language(info: str) -> str:
    info = unescapeAll(info).strip()
    return info.split(maxsplit=1)[0] if info else ""


def _render_fence(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    language = _fence_language(token.info)
    code = token.content
    if language.lower() == "mermaid":
        # The page's Mermaid script draws these; the source stays readable text until then.
        return f'<pre class="mermaid">{escapeHtml(code)}</pre>\n'
    lexer = _lexer_for(language.lower()) if language and len(code) <= HIGHLIGHT_MAX_CHARS else None
    if lexer is not None:
        return highlight(code, lexer, _FORMATTER)
    if language:
        return f'<pre><code class="language-{escapeHtml(language)}">{escapeHtml(code)}</code></pre>\n'
    return f"<pre><code>{escapeHtml(code)}</code></pre>\n"


# --- sanitiser ------------------------------------------------------------------------

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CLASSED = {"code", "pre", "span", "div", "ul", "li"}
_TABLE = {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
_PLAIN = {"p", "blockquote", "em", "strong", "del", "s", "hr", "br", "sup", "sub", "kbd"}
_PLAIN |= {"details", "summary", "dl", "dt", "dd"}

_CLEANER = nh3.Cleaner(
    tags=_HEADINGS | _CLASSED | _TABLE | _PLAIN | {"a", "img", "ol", "input"},
    attributes={
        **{tag: {"id"} for tag in _HEADINGS},
        **{tag: {"class"} for tag in _CLASSED},
        "ol": {"class", "start"},  # "3. item" starts the list at 3
        "th": {"align", "colspan", "rowspan"},  # GFM column alignment, see _table_alignment
        "td": {"align", "colspan", "rowspan"},
        "a": {"href", "title", "rel"},
        "img": {"src", "alt", "title"},
        "input": {"type", "checked", "disabled"},
    },
    # Every anchor gets rel, whatever the author wrote. After rendering, a Markdown link and
    # a raw-HTML one (README badges) look the same, and ammonia can only set rel on all of
    # them; links inside the hub carrying nofollow costs nothing that matters.
    # Every input is a disabled checkbox: the task lists' are, and a raw <input> must not
    # become a text field that asks a reader for anything.
    set_tag_attribute_values={"a": {"rel": LINK_REL}, "input": {"type": "checkbox", "disabled": "disabled"}},
    link_rel=None,  # rel is set above; ammonia refuses both
    url_schemes={"http", "https", "mailto"},  # relative URLs pass; javascript:, data: and the rest go
    strip_comments=True,
)


# --- facts ----------------------------------------------------------------------------

_SLUG_DROP_RE = re.compile(r"[^\w\- ]")
_SURROGATES_RE = re.compile("[\ud800-\udfff]")


def _slugify(text: str) -> str:
    # GitHub's rule: lower case, drop punctuation, spaces become hyphens.
    return _SLUG_DROP_RE.sub("", text.lower()).replace(" ", "-") or "section"


def _inline_text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline")).strip()


def _line_of_children(inline: Token) -> list[int]:
    """The 1-based source line of each child of an inline token (soft and hard breaks counted)."""
    line = inline.map[0] + 1 if inline.map else 1
    lines = []
    for child in inline.children or ():
        lines.append(line)
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "html_inline":
            line += child.content.count("\n")
    return lines


def markdown_render(source: str, *, max_bytes: int = MARKDOWN_MAX_BYTES) -> RenderedMarkdown:
    """Render Markdown to sanitised HTML with its table of contents and lint facts."""
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise MarkdownTooLarge(size, max_bytes)
    # Lone surrogates (from a broken JSON body, say) cannot be encoded for the sanitiser.
    source = _SURROGATES_RE.sub("\ufffd", source)

    env: dict[str, Any] = {}
    tokens = _md.parse(source, env)

    headings: list[Heading] = []
    images_without_alt: list[int] = []
    fences_without_language: list[int] = []
    links: list[str] = []
    used_anchors: set[str] = set()
    next_suffix: dict[str, int] = {}

    for position, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open":
            text = _inline_text(tokens[position + 1])
            anchor = _unique_anchor(_slugify(text), used_anchors, next_suffix)
            token.attrSet("id", anchor)
            line = token.map[0] + 1 if token.map else 1
            headings.append(Heading(level=int(token.tag[1]), text=text, anchor=anchor, line=line))
        elif kind == "fence":
            if not unescapeAll(token.info).strip():
                fences_without_language.append(token.map[0] + 1 if token.map else 1)
        elif kind in ("th_open", "td_open"):
            _table_alignment(token)
        elif kind == "inline" and token.children:
            child_lines: list[int] | None = None
            for index, child in enumerate(token.children):
                if child.type == "link_open":
                    links.append(str(child.attrGet("href") or ""))
                elif child.type == "image" and not child.content.strip():
                    child_lines = child_lines or _line_of_children(token)
                    images_without_alt.append(child_lines[index])

    html = _CLEANER.clean(_md.renderer.render(tokens, _md.options, env))
    return RenderedMarkdown(
        html=html,
        toc=[heading for heading in headings if heading.level in TOC_LEVELS],
        headings=headings,
        images_without_alt=images_without_alt,
        fences_without_language=fences_without_language,
        links=links,
    )


def _unique_anchor(slug: str, used: set[str], next_suffix: dict[str, int]) -> str:
    # Not mdit_py_plugins.anchors: it numbers duplicates from -1 and rescans from -1 for
    # each one, which is quadratic in the number of equal headings.
    anchor = slug
    if anchor in used:
        suffix = next_suffix.get(slug, 2)
        while f"{slug}-{suffix}" in used:
            suffix += 1
        anchor = f"{slug}-{suffix}"
        next_suffix[slug] = suffix + 1
    used.add(anchor)
    return anchor


def _table_alignment(cell: Token) -> None:
    # markdown-it writes alignment as style="text-align:right", and no style attribute
    # survives the sanitiser; the align attribute says the same without CSS.
    style = cell.attrGet("style")
    if isinstance(style, str) and style.startswith("text-align:"):
        cell.attrs.pop("style")
        cell.attrSet("align", style.removeprefix("text-align:"))


_md = _build_parser()
