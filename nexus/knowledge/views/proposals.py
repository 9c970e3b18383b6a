"""The review page of a suggested edit: its diff and discussion, review decisions, merge;
and its author's revisions of it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from nexus.core.errors import InvalidInput
from nexus.core.forms import form_add_error_details
from nexus.core.markdown import MarkdownRefused
from nexus.knowledge.errors import ProposalConflict
from nexus.knowledge.forms import CommentForm, ProposalForm, ReviewForm
from nexus.knowledge.models import EditProposal, EntryKind
from nexus.knowledge.permissions import can_review_proposal, can_revise_proposal, require
from nexus.knowledge.selectors import proposal_comment_list, proposal_get_for_user
from nexus.knowledge.services import proposal_comment, proposal_merge, proposal_review, proposal_update
from nexus.knowledge.views.entries import CLOSED, conflict_list, content_diffs, entry_redirect, report_saved


def _proposal_page(
    request: HttpRequest, proposal: EditProposal, *, comment_form: CommentForm | None = None, **extra: Any
) -> HttpResponse:
    status = extra.pop("status", 400 if comment_form is not None and comment_form.errors else 200)
    context = {
        "proposal": proposal,
        "entry": proposal.entry,
        "owner": proposal.entry.hub.owner,
        "diffs": content_diffs(
            proposal.base_revision.content(), proposal.content(), f"r{proposal.base_revision.number}", "proposal"
        ),
        "old_label": f"Revision {proposal.base_revision.number}",
        "new_label": "Suggested",
        "comments": proposal_comment_list(proposal),
        "comment_form": comment_form or CommentForm(),
        "can_review": can_review_proposal(request.user, proposal),
        "can_revise": can_revise_proposal(request.user, proposal),
        "is_closed": proposal.status in CLOSED,
        **extra,
    }
    return render(request, "knowledge/proposal.html", context, status=status)


@login_required
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """GET shows the proposal; POST adds a comment to its discussion."""
    proposal = proposal_get_for_user(request.user, proposal_id)
    if request.method != "POST":
        return _proposal_page(request, proposal)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            proposal_comment(actor=request.user, proposal=proposal, body=form.cleaned_data["body"])
        except MarkdownRefused as error:  # too large or too slow to render: one message
            form.add_error("body", error.message)
        except InvalidInput as error:
            form_add_error_details(form, error)
        else:
            messages.success(request, "Comment added.")
            return redirect("knowledge:proposal", proposal_id=proposal.pk)
    return _proposal_page(request, proposal, comment_form=form)


@require_POST
@login_required
def proposal_review_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_get_for_user(request.user, proposal_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(details={name: list(errors) for name, errors in form.errors.items()})
    reviewed = proposal_review(
        actor=request.user,
        proposal=proposal,
        decision=form.cleaned_data["decision"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, f"Proposal marked “{reviewed.get_status_display()}”.")
    return redirect("knowledge:proposal", proposal_id=proposal.pk)


@require_POST
@login_required
def proposal_merge_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_get_for_user(request.user, proposal_id)
    try:
        saved = proposal_merge(actor=request.user, proposal=proposal)
    except ProposalConflict as error:
        return _proposal_page(
            request,
            proposal,
            conflicts=conflict_list(error.details),
            conflict_message=error.message,
            current_revision=error.details.get("current_revision"),
            status=409,
        )
    number = saved.revision.number if saved.revision else saved.entry.version
    report_saved(
        request,
        saved,
        f"Merged proposal #{proposal.pk} as revision {number}.",
        merged="The entry had changed since this proposal was made; both changes were merged.",
    )
    return entry_redirect(proposal.entry)


@login_required
def proposal_edit(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """The author revises a proposal (after "request changes", say); it goes back to open."""
    proposal = proposal_get_for_user(request.user, proposal_id)
    require(can_revise_proposal(request.user, proposal), "Only the author of a proposal can revise it.")
    challenge = proposal.entry.kind == EntryKind.CHALLENGE
    context = {"proposal": proposal, "entry": proposal.entry, "owner": proposal.entry.hub.owner}
    if request.method != "POST":
        form = ProposalForm(initial=ProposalForm.initial_from_proposal(proposal), challenge=challenge)
        return render(request, "knowledge/proposal_edit.html", {**context, "form": form})
    form = ProposalForm(request.POST, challenge=challenge)
    if form.is_valid():
        try:
            proposal_update(
                actor=request.user,
                proposal=proposal,
                data=form.content(),
                message=form.cleaned_data["message"],
                base_version=form.cleaned_data["base_revision"],
            )
        except MarkdownRefused as error:
            form.add_error("body", error.message)
        except InvalidInput as error:
            form_add_error_details(form, error)
        else:
            messages.success(request, "Proposal revised; it is open for review again.")
            return redirect("knowledge:proposal", proposal_id=proposal.pk)
    return render(request, "knowledge/proposal_edit.html", {**context, "form": form}, status=400)


@require_POST
@login_required
def proposal_rebase_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Move a proposal onto the entry's current revision, merging its changes three ways."""
    proposal = proposal_get_for_user(request.user, proposal_id)
    try:
        proposal_update(actor=request.user, proposal=proposal, data={}, base_version=proposal.entry.version)
    except ProposalConflict as error:
        return _proposal_page(
            request,
            proposal,
            conflicts=conflict_list(error.details),
            conflict_message="Your changes overlap changes made to the entry since; revise the proposal instead.",
            current_revision=error.details.get("base_revision"),
            status=409,
        )
    messages.success(request, f"Proposal brought up to date with revision {proposal.entry.version}.")
    return redirect("knowledge:proposal", proposal_id=proposal.pk)
