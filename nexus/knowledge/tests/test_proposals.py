"""Suggested edits: proposing, reviewing, merging three ways, refusing what must be refused."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.core.errors import InvalidInput, PermissionDenied
from nexus.knowledge.errors import EntryNotFound, OwnEntryProposal, ProposalClosed, ProposalConflict
from nexus.knowledge.models import EditProposal, ProposalStatus
from nexus.knowledge.services import (
    entry_update,
    proposal_create,
    proposal_merge,
    proposal_review,
    proposal_update,
)
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
    proposal_review(actor=owner, proposal=proposal, decision="reject")
    with pytest.raises(ProposalClosed):
        proposal_merge(actor=owner, proposal=proposal)
    entry.refresh_from_db()
    assert entry.version == 1


def test_request_changes(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC + "More.\n")
    reviewed = proposal_review(actor=owner, proposal=proposal, decision="request-changes")
    assert reviewed.status == ProposalStatus.CHANGES_REQUESTED
    assert reviewed.reviewed_by == owner


def test_a_proposal_cannot_give_a_non_challenge_challenge_parts(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    with pytest.raises(InvalidInput) as caught:
        proposal_create(actor=member, entry=entry, data={"problem": "hidden text"}, base_version=1, message="m")
    assert list(caught.value.details) == ["problem"]
    assert EditProposal.objects.count() == 0


def test_deleting_an_entry_deletes_its_proposals(owner: Any, member: Any) -> None:
    # (Their discussions are community comments: nexus/community/tests/test_proposal_comments.py.)
    from nexus.knowledge.models import Entry
    from nexus.knowledge.services import entry_delete

    entry = make_entry(owner, body="Cache reads.\n")
    proposal_create(
        actor=member, entry=entry, data={"body": "Cache reads first.\n"}, base_version=1, message="Say when"
    )

    entry_delete(actor=owner, entry=entry)

    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert not EditProposal.objects.exists()


# --- Revising a proposal --------------------------------------------------------------------


def test_the_author_revises_a_proposal_after_changes_were_requested(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    proposal_review(actor=owner, proposal=proposal, decision="request-changes")
    revised = proposal_update(
        actor=member,
        proposal=proposal,
        data={"body": DOC.replace("Install Redis.", "Install the redis-server package.")},
        message="Name the package",
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.message, proposal.base_revision.number) == (
        ProposalStatus.OPEN,
        "Name the package",
        1,
    )
    assert proposal.body == revised.body
    assert "Install the redis-server package." in proposal.body
    saved = proposal_merge(actor=owner, proposal=proposal)
    assert "Install the redis-server package." in saved.entry.body


def test_only_the_author_revises_and_nothing_changes_otherwise(owner: Any, member: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    for actor in (owner, mentor):
        with pytest.raises(PermissionDenied):
            proposal_update(actor=actor, proposal=proposal, data={"body": "Something else"})
    proposal.refresh_from_db()
    assert "Install Redis 7." in proposal.body


def test_a_closed_proposal_cannot_be_revised(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    proposal_review(actor=owner, proposal=proposal, decision="reject")
    with pytest.raises(ProposalClosed):
        proposal_update(actor=member, proposal=proposal, data={"body": "Another try"})


def test_a_revision_that_changes_nothing_or_touches_details_is_refused(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    with pytest.raises(InvalidInput) as nothing:
        proposal_update(actor=member, proposal=proposal, data={"body": DOC})
    assert nothing.value.details == {"non_field_errors": ["This proposal changes nothing."]}
    with pytest.raises(InvalidInput) as details:
        proposal_update(actor=member, proposal=proposal, data={"week": 3})
    assert details.value.details == {"week": ["A proposal changes only the content fields."]}
    proposal.refresh_from_db()
    assert "Install Redis 7." in proposal.body


def test_bringing_a_proposal_up_to_date_merges_its_changes_onto_the_new_base(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    entry_update(
        actor=owner, entry=entry, data={"body": DOC.replace("Call cache.get.", "Call cache.get_many.")}, base_version=1
    )
    moved = proposal_update(actor=member, proposal=proposal, data={}, base_version=2)
    assert moved.base_revision.number == 2
    # Both: the proposal's change, and the owner's change it now builds on (not reverted).
    assert "Install Redis 7." in moved.body
    assert "Call cache.get_many." in moved.body
    saved = proposal_merge(actor=owner, proposal=moved)
    assert saved.merged is False
    assert saved.entry.body == moved.body


def test_bringing_a_proposal_up_to_date_reports_overlaps(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    entry_update(actor=owner, entry=entry, data={"body": DOC.replace("Install Redis.", "Use Valkey.")}, base_version=1)
    with pytest.raises(ProposalConflict) as conflict:
        proposal_update(actor=member, proposal=proposal, data={}, base_version=2)
    assert conflict.value.details["base_revision"] == 2
    assert list(conflict.value.details["conflicts"]) == ["body"]
    proposal.refresh_from_db()
    assert proposal.base_revision.number == 1
    # Resending the field says what it becomes: the overlap is resolved by the author.
    resolved = proposal_update(
        actor=member, proposal=proposal, data={"body": DOC.replace("Install Redis.", "Use Valkey 8.")}, base_version=2
    )
    assert (resolved.base_revision.number, "Use Valkey 8." in resolved.body) == (2, True)


def test_a_stale_form_cannot_move_a_proposal_back_to_an_older_base(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = propose(entry, member, DOC.replace("Install Redis.", "Install Redis 7."))
    entry_update(
        actor=owner, entry=entry, data={"body": DOC.replace("Call cache.get.", "Call cache.get_many.")}, base_version=1
    )
    proposal_update(actor=member, proposal=proposal, data={}, base_version=2)
    with pytest.raises(InvalidInput) as stale:
        proposal_update(actor=member, proposal=proposal, data={"body": DOC}, base_version=1)
    assert stale.value.details == {
        "base_revision": ["This proposal is now based on revision 2; reload it and revise again."]
    }
