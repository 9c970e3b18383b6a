"""The one Markdown renderer: GFM output, anchors and facts, and HTML that is always inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.rules_inline import image as upstream_image
from markdown_it.rules_inline import link as upstream_link

from conftest import bearer
from nexus.core import markdown
from nexus.core.markdown import (
    MARKDOWN_MAX_BYTES,
    Heading,
    MarkdownRefused,
    MarkdownTooComplex,
    MarkdownTooLarge,
    RenderedMarkdown,
    markdown_render,
)

REL = 'rel="nofollow noopener noreferrer"'


# --- GFM ------------------------------------------------------------------------------


def test_table_keeps_column_alignment_without_a_style_attribute() -> None:
    html = markdown_render("| Name | Qty |\n|:-----|----:|\n| tea  | 2   |\n").html
    assert html == (
        "<table>\n<thead>\n<tr>\n"
        '<th align="left">Name</th>\n<th align="right">Qty</th>\n'
        "</tr>\n</thead>\n<tbody>\n<tr>\n"
        '<td align="left">tea</td>\n<td align="right">2</td>\n'
        "</tr>\n</tbody>\n</table>\n"
    )


def test_strikethrough_needs_double_tildes() -> None:
    assert markdown_render("~~old~~ new ~single~").html == "<p><s>old</s> new ~single~</p>\n"


def test_task_list_items_get_disabled_checkboxes() -> None:
    html = markdown_render("- [ ] write tests\n- [x] read the docs\n- not [ ] a task\n").html
    assert html == (
        '<ul class="contains-task-list">\n'
        '<li class="task-list-item"><input type=checkbox disabled> write tests</li>\n'
        '<li class="task-list-item"><input type=checkbox disabled checked> read the docs</li>\n'
        "<li>not [ ] a task</li>\n"
        "</ul>\n"
    )


def test_a_checkbox_pulled_into_an_attribute_by_an_unclosed_quote_stays_text() -> None:
    # The checkbox is put in after sanitising; inside ammonia's double quotes it has none to close.
    source = "<details><a href=\"https://e.x\" title='\n\n- [ ] x' onclick=alert(1)>\n"
    assert markdown_render(source).html == (
        '<details><a href="https://e.x" title="\n&lt;ul class=&quot;contains-task-list&quot;&gt;\n'
        '&lt;li class=&quot;task-list-item&quot;&gt;<input type=checkbox disabled> x" '
        f"{REL}>\n\n</a></details>"
    )


def test_bare_urls_and_emails_are_linked_but_file_names_are_not() -> None:
    # "README.md" ends in Moldova's TLD and "settings.py" in Paraguay's: fuzzy links are off.
    html = markdown_render("See https://example.com/docs or me@example.com, not README.md or settings.py.").html
    assert html == (
        f'<p>See <a href="https://example.com/docs" {REL}>https://example.com/docs</a> or '
        f'<a href="mailto:me@example.com" {REL}>me@example.com</a>, not README.md or settings.py.</p>\n'
    )


def test_a_bare_url_with_underscores_is_not_cut_by_emphasis() -> None:
    url = "https://github.com/o/r/blob/main/pkg/__init__.py"
    assert markdown_render(f"see {url}").html == f'<p>see <a href="{url}" {REL}>{url}</a></p>\n'


def test_angle_bracket_autolink() -> None:
    assert markdown_render("<https://example.com>").html == (
        f'<p><a href="https://example.com" {REL}>https://example.com</a></p>\n'
    )


def test_every_link_gets_rel_whatever_the_author_wrote() -> None:
    # Markdown and raw-HTML links look alike once rendered, so ammonia sets rel on all of them.
    html = markdown_render(
        '[docs](https://docs.djangoproject.com "Django") [home](/h/alice/) <a href="/x" rel="me">x</a>'
    ).html
    assert html == (
        f'<p><a href="https://docs.djangoproject.com" title="Django" {REL}>docs</a> '
        f'<a href="/h/alice/" {REL}>home</a> <a href="/x" {REL}>x</a></p>\n'
    )


def test_ordered_list_keeps_its_start_number() -> None:
    assert markdown_render("3. three\n4. four").html == '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'


def test_allowed_raw_html_survives_with_markdown_inside() -> None:
    source = "<details>\n<summary>More</summary>\n\nH<sub>2</sub>O, x<sup>2</sup>, <kbd>Ctrl</kbd>\n\n</details>\n"
    assert markdown_render(source).html == (
        "<details>\n<summary>More</summary>\n<p>H<sub>2</sub>O, x<sup>2</sup>, <kbd>Ctrl</kbd></p>\n</details>\n"
    )
    assert markdown_render("<dl><dt>a</dt><dd>b</dd></dl>").html == "<dl><dt>a</dt><dd>b</dd></dl>"


def test_raw_html_beyond_the_tag_budget_is_shown_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sanitiser's parser is quadratic in nesting depth, and only raw HTML can nest deeply.
    monkeypatch.setattr(markdown, "RAW_HTML_MAX_TAGS", 2)
    html = markdown_render("<div>\n\n<kbd>a</kbd> <kbd>b</kbd>\n").html
    assert html == "<div>\n<p><kbd>a</kbd> &lt;kbd&gt;b</p>\n</div>"


# --- headings -------------------------------------------------------------------------

HEADINGS_SOURCE = (
    "# Guide\n\n## Setup\n\n### Install *Django*\n\n## Setup\n\n#### `manage.py` tips\n\n##### Deep\n\n## Setup\n"
)


def test_headings_get_unique_anchors() -> None:
    assert markdown_render(HEADINGS_SOURCE).html == (
        '<h1 id="guide">Guide</h1>\n'
        '<h2 id="setup">Setup</h2>\n'
        '<h3 id="install-django">Install <em>Django</em></h3>\n'
        '<h2 id="setup-2">Setup</h2>\n'
        '<h4 id="managepy-tips"><code>manage.py</code> tips</h4>\n'
        '<h5 id="deep">Deep</h5>\n'
        '<h2 id="setup-3">Setup</h2>\n'
    )


def test_headings_and_toc_carry_text_anchor_and_source_line() -> None:
    rendered = markdown_render(HEADINGS_SOURCE)
    assert rendered.headings == [
        Heading(level=1, text="Guide", anchor="guide", line=1),
        Heading(level=2, text="Setup", anchor="setup", line=3),
        Heading(level=3, text="Install Django", anchor="install-django", line=5),
        Heading(level=2, text="Setup", anchor="setup-2", line=7),
        Heading(level=4, text="manage.py tips", anchor="managepy-tips", line=9),
        Heading(level=5, text="Deep", anchor="deep", line=11),
        Heading(level=2, text="Setup", anchor="setup-3", line=13),
    ]
    # The table of contents is levels 2 to 4 only, with the same anchors.
    assert [(heading.level, heading.anchor) for heading in rendered.toc] == [
        (2, "setup"),
        (3, "install-django"),
        (2, "setup-2"),
        (4, "managepy-tips"),
        (2, "setup-3"),
    ]


def test_a_heading_named_like_a_numbered_duplicate_does_not_collide() -> None:
    rendered = markdown_render("## A\n## A-2\n## A\n## \n")
    assert [heading.anchor for heading in rendered.headings] == ["a", "a-2", "a-3", "section"]


# --- code -----------------------------------------------------------------------------


def test_python_fence_is_highlighted_with_pygments_classes() -> None:
    assert markdown_render("```python\ndef f(x):\n    return x\n```\n").html == (
        '<div class="highlight"><pre><span></span><span class="k">def</span><span class="w"> </span>'
        '<span class="nf">f</span><span class="p">(</span><span class="n">x</span><span class="p">):</span>\n'
        '    <span class="k">return</span> <span class="n">x</span>\n</pre></div>\n'
    )


def test_language_aliases_select_the_lexer() -> None:
    assert markdown_render("```py\nprint(1)\n```").html == (
        '<div class="highlight"><pre><span></span><span class="nb">print</span><span class="p">(</span>'
        '<span class="mi">1</span><span class="p">)</span>\n</pre></div>\n'
    )


def test_unknown_language_is_escaped_and_keeps_its_class() -> None:
    assert markdown_render("```nosuchlang\n<b>&\n```\n").html == (
        '<pre><code class="language-nosuchlang">&lt;b&gt;&amp;\n</code></pre>\n'
    )


def test_a_lexer_outside_the_measured_set_is_not_used() -> None:
    # psql sessions lex a whole fence before yielding anything: 4 s on 32 KB of blank lines.
    assert markdown_render("```psql\nselect 1;\n```").html == (
        '<pre><code class="language-psql">select 1;\n</code></pre>\n'
    )


def test_fence_without_language_is_escaped() -> None:
    assert markdown_render("```\nplain <b>\n```\n").html == "<pre><code>plain &lt;b&gt;\n</code></pre>\n"


def test_highlighting_past_its_budget_falls_back_to_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "HIGHLIGHT_BUDGET_SECONDS", -1.0)
    assert markdown_render("```python\nx = 1\n```").html == '<pre><code class="language-python">x = 1\n</code></pre>\n'


def test_fence_with_a_very_long_line_is_not_highlighted() -> None:
    line = "x" * (markdown.HIGHLIGHT_MAX_LINE + 1)
    assert markdown_render(f"```python\n{line}\n```").html == (
        f'<pre><code class="language-python">{line}\n</code></pre>\n'
    )


def test_mermaid_fence_is_kept_for_the_page_to_draw() -> None:
    assert markdown_render("```mermaid\ngraph TD; A-->B\n```\n").html == (
        '<pre class="mermaid">graph TD; A--&gt;B\n</pre>\n'
    )


# --- facts ----------------------------------------------------------------------------

FACTS_SOURCE = """Intro

![](/a.png)

Text ![chart](/b.png) and
![ ](/c.png)

```
no language
```

```python
x = 1
```

[entry](/h/bob/e/celery) and https://example.com/x <https://example.org>

| a | b |
|---|---|
| ![](/d.png) | [t](/t) |
"""


def test_images_without_alt_are_reported_with_their_lines() -> None:
    assert markdown_render(FACTS_SOURCE).images_without_alt == [3, 6, 20]


def test_fences_without_language_are_reported_with_their_lines() -> None:
    assert markdown_render(FACTS_SOURCE).fences_without_language == [8]


def test_links_are_reported_in_order() -> None:
    assert markdown_render(FACTS_SOURCE).links == [
        "/h/bob/e/celery",
        "https://example.com/x",
        "https://example.org",
        "/t",
    ]


def test_a_refused_link_is_not_reported() -> None:
    # markdown-it drops javascript: destinations, so the caller never checks them as entries.
    assert markdown_render("[x](javascript:alert(1)) [y](/ok)").links == ["/ok"]


def test_a_document_without_anything_has_no_facts() -> None:
    rendered = markdown_render("")
    assert rendered.html == ""
    assert (rendered.toc, rendered.headings, rendered.images_without_alt) == ([], [], [])
    assert (rendered.fences_without_language, rendered.links) == ([], [])


# --- bounds and broken input ----------------------------------------------------------


def test_a_megabyte_is_refused_before_parsing() -> None:
    with pytest.raises(MarkdownTooLarge) as refused:
        markdown_render("a" * 1_048_576)
    assert refused.value.code == "markdown_too_large"
    assert refused.value.status == 400
    assert refused.value.message == (
        "This Markdown is 1,048,576 bytes; the limit is 262,144 bytes. "
        "Split the entry into smaller entries and link them together."
    )
    assert refused.value.details == {"size_bytes": 1_048_576, "max_bytes": 262_144}


def test_the_limit_counts_utf8_bytes_not_characters() -> None:
    assert markdown_render("é" * (MARKDOWN_MAX_BYTES // 2)).html.startswith("<p>é")
    with pytest.raises(MarkdownTooLarge):
        markdown_render("é" * (MARKDOWN_MAX_BYTES // 2) + "a")
    with pytest.raises(MarkdownTooLarge):
        markdown_render("abc", max_bytes=2)


def test_nul_bytes_become_replacement_characters() -> None:
    assert markdown_render("a\x00b\n\n# \x00").html == '<p>a\ufffdb</p>\n<h1 id="section">\ufffd</h1>\n'


def test_lone_surrogates_become_replacement_characters() -> None:
    assert markdown_render("a\ud800b \udfff").html == "<p>a\ufffdb \ufffd</p>\n"


def test_deep_nesting_stops_at_the_nesting_limit() -> None:
    html = markdown_render("> " * 1000 + "deep").html
    assert html.count("<blockquote>") == markdown.MAX_NESTING
    assert html.endswith("</blockquote>\n")


# --- time budget ----------------------------------------------------------------------

TOO_COMPLEX = (
    "This Markdown takes too long to render (tens of thousands of brackets, headings, table rows or links?). "
    "Simplify it, or split it into smaller entries and link them together."
)


def test_a_render_past_its_budget_is_refused_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MARKDOWN_BUDGET_SECONDS", 0.0)
    with pytest.raises(MarkdownTooComplex) as refused:
        markdown_render("# Hi\n\nA [link](/x).\n")
    assert (refused.value.code, refused.value.status) == ("markdown_too_complex", 400)
    assert refused.value.message == TOO_COMPLEX
    assert refused.value.details == {"budget_seconds": 0.0}
    # Both refusals share a base, which the pages catch.
    assert isinstance(refused.value, MarkdownRefused)
    assert issubclass(MarkdownTooLarge, MarkdownRefused)


def test_the_budget_stops_the_parser_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # With the clock read at every step, the first rule of the parser refuses: the renderer
    # and the sanitiser are never reached.
    monkeypatch.setattr(markdown, "MARKDOWN_BUDGET_SECONDS", 0.0)
    monkeypatch.setattr(markdown, "DEADLINE_STEPS", 1)
    monkeypatch.setattr(markdown._md.renderer, "render", _never)
    with pytest.raises(MarkdownTooComplex):
        markdown_render("[a](")


def test_html_the_sanitiser_would_take_too_long_on_is_refused_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # nh3 is quadratic in the "&" of one text node: 150,000 of them are refused whatever the parse took.
    monkeypatch.setattr(markdown, "_CLEANER", _NeverCleans())
    with pytest.raises(MarkdownTooComplex):
        markdown_render("&" * 150_000)


def test_a_refused_render_leaves_the_next_one_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(markdown, "MARKDOWN_BUDGET_SECONDS", 0.0)
        with pytest.raises(MarkdownTooComplex):
            markdown_render("# Hi")
    assert markdown_render("# Hi").html == '<h1 id="hi">Hi</h1>\n'
    assert markdown._deadline.get() is None


# Shapes that took markdown-it-py 5-17 s at 256 KB before the budget, and how their HTML
# starts when they render within it.
HOSTILE = {
    "image openers": ("![" * (MARKDOWN_MAX_BYTES // 2), "<p>![![![!["),
    "unclosed links": ("[a](" * (MARKDOWN_MAX_BYTES // 4), "<p>[a]([a]("),
    "table rows": ("| a | b |\n|---|---|\n" + "| x | y |\n" * (MARKDOWN_MAX_BYTES // 10 - 2), "<table>\n<thead>"),
    "headings": ("# a\n" * (MARKDOWN_MAX_BYTES // 4), '<h1 id="a">a</h1>\n<h1 id="a-2">a</h1>'),
}


@pytest.mark.parametrize(("source", "start"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_at_the_size_limit_renders_or_is_refused(source: str, start: str) -> None:
    # Which of the two depends on the machine's speed; either way the budget bounds it.
    outcome = _render_or_refusal(source)
    if isinstance(outcome, MarkdownTooComplex):
        assert (outcome.code, outcome.status, outcome.message) == ("markdown_too_complex", 400, TOO_COMPLEX)
    else:
        assert outcome.html.startswith(start)


def _render_or_refusal(source: str) -> RenderedMarkdown | MarkdownTooComplex:
    try:
        return markdown_render(source)
    except MarkdownTooComplex as refused:
        return refused


def test_brackets_without_a_closing_one_are_text() -> None:
    # With no "]" after them, a run of "[" and "![" is text in one step: 256 KB of "![" took
    # markdown-it 10 s, a character at a time.
    assert markdown_render("![" * 5 + "[" * 5 + " x").html == "<p>" + "![" * 5 + "[" * 5 + " x</p>\n"
    assert markdown_render("[a] [b](/b) ![c](/c) [").html == (
        f'<p>[a] <a href="/b" {REL}>b</a> <img src="/c" alt="c"> [</p>\n'
    )


def _reference_parser() -> Any:
    reference = markdown._build_parser()
    reference.inline.ruler.at("link", upstream_link)
    reference.inline.ruler.at("image", upstream_image)
    return reference


_REFERENCE = _reference_parser()
BRACKETS = ["[", "]", "![", "(", ")", "a", " ", "\n", "\n\n", "<", ">", "`", "*", "\\", '"', "/u", "[x]: /u\n"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BRACKETS), max_size=60).map("".join))
def test_the_link_shortcut_changes_no_output(source: str) -> None:
    # The same tokens as markdown-it's own link and image rules, on any soup of brackets.
    assert markdown._md.parse(source) == _REFERENCE.parse(source)


def _never(*args: Any, **kwargs: Any) -> str:
    raise AssertionError("not reached")


class _NeverCleans:
    def clean(self, html: str) -> str:
        raise AssertionError("the sanitiser was not to be reached")


# --- refusals through the faces -------------------------------------------------------


@pytest.mark.django_db
def test_preview_answers_400_with_the_message_for_markdown_too_complex(
    owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(markdown, "MARKDOWN_BUDGET_SECONDS", 0.0)
    client = Client()
    client.force_login(owner)
    response = client.post("/preview/", {"body": "# Hi"})
    assert response.status_code == 400
    assert response.content.decode() == f'<p class="preview-error">{TOO_COMPLEX}</p>'


@pytest.mark.django_db
def test_rest_answers_400_with_the_code_for_markdown_too_complex(
    api_client: Any, owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(markdown, "MARKDOWN_BUDGET_SECONDS", 0.0)
    body = {"kind": "note", "title": "Hi", "body": "# Hi", "status": "published"}
    response = api_client.post("/api/v1/entries", body, format="json", **bearer(owner))
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "markdown_too_complex",
        "message": TOO_COMPLEX,
        "details": {"budget_seconds": 0.0},
    }
    assert api_client.get("/api/v1/entries", **bearer(owner)).json()["results"] == []  # nothing written


# --- XSS ------------------------------------------------------------------------------

XSS_PAYLOADS = {
    "script tag": ("a <script>alert(1)</script> b", "<p>a  b</p>\n"),
    "script block": ("<script>alert(1)</script>", ""),
    "img onerror": ("<img src=x onerror=alert(1)>", '<img src="x">'),
    "self-closing img onerror": ('<img src="x" alt="" onerror="alert(1)"/>', '<img src="x" alt="">'),
    "body onload": ("<body onload=alert(1)>", ""),
    "svg onload": ("<svg onload=alert(1)><circle r=1></svg>", "<p></p>\n"),
    "svg script": ("<svg><script>alert(1)</script></svg>", "<p></p>\n"),
    "iframe": ('<iframe src="https://evil.example"></iframe>', ""),
    "object and embed": ('<object data="x.swf"></object><embed src="x.swf">', "<p></p>\n"),
    "form": (
        '<form action="https://evil.example"><input name=password><button>Go</button></form>',
        "Go",
    ),
    "text input": ('<input type="text" name="password" autofocus onfocus=alert(1)>', ""),
    "forged checkbox mark": ("\ue000 \ue001 \ue000x\ue001", "<p>\ue000 \ue001 \ue000x\ue001</p>\n"),
    "raw a javascript": ('<a href="javascript:alert(1)">x</a>', f"<p><a {REL}>x</a></p>\n"),
    "raw a JaVaScRiPt&#58;": ('<a href="JaVaScRiPt&#58;alert(1)">x</a>', f"<p><a {REL}>x</a></p>\n"),
    "raw a &#106;avascript": ('<a href="&#106;avascript:alert(1)">x</a>', f"<p><a {REL}>x</a></p>\n"),
    "raw a tab in scheme": ('<a href="java\tscript:alert(1)">x</a>', f"<p><a {REL}>x</a></p>\n"),
    "raw a newline entity in scheme": ('<a href="jav&#x0A;ascript:alert(1)">x</a>', f"<p><a {REL}>x</a></p>\n"),
    "raw a leading space": ('<a href=" javascript:alert(1)">x</a>', f"<p><a {REL}>x</a></p>\n"),
    "raw a onclick": (
        '<a href="https://ok.example" onclick="alert(1)">ok</a>',
        f'<p><a href="https://ok.example" {REL}>ok</a></p>\n',
    ),
    "markdown javascript link": ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    "markdown JaVaScRiPt&#58; link": ("[x](JaVaScRiPt&#58;alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>\n"),
    "markdown &#x6A;avascript link": ("[x](&#x6A;avascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    "markdown javascript in brackets": ("[a](<javascript:alert(1)>)", "<p>[a](&lt;javascript:alert(1)&gt;)</p>\n"),
    "markdown reference javascript": (
        "[x]: javascript:alert(1)\n\n[go][x]",
        "<p>[x]: javascript:alert(1)</p>\n<p>[go][x]</p>\n",
    ),
    "markdown vbscript link": ("[x](vbscript:msgbox(1))", "<p>[x](vbscript:msgbox(1))</p>\n"),
    "markdown data link": (
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>\n",
    ),
    "markdown javascript image": ("![x](javascript:alert(1))", "<p>![x](javascript:alert(1))</p>\n"),
    "markdown data image": ("![x](data:image/png;base64,iVBORw0KGgo=)", '<p><img alt="x"></p>\n'),
    "raw data svg image": ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "<img>"),
    "angle autolink javascript": ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>\n"),
    "autolink attribute breakout": (
        '<https://x.example/"onmouseover="alert(1)>',
        f'<p><a href="https://x.example/%22onmouseover=%22alert(1)" {REL}>https://x.example/"onmouseover="alert(1)</a></p>\n',
    ),
    "style attribute": ('<p style="background:url(javascript:alert(1))">s</p>', "<p>s</p>"),
    "style overlay": ('<div style="position:fixed;top:0">o</div>', "<div>o</div>"),
    "style element": ("<style>body{display:none}</style>text", "text"),
    "details ontoggle": (
        "<details open ontoggle=alert(1)><summary>s</summary></details>",
        "<details><summary>s</summary></details>",
    ),
    "heading onclick": ('<h2 id="x" onclick="alert(1)">T</h2>', '<h2 id="x">T</h2>'),
    "mxss math style": ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<p></p>"),
    "noscript breakout": (
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        '<p>&lt;p title="<img src="x">"&gt;</p>\n',
    ),
    "comment": ("<!--<img src=x onerror=alert(1)>-->", ""),
    "base and meta refresh": ('<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=x">', ""),
    "split script tag": ("<scr<script>ipt>alert(1)</script>", "<p>&lt;scr</p>\n"),
    "code fence breakout": (
        "```\n</code></pre><script>alert(1)</script>\n```",
        "<pre><code>&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n",
    ),
    "fence info breakout": (
        '```"><script>alert(1)</script>\nx\n```',
        '<pre><code class="language-scriptalert1script">x\n</code></pre>\n',
    ),
    "inline code": ("`<script>alert(1)</script>`", "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>\n"),
}


@pytest.mark.parametrize(("source", "expected"), XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_xss_payload_renders_inert(source: str, expected: str) -> None:
    assert markdown_render(source).html == expected


# --- properties -----------------------------------------------------------------------


class _Tags(HTMLParser):
    """Every start tag and its attributes, parsed the way a browser tokenises them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


ALLOWED_TAGS = {
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "a", "img", "code", "pre", "span", "div", "table", "caption"),
    *("thead", "tbody", "tfoot", "tr", "th", "td", "ul", "ol", "li", "input", "blockquote", "em", "strong"),
    *("del", "s", "hr", "br", "sup", "sub", "kbd", "details", "summary", "dl", "dt", "dd"),
}


def assert_inert(html: str) -> None:
    assert "<script" not in html.lower()
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        if tag == "input":  # only a task list's checkbox
            assert attrs in (
                [("type", "checkbox"), ("disabled", None)],
                [("type", "checkbox"), ("disabled", None), ("checked", None)],
            )
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "src"):
                scheme = "".join((value or "").split()).lower().partition(":")[0]
                assert scheme not in ("javascript", "vbscript", "data"), value


EVENT_ATTRIBUTE_RE = re.compile(r" on[a-z]+=", re.IGNORECASE)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_renders_without_script_event_handler_or_javascript_url(source: str) -> None:
    html = markdown_render(source).html
    assert "<script" not in html
    assert EVENT_ATTRIBUTE_RE.search(html) is None
    assert "javascript:" not in html


# Pieces of Markdown, HTML and URLs that attacks are made of; hypothesis shuffles them.
FRAGMENTS = [
    *("<", ">", "</", "/>", '"', "'", "=", " ", "\n", "\n\n", "`", "```", "[", "]", "(", ")", "!", "*", "_", "~~"),
    *("<script>", "</script>", "<img src=x", " onerror=alert(1)", " onload=", "<a href=", "<svg", "<iframe"),
    *("javascript:", "JaVaScRiPt&#58;", "&#106;avascript:", "java\tscript:", "data:text/html,", "vbscript:"),
    *("<style>", " style=", "<details", "<input", "<math>", "<noscript>", "<!--", "-->", "&lt;", "&#x3C;"),
    *("- [ ] ", "# ", "> ", "| a |\n|---|\n", "https://", "mailto:", "://", "www.", "@", "\x00", "\ud800"),
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join))
def test_attack_fragments_in_any_order_render_inert(source: str) -> None:
    assert_inert(markdown_render(source).html)
