"""Suggested edits: proposing, reviewing, merging three ways, refusing what must be refused."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.core.errors import InvalidInput, PermissionDenied
from nexus.knowledge.errors import EntryNotFound, OwnEntryProposal, ProposalClosed, ProposalConflict
from nexus.knowledge.models import EditProposal, ProposalStatus
from nexus.knowledge.services import entry_update, proposal_comment, proposal_create, proposal_merge, proposal_review
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

DOC = "## Setup\n\nInstall Redis.\n\n## Usage\n\nCall cache.get.\n"


def propose(entry: Any, author: Any, body: str, base: int = 1) -> EditProposal:
    return proposal_create(actor=author, entry=entry, data={"body": body}, base_version=base, message="Clearer setup")


def test_merge_makes_a_revision_credited_to_the_proposer(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7 with apt."))
    saved = proposal_merge(actor=owner, proposal=proposal)
    assert saved.entry.version == 2
    assert saved.revision.author == member
    assert saved.revision.message == f"Merged proposal #{proposal.pk}: Clearer setup"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.merged_revision, proposal.reviewed_by) == (
        ProposalStatus.MERGED,
        saved.revision,
        owner,
    )


def test_merge_after_the_entry_moved_on_merges_three_ways(owner: Any, member: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    entry_update(
        actor=owner, entry=entry, data={"body": DOC.replace("Call cache.get.", "Call cache.get_many.")}, base_version=1
    )
    saved = proposal_merge(actor=mentor, proposal=proposal)
    assert saved.merged is True
    assert "Install Redis 7." in saved.entry.body
    assert "Call cache.get_many." in saved.entry.body


def test_a_merged_revision_records_the_details_the_entry_has(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC, week=2, topics=["caching"], tags=["orm"])
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    # The owner changes only details after the proposal was made: the entry moves on to revision 2.
    entry_update(actor=owner, entry=entry, data={"week": 4, "tags": ["orm", "redis"]}, base_version=1)
    saved = proposal_merge(actor=owner, proposal=proposal)
    assert (saved.merged, saved.entry.version, saved.entry.week) == (True, 3, 4)
    assert "Install Redis 7." in saved.entry.body
    assert saved.revision.meta == {
        "kind": "concept",
        "status": "published",
        "week": 4,
        "project": "",
        "verified_with": "",
        "review_by": None,
        "topics": ["caching"],
        "technologies": [],
        "tags": ["orm", "redis"],
    }


def test_overlapping_changes_are_reported_not_overwritten(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Valkey."))
    entry_update(
        actor=owner, entry=entry, data={"body": DOC.replace("Install Redis.", "Install Redis 7.")}, base_version=1
    )
    with pytest.raises(ProposalConflict) as caught:
        proposal_merge(actor=owner, proposal=proposal)
    assert caught.value.details["conflicts"]["body"][0]["yours"] == "Install Valkey.\n"
    entry.refresh_from_db()
    assert (entry.version, "Install Redis 7." in entry.body) == (2, True)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_proposing_on_ones_own_entry_is_refused(owner: Any) -> None:
    entry = make_entry(owner, body=DOC)
    with pytest.raises(OwnEntryProposal):
        propose(entry, owner, "changed")
    assert EditProposal.objects.count() == 0


def test_proposing_on_a_draft_of_someone_else_is_not_found(owner: Any, member: Any) -> None:
    entry = make_entry(owner, status="draft")
    with pytest.raises(EntryNotFound):
        propose(entry, member, "changed")


def test_a_proposal_that_changes_nothing_is_refused(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    with pytest.raises(InvalidInput):
        propose(entry, member, DOC)


def test_only_owner_mentor_or_admin_merge(owner: Any, member: Any, outsider: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC + "More.\n")
    for actor in (member, outsider):
        with pytest.raises(PermissionDenied):
            proposal_merge(actor=actor, proposal=proposal)
    entry.refresh_from_db()
    assert entry.version == 1


def test_merging_a_rejected_proposal_is_refused(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC + "More.\n")
    proposal_review(actor=owner, proposal=proposal, decision="reject", comment="Out of scope.")
    with pytest.raises(ProposalClosed):
        proposal_merge(actor=owner, proposal=proposal)
    entry.refresh_from_db()
    assert entry.version == 1
    assert [c.body for c in proposal.comments.all()] == ["Out of scope."]


def test_request_changes_then_comment(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC + "More.\n")
    reviewed = proposal_review(actor=owner, proposal=proposal, decision="request-changes")
    assert reviewed.status == ProposalStatus.CHANGES_REQUESTED
    comment = proposal_comment(actor=member, proposal=proposal, body="Done, see **above**.")
    assert "<strong>above</strong>" in comment.html


def test_a_proposal_cannot_give_a_non_challenge_challenge_parts(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    with pytest.raises(InvalidInput) as caught:
        proposal_create(actor=member, entry=entry, data={"problem": "hidden text"}, base_version=1, message="m")
    assert list(caught.value.details) == ["problem"]
    assert EditProposal.objects.count() == 0


def test_deleting_an_entry_deletes_its_proposals_and_their_comments(owner: Any, member: Any) -> None:
    from nexus.knowledge.models import Entry, ProposalComment
    from nexus.knowledge.services import entry_delete, proposal_comment

    entry = make_entry(owner, body="Cache reads.\n")
    proposal = proposal_create(
        actor=member, entry=entry, data={"body": "Cache reads first.\n"}, base_version=1, message="Say when"
    )
    proposal_comment(actor=owner, proposal=proposal, body="Thanks!")

    entry_delete(actor=owner, entry=entry)

    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert not EditProposal.objects.exists()
    assert not ProposalComment.objects.exists()
