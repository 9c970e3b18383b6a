"""The review page of a suggested edit: its diff, its discussion (drawn and posted by the
community app), merge; and its author's revisions of it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from nexus.core.errors import InvalidInput
from nexus.core.forms import form_add_error_details
from nexus.core.markdown import MarkdownRefused
from nexus.knowledge.errors import ProposalConflict
from nexus.knowledge.forms import ProposalForm
from nexus.knowledge.models import PROPOSAL_CLOSED, EditProposal, EntryKind
from nexus.knowledge.permissions import can_review_proposal, can_revise_proposal, require
from nexus.knowledge.selectors import proposal_get_for_user
from nexus.knowledge.services import proposal_merge, proposal_update
from nexus.knowledge.views.entries import conflict_list, content_diffs, entry_redirect, report_saved


def _proposal_page(request: HttpRequest, proposal: EditProposal, **extra: Any) -> HttpResponse:
    status = extra.pop("status", 200)
    context = {
        "proposal": proposal,
        "entry": proposal.entry,
        "owner": proposal.entry.hub.owner,
        "diffs": content_diffs(
            proposal.base_revision.content(), proposal.content(), f"r{proposal.base_revision.number}", "proposal"
        ),
        "old_label": f"Revision {proposal.base_revision.number}",
        "new_label": "Suggested",
        "can_review": can_review_proposal(request.user, proposal),
        "can_revise": can_revise_proposal(request.user, proposal),
        "is_closed": proposal.status in PROPOSAL_CLOSED,
        **extra,
    }
    return render(request, "knowledge/proposal.html", context, status=status)


@require_safe
@login_required
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """The proposal, its diff and its discussion (the community's thread: its comment and
    review forms post to community views)."""
    return _proposal_page(request, proposal_get_for_user(request.user, proposal_id))


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
