"""The static-site export: what it contains, that its links work from file://, that a
re-run writes only what changed, its query count, and the command's errors."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.tests.factories import UserFactory
from nexus.interchange.site import MANIFEST_NAME, SiteOutputUnusable, SiteScopeEmpty, site_export
from nexus.knowledge.errors import HubNotFound
from nexus.knowledge.models import Entry, EntryKind, EntryStatus, Technology, Topic, Visibility
from nexus.knowledge.services import entry_delete, entry_set_status, entry_update, hub_ensure, hub_update
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db


# --- Fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def vocabulary() -> tuple[Topic, Technology]:
    topic, _ = Topic.objects.get_or_create(slug="caching", defaults={"name": "Caching"})
    technology, _ = Technology.objects.get_or_create(slug="redis", defaults={"name": "Redis"})
    return topic, technology


@pytest.fixture
def hub_entries(owner: Any, vocabulary: tuple[Topic, Technology]) -> dict[str, Entry]:
    """The owner's public hub: one entry of several kinds, in the order they were written."""
    hub_update(actor=owner, hub=hub_ensure(owner), data={"intro": "I learn **backend** things.", "cohort": "2026"})
    return {
        "concept": make_entry(
            owner,
            title="Caching strategies",
            summary="Cache-aside and versioned keys.",
            body="## Cache-aside\n\nRead the cache first.\n\n```python\ncache.get('key')\n```\n",
            topics=["caching"],
            technologies=["redis"],
            tags=["cache"],
        ),
        "technology": make_entry(owner, kind=EntryKind.TECHNOLOGY, title="Redis", body="An in-memory store.\n"),
        "challenge": make_entry(
            owner,
            kind=EntryKind.CHALLENGE,
            title="Slow movie list",
            problem="The list ran 101 queries.",
            solution="select_related and prefetch_related.",
            body="",
            topics=["caching"],
        ),
        "highlight": make_entry(
            owner, kind=EntryKind.WEEKLY_HIGHLIGHT, title="First background task", week=3, body="Celery!\n"
        ),
    }


def files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)} - {MANIFEST_NAME}


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value is not None and (name in ("href", "src") or (tag == "form" and name == "action")):
                self.links.append(value)


def parse(path: Path) -> LinkParser:
    parser = LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def search_index(out: Path) -> dict[str, Any]:
    script = (out / "assets" / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.NEXUS_SEARCH_INDEX = "
    assert script.startswith(prefix)
    data: dict[str, Any] = json.loads(script.removeprefix(prefix).strip().removesuffix(";"))
    return data


# --- Content --------------------------------------------------------------------------------


def test_pages_for_every_entry_hub_topic_and_technology(tmp_path: Path, hub_entries: dict[str, Entry]) -> None:
    report = site_export(tmp_path / "site")

    out = tmp_path / "site"
    assert (report.hubs, report.entries, report.topics, report.technologies) == (1, 4, 1, 1)
    assert report.pages == 2 + 1 + 4 + 1 + 1  # index and search, the hub, entries, topic, technology
    assert report.written == report.files
    assert report.unchanged == report.removed == 0
    for entry in hub_entries.values():
        page = (out / "h" / "owner" / f"{entry.slug}.html").read_text(encoding="utf-8")
        assert f"<h1>{entry.title}</h1>" in page
        assert entry.html in page  # the stored, sanitised HTML, not a new rendering
    concept = (out / "h" / "owner" / "caching-strategies.html").read_text(encoding="utf-8")
    assert '<span class="badge kind-concept">Concept</span>' in concept
    assert '<a href="#cache-aside">Cache-aside</a>' in concept  # the stored table of contents
    assert '<div class="highlight"><pre><span></span><span class="n">cache</span>' in concept
    assert '<a class="chip" href="../../topics/caching.html">Caching</a>' in concept
    assert '<a class="chip tech" href="../../technologies/redis.html">Redis</a>' in concept
    assert '<span class="chip tag">#cache</span>' in concept
    assert ".highlight .k {" in (out / "assets" / "pygments.css").read_text()

    hub = (out / "h" / "owner.html").read_text(encoding="utf-8")
    assert "<h1>Olive Owner&#x27;s Project Nexus</h1>" in hub
    assert "<strong>backend</strong>" in hub  # the intro's stored HTML
    headings = re.findall(r"<h2>([^<]+)</h2>", hub)
    assert headings == ["Technologies", "Concepts", "Challenges and solutions", "Weekly highlights"]
    assert "<dt>Problem</dt><dd>The list ran 101 queries.</dd>" in hub
    assert '<span class="week">Week 3</span>' in hub

    topic = (out / "topics" / "caching.html").read_text(encoding="utf-8")
    assert re.findall(r'href="\.\./(h/owner/[^"]+)"', topic) == [
        "h/owner/caching-strategies.html",
        "h/owner/slow-movie-list.html",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="h/owner.html"' in index
    assert 'href="topics/caching.html">Caching <span class="count">2</span>' in index


def test_previous_and_next_follow_the_hub_in_readme_order(tmp_path: Path, hub_entries: dict[str, Entry]) -> None:
    site_export(tmp_path)

    def pager(name: str) -> tuple[str | None, str | None]:
        page = (tmp_path / "h" / "owner" / f"{hub_entries[name].slug}.html").read_text(encoding="utf-8")
        previous = re.search(r'rel="prev" href="\.\./\.\./h/owner/([^"]+)\.html"', page)
        following = re.search(r'rel="next" href="\.\./\.\./h/owner/([^"]+)\.html"', page)
        return (previous.group(1) if previous else None, following.group(1) if following else None)

    # Technologies, concepts, challenges, weekly highlights: the hub page's order.
    assert pager("technology") == (None, "caching-strategies")
    assert pager("concept") == ("redis", "slow-movie-list")
    assert pager("challenge") == ("caching-strategies", "first-background-task")
    assert pager("highlight") == ("slow-movie-list", None)


def test_drafts_private_and_cohort_hubs_are_never_exported(
    tmp_path: Path, owner: Any, hub_entries: dict[str, Entry]
) -> None:
    make_entry(owner, title="Half-written thoughts", status=EntryStatus.DRAFT, body="secret draft\n")
    private = UserFactory(username="private")
    make_entry(private, title="Private diary", body="private words\n")
    hub_update(actor=private, hub=hub_ensure(private), data={"visibility": Visibility.PRIVATE})
    members = UserFactory(username="members")
    make_entry(members, title="Members only", body="cohort words\n")
    hub_update(actor=members, hub=hub_ensure(members), data={"visibility": Visibility.COHORT})

    report = site_export(tmp_path)

    assert (report.hubs, report.entries) == (1, 4)
    everything = b"".join(files(tmp_path).values())
    for secret in (
        b"Half-written",
        b"secret draft",
        b"Private diary",
        b"private words",
        b"Members only",
        b"cohort words",
    ):
        assert secret not in everything
    assert not (tmp_path / "h" / "private").exists()
    assert not (tmp_path / "h" / "members.html").exists()


def test_every_relative_link_resolves_to_a_file(tmp_path: Path, owner: Any, hub_entries: dict[str, Entry]) -> None:
    odd = UserFactory(username="..", profile__display_name="Dots")  # a valid username, not a valid folder
    make_entry(odd, title="Dots and slashes", body="Links to [caching](/h/owner/caching-strategies/#cache-aside).\n")
    site_export(tmp_path)

    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) == 2 + 2 + 5 + 1 + 1
    checked = 0
    for page in pages:
        parsed = parse(page)
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not link.startswith("/"), f"{page}: {link} does not work from file://"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.relative_to(tmp_path)} links to {link}, which is not a file"
            assert target.is_relative_to(tmp_path.resolve())
            if parts.fragment:
                assert parts.fragment in parse(target).ids, f"{page}: {link} names no element"
            checked += 1
    assert checked > 100
    dots = (tmp_path / "h" / "~.." / "dots-and-slashes.html").read_text(encoding="utf-8")
    assert 'href="../../h/owner/caching-strategies.html#cache-aside"' in dots


def test_links_into_the_web_app_without_a_page_lose_their_href(tmp_path: Path, owner: Any) -> None:
    make_entry(owner, title="Links", body="See [a draft](/h/owner/gone/) and [the API](/api/v1/entries).\n")
    site_export(tmp_path)

    page = (tmp_path / "h" / "owner" / "links.html").read_text(encoding="utf-8")
    assert '<a title="Not part of this export" rel="nofollow noopener noreferrer">a draft</a>' in page
    assert 'href="/' not in page


def test_diagrams_are_drawn_by_the_pages_own_script_shipped_only_when_needed(
    tmp_path: Path, owner: Any, hub_entries: dict[str, Entry]
) -> None:
    site_export(tmp_path / "plain")
    assert not (tmp_path / "plain" / "assets" / "mermaid.min.js").exists()
    assert "diagrams.js" not in (tmp_path / "plain" / "h" / "owner" / "redis.html").read_text(encoding="utf-8")

    make_entry(owner, title="Flow", body="```mermaid\ngraph TD\n  A --> B\n```\n")
    site_export(tmp_path / "drawn")
    page = (tmp_path / "drawn" / "h" / "owner" / "flow.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid">' in page
    assert '<script src="../../assets/diagrams.js" data-mermaid="../../assets/mermaid.min.js" defer></script>' in page
    assert "diagrams.js" not in (tmp_path / "drawn" / "h" / "owner" / "redis.html").read_text(encoding="utf-8")
    assets = tmp_path / "drawn" / "assets"
    assert (assets / "mermaid.min.js").stat().st_size > 1_000_000
    assert (assets / "diagrams.js").read_text(encoding="utf-8").startswith("/* Draws ```mermaid blocks")


def test_search_index_lists_every_exported_entry(tmp_path: Path, owner: Any, hub_entries: dict[str, Entry]) -> None:
    make_entry(owner, title="Unpublished", status=EntryStatus.DRAFT)
    site_export(tmp_path)

    index = search_index(tmp_path)
    assert index["fields"] == ["title", "summary", "kind", "hub", "url"]
    hub = "Olive Owner's Project Nexus"
    assert index["entries"] == [
        ["Caching strategies", "Cache-aside and versioned keys.", "Concept", hub, "h/owner/caching-strategies.html"],
        ["First background task", "", "Weekly highlight", hub, "h/owner/first-background-task.html"],
        ["Redis", "", "Technology", hub, "h/owner/redis.html"],
        ["Slow movie list", "", "Challenge", hub, "h/owner/slow-movie-list.html"],
    ]
    search = (tmp_path / "search.html").read_text(encoding="utf-8")
    assert '<script src="assets/search-index.js"></script>' in search
    assert '<script src="assets/search.js"></script>' in search
    assert "fetch(" not in (tmp_path / "assets" / "search.js").read_text().split("*/", 1)[1]


def test_a_hub_or_a_cohort_alone(tmp_path: Path, owner: Any, hub_entries: dict[str, Entry]) -> None:
    other = UserFactory(username="other")
    make_entry(other, title="Other notes")
    hub_update(actor=other, hub=hub_ensure(other), data={"cohort": "2025"})

    only_other = site_export(tmp_path / "other", hubs=["OTHER"])
    cohort = site_export(tmp_path / "cohort", cohort="2026")

    assert (only_other.hubs, only_other.entries) == (1, 1)
    assert (tmp_path / "other" / "h" / "other" / "other-notes.html").is_file()
    assert not (tmp_path / "other" / "h" / "owner.html").exists()
    assert (cohort.hubs, cohort.entries) == (1, 4)
    assert not (tmp_path / "cohort" / "h" / "other.html").exists()
    with pytest.raises(HubNotFound):
        site_export(tmp_path / "nobody", hubs=["nobody"])
    with pytest.raises(SiteScopeEmpty):
        site_export(tmp_path / "empty", cohort="1999")
    assert not (tmp_path / "nobody").exists()
    assert not (tmp_path / "empty").exists()


# --- Incremental ----------------------------------------------------------------------------


def test_second_run_writes_nothing(tmp_path: Path, hub_entries: dict[str, Entry]) -> None:
    first = site_export(tmp_path)
    before = {path: (tmp_path / path).stat().st_mtime_ns for path in files(tmp_path)}

    second = site_export(tmp_path)

    assert (second.written, second.unchanged, second.removed) == (0, first.files, 0)
    assert {path: (tmp_path / path).stat().st_mtime_ns for path in files(tmp_path) if path != MANIFEST_NAME} == {
        path: mtime for path, mtime in before.items() if path != MANIFEST_NAME
    }
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest["files"]["index.html"] == hashlib.sha256((tmp_path / "index.html").read_bytes()).hexdigest()
    assert len(manifest["files"]) == first.files


def test_a_title_edit_rewrites_the_entry_and_the_pages_that_list_it(
    tmp_path: Path, owner: Any, hub_entries: dict[str, Entry]
) -> None:
    site_export(tmp_path)
    before = files(tmp_path)
    concept = hub_entries["concept"]

    entry_update(actor=owner, entry=concept, data={"title": "Caching, revisited"}, base_version=concept.version)
    report = site_export(tmp_path)

    expected = {
        "h/owner/caching-strategies.html",  # the entry (its slug stays)
        "h/owner.html",  # its hub
        "h/owner/redis.html",  # the previous entry's "next" link
        "h/owner/slow-movie-list.html",  # the next entry's "previous" link
        "topics/caching.html",
        "technologies/redis.html",
        "assets/search-index.js",
    }
    assert changed(before, files(tmp_path)) == expected
    assert (report.written, report.removed) == (len(expected), 0)
    assert report.unchanged == report.files - len(expected)


def test_a_body_edit_rewrites_only_the_entry_page(tmp_path: Path, owner: Any, hub_entries: dict[str, Entry]) -> None:
    site_export(tmp_path)
    before = files(tmp_path)
    concept = hub_entries["concept"]

    entry_update(actor=owner, entry=concept, data={"body": "## Write-through\n"}, base_version=concept.version)
    report = site_export(tmp_path)

    assert changed(before, files(tmp_path)) == {"h/owner/caching-strategies.html"}
    assert report.written == 1
    assert '<h2 id="write-through">Write-through</h2>' in (tmp_path / "h/owner/caching-strategies.html").read_text()


def test_entries_that_are_gone_lose_their_pages(tmp_path: Path, owner: Any, hub_entries: dict[str, Entry]) -> None:
    site_export(tmp_path)

    entry_delete(actor=owner, entry=hub_entries["technology"])
    entry_set_status(actor=owner, entry=hub_entries["highlight"], status=EntryStatus.DRAFT)
    report = site_export(tmp_path)

    assert report.removed == 2
    assert not (tmp_path / "h/owner/redis.html").exists()
    assert not (tmp_path / "h/owner/first-background-task.html").exists()
    assert "Weekly highlights" not in (tmp_path / "h/owner.html").read_text()
    assert len(search_index(tmp_path)["entries"]) == 2

    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": Visibility.PRIVATE})
    report = site_export(tmp_path)

    assert report.removed == 2 + 1 + 1 + 1  # two entries, the hub, its topic and technology pages
    assert not (tmp_path / "h").exists()
    assert not (tmp_path / "topics").exists()
    assert sorted(files(tmp_path)) == sorted(
        [
            MANIFEST_NAME,
            "assets/pygments.css",
            "assets/search-index.js",
            "assets/search.js",
            "assets/site.css",
            "index.html",
            "search.html",
        ]
    )


def test_files_deleted_by_hand_are_written_again(tmp_path: Path, hub_entries: dict[str, Entry]) -> None:
    site_export(tmp_path)
    (tmp_path / "h" / "owner.html").unlink()

    report = site_export(tmp_path)

    assert report.written == 1
    assert (tmp_path / "h" / "owner.html").is_file()


def test_a_manifest_never_makes_it_delete_outside_the_folder(tmp_path: Path, hub_entries: dict[str, Entry]) -> None:
    out = tmp_path / "site"
    site_export(out)
    bystander = tmp_path / "keep.txt"
    bystander.write_text("mine")
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    manifest["files"]["../keep.txt"] = "0" * 64
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))

    site_export(out)

    assert bystander.read_text() == "mine"


# --- Cost -----------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_the_entries(tmp_path: Path, vocabulary: tuple[Topic, Technology]) -> None:
    def export_queries(learners: int, per_hub: int, name: str) -> int:
        for number in range(learners):
            user = UserFactory(username=f"{name}{number}")
            for position in range(per_hub):
                make_entry(user, title=f"Entry {position}", topics=["caching"], technologies=["redis"], tags=["t"])
        with CaptureQueriesContext(connection) as queries:
            site_export(tmp_path / name)
        return len(queries)

    small = export_queries(2, 5, "small")  # 10 entries in 2 hubs
    large = export_queries(5, 10, "large")  # now 60 entries in 7 hubs
    assert small == large


# --- Output folder and command ----------------------------------------------------------------


def test_refuses_a_file_or_someone_elses_folder(tmp_path: Path, hub_entries: dict[str, Entry]) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder")
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "index.html").write_text("their page")

    with pytest.raises(SiteOutputUnusable, match="is a file"):
        site_export(a_file)
    with pytest.raises(SiteOutputUnusable, match="is not a folder"):
        site_export(a_file / "site")
    with pytest.raises(SiteOutputUnusable, match="is not empty and holds no Nexus site"):
        site_export(theirs)
    assert (theirs / "index.html").read_text() == "their page"
    site_export(tmp_path / "new" / "nested")  # a new folder, parents included
    assert (tmp_path / "new" / "nested" / "index.html").is_file()


def test_command_exports_and_reports(tmp_path: Path, hub_entries: dict[str, Entry], caplog: Any) -> None:
    stdout = StringIO()
    with caplog.at_level(logging.INFO, logger="nexus.progress"):
        call_command("nexus_site", str(tmp_path / "site"), "--hub", "owner", "--cohort", "2026", stdout=stdout)

    assert stdout.getvalue().startswith(
        f"Static site in {tmp_path / 'site'}: 9 pages (4 entries, 1 hubs, 1 topics, 1 technologies); "
        "13 files written, 0 unchanged, 0 removed in "
    )
    assert "Static site: 13/13 files (100%)" in caplog.text
    assert "(finished)" in caplog.text


def test_command_errors_are_clean(tmp_path: Path, hub_entries: dict[str, Entry]) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")

    with pytest.raises(CommandError, match=r"file\.txt is a file; give a folder for the site\."):
        call_command("nexus_site", str(a_file))
    with pytest.raises(CommandError, match=r"'ghost' has no hub you can see\."):
        call_command("nexus_site", str(tmp_path / "site"), "--hub", "ghost")
    with pytest.raises(CommandError, match=r"Cohort '1999' has no hub that anyone may read\."):
        call_command("nexus_site", str(tmp_path / "site"), "--cohort", "1999")
    assert not (tmp_path / "site").exists()
