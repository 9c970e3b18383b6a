"""Rendered comment threads, shared by the discussion block of an entry page and the "show
more comments" fragment it loads.

A thread is the expensive part of a page (a few hundred template nodes per comment), so an
entry's is rendered once per kind of viewer (anonymous, signed in) and page, and cached
under the entry's discussion scope, which every comment, reaction and link to the entry
bumps. A long discussion is paged by whole top-level threads (selectors.thread_page): a
page of 200 comments weighs 150 kB, and most readers read the first few."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from nexus.community.caching import DISCUSSION_CACHE_DEPENDS_ON, discussion_cache_scope
from nexus.community.models import Comment
from nexus.community.selectors import comment_list_for_entry, comment_tree, reaction_counts, thread_page
from nexus.core.cache import cache_get_or_compute
from nexus.knowledge.models import Entry

THREAD_CACHE_SECONDS = 3600
# Pages past this are the last page anyway; the bound keeps made-up numbers from filling
# the cache with copies of it.
MAX_PAGE_NUMBER = 10_000


def requested_page(value: str | None) -> int:
    """The discussion page a query string asks for: anything but a plain number is page 1."""
    if not value or not value.isdigit() or len(value) > 5:
        return 1
    return min(max(int(value), 1), MAX_PAGE_NUMBER)


def _rows(comments: QuerySet[Comment]) -> list[Comment]:
    """A thread's comments with their reaction counts: one query for each."""
    rows = list(comments)
    counts = reaction_counts("comment", [comment.pk for comment in rows])
    for comment in rows:
        comment.reaction_counts = counts[comment.pk]  # type: ignore[attr-defined]
    return rows


def render_thread(
    comments: QuerySet[Comment], *, signed_in: bool, entry: Entry | None = None, page: int = 1
) -> SafeString:
    """A thread as every viewer of one kind (anonymous or signed in) sees it. Given `entry`,
    it is that entry's discussion, shown one page at a time; without, all of it (a
    proposal's, whose readers are few)."""
    rows = _rows(comments)
    context: dict[str, Any] = {
        "comment_count": sum(1 for comment in rows if not comment.is_deleted),
        "signed_in": signed_in,
    }
    if entry is None:
        context["roots"] = comment_tree(rows)
    else:
        shown = thread_page(rows, page)
        context.update(roots=shown.roots, page=shown, entry=entry)
    return render_to_string("community/_thread.html", context)


def _render_more(entry: Entry, *, signed_in: bool, page: int) -> SafeString:
    shown = thread_page(_rows(comment_list_for_entry(entry)), page)
    context = {"roots": shown.roots, "page": shown, "entry": entry, "signed_in": signed_in}
    return render_to_string("community/_thread_more.html", context)


def _cached(entry: Entry, part: str, *, signed_in: bool, page: int, compute: Callable[[], SafeString]) -> SafeString:
    return cache_get_or_compute(
        discussion_cache_scope(entry.pk),
        part,
        "member" if signed_in else "anonymous",
        page,
        compute=compute,
        depends_on=DISCUSSION_CACHE_DEPENDS_ON,
        timeout=THREAD_CACHE_SECONDS,
        local=True,  # a long thread is large: kept in the process, only its versions read
    )


def entry_thread(entry: Entry, *, signed_in: bool, page: int = 1) -> SafeString:
    """One page of an entry's discussion with its heading and pager, cached per kind of viewer."""
    return _cached(
        entry,
        "thread",
        signed_in=signed_in,
        page=page,
        compute=lambda: render_thread(comment_list_for_entry(entry), signed_in=signed_in, entry=entry, page=page),
    )


def entry_thread_more(entry: Entry, *, signed_in: bool, page: int) -> SafeString:
    """The comments of one later page, to append under those already shown, with the pager
    that replaces the one clicked."""
    return _cached(
        entry,
        "more",
        signed_in=signed_in,
        page=page,
        compute=lambda: _render_more(entry, signed_in=signed_in, page=page),
    )
