"""The one Markdown renderer of Nexus: CommonMark + GFM in, sanitised HTML and facts out.

Entries, comments and answers all render through `markdown_render`. The pipeline is
markdown-it-py (parse, raw HTML allowed) -> our token pass (heading ids, facts) ->
markdown-it's HTML renderer (Pygments for fences) -> nh3 (the only thing that decides
what HTML survives). The parser and the sanitiser are built once, at import.

Every render has a budget of CPU time (MARKDOWN_BUDGET_SECONDS), read as it goes: in the
block and inline rule chains, at each link, in our token passes and in the renderer. A
document that spends it is refused with MarkdownTooComplex, as one over the size limit is
with MarkdownTooLarge.
"""

from __future__ import annotations

import functools
import re
import secrets
import time
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import nh3
import pygments
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import image as upstream_image
from markdown_it.rules_inline import link as upstream_link
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from nexus.core.errors import NexusError

MARKDOWN_MAX_BYTES: int = 262_144  # UTF-8 bytes

# CPU seconds (of the rendering thread) one render may spend before it is refused. Below the
# size limit markdown-it-py is linear, but its cost per byte varies 20-fold with the shape of
# the text: on 2 shared cores, documents at the limit take 0.3-0.8 s (a 2,500-row table close
# to 1 s, so it may be refused), while 256 KB of "[a](", table rows or one-line headings took
# 3-10 s. CPU time, not wall time, so that a busy server refuses the same documents as an
# idle one; `bench/markdown.py` measures both.
MARKDOWN_BUDGET_SECONDS = 1.0
# The budget is read every this many steps (a rule call, a link, 16 characters of a block's
# line, 16 tokens): a clock read costs a system call, a step a microsecond or so.
DEADLINE_STEPS = 128
# The sanitiser cannot be stopped once it starts, so a render is refused before it when its
# estimated time would pass the budget. Measured on the machines this runs on: nh3 (ammonia)
# costs up to 0.25 us a byte of HTML, and more for each "&" and no-break space it has to
# escape, quadratically: about 15 ps per such character per byte of its text node (200,000
# "&" in one paragraph take 1.4 s).
SANITISER_SECONDS_PER_BYTE = 0.25e-6
SANITISER_SECONDS_PER_ESCAPE_BYTE = 15e-12

# Block nesting deeper than this renders as plain text. markdown-it's own recursion guard;
# the CommonMark preset's 20 is already generous for prose and keeps "> > > ..." linear.
MAX_NESTING = 20

# Pygments lexers are regex state machines, and many are quadratic on hostile input (8 KB
# of "a\n" takes 12 s with the C# lexer; Java, TypeScript, YAML, Go and CSS are alike).
# So: only the lexers below are used, each measured on 68 hostile patterns (32 KB fences);
# highlighting stops when a document has spent HIGHLIGHT_BUDGET_SECONDS on it, read between
# tokens, and the fences not done by then are shown plain; and fences larger than
# HIGHLIGHT_MAX_CHARS or with a line longer than HIGHLIGHT_MAX_LINE are shown plain,
# because a few lexers (INI, console) are slow within a single token on a long line.
HIGHLIGHT_BUDGET_SECONDS = 0.2
HIGHLIGHT_MAX_CHARS = 32_768
HIGHLIGHT_MAX_LINE = 1_000
# Pygments lexer names (any of their aliases selects them: py, js, yml, sh, golang...).
# Left out on purpose: lexers that lex the whole fence before yielding a token, so the
# budget cannot stop them (HTML+Django, psql sessions: 4 s on 32 KB of blank lines).
HIGHLIGHTED_LANGUAGES = frozenset(
    {
        "Bash", "Bash Session", "C", "C#", "C++", "CMake", "CSS", "Clojure", "Dart", "Diff",
        "Django/Jinja", "Docker", "Elixir", "Erlang", "Go", "GraphQL", "Groovy", "HTML", "HTTP",
        "Haskell", "INI", "JSON", "JSON5", "JSX", "Java", "JavaScript", "Julia", "Kotlin",
        "LessCss", "Lua", "Makefile", "Markdown", "MySQL", "Nginx configuration file",
        "Objective-C", "PHP", "Perl", "PostgreSQL SQL dialect", "PowerShell", "Properties",
        "Protocol Buffer", "Python", "Python Traceback", "Python console session", "Ruby",
        "Ruby irb session", "Rust", "S", "SCSS", "SQL", "Scala", "Swift", "TOML", "TSX",
        "Terraform", "Text only", "TypeScript", "Vue", "XML", "YAML", "reStructuredText",
    }
)  # fmt: skip

# Raw HTML tags beyond this many per document are shown as text. The sanitiser's HTML5
# parser is quadratic in nesting depth (250 KB of "<ul>" takes 9 s), and depth can only come
# from raw HTML: Markdown nesting stops at MAX_NESTING. READMEs with the most HTML (contributor
# grids) stay well under it.
RAW_HTML_MAX_TAGS = 2_000

LINK_REL = "nofollow noopener noreferrer"

TOC_LEVELS = range(2, 5)


class MarkdownRefused(NexusError):
    """Markdown that is not rendered at all: catch this for both reasons below."""

    code = "markdown_refused"
    status = 400
    message = "This Markdown cannot be rendered."


class MarkdownTooLarge(MarkdownRefused):
    code = "markdown_too_large"
    message = "This Markdown is too large."

    def __init__(self, size_bytes: int, max_bytes: int) -> None:
        super().__init__(
            f"This Markdown is {size_bytes:,} bytes; the limit is {max_bytes:,} bytes. "
            "Split the entry into smaller entries and link them together.",
            details={"size_bytes": size_bytes, "max_bytes": max_bytes},
        )


class MarkdownTooComplex(MarkdownRefused):
    code = "markdown_too_complex"
    message = "This Markdown takes too long to render."

    def __init__(self, budget_seconds: float) -> None:
        super().__init__(
            "This Markdown takes too long to render (tens of thousands of brackets, headings, "
            "table rows or links?). Simplify it, or split it into smaller entries and link them together.",
            details={"budget_seconds": budget_seconds},
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


# --- budget ---------------------------------------------------------------------------


class _Deadline:
    """The point in the thread's CPU time past which a render is refused."""

    __slots__ = ("at", "budget", "steps_left")

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.at = time.thread_time() + budget
        self.steps_left = DEADLINE_STEPS

    def check(self, reserve: float = 0.0) -> None:
        """Refuse the render if the budget is spent, or would be after `reserve` seconds."""
        self.steps_left = DEADLINE_STEPS
        if time.thread_time() + reserve >= self.at:  # >=: a budget of 0 always refuses
            raise MarkdownTooComplex(self.budget)

    def step(self, weight: int = 1) -> None:
        self.steps_left -= weight
        if self.steps_left <= 0:
            self.check()


# The render in progress in this thread (or task): rules and markdown-it's link validator
# are called without anything of ours in reach, and other code may use markdown-it too.
_deadline: ContextVar[_Deadline | None] = ContextVar("nexus_markdown_deadline", default=None)


def _step() -> None:
    deadline = _deadline.get()
    if deadline is not None:
        deadline.step()


def _deadline_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # First in the block chain and in the chains that end paragraphs, quotes, lists and
    # tables: called at each block and at each line of one. Never matches. Weighed by the
    # line's length: a table row of 2,000 cells costs markdown-it 50 ms.
    deadline = _deadline.get()
    if deadline is not None:
        deadline.step(1 + ((state.eMarks[start_line] - state.bMarks[start_line]) >> 4))
    return False


def _deadline_inline(state: StateInline, silent: bool) -> bool:
    # First in the inline chain: called at each step of the tokenizer, lookahead included.
    deadline = _deadline.get()
    if deadline is not None:
        deadline.step()
    return False


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        # Called once per link of any kind, including in the core linkify rule, which runs
        # no rule chain: 256 KB of e-mail addresses spend seconds there.
        _step()
        return super().validateLink(url)


class _Renderer(RendererHTML):
    """markdown-it's HTML renderer, with a step of the budget every 16 tokens."""

    def render(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        out: list[str] = []
        for i, token in enumerate(tokens):
            if not i & 15:
                _step()
            if token.type == "inline":
                if token.children:
                    out.append(self.renderInline(token.children, options, env))
            elif token.type in self.rules:
                out.append(self.rules[token.type](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)

    def renderInline(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:  # noqa: N802
        out: list[str] = []
        for i, token in enumerate(tokens):
            if not i & 15:
                _step()
            if token.type in self.rules:
                out.append(self.rules[token.type](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)


# --- parser ---------------------------------------------------------------------------


def _build_parser() -> MarkdownIt:
    md = _Parser("commonmark", {"linkify": True, "maxNesting": MAX_NESTING, "xhtmlOut": False}, renderer_cls=_Renderer)
    md.enable(["table", "strikethrough", "linkify"])
    assert md.linkify is not None  # linkify-it-py is installed with markdown-it-py[linkify]
    # Only scheme links and e-mail addresses are linked. Bare host names are not: "README.md",
    # "settings.py" and "main.rs" all end in a country TLD, and developers' notes are full
    # of them ("www." links go too: linkify-it only finds those as fuzzy links).
    md.linkify.set({"fuzzy_link": False})
    md.linkify.add("ftp:", None)  # the sanitiser would strip the href anyway
    # linkify-it's quick test of each paragraph ran its full schema pattern (a Unicode class
    # at every character: a fifth of the parse time); a literal search is enough to decide
    # whether to look closer, now that only these schemes and e-mail addresses are linked.
    md.linkify.re["pretest"] = "https?:|mailto:|//|@"
    md.inline.ruler.at("linkify", _linkify_inline)
    md.inline.ruler.at("link", _link)
    md.inline.ruler.at("image", _image)
    md.inline.ruler.before("text", "nexus_deadline", _deadline_inline)
    md.block.ruler.before(
        "table", "nexus_deadline", _deadline_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.core.ruler.after("inline", "task_lists", _task_lists)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("task_checkbox", _render_task_checkbox)
    return md


def _link(state: StateInline, silent: bool) -> bool:
    """markdown-it's link rule, when a "]" follows at all.

    Looking for the end of a label costs markdown-it up to MAX_NESTING lookahead steps per
    character, and it looks from every "[": 256 KB of "[" took 6 s, of "![" 10 s.
    """
    if state.src[state.pos] != "[":
        return False
    if state.html_terminator_last("]") > state.pos:  # the last "]" of the paragraph
        return upstream_link(state, silent)
    return _openers_as_text(state, silent)


def _image(state: StateInline, silent: bool) -> bool:
    """markdown-it's image rule, when a "]" follows its "![" at all."""
    if state.src[state.pos] != "!":
        return False
    if state.html_terminator_last("]") > state.pos + 1:
        return upstream_image(state, silent)
    return _openers_as_text(state, silent)


_OPENERS_RE = re.compile(r"[!\[]+")


def _openers_as_text(state: StateInline, silent: bool) -> bool:
    # With no "]" after it, no "[" or "!" can start a link or an image, and no other rule
    # starts at either: the whole run is text, taken in one step instead of one a character.
    found = _OPENERS_RE.match(state.src, state.pos, state.posMax)
    assert found is not None  # state.src[state.pos] is one of them
    if not silent:
        state.append_pending(found.group())
    state.pos = found.end()
    return True


_SCHEME_BEFORE_RE = re.compile(r"(?:^|[^a-z0-9.+-])([a-z][a-z0-9.+-]*)$", re.IGNORECASE)


def _linkify_inline(state: StateInline, silent: bool) -> bool:
    """markdown-it's inline rule for "https://..." in text, without its two quadratic steps.

    At every "://" the original searched all the pending text for the scheme and gave
    linkify-it a copy of the rest of the paragraph: 190 s for 250 KB of "<http://". Only
    "http" and "https" can precede "://" in a link, so a short tail of the pending text
    is enough, and linkify-it's validator reads the source in place.
    """
    pos = state.pos
    src = state.src
    if state.linkLevel > 0 or pos + 3 > state.posMax or not src.startswith("://", pos):
        return False
    found = _SCHEME_BEFORE_RE.search(state.pending[-8:])
    if not found:
        return False
    scheme = found.group(1)
    assert state.md.linkify is not None
    length = state.md.linkify.test_schema_at(src, scheme + ":", pos + 1)
    if not length:
        return False
    url = src[pos - len(scheme) : pos + 1 + length].rstrip("*")  # a trailing * is emphasis
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[: -len(scheme)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup = "linkify"
        token.info = "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup = "linkify"
        token.info = "auto"
    state.pos += len(url) - len(scheme)
    return True


_TASK_RE = re.compile(r"\[([ xX])\][ \t\n\v\f\r]+")


def _task_lists(state: StateCore) -> None:
    """GitHub task lists: a list item starting with "[ ] " or "[x] " gets a disabled checkbox.

    Not mdit_py_plugins.tasklists: it finds each item's list by scanning back from the item,
    which is quadratic in the length of the list (135 s for 250 KB of "- [ ] a").
    """
    tokens = state.tokens
    lists: list[Token] = []  # the open lists around the current token
    for position, token in enumerate(tokens):
        if not position & 15:
            _step()
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(token)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif (
            kind == "inline"
            and position >= 2
            and tokens[position - 1].type == "paragraph_open"
            and tokens[position - 2].type == "list_item_open"
            and token.children
            and token.children[0].type == "text"
            and (found := _TASK_RE.match(token.children[0].content))
        ):
            first = token.children[0]
            first.content = first.content[found.end() - 1 :]  # keep one space after the box
            box = Token("task_checkbox", "input", 0, meta={"checked": found.group(1) in "xX"})
            token.children.insert(0, box)
            tokens[position - 2].attrSet("class", "task-list-item")
            lists[-1].attrSet("class", "contains-task-list")


# The sanitiser lets no <input> through: a raw one could pose as a form field. Task-list
# checkboxes go through it as a mark nobody can type (a private-use character and a secret
# drawn at start-up) and are put in place afterwards. Raw HTML with an unclosed quote can
# pull a mark into an attribute value, which ammonia always double-quotes: the checkboxes
# have no quote in them, so there they stay text.
_CHECKBOX_MARK = f"\ue000{secrets.token_hex(8)}"
_CHECKBOXES = {
    f"{_CHECKBOX_MARK} \ue001": "<input type=checkbox disabled>",
    f"{_CHECKBOX_MARK}x\ue001": "<input type=checkbox disabled checked>",
}


def _render_task_checkbox(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return f"{_CHECKBOX_MARK}{'x' if tokens[idx].meta['checked'] else ' '}\ue001"


def _put_checkboxes(html: str) -> str:
    if _CHECKBOX_MARK in html:
        for mark, checkbox in _CHECKBOXES.items():
            html = html.replace(mark, checkbox)
    return html


# --- code fences ----------------------------------------------------------------------

_FORMATTER = HtmlFormatter(cssclass="highlight")  # CSS classes, no inline styles: see web/pygments.css


@functools.lru_cache(maxsize=256)
def _lexer_for(language: str) -> Lexer | None:
    # Lexers keep no state between calls; building one costs more than highlighting a snippet.
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return None
    return lexer if lexer.name in HIGHLIGHTED_LANGUAGES else None


_CLASS_UNSAFE_RE = re.compile(r"[^\w+#.-]")  # "c++", "c#", "objective-c", "python3.12" stay


def _fence_language(info: str) -> str:
    info = unescapeAll(info).strip()
    return info.split(maxsplit=1)[0] if info else ""


def _highlightable(code: str) -> bool:
    return len(code) <= HIGHLIGHT_MAX_CHARS and max(map(len, code.split("\n"))) <= HIGHLIGHT_MAX_LINE


def _highlight(code: str, lexer: Lexer, deadline: float) -> str | None:
    """Pygments HTML for the code, or None when the deadline passes first."""
    tokens = []
    # The lexer is a generator and a quadratic one is slow at every token, not in one step,
    # so checking the clock between tokens bounds it.
    for token in lexer.get_tokens(code):
        if time.perf_counter() > deadline:
            return None
        tokens.append(token)
    return pygments.format(tokens, _FORMATTER)


def _render_fence(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    language = _fence_language(token.info)
    code = token.content
    if language.lower() == "mermaid":
        # The page's Mermaid script draws these; the source stays readable text until then.
        return f'<pre class="mermaid">{escapeHtml(code)}</pre>\n'
    lexer = _lexer_for(language.lower()) if language and _highlightable(code) else None
    if lexer is not None:
        highlighted = _highlight(code, lexer, env["highlight_deadline"])
        if highlighted is not None:
            return highlighted
    class_name = _CLASS_UNSAFE_RE.sub("", language)
    if class_name:
        return f'<pre><code class="language-{class_name}">{escapeHtml(code)}</code></pre>\n'
    return f"<pre><code>{escapeHtml(code)}</code></pre>\n"


# --- sanitiser ------------------------------------------------------------------------

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CLASSED = {"code", "pre", "span", "div", "ul", "li"}
_TABLE = {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
_PLAIN = {"p", "blockquote", "em", "strong", "del", "s", "hr", "br", "sup", "sub", "kbd"}
_PLAIN |= {"details", "summary", "dl", "dt", "dd"}

_CLEANER = nh3.Cleaner(
    tags=_HEADINGS | _CLASSED | _TABLE | _PLAIN | {"a", "img", "ol"},
    attributes={
        **{tag: {"id"} for tag in _HEADINGS},
        **{tag: {"class"} for tag in _CLASSED},
        "ol": {"class", "start"},  # "3. item" starts the list at 3
        "th": {"align", "colspan", "rowspan"},  # GFM column alignment, see _table_alignment
        "td": {"align", "colspan", "rowspan"},
        "a": {"href", "title", "rel"},
        "img": {"src", "alt", "title"},
    },
    # Every anchor gets rel, whatever the author wrote. After rendering, a Markdown link and
    # a raw-HTML one (README badges) look the same, and ammonia can only set rel on all of
    # them; links inside the hub carrying nofollow costs nothing that matters.
    set_tag_attribute_values={"a": {"rel": LINK_REL}},
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
    """Render Markdown to sanitised HTML with its table of contents and lint facts.

    Raises MarkdownTooLarge past `max_bytes` and MarkdownTooComplex past the time budget.
    """
    deadline = _Deadline(MARKDOWN_BUDGET_SECONDS)
    reset = _deadline.set(deadline)
    try:
        return _render(source, max_bytes, deadline)
    finally:
        _deadline.reset(reset)


def _render(source: str, max_bytes: int, deadline: _Deadline) -> RenderedMarkdown:
    try:
        size = len(source.encode("utf-8"))
    except UnicodeEncodeError:
        # Lone surrogates (a broken JSON body, say) cannot reach the sanitiser, which takes
        # UTF-8; they become U+FFFD, as CommonMark does with U+0000. Both are 3 bytes.
        source = _SURROGATES_RE.sub("\ufffd", source)
        size = len(source.encode("utf-8"))
    if size > max_bytes:
        raise MarkdownTooLarge(size, max_bytes)

    env: dict[str, Any] = {}
    tokens = _md.parse(source, env)

    headings: list[Heading] = []
    images_without_alt: list[int] = []
    fences_without_language: list[int] = []
    links: list[str] = []
    used_anchors: set[str] = set()
    next_suffix: dict[str, int] = {}
    raw_html_tags = 0

    for position, token in enumerate(tokens):
        if not position & 15:
            deadline.step()
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
        elif kind == "html_block":
            raw_html_tags += token.content.count("<") - token.content.count("</")  # start tags
            if raw_html_tags > RAW_HTML_MAX_TAGS:
                token.type = "text"  # rendered escaped
        elif kind == "inline" and token.children:
            child_lines: list[int] | None = None
            for index, child in enumerate(token.children):
                kind = child.type
                if kind == "link_open":
                    links.append(str(child.attrGet("href") or ""))
                elif kind == "image" and not child.content.strip():
                    child_lines = child_lines or _line_of_children(token)
                    images_without_alt.append(child_lines[index])
                elif kind == "html_inline" and not child.content.startswith("</"):
                    raw_html_tags += 1  # start tags only: a stray end tag nests nothing
                    if raw_html_tags > RAW_HTML_MAX_TAGS:
                        child.type = "text"

    # Highlighting reads the wall clock between lexer tokens; it gets no more than the budget has left.
    highlight_seconds = min(HIGHLIGHT_BUDGET_SECONDS, deadline.at - time.thread_time())
    env["highlight_deadline"] = time.perf_counter() + highlight_seconds
    html = _md.renderer.render(tokens, _md.options, env)
    del tokens  # freed now, inside the budget: 100,000 tokens take 50 ms to free
    deadline.check(reserve=_sanitiser_seconds(html))
    html = _put_checkboxes(_CLEANER.clean(html))
    return RenderedMarkdown(
        html=html,
        toc=[heading for heading in headings if heading.level in TOC_LEVELS],
        headings=headings,
        images_without_alt=images_without_alt,
        fences_without_language=fences_without_language,
        links=links,
    )


def _sanitiser_seconds(html: str) -> float:
    """A generous estimate of the time nh3 will take on this HTML (see SANITISER_SECONDS_PER_BYTE)."""
    # Every "&" it escapes back: "&amp;", "&nbsp;", numeric references, raw HTML's own "&".
    # "&lt;", "&gt;" and "&quot;" cost it no more than any other character.
    escapes = html.count("&") - html.count("&lt;") - html.count("&gt;") - html.count("&quot;") + html.count("\xa0")
    return len(html) * (SANITISER_SECONDS_PER_BYTE + escapes * SANITISER_SECONDS_PER_ESCAPE_BYTE)


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
