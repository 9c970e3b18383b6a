"""Entries at the service level: writing, validation, revisions, concurrent edits."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.core.errors import InvalidInput, PermissionDenied
from nexus.core.markdown import MarkdownTooLarge
from nexus.knowledge import services
from nexus.knowledge.errors import EntryConflict
from nexus.knowledge.models import Entry, Revision
from nexus.knowledge.services import entry_create, entry_update, hub_ensure, revision_restore
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

DOC = "## Setup\n\nInstall Redis.\n\n## Usage\n\nCall cache.get.\n\n## Pitfalls\n\nStale data.\n"


def test_create_renders_once_and_records_revision_one(owner: Any) -> None:
    entry = make_entry(
        owner, body="## Why\n\nFast **reads**.\n", topics=["caching"], technologies=["redis"], tags=["Perf Tips"]
    )
    assert entry.version == 1
    assert '<h2 id="why">Why</h2>' in entry.html
    assert "<strong>reads</strong>" in entry.html
    assert entry.toc == [{"level": 2, "text": "Why", "anchor": "why"}]
    assert [t.slug for t in entry.topics.all()] == ["caching"]
    assert [t.name for t in entry.tags.all()] == ["perf-tips"]
    revision = Revision.objects.get(entry=entry)
    assert (revision.number, revision.author, revision.body) == (1, owner, "## Why\n\nFast **reads**.\n")


def test_same_title_gets_a_unique_slug(owner: Any) -> None:
    assert make_entry(owner).slug == "caching-strategies"
    assert make_entry(owner).slug == "caching-strategies-2"


def test_challenge_keeps_problem_solution_outcome(owner: Any) -> None:
    entry = make_entry(owner, kind="challenge", title="N+1 queries", problem="Slow list.", solution="select_related.")
    assert '<h2 id="problem">Problem</h2>' in entry.html
    assert '<h2 id="solution">Solution</h2>' in entry.html
    assert "Outcome" not in entry.html  # empty parts are left out


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "recipe"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"week": 0}, "week"),
        ({"week": 10**9}, "week"),
        ({"topics": ["knitting"]}, "topics"),
        ({"technologies": ["cobol"]}, "technologies"),
        ({"title": "nul\x00"}, "title"),
        ({"problem": "only challenges have one"}, "kind"),
        ({"kind": "weekly-highlight"}, "week"),
        ({"tags": [f"t{i}" for i in range(11)]}, "tags"),
        ({"colour": "red"}, "colour"),
        # Only slug-shaped values are looked up: PostgreSQL refuses a NUL even in a query.
        ({"topics": ["caching\x00"]}, "topics"),
        ({"technologies": ["redis\x00"]}, "technologies"),
        ({"topics": ["Caching!"]}, "topics"),
    ],
)
def test_invalid_entries_are_refused_and_nothing_is_written(owner: Any, fields: dict[str, Any], field: str) -> None:
    data = {"kind": "concept", "title": "Fine", "body": "ok", **fields}
    with pytest.raises(InvalidInput) as caught:
        entry_create(actor=owner, hub=hub_ensure(owner), data=data)
    assert field in caught.value.details
    assert Entry.objects.count() == 0
    assert Revision.objects.count() == 0


def test_oversized_body_is_refused(owner: Any) -> None:
    with pytest.raises(MarkdownTooLarge) as caught:
        entry_create(actor=owner, hub=hub_ensure(owner), data={"kind": "note", "title": "Big", "body": "x" * 300_000})
    assert (caught.value.code, caught.value.status) == ("markdown_too_large", 400)
    assert Entry.objects.count() == 0


def test_others_cannot_write_in_my_hub(owner: Any, member: Any) -> None:
    with pytest.raises(PermissionDenied):
        entry_create(actor=member, hub=hub_ensure(owner), data={"kind": "note", "title": "Mine now"})
    assert Entry.objects.count() == 0


def test_update_on_the_current_revision_adds_a_revision(owner: Any) -> None:
    entry = make_entry(owner, body=DOC)
    saved = entry_update(actor=owner, entry=entry, data={"body": DOC + "\nMore.\n"}, base_version=1, message="More")
    assert (saved.entry.version, saved.revision.number, saved.merged) == (2, 2, False)
    assert saved.revision.message == "More"


def test_metadata_only_change_adds_no_revision(owner: Any) -> None:
    entry = make_entry(owner)
    saved = entry_update(actor=owner, entry=entry, data={"week": 3, "tags": ["redis"]}, base_version=1)
    assert saved.revision is None
    assert saved.entry.version == 1
    assert saved.entry.week == 3


def test_stale_write_to_other_sections_is_merged(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    entry_update(
        actor=mentor, entry=entry, data={"body": DOC.replace("Install Redis.", "Install Redis 7.")}, base_version=1
    )
    saved = entry_update(
        actor=owner, entry=entry, data={"body": DOC.replace("Stale data.", "Stale data after deploys.")}, base_version=1
    )
    assert saved.merged is True
    assert saved.entry.version == 3
    assert "Install Redis 7." in saved.entry.body
    assert "Stale data after deploys." in saved.entry.body


def test_stale_write_to_the_same_lines_is_a_conflict_and_changes_nothing(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    entry_update(
        actor=mentor, entry=entry, data={"body": DOC.replace("Install Redis.", "Install Redis 7.")}, base_version=1
    )
    with pytest.raises(EntryConflict) as caught:
        entry_update(
            actor=owner, entry=entry, data={"body": DOC.replace("Install Redis.", "Use Memcached.")}, base_version=1
        )
    assert caught.value.status == 409
    assert caught.value.details["current_revision"] == 2
    [conflict] = caught.value.details["conflicts"]["body"]
    assert (conflict["current"], conflict["yours"]) == ("Install Redis 7.\n", "Use Memcached.\n")
    entry.refresh_from_db()
    assert entry.version == 2
    assert "Install Redis 7." in entry.body


def test_unknown_base_revision_is_refused(owner: Any) -> None:
    entry = make_entry(owner)
    entry_update(actor=owner, entry=entry, data={"body": "two"}, base_version=1)
    with pytest.raises(InvalidInput) as caught:
        entry_update(actor=owner, entry=entry, data={"body": "three"}, base_version=9)
    assert "base_revision" in caught.value.details


def test_restore_brings_an_old_revision_back_as_a_new_one(owner: Any) -> None:
    entry = make_entry(owner, body="first\n")
    entry_update(actor=owner, entry=entry, data={"body": "second\n"}, base_version=1)
    saved = revision_restore(actor=owner, entry=entry, number=1)
    assert (saved.entry.version, saved.entry.body, saved.revision.message) == (3, "first\n", "Restored revision 1")
    assert list(entry.revisions.values_list("number", flat=True)) == [3, 2, 1]


def test_content_checks_are_warnings_not_errors(owner: Any) -> None:
    body = "# Top\n\n### Skipped\n\n![](/x.png)\n\n```\ncode\n```\n\n[gone](/h/owner/no-such-entry/)\n"
    saved = entry_create(actor=owner, hub=hub_ensure(owner), data={"kind": "note", "title": "Checks", "body": body})
    assert [w.code for w in saved.warnings] == [
        "image_without_alt",
        "heading_level_skipped",
        "code_without_language",
        "link_to_missing_entry",
    ]
    assert Entry.objects.filter(pk=saved.entry.pk).exists()


def test_stale_flag_follows_the_review_date(owner: Any) -> None:
    import datetime

    assert make_entry(owner, review_by=datetime.date(2020, 1, 1)).is_stale is True
    assert make_entry(owner, review_by=datetime.date(2999, 1, 1)).is_stale is False


def test_a_topic_that_is_no_slug_is_named_unknown(owner: Any) -> None:
    data = {"kind": "concept", "title": "Fine", "topics": ["caching", "caching\x00"]}
    with pytest.raises(InvalidInput) as caught:
        entry_create(actor=owner, hub=hub_ensure(owner), data=data)
    assert caught.value.details == {"topics": ["Unknown topic: 'caching\\x00'."]}


BAD_MESSAGES = [
    ("nul\x00byte", ["Null characters are not allowed."]),
    ("x" * 201, ["Ensure this value has at most 200 characters (it has 201)."]),
]


@pytest.mark.parametrize(("message", "errors"), BAD_MESSAGES)
def test_create_refuses_a_message_a_revision_cannot_hold(owner: Any, message: str, errors: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        entry_create(actor=owner, hub=hub_ensure(owner), data={"kind": "note", "title": "Fine"}, message=message)
    assert caught.value.details == {"message": errors}
    assert Entry.objects.count() == 0
    assert Revision.objects.count() == 0


@pytest.mark.parametrize(("message", "errors"), BAD_MESSAGES)
def test_update_refuses_a_message_a_revision_cannot_hold(owner: Any, message: str, errors: list[str]) -> None:
    entry = make_entry(owner, body="one\n")
    with pytest.raises(InvalidInput) as caught:
        entry_update(actor=owner, entry=entry, data={"body": "two\n"}, base_version=1, message=message)
    assert caught.value.details == {"message": errors}
    entry.refresh_from_db()
    assert (entry.version, entry.body) == (1, "one\n")
    assert Revision.objects.count() == 1


def test_a_message_of_exactly_200_characters_is_kept_whole(owner: Any) -> None:
    saved = entry_create(actor=owner, hub=hub_ensure(owner), data={"kind": "note", "title": "Fine"}, message="m" * 200)
    assert saved.revision.message == "m" * 200


def _slug_chosen_before(taken: str, monkeypatch: pytest.MonkeyPatch, times: int) -> list[str]:
    """Make the first `times` slug choices return `taken`, as if chosen just before another
    write saved an entry under it: the race between choosing a slug and inserting it."""
    real = services._unique_slug
    chosen: list[str] = []

    def stale(hub: Any, title: str) -> str:
        slug = taken if len(chosen) < times else real(hub, title)
        chosen.append(slug)
        return slug

    monkeypatch.setattr(services, "_unique_slug", stale)
    return chosen


def test_a_slug_taken_by_a_concurrent_write_is_chosen_again(owner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_entry(owner)
    chosen = _slug_chosen_before(first.slug, monkeypatch, times=1)
    saved = entry_create(actor=owner, hub=hub_ensure(owner), data={"kind": "concept", "title": first.title})
    assert chosen == ["caching-strategies", "caching-strategies-2"]
    assert saved.entry.slug == "caching-strategies-2"
    assert Entry.objects.get(pk=saved.entry.pk).slug == "caching-strategies-2"
    assert list(Revision.objects.filter(entry=saved.entry).values_list("number", flat=True)) == [1]
    assert Entry.objects.count() == 2


def test_a_slug_lost_again_and_again_is_refused(owner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_entry(owner)
    chosen = _slug_chosen_before(first.slug, monkeypatch, times=services.SLUG_ATTEMPTS)
    with pytest.raises(InvalidInput) as caught:
        entry_create(actor=owner, hub=hub_ensure(owner), data={"kind": "concept", "title": first.title})
    assert chosen == ["caching-strategies"] * services.SLUG_ATTEMPTS
    assert caught.value.details == {"title": ["No free address (slug) for this title right now; please save again."]}
    assert Entry.objects.count() == 1
    assert Revision.objects.count() == 1
