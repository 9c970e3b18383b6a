"""The static-site export: what an anonymous visitor may read, as plain files that work
from file:// with no server.

One page per entry, hub, topic and technology, an index and a search page whose index
is a .js file (browsers refuse fetch() on file://). Every link is relative. Entries keep
the sanitised HTML stored at write time; Markdown is never rendered here.

The work is one pass in a fixed number of queries: the selectors decide what is visible,
the pages are built in memory, and each page's navigation costs O(1) or O(hub size).
A manifest of content hashes in OUT_DIR (`.nexus-site.json`) makes a re-run write only
the files whose bytes changed and remove the files of entries that are gone; files the
manifest does not name are never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template import loader
from pygments.formatters import HtmlFormatter

from nexus.core.errors import InvalidInput
from nexus.core.progress import progress_iter
from nexus.knowledge.models import Entry, EntryKind, Hub
from nexus.knowledge.sections import HUB_SECTIONS, markdown_excerpt
from nexus.knowledge.selectors import (
    entry_list_visible_to,
    hub_get_for_user,
    hub_list_visible_to,
    technology_list,
    topic_list,
)

if TYPE_CHECKING:
    from django.template.backends.base import _EngineTemplate

MANIFEST_NAME = ".nexus-site.json"
MANIFEST_FORMAT = 1
PYGMENTS_STYLE = "friendly"  # the web pages' style too (web/static/web/pygments.css)
EXCERPT_WORDS = 40

KIND_LABELS = {kind.value: kind.label for kind in EntryKind}
SECTION_ORDER = {kind: position for position, (kind, _, _) in enumerate(HUB_SECTIONS)}

# Links between entries are stored as the web app's paths, /h/<username>/<slug>/ (see
# knowledge/services.py); nh3 writes every attribute in double quotes.
_ROOT_HREF = re.compile(r'href="(/[^"]*)"')
_ENTRY_PATH = re.compile(r"^/h/(?P<username>[\w.@+-]+)/(?P<slug>[-\w]+)/?(?P<fragment>#[^\"]*)?$")

TEMPLATES = ("index", "hub", "entry", "listing", "search")
ASSETS_DIR = Path(__file__).resolve().parent / "site_assets"
ASSET_FILES = ("site.css", "search.js")
# The pages' own diagram drawing (web/static), copied only into a site that has a diagram.
DIAGRAM_ASSETS = {"diagrams.js": "web/diagrams.js", "mermaid.min.js": "web/vendor/mermaid/mermaid.min.js"}
DIAGRAM_MARK = '<pre class="mermaid"'  # how core/markdown.py renders a ```mermaid block


class SiteOutputUnusable(InvalidInput):
    """OUT_DIR cannot hold the site: a file, not writable, or someone else's folder."""

    code = "site_output_unusable"
    message = "The static site cannot be written there."


class SiteScopeEmpty(InvalidInput):
    """A cohort with no hub an anonymous visitor may read."""

    code = "site_scope_empty"
    message = "Nothing in this scope may be published."


@dataclass(frozen=True)
class SiteReport:
    out_dir: Path
    hubs: int
    entries: int
    topics: int
    technologies: int
    pages: int  # HTML pages
    files: int  # pages, stylesheets, scripts and the search index
    written: int
    unchanged: int
    removed: int
    seconds: float

    def summary(self) -> str:
        return (
            f"Static site in {self.out_dir}: {self.pages:,} pages ({self.entries:,} entries, {self.hubs:,} hubs, "
            f"{self.topics:,} topics, {self.technologies:,} technologies); {self.written:,} files written, "
            f"{self.unchanged:,} unchanged, {self.removed:,} removed in {self.seconds:.1f} s."
        )


# --- What the site shows ------------------------------------------------------------------


@dataclass
class _Term:
    """A topic or a technology, with the exported entries that carry it."""

    name: str
    slug: str
    path: str
    description: str = ""
    entries: list[_Page] = field(default_factory=list)


@dataclass
class _HubPage:
    hub: Hub
    dirname: str
    path: str
    owner_name: str
    entries: list[_Page] = field(default_factory=list)


@dataclass
class _Page:
    """An entry with the facts its pages need, computed once."""

    entry: Entry
    hub: _HubPage
    path: str
    kind_label: str
    topics: list[_Term] = field(default_factory=list)
    technologies: list[_Term] = field(default_factory=list)


@dataclass
class _Site:
    hubs: list[_HubPage]
    entries: list[_Page]
    topics: list[_Term]
    technologies: list[_Term]
    scope: str


def _safe_component(name: str) -> str:
    """A username as a folder name: "." and ".." are valid usernames, not valid folders.
    "~" is never part of a username, so the prefixed name cannot collide with another."""
    return f"~{name}" if name.startswith(".") else name


def _load(hubs: Sequence[str] | None, cohort: str | None) -> _Site:
    """Everything the site shows, in a fixed number of queries."""
    anonymous = AnonymousUser()
    hub_rows = hub_list_visible_to(anonymous)
    entry_rows = entry_list_visible_to(anonymous).defer(None).defer("body", "outcome")
    scope = "all public hubs"
    if hubs:
        chosen = [hub_get_for_user(anonymous, username) for username in dict.fromkeys(hubs)]
        hub_rows = hub_rows.filter(pk__in=[hub.pk for hub in chosen])
        entry_rows = entry_rows.filter(hub__in=[hub.pk for hub in chosen])
        scope = ", ".join(hub.owner.username for hub in chosen)
    if cohort:
        hub_rows = hub_rows.filter(cohort=cohort)
        entry_rows = entry_rows.filter(hub__cohort=cohort)
        scope = f"cohort {cohort}" if not hubs else f"{scope} (cohort {cohort})"
    hub_pages: dict[int, _HubPage] = {}
    for hub in hub_rows:
        dirname = _safe_component(hub.owner.username)
        hub_pages[hub.pk] = _HubPage(hub, dirname, f"h/{dirname}.html", hub.owner.profile.name)
    if cohort and not hub_pages:
        raise SiteScopeEmpty(f"Cohort {cohort!r} has no hub that anyone may read.")

    topics = {
        topic.pk: _Term(topic.name, topic.slug, f"topics/{topic.slug}.html", topic.description)
        for topic in topic_list()
    }
    technologies = {
        technology.pk: _Term(technology.name, technology.slug, f"technologies/{technology.slug}.html")
        for technology in technology_list()
    }
    pages: list[_Page] = []
    for entry in entry_rows:
        hub_page = hub_pages.get(entry.hub_id)
        if hub_page is None:  # a hub outside the scope (or not visible: the selectors agree)
            continue
        page = _Page(
            entry, hub_page, f"h/{hub_page.dirname}/{entry.slug}.html", KIND_LABELS.get(entry.kind, entry.kind)
        )
        page.topics = [topics[topic.pk] for topic in entry.topics.all()]
        page.technologies = [technologies[technology.pk] for technology in entry.technologies.all()]
        pages.append(page)

    pages.sort(key=_reading_order)
    for page in pages:
        page.hub.entries.append(page)
        for term in (*page.topics, *page.technologies):
            term.entries.append(page)
    by_title = sorted(pages, key=lambda page: (page.entry.title.casefold(), page.entry.pk))
    for terms in (topics, technologies):
        for term in terms.values():
            term.entries.sort(key=lambda page: (page.entry.title.casefold(), page.entry.pk))
    hub_list = sorted(hub_pages.values(), key=lambda hub: (hub.hub.title.casefold(), hub.hub.pk))
    return _Site(
        hubs=hub_list,
        entries=by_title,
        topics=[term for term in topics.values() if term.entries],
        technologies=[term for term in technologies.values() if term.entries],
        scope=scope,
    )


def _reading_order(page: _Page) -> tuple[int, int, int, int]:
    """A hub read like its README: sections in order, the timeline by week, else oldest first."""
    entry = page.entry
    week = (entry.week or 0) if entry.kind == EntryKind.WEEKLY_HIGHLIGHT else 0
    return (page.hub.hub.pk, SECTION_ORDER.get(entry.kind, len(SECTION_ORDER)), week, entry.pk)


# --- Pages --------------------------------------------------------------------------------


def _href(root: str, path: str) -> str:
    return root + quote(path, safe="/~")


class _Renderer:
    """Builds each file's bytes; templates are loaded once."""

    def __init__(self, site: _Site) -> None:
        self.site = site
        self.templates: dict[str, _EngineTemplate] = {
            name: loader.get_template(f"interchange/site/{name}.html") for name in TEMPLATES
        }
        self.entry_paths: dict[tuple[str, str], str] = {
            (page.hub.hub.owner.username.casefold(), page.entry.slug): page.path for page in site.entries
        }
        self.counts = {
            "hubs": len(site.hubs),
            "entries": len(site.entries),
            "topics": len(site.topics),
            "technologies": len(site.technologies),
        }

    def _render(self, name: str, root: str, context: dict[str, Any]) -> bytes:
        return self.templates[name].render({"root": root, "scope": self.site.scope, **context}).encode()

    def _terms(self, root: str, terms: Iterable[_Term]) -> list[dict[str, Any]]:
        return [{"name": term.name, "href": _href(root, term.path), "count": len(term.entries)} for term in terms]

    def _entry_link(self, root: str, page: _Page) -> dict[str, Any]:
        entry = page.entry
        return {
            "title": entry.title,
            "href": _href(root, page.path),
            "summary": entry.summary,
            "kind": entry.kind,
            "kind_label": page.kind_label,
            "week": entry.week,
            "hub_title": page.hub.hub.title,
            "hub_href": _href(root, page.hub.path),
        }

    def index(self) -> bytes:
        site = self.site
        hubs = [
            {
                "title": hub.hub.title,
                "owner_name": hub.owner_name,
                "cohort": hub.hub.cohort,
                "href": _href("", hub.path),
                "count": len(hub.entries),
            }
            for hub in site.hubs
        ]
        context = {
            "hubs": hubs,
            "topics": self._terms("", site.topics),
            "technologies": self._terms("", site.technologies),
            "counts": self.counts,
        }
        return self._render("index", "", context)

    def search(self) -> bytes:
        return self._render("search", "", {"counts": self.counts})

    def hub(self, hub: _HubPage) -> bytes:
        root = "../"
        sections = []
        for kind, anchor, heading in HUB_SECTIONS:
            items = []
            for page in hub.entries:
                if page.entry.kind != kind:
                    continue
                item = self._entry_link(root, page)
                item["technologies"] = self._terms(root, page.technologies)
                item["topics"] = self._terms(root, page.topics)
                if kind == EntryKind.CHALLENGE:
                    item["problem"] = markdown_excerpt(page.entry.problem, EXCERPT_WORDS)
                    item["solution"] = markdown_excerpt(page.entry.solution, EXCERPT_WORDS)
                items.append(item)
            if items:
                sections.append({"kind": kind, "anchor": anchor, "heading": heading, "entries": items})
        used: dict[str, _Term] = {}
        for page in hub.entries:
            for term in page.technologies:
                used.setdefault(term.slug, term)
        context = {
            "hub": hub.hub,
            "owner_name": hub.owner_name,
            "username": hub.hub.owner.username,
            "sections": sections,
            "technologies": self._terms(root, sorted(used.values(), key=lambda term: term.name.casefold())),
            "count": len(hub.entries),
        }
        return self._render("hub", root, context)

    def entry(self, page: _Page, previous: _Page | None, following: _Page | None) -> bytes:
        root = "../../"
        entry = page.entry
        context = {
            "entry": entry,
            "kind_label": page.kind_label,
            "html": self._relink(entry.html, root),
            "hub_title": page.hub.hub.title,
            "hub_href": _href(root, page.hub.path),
            "owner_name": page.hub.owner_name,
            "topics": self._terms(root, page.topics),
            "technologies": self._terms(root, page.technologies),
            "tags": [tag.name for tag in entry.tags.all()],
            "previous": self._entry_link(root, previous) if previous else None,
            "next": self._entry_link(root, following) if following else None,
            "has_diagram": DIAGRAM_MARK in entry.html,
        }
        return self._render("entry", root, context)

    def listing(self, term: _Term, what: str) -> bytes:
        root = "../"
        context = {
            "what": what,
            "term": term,
            "entries": [self._entry_link(root, page) for page in term.entries],
        }
        return self._render("listing", root, context)

    def search_index(self) -> bytes:
        rows = [
            [page.entry.title, page.entry.summary, page.kind_label, page.hub.hub.title, quote(page.path, safe="/~")]
            for page in self.site.entries
        ]
        data = {"fields": ["title", "summary", "kind", "hub", "url"], "entries": rows}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return f"window.NEXUS_SEARCH_INDEX = {text};\n".encode()

    def _relink(self, html: str, root: str) -> str:
        """Links to other entries (/h/<username>/<slug>/) point at their exported page; other
        links into the web app have no page here and lose their href."""
        if 'href="/' not in html:
            return html

        def replace(match: re.Match[str]) -> str:
            found = _ENTRY_PATH.match(match.group(1))
            if found:
                path = self.entry_paths.get((found["username"].casefold(), found["slug"]))
                if path is not None:
                    return f'href="{_href(root, path)}{found["fragment"] or ""}"'
            return 'title="Not part of this export"'

        return _ROOT_HREF.sub(replace, html)


def _plan(site: _Site) -> list[tuple[str, Callable[[], bytes]]]:
    """Every file of the site: its path under OUT_DIR and how to build its bytes."""
    renderer = _Renderer(site)
    files: list[tuple[str, Callable[[], bytes]]] = [
        ("index.html", renderer.index),
        ("search.html", renderer.search),
        ("assets/search-index.js", renderer.search_index),
        ("assets/pygments.css", _pygments_css),
    ]
    files += [(f"assets/{name}", (ASSETS_DIR / name).read_bytes) for name in ASSET_FILES]
    if any(DIAGRAM_MARK in page.entry.html for page in site.entries):
        files += [(f"assets/{name}", partial(_static_file, static)) for name, static in DIAGRAM_ASSETS.items()]
    for hub in site.hubs:
        files.append((hub.path, partial(renderer.hub, hub)))
        entries = hub.entries
        for position, page in enumerate(entries):
            previous = entries[position - 1] if position else None
            following = entries[position + 1] if position + 1 < len(entries) else None
            files.append((page.path, partial(renderer.entry, page, previous, following)))
    files += [(term.path, partial(renderer.listing, term, "Topic")) for term in site.topics]
    files += [(term.path, partial(renderer.listing, term, "Technology")) for term in site.technologies]
    return files


def _static_file(name: str) -> bytes:
    """A file the pages serve from static/, found as collectstatic would find it."""
    path = finders.find(name)
    if not isinstance(path, str):
        raise ImproperlyConfigured(f"The static file {name!r} is missing; the export needs it for diagrams.")
    return Path(path).read_bytes()


def _pygments_css() -> bytes:
    return HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".highlight").encode()


# --- Files --------------------------------------------------------------------------------


class _Output:
    """OUT_DIR and its manifest: writes only changed bytes, atomically."""

    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir
        self.manifest_path = out_dir / MANIFEST_NAME
        self.previous = self._open()
        self.current: dict[str, str] = {}
        self.written = self.unchanged = self.removed = 0
        self.made_dirs: set[Path] = set()

    def _open(self) -> dict[str, str]:
        """Check OUT_DIR without changing anything, and read the previous manifest."""
        root = self.root
        if root.exists() and not root.is_dir():
            raise SiteOutputUnusable(f"{root} is a file; give a folder for the site.")
        existing = root if root.exists() else next((p for p in root.parents if p.exists()), None)
        if existing is None or not existing.is_dir():
            raise SiteOutputUnusable(f"Cannot create {root}: {existing} is not a folder.")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise SiteOutputUnusable(f"{existing} is not writable.")
        if not root.exists():
            return {}
        if not self.manifest_path.exists():
            if any(root.iterdir()):
                raise SiteOutputUnusable(
                    f"{root} is not empty and holds no Nexus site ({MANIFEST_NAME} is missing); "
                    "give a new or empty folder so no file of yours is overwritten."
                )
            return {}
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            files = manifest["files"]
            if manifest.get("format") != MANIFEST_FORMAT or not isinstance(files, dict):
                raise ValueError("unknown format")
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # rewrite everything; the files it named are ours and get replaced
        return {str(path): str(digest) for path, digest in files.items()}

    def create(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SiteOutputUnusable(f"Cannot create {self.root}: {error.strerror or error}.") from error
        self.made_dirs.add(self.root)

    def put(self, path: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        self.current[path] = digest
        target = self.root / path
        if self.previous.get(path) == digest:
            try:
                if target.stat().st_size == len(data):
                    self.unchanged += 1
                    return
            except OSError:
                pass  # deleted by hand: write it again
        self._write(target, data)
        self.written += 1

    def _write(self, target: Path, data: bytes) -> None:
        folder = target.parent
        if folder not in self.made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            self.made_dirs.add(folder)
        temporary = folder / f".{target.name}.{os.getpid()}.tmp"
        try:
            temporary.write_bytes(data)
            os.replace(temporary, target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise SiteOutputUnusable(f"Cannot write {target}: {error.strerror or error}.") from error

    def finish(self) -> None:
        """Remove the files of the previous export that this one no longer has, then save
        the manifest (last, so an interrupted run is redone in full next time)."""
        for path in sorted(set(self.previous) - set(self.current)):
            target = self.root / path
            if not target.resolve().is_relative_to(self.root.resolve()):
                continue  # a manifest edited by hand never makes us delete outside OUT_DIR
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
            self.removed += 1
            self._prune(target.parent)
        manifest = {"format": MANIFEST_FORMAT, "files": dict(sorted(self.current.items()))}
        self._write(self.manifest_path, json.dumps(manifest, indent=0).encode())

    def _prune(self, folder: Path) -> None:
        root = self.root.resolve()
        while folder.resolve() != root and folder.resolve().is_relative_to(root):
            try:
                folder.rmdir()  # only when empty
            except OSError:
                return
            folder = folder.parent


def site_export(
    out_dir: str | os.PathLike[str],
    *,
    hubs: Sequence[str] | None = None,
    cohort: str | None = None,
    progress_stream: TextIO | None = None,
) -> SiteReport:
    """Export what anonymous visitors may read (all public hubs, some hubs, or a cohort) as a
    static site in out_dir, writing only the files whose bytes changed."""
    started = time.perf_counter()
    output = _Output(Path(out_dir))
    site = _load(hubs, cohort)
    files = _plan(site)
    output.create()
    for path, build in progress_iter(
        files, total=len(files), label="Static site", unit="files", stream=progress_stream
    ):
        output.put(path, build())
    output.finish()
    return SiteReport(
        out_dir=Path(out_dir),
        hubs=len(site.hubs),
        entries=len(site.entries),
        topics=len(site.topics),
        technologies=len(site.technologies),
        pages=sum(path.endswith(".html") for path, _ in files),
        files=len(files),
        written=output.written,
        unchanged=output.unchanged,
        removed=output.removed,
        seconds=time.perf_counter() - started,
    )
