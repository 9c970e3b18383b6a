"""Bad input for the README importer (issue 4): binary files, empty files, odd encodings, a
README that is one 1 MB line, 10,000 headings, deeply nested lists, HTML-only files. Each
is a clear error (its code, and a message that says what to do) or a correct import; never
a partial import. Service level: `readme_read` (no database) and `readme_import`.
Timings are not asserted here (DESIGN.md section 5). Fixture text is ours."""

from __future__ import annotations

import codecs
import gzip
import struct
import zlib
from typing import Any

import ftfy
import pytest
from django.conf import settings
from django.db import OperationalError
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from nexus.core.errors import InvalidInput, NexusError
from nexus.interchange import services
from nexus.interchange.errors import ReadmeTooLarge, ReadmeTooManyEntries, ReadmeUnreadable
from nexus.interchange.models import ImportSource
from nexus.interchange.readme.decoding import C1_OR_SURROGATE, REPAIR_ONLY, may_need_repair
from nexus.interchange.services import MAX_ENTRIES, readme_import, readme_read
from nexus.knowledge.models import Entry, Revision
from nexus.knowledge.services import hub_ensure, hub_update

# --- the inputs --------------------------------------------------------------------------------


def png() -> bytes:
    """A real, small PNG: signature, header, compressed pixels, end."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = bytes((x * 7 + y * 13) % 256 for y in range(32) for x in range(33))
    header = struct.pack(">IIBBBBB", 32, 32, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


def one_line(size: int = 1_000_000) -> bytes:
    """A README pasted without a single line break: 1 MB of prose on one line."""
    return (b"I learned to cache the feed page and to queue the e-mails. " * (size // 59 + 1))[:size]


def ten_thousand_headings(count: int = 10_000) -> bytes:
    return ("# Lena's Nexus\n\n" + "".join(f"## Note {n}\n\nShipped part {n}.\n\n" for n in range(count))).encode()


def nested_list(depth: int = 200) -> str:
    return "".join("  " * level + f"- level {level}\n" for level in range(depth))


HTML_ONLY = (
    '<div align="center">\n  <img src="docs/banner.png" alt="Banner" width="600">\n'
    "  <h1>Kofi's Project Nexus</h1>\n  <p>What I learned, written in <b>HTML</b>.</p>\n</div>\n\n"
    "<!-- the badges go here -->\n\n<table>\n  <tr><td>Django</td><td>Redis</td></tr>\n</table>\n"
)
README = "# Mei's Nexus\n\nNotes from the program.\n\n## Takeaways\n\nSmall pull requests, reviewed the same day. Café ☕ 🚀\n"


def run(owner: Any, data: bytes, **options: Any) -> services.ImportReport:
    return readme_import(actor=owner, hub=hub_ensure(owner), data=data, **options)


def snapshot(owner: Any) -> tuple[Any, ...]:
    """What an import may change: entries (with versions), revisions, sources, the hub."""
    hub = hub_ensure(owner)
    hub.refresh_from_db()
    entries = list(Entry.objects.filter(hub=hub).order_by("id").values_list("id", "title", "body", "version"))
    sources = list(ImportSource.objects.filter(hub=hub).values_list("name", "digest"))
    return entries, Revision.objects.count(), sources, hub.title, hub.intro


# --- binary and empty files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            png(),
            "This looks like a binary file, not Markdown text. Upload the README.md itself. This one starts like a PNG image.",
        ),
        (
            gzip.compress(README.encode() * 50),
            "This looks like a binary file, not Markdown text. Upload the README.md itself. This one starts like a gzip",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00word/document.xml",
            "This looks like a binary file, not Markdown text. Upload the README.md itself. This one starts like a ZIP",
        ),
        (
            b"\x7fELF\x02\x01\x01" + bytes(200) + b"main\x00printf\x00",
            "This looks like a binary file, not Markdown text. Upload the README.md itself. This one starts like a program.",
        ),
        (b"# Notes\n\n" + b"\x00\x01\x02\x03" * 500, "This looks like a binary file, not Markdown text."),
        (bytes(2000), "This looks like a binary file, not Markdown text. Upload the README.md itself."),
        (zlib.compress(README.encode() * 50), "The file's text encoding could not be recognised; save it as UTF-8"),
        (
            bytes(range(128, 256)) * 40,  # no NUL, no text: nothing decodes it as a README
            "The file's text encoding could not be recognised; save it as UTF-8 and try again.",
        ),
    ],
    ids=["png", "gzip", "docx", "elf", "control-bytes", "nul-bytes", "zlib-stream", "high-bytes"],
)
def test_binary_files_are_unreadable_and_say_what_to_upload(owner: Any, data: bytes, says: str) -> None:
    with pytest.raises(ReadmeUnreadable) as caught:
        readme_read(data)
    assert caught.value.code == "readme_unreadable"
    assert caught.value.status == 400
    assert str(caught.value.message).startswith(says)
    before = snapshot(owner)
    with pytest.raises(ReadmeUnreadable):
        run(owner, data, dry_run=False)
    assert snapshot(owner) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\t\r\n\n", "The file is empty."),
        (codecs.BOM_UTF8, "The file is empty: it holds no text, only white space or a byte-order mark."),
        (codecs.BOM_UTF8 + b"\r\n\r\n", "The file is empty: it holds no text, only white space or a byte-order mark."),
        (" \n \n".encode("utf-16"), "The file is empty: it holds no text, only white space or a byte-order mark."),
        ("\u00a0\u3000\n".encode(), "The file is empty: it holds no text, only white space or a byte-order mark."),
    ],
    ids=["zero-bytes", "whitespace", "utf8-bom-only", "utf8-bom-and-newlines", "utf16-spaces", "unicode-spaces"],
)
def test_empty_files_are_unreadable(owner: Any, data: bytes, message: str) -> None:
    with pytest.raises(ReadmeUnreadable) as caught:
        readme_read(data)
    assert (caught.value.code, caught.value.message) == ("readme_unreadable", message)
    with pytest.raises(ReadmeUnreadable):
        run(owner, data, dry_run=False)
    assert not Entry.objects.exists()
    assert not ImportSource.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded() -> None:
    limit = settings.NEXUS_README_MAX_BYTES
    readme_read(b"a" * limit)  # at the limit: read
    with pytest.raises(ReadmeTooLarge) as caught:
        readme_read(bytes(limit + 1))  # NUL bytes: refused for the size, never looked at
    assert (caught.value.code, caught.value.status) == ("readme_too_large", 413)
    assert caught.value.message == f"This README is {limit + 1:,} bytes; the limit is {limit:,} bytes."


def test_a_few_nul_characters_in_text_are_removed_and_reported() -> None:
    text, _, repairs, plan = readme_read(b"# Notes\n\n## Takeaways\n\nShip\x00 small.\x00\n")
    assert text == "# Notes\n\n## Takeaways\n\nShip small.\n"
    assert repairs == ["Removed 2 NUL characters (a text file has none)."]
    assert [(e.kind, e.body) for e in plan.entries] == [("takeaway", "Ship small.")]


# --- encodings ----------------------------------------------------------------------------------


NON_LATIN_READMES = {
    "cyrillic": "# Проект Нексус\n\n## Выводы\n\n- Кэш сначала, база потом.\n- Маленькие коммиты каждый день.\n",
    "greek": "# Το Nexus μου\n\n## Συμπεράσματα\n\n- Πρώτα η κρυφή μνήμη, μετά η βάση.\n",
    "japanese": "# 私のネクサス\n\n## まとめ\n\n- まずキャッシュ、次にデータベース。\n- 小さなコミットを毎日。\n",
}


@pytest.mark.parametrize("script", sorted(NON_LATIN_READMES))
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_in_non_latin_text(script: str, encoding: str) -> None:
    readme = NON_LATIN_READMES[script]
    text, found, repairs, plan = readme_read(readme.encode(encoding))
    assert (text, found) == (readme, encoding)
    assert repairs == [f"Decoded from {encoding}; saved as UTF-8."]
    assert plan.title == readme.splitlines()[0].removeprefix("# ")
    # The same text as UTF-8 stays UTF-8: the UTF-16 guess never applies to valid UTF-8.
    assert readme_read(readme.encode())[1] == "utf-8"


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "utf-16 with a byte-order mark"),
        (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16 with a byte-order mark"),
        (lambda text: text.encode("utf-16-le"), "utf-16-le"),
        (lambda text: text.encode("utf-16-be"), "utf-16-be"),
        (lambda text: text.replace("\n", "\r\n").encode("utf-16-le"), "utf-16-le"),  # PowerShell's `>`
    ],
    ids=["le-bom", "be-bom", "le", "be", "le-crlf"],
)
def test_utf16_in_either_byte_order_with_or_without_a_bom(owner: Any, encode: Any, encoding: str) -> None:
    text, found, repairs, plan = readme_read(encode(README))
    assert text == README
    assert found == encoding
    assert repairs == [f"Decoded from {encoding}; saved as UTF-8."]
    assert plan.title == "Mei's Nexus"
    assert [(e.kind, e.title) for e in plan.entries] == [("takeaway", "Takeaways")]
    run(owner, encode(README), dry_run=False)
    assert Entry.objects.get(hub__owner=owner).body == "Small pull requests, reviewed the same day. Café ☕ 🚀"


@pytest.mark.parametrize("codepage", ["latin-1", "cp1252"])
def test_a_legacy_code_page_file_is_decoded_and_the_repair_says_so(codepage: str) -> None:
    original = (
        "# Inès' notes\n\n## Ce que j'ai appris\n\nJ'ai appris à déployer une application façon "
        "« douze facteurs » : réglages lus dans l'environnement, journaux sur la sortie standard.\n"
    )
    text, encoding, repairs, plan = readme_read(original.encode(codepage))
    assert text == original
    assert (encoding, repairs) == ("cp1252", ["Decoded from cp1252; saved as UTF-8."])
    assert [e.title for e in plan.entries] == ["Ce que j'ai appris"]


def test_windows_1252_punctuation_is_decoded_too() -> None:
    original = "# Notes – “quotes” and dashes\n\n## Takeaways\n\nIt’s done… mostly.\n"
    text, encoding, repairs, _ = readme_read(original.encode("cp1252"))
    assert (text, encoding, repairs) == (original, "cp1252", ["Decoded from cp1252; saved as UTF-8."])


def test_utf8_with_a_few_invalid_bytes_keeps_its_characters_and_counts_the_strays() -> None:
    # A UTF-8 file (emoji, accents) with a paragraph pasted from a Latin-1 one.
    data = "# Notes 🚀\n\n## Takeaways\n\nCafé culture. ".encode() + "Déjà vu.\n".encode("latin-1")
    text, encoding, repairs, plan = readme_read(data)
    assert text == "# Notes 🚀\n\n## Takeaways\n\nCafé culture. Déjà vu.\n"
    assert encoding == "utf-8"
    assert repairs == [
        "2 bytes were not valid UTF-8; they were read as Windows-1252. Check the characters around them in the preview."
    ]
    assert plan.entries[0].body == "Café culture. Déjà vu."


def test_a_cut_emoji_is_marked_and_reported() -> None:
    data = "# Notes ☕\n\n## Takeaways\n\nDéjà done ".encode() + "🚀".encode()[:3] + b" shipped.\n"
    text, _, repairs, plan = readme_read(data)
    assert text == "# Notes ☕\n\n## Takeaways\n\nDéjà done \ufffd shipped.\n"
    assert repairs == [
        "1 character was cut short (bytes of UTF-8 missing) and marked with �. Check them in the preview."
    ]
    assert plan.coverage.percent == 100.0


def test_a_cyrillic_windows_1251_file_keeps_its_code_page() -> None:
    original = "# Заметки\n\n## Выводы\n\nКэширование ускоряет страницы и снижает нагрузку на базу данных.\n"
    text, encoding, _, _ = readme_read(original.encode("cp1251"))
    assert (text, encoding) == (original, "cp1251")


def expanded(chars: str) -> set[str]:
    """The characters of a regex class body as ftfy writes them (`a-z` ranges included)."""
    found: set[str] = set()
    index = 0
    while index < len(chars):
        if index + 2 < len(chars) and chars[index + 1] == "-":
            found.update(chr(code) for code in range(ord(chars[index]), ord(chars[index + 2]) + 1))
            index += 3
        else:
            found.add(chars[index])
            index += 1
    return found


MOJIBAKE_PRONE = st.text(
    alphabet=st.sampled_from(
        sorted(
            set().union(*(expanded(chars) for chars in MOJIBAKE_CATEGORIES.values()))
            | set("ÃÂÎÐØÙà√≈‚вβāГВРСΒΓΞΟŒœ×²³°µ»¢Ÿž©® \n\tabcxyzAZ.,?!#-*🚀é\u00a0\x85\ud83d")
        )
    ),
    max_size=60,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(MOJIBAKE_PRONE)
def test_the_fast_check_agrees_with_ftfy_on_what_needs_repair(text: str) -> None:
    # Decoding skips ftfy only when ftfy would change nothing: the windowed search around
    # non-ASCII characters finds exactly what ftfy's whole-text search finds.
    assert may_need_repair(text) == bool(BADNESS_RE.search(text) or C1_OR_SURROGATE.search(text))
    if not may_need_repair(text):
        assert ftfy.fix_and_explain(text, config=REPAIR_ONLY).text == text


# --- pathological shapes -----------------------------------------------------------------------


def test_one_line_of_a_megabyte_is_one_note_and_too_large_for_an_entry(owner: Any) -> None:
    data = one_line()
    size = len(data.strip())
    _, _, _, plan = readme_read(data)
    assert [(e.kind, e.title, e.body, e.line_span()) for e in plan.entries] == [
        ("note", "Notes", data.strip().decode(), (1, 1))
    ]
    assert plan.coverage.percent == 100.0
    assert (plan.title, plan.intro) == ("", "")
    preview = run(owner, data).as_dict()
    assert preview["entries"][0]["error"]["code"] == "markdown_too_large"
    before = snapshot(owner)
    with pytest.raises(InvalidInput) as caught:
        run(owner, data, dry_run=False)
    assert caught.value.message == "Some parts of the README cannot be saved as entries."
    error = caught.value.details["entries"]["Notes (lines 1 to 1)"]
    assert error["code"] == "markdown_too_large"
    assert error["message"] == (
        f"This Markdown is {size:,} bytes; the limit is 262,144 bytes. "
        "Split the entry into smaller entries and link them together."
    )
    assert snapshot(owner) == before


def test_an_intro_of_a_megabyte_under_the_title_is_a_clear_error(owner: Any) -> None:
    data = b"# Tariq's Nexus\n\n" + one_line() + b"\n\n## Takeaways\n\nShip small.\n"
    before = snapshot(owner)
    for dry_run in (True, False):
        with pytest.raises(NexusError) as caught:
            run(owner, data, dry_run=dry_run)
        assert caught.value.code == "markdown_too_large"
        assert "the limit is 262,144 bytes" in caught.value.message
    assert snapshot(owner) == before


def test_ten_thousand_headings_are_refused_with_the_count_and_nothing_is_written(owner: Any) -> None:
    run(owner, README.encode(), dry_run=False)
    before = snapshot(owner)
    data = ten_thousand_headings()
    with pytest.raises(ReadmeTooManyEntries) as caught:
        readme_read(data)
    assert caught.value.code == "readme_too_many_entries"
    assert caught.value.message == (
        "This README has 10,001 headings; one import reads at most 1,000 and makes at most 500 entries. "
        "Split the file and import the parts one by one."
    )
    for dry_run in (True, False):
        with pytest.raises(ReadmeTooManyEntries):
            run(owner, data, dry_run=dry_run)
    assert snapshot(owner) == before


def test_the_entry_limit_is_inclusive() -> None:
    _, _, _, plan = readme_read(ten_thousand_headings(MAX_ENTRIES))
    assert len(plan.entries) == MAX_ENTRIES
    with pytest.raises(ReadmeTooManyEntries, match="would make 501 entries"):
        readme_read(ten_thousand_headings(MAX_ENTRIES + 1))


def test_a_thousand_headings_with_no_text_under_them_make_no_entries() -> None:
    # A run of headings with no body is outline, not content: nothing to import, all placed.
    _, _, _, plan = readme_read("".join(f"## Heading {n}\n" for n in range(1_000)).encode())
    assert plan.entries == []
    assert plan.coverage.percent == 100.0
    assert {why for _, _, why in plan.structure} == {"empty section"}
    assert len(plan.structure) == 1_000


def test_more_headings_than_an_import_reads_are_refused_before_parsing() -> None:
    with pytest.raises(ReadmeTooManyEntries, match="This README has 1,001 headings"):
        readme_read("".join(f"## Heading {n}\n" for n in range(1_001)).encode())


def test_a_list_nested_two_hundred_levels_deep_imports_whole(owner: Any) -> None:
    text = "# Ravi's Nexus\n\n## Notes\n\n" + nested_list(200)
    report = run(owner, text.encode(), dry_run=False)
    assert report.plan.coverage.percent == 100.0
    assert [(item.planned.kind, item.planned.title, item.action) for item in report.items] == [
        ("note", "Notes", "create")
    ]
    entry = Entry.objects.get(hub__owner=owner)
    assert entry.body == nested_list(200).rstrip("\n")
    assert "level 199" in entry.body


def test_a_file_that_is_only_a_deep_list_is_one_note() -> None:
    _, _, _, plan = readme_read(nested_list(200).encode())
    assert [(e.kind, e.title, e.reason) for e in plan.entries] == [
        ("note", "Notes", "a file with no headings, kept whole")
    ]
    assert plan.entries[0].body == nested_list(200).rstrip("\n")
    assert plan.coverage.percent == 100.0


def test_quotes_nested_two_hundred_deep_import_whole(owner: Any) -> None:
    text = "# Hub\n\n## Notes\n\n" + ">" * 200 + " the innermost thought\n"
    report = run(owner, text.encode(), dry_run=False)
    assert report.plan.coverage.percent == 100.0
    assert Entry.objects.get(hub__owner=owner).body == ">" * 200 + " the innermost thought"


def test_an_html_only_file_is_a_note_keeping_the_html(owner: Any) -> None:
    hub = hub_ensure(owner)
    hub_update(actor=owner, hub=hub, data={"intro": "My own intro, written in Nexus."})
    report = run(owner, HTML_ONLY.encode(), dry_run=False)
    assert report.plan.coverage.percent == 100.0
    assert report.hub_changes == {}
    entry = Entry.objects.get(hub__owner=owner)
    assert (entry.kind, entry.title) == ("note", "Notes")
    assert entry.body == HTML_ONLY.strip()
    hub.refresh_from_db()
    assert hub.intro == "My own intro, written in Nexus."  # and the file's text was not dropped


def test_html_only_text_in_an_empty_hub_is_a_note_too() -> None:
    _, _, _, plan = readme_read(HTML_ONLY.encode())
    assert (plan.title, plan.intro) == ("", "")
    assert [(e.kind, e.body) for e in plan.entries] == [("note", HTML_ONLY.strip())]


def test_text_after_an_export_marker_is_kept_in_a_note() -> None:
    text = "# Hub\n\nIntro.\n\n<!-- nexus:end -->\n\nA line added on GitHub after the export.\n\n## Later\n\nMore.\n"
    _, _, _, plan = readme_read(text.encode())
    assert [(e.kind, e.title, e.body) for e in plan.entries] == [
        ("note", "Notes", "A line added on GitHub after the export."),
        ("note", "Later", "More."),
    ]


# --- one transaction ------------------------------------------------------------------------------


FIRST = "# Amara's Nexus\n\n## Caching\n\nCache-aside.\n\n## Queues\n\nAck late.\n"


def test_a_part_that_cannot_be_saved_in_the_middle_leaves_everything_as_it_was(owner: Any) -> None:
    run(owner, FIRST.encode(), dry_run=False)
    before = snapshot(owner)
    assert [title for _, title, _, _ in before[0]] == ["Caching", "Queues"]
    edited = (
        FIRST.replace("Cache-aside.", "Cache-aside, with versioned keys.")  # an update, first
        + "\n## Everything\n\n"
        + "word " * 60_000  # over the Markdown limit, in the middle
        + "\n\n## Testing\n\nFixtures.\n"  # a new entry, after it
    )
    preview = run(owner, edited.encode())
    assert [item.action for item in preview.items] == ["update", "unchanged", "create", "create"]
    assert [item.error["code"] for item in preview.items if item.error] == ["markdown_too_large"]
    with pytest.raises(InvalidInput) as caught:
        run(owner, edited.encode(), dry_run=False)
    assert list(caught.value.details["entries"]) == ["Everything (lines 11 to 13)"]
    assert snapshot(owner) == before


def test_a_failure_half_way_through_writing_rolls_back_the_whole_import(
    owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = hub_ensure(owner)
    before = snapshot(owner)
    calls = []
    real = services.entry_create

    def fail_on_the_second(**kwargs: Any) -> Any:
        calls.append(kwargs["data"]["title"])
        if len(calls) == 2:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(services, "entry_create", fail_on_the_second)
    with pytest.raises(OperationalError):
        readme_import(actor=owner, hub=hub, data=FIRST.encode(), dry_run=False)
    assert calls == ["Caching", "Queues"]
    assert snapshot(owner) == before  # not the first entry, not the hub's new title
    monkeypatch.undo()
    run(owner, FIRST.encode(), dry_run=False)
    assert Entry.objects.filter(hub=hub).count() == 2


# --- anything at all: an error with a code, or a plan that places every line ---------------------

MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            *"#-*+>`|=_~ \n\t\r abc019.:[]()<>!\\",
            "```", "~~~", "## ", "- ", "1. ", "    ", "| a | b |\n|---|---|\n", "**Challenge:** ", "Solution: ",
            "<!-- nexus:entry {} -->", "<!-- nexus:end -->", "<div>", "🚀", "é", "Ã©", "\u200d", "\ufe0f",
        ]
    ),
    max_size=120,
).map("".join)  # fmt: skip


def outcome(call: Any, *args: Any, **kwargs: Any) -> Any:
    """What a call returned, or the NexusError it raised (anything else propagates)."""
    try:
        return call(*args, **kwargs)
    except NexusError as error:
        return error


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=400), MARKDOWNISH.map(str.encode)))
def test_any_bytes_give_a_coded_error_or_a_plan_that_places_every_line(data: bytes) -> None:
    result = outcome(readme_read, data)
    if isinstance(result, NexusError):
        assert result.code in {"readme_unreadable", "readme_too_many_entries"}
        assert result.message
    else:
        assert result[3].coverage.percent == 100.0, result[3].coverage.unplaced


@hypothesis_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(MARKDOWNISH)
@pytest.mark.django_db
def test_any_markdown_previews_without_a_server_error(owner: Any, text: str) -> None:
    result = outcome(run, owner, text.encode())
    if isinstance(result, NexusError):
        assert result.status < 500
    else:
        assert result.dry_run
    assert not Entry.objects.filter(hub__owner=owner).exists()
