"""The demo cohort `nexus_demo` loads: every learner's hub shows every kind of entry, an
edited entry with its history, and a suggested edit waiting for review; loading twice adds nothing."""

from __future__ import annotations

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command

from nexus.accounts.models import User
from nexus.knowledge.models import EditProposal, Entry, EntryKind, Hub, ProposalStatus, Revision
from nexus.web.demo import DEMO_PEOPLE
from nexus.web.demo_entries import DEMO_ENTRIES, DEMO_PROPOSALS

pytestmark = pytest.mark.django_db

LEARNERS = sorted(DEMO_ENTRIES)


def demo_load() -> str:
    out = StringIO()
    call_command("nexus_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "hubs": Hub.objects.count(),
        "entries": Entry.objects.count(),
        "revisions": Revision.objects.count(),
        "proposals": EditProposal.objects.count(),
    }


def test_the_demo_has_seven_learners_and_two_mentors() -> None:
    assert len(LEARNERS) == 7
    assert {person[0] for person in DEMO_PEOPLE} == {*LEARNERS, "grace", "ivan"}


@pytest.mark.parametrize("username", LEARNERS)
def test_every_learner_has_a_hub_with_every_kind_an_edited_entry_and_an_open_proposal(username: str) -> None:
    demo_load()
    owner = User.objects.get(username=username)
    hub = Hub.objects.get(owner=owner)
    entries = list(hub.entries.order_by("pk"))
    assert {entry.kind for entry in entries} == set(EntryKind.values)
    assert all(entry.status == "published" for entry in entries)

    edited = [entry for entry in entries if entry.version >= 2]
    assert edited, f"{username} has no entry with a second revision"
    for entry in edited:
        revisions = list(entry.revisions.order_by("number"))
        assert [r.number for r in revisions] == list(range(1, entry.version + 1))
        assert revisions[0].message == "Created"
        for before, after in pairwise(revisions):
            assert after.author == owner
            assert after.message not in ("", "Edited")  # each edit says what it changed
            assert after.content() != before.content()
        assert revisions[-1].content() == {name: getattr(entry, name) for name in revisions[-1].content()}

    proposals = list(
        EditProposal.objects.filter(entry__hub=hub, status=ProposalStatus.OPEN).select_related("entry", "author")
    )
    assert proposals, f"{username} has no open proposal"
    for proposal in proposals:
        assert proposal.author != owner
        assert proposal.author.username in {person[0] for person in DEMO_PEOPLE}
        assert proposal.message.strip()
        assert proposal.base_revision.number == proposal.entry.version
        assert proposal.content() != proposal.base_revision.content()


def test_the_first_load_creates_everything_and_kenji_suggests_an_edit_to_amara() -> None:
    out = demo_load()
    assert f"{len(DEMO_PEOPLE)} people and 7 hubs created, {len(DEMO_PROPOSALS)} suggested edits opened" in out
    assert EditProposal.objects.filter(status=ProposalStatus.OPEN).count() == len(DEMO_PROPOSALS)
    proposal = EditProposal.objects.get(entry__hub__owner__username="amara", entry__title="Caching strategies")
    assert (proposal.author.username, proposal.message) == ("kenji", "Add a section on cache stampedes")
    assert "## Stampedes" in proposal.body
    # Proposals name only content fields, and a challenge's proposal changes only the part it names.
    charged = EditProposal.objects.get(entry__title="A test order charged twice")
    assert charged.author.username == "dawit"
    assert charged.problem == charged.base_revision.problem
    assert "uuid4()" in charged.solution
    sofia = Entry.objects.get(hub__owner__username="sofia", title="CSRF failures on htmx posts")
    assert sofia.version == 2
    assert "hx-headers" in sofia.solution
    assert sofia.outcome == "Every htmx form posts again and no view needed `csrf_exempt`."


def test_a_second_load_adds_nothing() -> None:
    demo_load()
    before = row_counts()
    assert before["users"] == len(DEMO_PEOPLE)
    assert before["hubs"] == 7

    out = demo_load()

    assert "0 people and 0 hubs created, 0 suggested edits opened" in out
    assert row_counts() == before


def test_a_demo_loaded_before_the_proposals_existed_gets_them_and_nothing_else() -> None:
    demo_load()
    EditProposal.objects.all().delete()
    before = row_counts()

    out = demo_load()

    assert f"0 people and 0 hubs created, {len(DEMO_PROPOSALS)} suggested edits opened" in out
    assert row_counts() == {**before, "proposals": len(DEMO_PROPOSALS)}
