"""What the community adds to pages it does not own: the discussion under an entry (linked
questions, reactions, bookmark, the comment thread and its form).

The thread is the expensive part (a few hundred template nodes per comment), so it is
rendered once per entry and cached under the entry's discussion scope, which every comment,
reaction and link to the entry bumps: one version for anonymous readers, one shared by
everyone signed in. What is personal in it (your reactions, the comments you may edit or
delete) travels beside it as a small JSON state that discussion.js applies; everything a
click swaps in (a new comment, a reaction bar) is rendered for the viewer."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from nexus.community.caching import DISCUSSION_CACHE_DEPENDS_ON, discussion_cache_scope
from nexus.community.forms import CommentForm
from nexus.community.permissions import can_ask_from_entry, can_moderate_comments
from nexus.community.selectors import (
    bookmarked,
    comment_list_for_entry,
    comment_tree,
    questions_about_entry,
    reaction_counts,
    reactions_of_user,
    thread_state_of_user,
)
from nexus.core.cache import cache_get_or_compute
from nexus.knowledge.models import Entry, EntryKind

register = template.Library()
THREAD_CACHE_SECONDS = 3600


def _thread(entry: Entry, *, signed_in: bool) -> SafeString:
    """The rendered thread, the same for every viewer of one kind (anonymous or signed in)."""

    def render() -> SafeString:
        comments = list(comment_list_for_entry(entry))
        counts = reaction_counts("comment", [comment.pk for comment in comments])
        for comment in comments:
            comment.reaction_counts = counts[comment.pk]  # type: ignore[attr-defined]
        context = {
            "roots": comment_tree(comments),
            "comment_count": sum(1 for comment in comments if not comment.is_deleted),
            "signed_in": signed_in,
        }
        return render_to_string("community/_thread.html", context)

    return cache_get_or_compute(
        discussion_cache_scope(entry.pk),
        "thread",
        "member" if signed_in else "anonymous",
        compute=render,
        depends_on=DISCUSSION_CACHE_DEPENDS_ON,
        timeout=THREAD_CACHE_SECONDS,
    )


@register.simple_tag(takes_context=True)
def entry_discussion(context: dict[str, Any], entry: Entry) -> SafeString:
    """The discussion block of an entry page, in a fixed number of queries (none for the
    thread on a cache hit) whatever the number of comments."""
    request = context["request"]
    if not request.user.is_authenticated:
        # Everything an anonymous reader sees here bumps the scope when it changes: the whole
        # block is one cache read (the entry page's P4 budget has no room for more).
        return cache_get_or_compute(
            discussion_cache_scope(entry.pk),
            "anonymous-block",
            request.path,
            compute=lambda: _block(context, entry),
            depends_on=DISCUSSION_CACHE_DEPENDS_ON,
            timeout=THREAD_CACHE_SECONDS,
        )
    return _block(context, entry)


def _block(context: dict[str, Any], entry: Entry) -> SafeString:
    request = context["request"]
    user = request.user
    signed_in = bool(user.is_authenticated)
    links = questions_about_entry(user, entry)
    open_challenge = entry.kind == EntryKind.CHALLENGE and not entry.solution.strip()
    state: dict[str, Any] = {}
    if signed_in:
        state = {**thread_state_of_user(user, entry), "moderator": can_moderate_comments(user, entry)}
    block = {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "entry": entry,
        "thread": _thread(entry, signed_in=signed_in),
        "state": state,
        "counts": reaction_counts("entry", [entry.pk])[entry.pk],
        "mine": reactions_of_user(user, "entry", [entry.pk])[entry.pk],
        "bookmarked": bookmarked(user, entry=entry),
        "promoted_from": links["promoted_from"],
        "asked_from": links["asked_from"],
        "can_ask": open_challenge and can_ask_from_entry(user, entry) and not links["asked_from"],
        "form": CommentForm(),
    }
    return render_to_string("community/_discussion.html", block)
