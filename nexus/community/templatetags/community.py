"""What the community adds to pages it does not own: the discussion under an entry (linked
questions, reactions, bookmark, the comment thread and its form), and the discussion of a
suggested edit on its review page (the same thread, private to its author and reviewers).

The thread is the expensive part (a few hundred template nodes per comment), so it is
rendered once per entry and cached under the entry's discussion scope, which every comment,
reaction and link to the entry bumps: one version for anonymous readers, one shared by
everyone signed in. What is personal in it (your reactions, the comments you may edit or
delete) travels beside it as a small JSON state that discussion.js applies; everything a
click swaps in (a new comment, a reaction bar) is rendered for the viewer."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from nexus.community.caching import DISCUSSION_CACHE_DEPENDS_ON, discussion_cache_scope
from nexus.community.forms import CommentForm
from nexus.community.models import Comment
from nexus.community.permissions import can_ask_from_entry, can_comment_on_proposal, can_moderate_comments
from nexus.community.selectors import (
    bookmarked,
    comment_list_for_entry,
    comment_list_for_proposal,
    comment_tree,
    questions_about_entry,
    reaction_counts,
    reactions_of_user,
    thread_state_of_user,
)
from nexus.core.cache import cache_get_or_compute
from nexus.knowledge.models import EditProposal, Entry, EntryKind

register = template.Library()
THREAD_CACHE_SECONDS = 3600


def _render_thread(comments: QuerySet[Comment], *, signed_in: bool) -> SafeString:
    """A thread as every viewer of one kind (anonymous or signed in) sees it: one query for
    the comments, one for their reaction counts."""
    rows = list(comments)
    counts = reaction_counts("comment", [comment.pk for comment in rows])
    for comment in rows:
        comment.reaction_counts = counts[comment.pk]  # type: ignore[attr-defined]
    context = {
        "roots": comment_tree(rows),
        "comment_count": sum(1 for comment in rows if not comment.is_deleted),
        "signed_in": signed_in,
    }
    return render_to_string("community/_thread.html", context)


def _thread(entry: Entry, *, signed_in: bool) -> SafeString:
    """The rendered thread of an entry, cached per kind of viewer."""
    return cache_get_or_compute(
        discussion_cache_scope(entry.pk),
        "thread",
        "member" if signed_in else "anonymous",
        compute=lambda: _render_thread(comment_list_for_entry(entry), signed_in=signed_in),
        depends_on=DISCUSSION_CACHE_DEPENDS_ON,
        timeout=THREAD_CACHE_SECONDS,
        local=True,  # a long thread is large: kept in the process, only its versions read
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
            local=True,
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


@register.simple_tag(takes_context=True)
def proposal_discussion(context: dict[str, Any], proposal: EditProposal) -> SafeString:
    """The discussion of a suggested edit, threaded like an entry's and drawn by the same
    templates, in a fixed number of queries whatever the number of comments. Its readers are
    few (the author and the reviewers), so it is rendered each time rather than cached; the
    caller may see the proposal (knowledge's proposal_get_for_user found it)."""
    request = context["request"]
    user = request.user
    entry = proposal.entry
    block = {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "proposal": proposal,
        "thread": _render_thread(comment_list_for_proposal(proposal), signed_in=True),
        "state": {
            **thread_state_of_user(user, entry, proposal),
            "moderator": can_moderate_comments(user, entry),
        },
        "can_comment": can_comment_on_proposal(user, proposal),
        "form": CommentForm(),
    }
    return render_to_string("community/_proposal_discussion.html", block)
