"""What the community adds to pages it does not own: the discussion under an entry (linked
questions, reactions, bookmark, the comment thread and its form), and the discussion of a
suggested edit on its review page (the same thread, private to its author and reviewers).

The thread is rendered and cached by community.threads, one version for anonymous readers
and one shared by everyone signed in, a page at a time (`?comments=N`). What is personal in
it (your reactions, the comments you may edit or delete) travels beside it as a small JSON
state that discussion.js applies; everything a click swaps in (a new comment, a reaction
bar) is rendered for the viewer."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from nexus.community.caching import DISCUSSION_CACHE_DEPENDS_ON, discussion_cache_scope
from nexus.community.forms import CommentForm
from nexus.community.permissions import can_ask_from_entry, can_comment_on_proposal, can_moderate_comments
from nexus.community.selectors import (
    bookmarked,
    comment_list_for_proposal,
    questions_about_entry,
    reaction_counts,
    reactions_of_user,
    thread_state_of_user,
)
from nexus.community.threads import THREAD_CACHE_SECONDS, entry_thread, render_thread, requested_page
from nexus.core.cache import cache_get_or_compute
from nexus.knowledge.models import EditProposal, Entry, EntryKind

register = template.Library()


@register.simple_tag(takes_context=True)
def entry_discussion(context: dict[str, Any], entry: Entry) -> SafeString:
    """The discussion block of an entry page, in a fixed number of queries (none for the
    thread on a cache hit) whatever the number of comments."""
    request = context["request"]
    page = requested_page(request.GET.get("comments"))
    if not request.user.is_authenticated:
        # Everything an anonymous reader sees here bumps the scope when it changes: the whole
        # block is one cache read (the entry page's P4 budget has no room for more).
        return cache_get_or_compute(
            discussion_cache_scope(entry.pk),
            "anonymous-block",
            request.path,
            page,
            compute=lambda: _block(context, entry, page),
            depends_on=DISCUSSION_CACHE_DEPENDS_ON,
            timeout=THREAD_CACHE_SECONDS,
            local=True,
        )
    return _block(context, entry, page)


def _block(context: dict[str, Any], entry: Entry, page: int) -> SafeString:
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
        "thread": entry_thread(entry, signed_in=signed_in, page=page),
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
        "thread": render_thread(comment_list_for_proposal(proposal), signed_in=True),
        "state": {
            **thread_state_of_user(user, entry, proposal),
            "moderator": can_moderate_comments(user, entry),
        },
        "can_comment": can_comment_on_proposal(user, proposal),
        "form": CommentForm(),
    }
    return render_to_string("community/_proposal_discussion.html", block)
