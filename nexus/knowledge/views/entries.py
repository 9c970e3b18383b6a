"""Entry pages: read, write and edit (with live preview), re-verify, history, diff, restore,
and suggest an edit to someone else's entry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from nexus.core.errors import InvalidInput
from nexus.core.forms import form_add_error_details
from nexus.core.markdown import MarkdownRefused, markdown_render
from nexus.knowledge.diffing import fields_diff
from nexus.knowledge.errors import EntryConflict
from nexus.knowledge.forms import (
    EntryForm,
    HistoryPageForm,
    PreviewForm,
    ProposalForm,
    ReverifyForm,
    RevisionPairForm,
)
from nexus.knowledge.models import CONTENT_FIELDS, Entry, EntryKind
from nexus.knowledge.permissions import can_edit_entry, can_edit_hub, can_propose_edit
from nexus.knowledge.selectors import (
    entry_get_by_slug,
    proposal_list_open_on,
    revision_get,
    revision_list,
)
from nexus.knowledge.services import (
    EntrySaved,
    entry_create,
    entry_reverify,
    entry_update,
    hub_ensure,
    proposal_create,
    revision_restore,
)

FIELD_LABELS = {name: name.capitalize() for name in CONTENT_FIELDS}
HISTORY_PAGE = 50


def entry_redirect(entry: Entry, view: str = "knowledge:entry") -> HttpResponse:
    return redirect(view, username=entry.hub.owner.username, slug=entry.slug)


def content_diffs(
    old: dict[str, str], new: dict[str, str], old_label: str = "old", new_label: str = "new"
) -> list[dict[str, Any]]:
    """The core's field diffs, each with the label the page shows."""
    return [
        {"field": diff.field, "label": FIELD_LABELS[diff.field], "rows": diff.rows, "unified": diff.unified}
        for diff in fields_diff(old, new, old_label=old_label, new_label=new_label)
    ]


def conflict_list(details: dict[str, Any]) -> list[dict[str, Any]]:
    """A Conflict's details as the templates list them: per field, the overlapping regions."""
    return [
        {"field": name, "label": FIELD_LABELS.get(name, name), "regions": regions}
        for name, regions in (details.get("conflicts") or {}).items()
    ]


def report_saved(
    request: HttpRequest, saved: EntrySaved, done: str, merged: str = "Your changes were merged with newer edits."
) -> None:
    """What a save did, and what in the content is worth fixing, as messages."""
    if saved.merged:
        messages.info(request, merged)
    messages.success(request, done)
    for warning in saved.warnings:
        where = f"Line {warning.line}: " if warning.line else ""
        messages.warning(request, f"{where}{warning.message}")


def _body_refused(form: Any, error: MarkdownRefused) -> None:
    # Too large or too slow to render: one message under the body, not field-by-field details.
    form.add_error("body", error.message)


# --- Reading ------------------------------------------------------------------------------


def _article_key(entry: Entry) -> tuple[Any, ...]:
    """Every value the entry page's cached fragments show (its head and its side facts),
    read in this request: markup stored under it is current by construction, so no write
    has to invalidate it. An entry's every write moves its version or updated_at."""
    owner = entry.hub.owner
    profile = getattr(owner, "profile", None)
    return (
        entry.pk,
        entry.version,
        entry.updated_at,
        entry.is_stale,
        entry.hub.title,
        owner.username,
        profile.name if profile is not None else "",
        tuple((topic.slug, topic.name) for topic in entry.topics.all()),
        tuple((technology.slug, technology.name) for technology in entry.technologies.all()),
        tuple(tag.name for tag in entry.tags.all()),
    )


# Where the discussion goes in a memoised page. NUL never survives into stored content
# (inputs holding it are refused), so no entry can contain it.
_DISCUSSION_HOLE = mark_safe("\x00discussion\x00")


def _discussion(request: HttpRequest, entry: Entry) -> str:
    """The discussion block, through the template that loads the community's tag (knowledge
    does not import the community; the community builds on knowledge)."""
    return render_to_string("knowledge/_entry_discussion.html", {"entry": entry}, request)


def _anonymous_page_key(request: HttpRequest, article_key: tuple[Any, ...]) -> str | None:
    """The key of an anonymous reader's page, without its discussion, in the fragments
    cache; None when the page is someone's own (signed in, or messages waiting for them).

    For an anonymous reader everything the page shows but the discussion is in the article
    key, and the path its login link returns to: markup stored under it is current by
    construction, as with the fragments. The entry is still read, and access decided, on
    every request; only the rendering is reused (0.5 of an uncached page's ~1.9 ms)."""
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return None
    return "entry-page:" + hashlib.sha256(repr((article_key, request.path)).encode()).hexdigest()


def _rendered_around_hole(
    request: HttpRequest, entry: Entry, article_key: tuple[Any, ...], key: str
) -> tuple[str, str]:
    """The anonymous page before and after its discussion: from the fragments cache, else
    rendered with the hole and stored (unless it used the CSRF token, which is not the same
    for every reader)."""
    parts = caches["fragments"].get(key)
    if parts is None:
        page = _rendered_entry_page(request, entry, article_key, discussion=_DISCUSSION_HOLE).content.decode()
        before, _, after = page.partition(_DISCUSSION_HOLE)
        parts = (before, after)
        if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            caches["fragments"].set(key, parts)
    return parts


def _rendered_entry_page(
    request: HttpRequest,
    entry: Entry,
    article_key: tuple[Any, ...],
    *,
    discussion: str,
    reverify_form: ReverifyForm | None = None,
) -> HttpResponse:
    user = request.user
    context = {
        "entry": entry,
        "article_key": article_key,
        "discussion": discussion,
        "hub": entry.hub,
        "owner": entry.hub.owner,
        "can_edit": can_edit_entry(user, entry),
        "can_propose": can_propose_edit(user, entry),
        "can_reverify": can_edit_hub(user, entry.hub),
        "open_proposals": proposal_list_open_on(user, entry),
        "reverify_form": reverify_form or ReverifyForm(initial={"verified_with": entry.verified_with}),
    }
    status = 400 if reverify_form is not None and reverify_form.errors else 200
    return render(request, "knowledge/entry.html", context, status=status)


def _entry_page(request: HttpRequest, entry: Entry, reverify_form: ReverifyForm | None = None) -> HttpResponse:
    article_key = _article_key(entry)
    memo_key = _anonymous_page_key(request, article_key) if reverify_form is None else None
    if memo_key is None:
        discussion = _discussion(request, entry)
        return _rendered_entry_page(request, entry, article_key, discussion=discussion, reverify_form=reverify_form)
    before, after = _rendered_around_hole(request, entry, article_key, memo_key)
    return HttpResponse(before + _discussion(request, entry) + after)


def entry_detail(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    return _entry_page(request, entry_get_by_slug(request.user, username, slug))


@require_POST
@login_required
def entry_reverify_view(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    entry = entry_get_by_slug(request.user, username, slug)
    form = ReverifyForm(request.POST)
    if form.is_valid():
        try:
            entry_reverify(
                actor=request.user,
                entry=entry,
                review_by=form.cleaned_data["review_by"],
                verified_with=form.cleaned_data["verified_with"],
            )
        except InvalidInput as error:
            form_add_error_details(form, error)
        else:
            messages.success(request, "Re-verified: thanks for keeping it current.")
            return entry_redirect(entry)
    return _entry_page(request, entry, reverify_form=form)


# --- Writing ------------------------------------------------------------------------------


def _editor(request: HttpRequest, form: EntryForm, entry: Entry | None, **extra: Any) -> HttpResponse:
    form.fields["body"].widget.attrs["hx-headers"] = json.dumps({"X-CSRFToken": get_token(request)})
    status = extra.pop("status", 400 if form.is_bound and form.errors else 200)
    return render(request, "knowledge/editor.html", {"form": form, "entry": entry, **extra}, status=status)


@login_required
def entry_write(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = entry_create(
                actor=request.user,
                hub=hub_ensure(request.user),
                data=form.entry_data(),
                message=form.cleaned_data["message"],
            )
        except MarkdownRefused as error:
            _body_refused(form, error)
        except InvalidInput as error:
            form_add_error_details(form, error)
        else:
            report_saved(request, saved, "Entry saved.")
            return entry_redirect(saved.entry)
    return _editor(request, form, None)


@login_required
def entry_edit(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    entry = entry_get_by_slug(request.user, username, slug)
    if request.method != "POST":
        if not can_edit_entry(request.user, entry):
            return entry_redirect(entry, "knowledge:entry-suggest")
        return _editor(request, EntryForm(initial=EntryForm.initial_from(entry), editing=True), entry)
    # A POST from someone who may not edit is refused by entry_update (403), not here.
    form = EntryForm(request.POST, editing=True)
    if form.is_valid():
        try:
            saved = entry_update(
                actor=request.user,
                entry=entry,
                data=form.entry_data(),
                base_version=form.cleaned_data["base_revision"],
                message=form.cleaned_data["message"],
            )
        except EntryConflict as error:
            return _conflict(request, form, username, slug, error)
        except MarkdownRefused as error:
            _body_refused(form, error)
        except InvalidInput as error:
            form_add_error_details(form, error)
        else:
            done = f"Saved revision {saved.revision.number}." if saved.revision else "Saved; the text did not change."
            report_saved(request, saved, done)
            return entry_redirect(saved.entry)
    return _editor(request, form, entry)


def _conflict(request: HttpRequest, form: EntryForm, username: str, slug: str, error: EntryConflict) -> HttpResponse:
    """A stale save that overlaps newer edits: the editor again, now holding the current
    text, with the overlapping places and the whole of what was sent, so nothing is lost."""
    current = entry_get_by_slug(request.user, username, slug)
    conflicts = conflict_list(error.details)
    for conflict in conflicts:
        conflict["yours"] = form.cleaned_data.get(conflict["field"], "")
    # The form starts again from the entry as it is now, details included: keeping the
    # details that were sent, on top of the current revision, would let a second save
    # overwrite the newer ones without a merge.
    initial = {**EntryForm.initial_from(current), "message": form.cleaned_data.get("message", "")}
    fresh = EntryForm(initial=initial, editing=True)
    return _editor(request, fresh, current, conflicts=conflicts, conflict_message=error.message, status=409)


@require_POST
@login_required
def preview(request: HttpRequest) -> HttpResponse:
    """The editor's live preview: the body rendered as it will be stored (sanitised)."""
    form = PreviewForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(m) for errors in form.errors.values() for m in errors)
        return HttpResponse(format_html('<p class="preview-error">{}</p>', message), status=400)
    try:
        rendered = markdown_render(form.cleaned_data["body"])
    except MarkdownRefused as error:
        return HttpResponse(format_html('<p class="preview-error">{}</p>', error.message), status=400)
    if not rendered.html.strip():
        return HttpResponse('<p class="muted">Nothing to preview yet.</p>')
    return HttpResponse(rendered.html)


# --- History ------------------------------------------------------------------------------


def entry_history(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """An entry's revisions, newest first, HISTORY_PAGE at a time (?before=N for older ones)."""
    entry = entry_get_by_slug(request.user, username, slug)
    page = HistoryPageForm(request.GET)
    if not page.is_valid():
        raise InvalidInput("?before= takes a revision number.", details=dict(page.errors))
    revisions = revision_list(entry)
    if page.cleaned_data["before"] is not None:
        revisions = revisions.filter(number__lt=page.cleaned_data["before"])
    shown = list(revisions[: HISTORY_PAGE + 1])
    older = shown[HISTORY_PAGE - 1].number if len(shown) > HISTORY_PAGE else None
    context = {
        "entry": entry,
        "owner": entry.hub.owner,
        "revisions": shown[:HISTORY_PAGE],
        "older": older,
        "paged": page.cleaned_data["before"] is not None,
    }
    return render(request, "knowledge/history.html", context)


def entry_diff(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    entry = entry_get_by_slug(request.user, username, slug)
    pair = RevisionPairForm(request.GET)
    if not pair.is_valid():
        raise InvalidInput(
            "Pick two revisions to compare: ?from=N&to=M with revision numbers.",
            details={name.rstrip("_"): list(errors) for name, errors in pair.errors.items()},
        )
    old = revision_get(entry, pair.cleaned_data["from_"])
    new = revision_get(entry, pair.cleaned_data["to"])
    context = {
        "entry": entry,
        "owner": entry.hub.owner,
        "old": old,
        "new": new,
        "diffs": content_diffs(old.content(), new.content(), f"r{old.number}", f"r{new.number}"),
        "old_label": f"Revision {old.number}",
        "new_label": f"Revision {new.number}",
        "can_restore": can_edit_entry(request.user, entry),
    }
    return render(request, "knowledge/diff.html", context)


@require_POST
@login_required
def revision_restore_view(request: HttpRequest, username: str, slug: str, number: int) -> HttpResponse:
    entry = entry_get_by_slug(request.user, username, slug)
    saved = revision_restore(actor=request.user, entry=entry, number=number)
    if saved.revision:
        done = f"Restored revision {number} as revision {saved.revision.number}."
    else:
        done = f"Revision {number} is already the current text."
    report_saved(request, saved, done)
    return entry_redirect(saved.entry)


# --- Suggesting ---------------------------------------------------------------------------


@login_required
def entry_suggest(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    entry = entry_get_by_slug(request.user, username, slug)
    if not can_propose_edit(request.user, entry) and can_edit_entry(request.user, entry):
        return entry_redirect(entry, "knowledge:entry-edit")  # your own entry: edit it directly
    challenge = entry.kind == EntryKind.CHALLENGE
    if request.method != "POST":
        form = ProposalForm(initial=ProposalForm.initial_from(entry), challenge=challenge)
        return render(request, "knowledge/suggest.html", {"form": form, "entry": entry, "owner": entry.hub.owner})
    form = ProposalForm(request.POST, challenge=challenge)
    if form.is_valid():
        try:
            proposal = proposal_create(
                actor=request.user,
                entry=entry,
                data=form.content(),
                base_version=form.cleaned_data["base_revision"],
                message=form.cleaned_data["message"],
            )
        except MarkdownRefused as error:
            _body_refused(form, error)
        except InvalidInput as error:
            form_add_error_details(form, error)
        else:
            messages.success(request, "Thanks! Your suggestion is waiting for review.")
            return redirect("knowledge:proposal", proposal_id=proposal.pk)
    context = {"form": form, "entry": entry, "owner": entry.hub.owner}
    return render(request, "knowledge/suggest.html", context, status=400)
