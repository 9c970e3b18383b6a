"""Entries at the service level: writing, validation, revisions, concurrent edits."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexus.core.errors import InvalidInput, PermissionDenied
from nexus.core.markdown import MarkdownTooLarge
from nexus.knowledge import services
from nexus.knowledge.errors import EntryConflict
from nexus.knowledge.models import Entry, Revision
from nexus.knowledge.services import (
    _entry_meta,
    entry_create,
    entry_reverify,
    entry_set_status,
    entry_update,
    hub_ensure,
    revision_restore,
)
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


def test_each_revision_snapshots_the_details(owner: Any) -> None:
    entry = make_entry(
        owner,
        week=2,
        project="Shop API",
        verified_with="Redis 7",
        review_by=datetime.date(2030, 1, 31),
        topics=["performance", "caching"],
        technologies=["redis"],
        tags=["Perf Tips", "orm"],
    )
    assert Revision.objects.get(entry=entry).meta == {
        "kind": "concept",
        "status": "published",
        "week": 2,
        "project": "Shop API",
        "verified_with": "Redis 7",
        "review_by": "2030-01-31",
        "topics": ["caching", "performance"],
        "technologies": ["redis"],
        "tags": ["orm", "perf-tips"],
    }


def test_a_change_of_details_only_records_a_revision(owner: Any) -> None:
    entry = make_entry(owner, body=DOC)
    saved = entry_update(actor=owner, entry=entry, data={"week": 3, "tags": ["redis"]}, base_version=1)
    assert (saved.entry.version, saved.revision.number, saved.revision.message, saved.merged) == (
        2,
        2,
        "Changed details",
        False,
    )
    assert saved.revision.content() == Revision.objects.get(entry=entry, number=1).content()
    assert saved.revision.meta == meta(week=3, tags=["redis"])
    entry.refresh_from_db()
    assert (entry.version, entry.week) == (2, 3)


def test_a_change_of_details_keeps_the_message_given(owner: Any) -> None:
    entry = make_entry(owner)
    saved = entry_update(actor=owner, entry=entry, data={"project": "Shop API"}, base_version=1, message="Project")
    assert (saved.revision.number, saved.revision.message) == (2, "Project")


def test_a_write_that_changes_nothing_records_no_revision(owner: Any) -> None:
    entry = make_entry(owner, week=3, tags=["redis"])
    saved = entry_update(
        actor=owner, entry=entry, data={"body": "Cache reads.\n", "week": 3, "tags": ["Redis"]}, base_version=1
    )
    assert (saved.revision, saved.entry.version) == (None, 1)


# The details of an entry as make_entry writes them, with changes.
def meta(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "concept",
        "status": "published",
        "week": None,
        "project": "",
        "verified_with": "",
        "review_by": None,
        "topics": [],
        "technologies": [],
        "tags": [],
        **changes,
    }


def test_a_stale_write_changing_a_detail_changed_since_is_a_conflict(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC, week=1, topics=["caching"])
    entry_update(actor=mentor, entry=entry, data={"week": 3, "topics": ["caching", "testing"]}, base_version=1)
    with pytest.raises(EntryConflict) as caught:
        entry_update(actor=owner, entry=entry, data={"week": 5, "topics": ["caching"]}, base_version=1)
    assert caught.value.status == 409
    assert caught.value.details == {
        "current_revision": 2,
        "conflicts": {"week": [{"line": None, "base": "1", "current": "3", "yours": "5"}]},
    }
    entry.refresh_from_db()
    assert (entry.version, entry.week) == (2, 3)
    assert sorted(entry.topics.values_list("slug", flat=True)) == ["caching", "testing"]


def test_a_stale_write_keeps_details_changed_since_that_it_left_alone(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC, week=1, topics=["caching"])
    entry_update(
        actor=mentor,
        entry=entry,
        data={"week": 3, "project": "Shop API", "topics": ["caching", "testing"]},
        base_version=1,
    )
    # The owner's editor still shows revision 1's details; they change the body and add a topic.
    saved = entry_update(
        actor=owner,
        entry=entry,
        data={
            "body": DOC.replace("Stale data.", "Stale data after deploys."),
            "week": 1,
            "project": "",
            "verified_with": "Redis 7",
            "topics": ["caching", "performance"],
        },
        base_version=1,
    )
    assert (saved.merged, saved.entry.version, saved.revision.message) == (True, 3, "Edited")
    assert (saved.entry.week, saved.entry.project, saved.entry.verified_with) == (3, "Shop API", "Redis 7")
    assert "Stale data after deploys." in saved.entry.body
    expected = meta(week=3, project="Shop API", verified_with="Redis 7", topics=["caching", "performance", "testing"])
    assert saved.revision.meta == expected
    entry.refresh_from_db()
    assert sorted(entry.topics.values_list("slug", flat=True)) == ["caching", "performance", "testing"]
    assert _entry_meta(entry) == expected


def test_a_stale_write_of_the_same_new_value_is_no_conflict(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, week=1)
    entry_update(actor=mentor, entry=entry, data={"week": 3}, base_version=1)
    saved = entry_update(actor=owner, entry=entry, data={"week": 3}, base_version=1)
    assert (saved.merged, saved.revision, saved.entry.version, saved.entry.week) == (True, None, 2, 3)


def test_details_not_sent_are_not_changed(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body="one\n", week=1, tags=["orm"])
    entry_update(actor=mentor, entry=entry, data={"week": 3, "tags": ["orm", "redis"]}, base_version=1)
    saved = entry_update(actor=owner, entry=entry, data={"body": "two\n"}, base_version=1)
    assert (saved.merged, saved.entry.body, saved.entry.week) == (True, "two\n", 3)
    assert saved.revision.meta == meta(week=3, tags=["orm", "redis"])


@pytest.mark.parametrize(
    ("theirs", "yours", "result"),
    [
        (["orm", "redis"], ["orm", "celery"], ["celery", "orm", "redis"]),  # both add: both kept
        ([], ["orm", "celery"], ["celery"]),  # they removed, you added: both apply
        (["orm", "redis"], [], ["redis"]),  # they added, you removed: both apply
        ([], [], []),  # both removed
        (["orm"], ["orm"], ["orm"]),  # nobody changed them
    ],
)
def test_tags_merge_as_sets(owner: Any, mentor: Any, theirs: list[str], yours: list[str], result: list[str]) -> None:
    entry = make_entry(owner, tags=["orm"])
    entry_update(actor=mentor, entry=entry, data={"tags": theirs, "summary": "Theirs."}, base_version=1)
    saved = entry_update(actor=owner, entry=entry, data={"tags": yours}, base_version=1)
    assert saved.merged is True
    assert sorted(saved.entry.tags.values_list("name", flat=True)) == result
    assert Revision.objects.get(entry=entry, number=saved.entry.version).meta["tags"] == result


def test_technologies_merge_as_sets(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, technologies=["redis", "django"])
    entry_update(actor=mentor, entry=entry, data={"technologies": ["redis", "django", "celery"]}, base_version=1)
    saved = entry_update(actor=owner, entry=entry, data={"technologies": ["redis", "postgresql"]}, base_version=1)
    assert sorted(saved.entry.technologies.values_list("slug", flat=True)) == ["celery", "postgresql", "redis"]


def test_a_stale_write_with_invalid_details_is_refused_not_merged(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, week=1)
    entry_update(actor=mentor, entry=entry, data={"week": 3}, base_version=1)
    for data, field in (({"week": 0}, "week"), ({"kind": "recipe"}, "kind"), ({"tags": ["!!!"]}, "tags")):
        with pytest.raises(InvalidInput) as caught:
            entry_update(actor=owner, entry=entry, data=data, base_version=1)
        assert field in caught.value.details
    entry.refresh_from_db()
    assert (entry.version, entry.week, entry.kind) == (2, 3, "concept")


def test_a_stale_editor_save_does_not_undo_publishing(owner: Any) -> None:
    entry = make_entry(owner, body=DOC, status="draft")
    published = entry_set_status(actor=owner, entry=entry, status="published")
    assert (published.version, published.status) == (2, "published")
    revision = Revision.objects.get(entry=entry, number=2)
    assert (revision.message, revision.meta["status"], revision.content()) == (
        "Published",
        "published",
        Revision.objects.get(entry=entry, number=1).content(),
    )
    # An editor opened before publishing sends the status it loaded with.
    saved = entry_update(actor=owner, entry=entry, data={"body": DOC + "More.\n", "status": "draft"}, base_version=1)
    assert (saved.merged, saved.entry.version, saved.entry.status) == (True, 3, "published")
    # Unpublishing on purpose, from the current revision, still works.
    saved = entry_update(actor=owner, entry=entry, data={"status": "draft"}, base_version=3)
    assert (saved.entry.version, saved.entry.status, saved.revision.message) == (4, "draft", "Changed details")


def test_setting_the_status_it_has_records_nothing(owner: Any) -> None:
    entry = make_entry(owner)
    assert entry_set_status(actor=owner, entry=entry, status="published").version == 1
    assert Revision.objects.filter(entry=entry).count() == 1


def test_reverifying_records_a_revision(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, verified_with="Django 4.2", review_by=datetime.date(2020, 1, 1))
    later = timezone.localdate() + datetime.timedelta(days=90)
    reverified = entry_reverify(actor=owner, entry=entry, review_by=later, verified_with=" Django 5.2 ")
    assert (reverified.version, reverified.verified_with, reverified.review_by) == (2, "Django 5.2", later)
    revision = Revision.objects.get(entry=entry, number=2)
    assert revision.message == "Re-verified"
    assert revision.meta == meta(verified_with="Django 5.2", review_by=later.isoformat())
    # A save from an editor opened before re-verifying keeps the new date and versions.
    saved = entry_update(
        actor=mentor,
        entry=entry,
        data={"body": "More.\n", "verified_with": "Django 4.2", "review_by": datetime.date(2020, 1, 1)},
        base_version=1,
    )
    assert (saved.entry.verified_with, saved.entry.review_by, saved.entry.version) == ("Django 5.2", later, 3)
    assert entry_reverify(actor=owner, entry=entry, review_by=later).version == 3  # nothing changed


def test_restore_brings_back_content_only_and_records_the_details_now(owner: Any) -> None:
    entry = make_entry(owner, body="first\n", week=1, tags=["orm"])
    entry_update(actor=owner, entry=entry, data={"body": "second\n"}, base_version=1)
    entry_update(actor=owner, entry=entry, data={"week": 4, "tags": ["redis"]}, base_version=2)
    saved = revision_restore(actor=owner, entry=entry, number=1)
    assert (saved.entry.version, saved.entry.body, saved.entry.week) == (4, "first\n", 4)
    assert saved.revision.meta == meta(week=4, tags=["redis"])
    assert [t.name for t in saved.entry.tags.all()] == ["redis"]


def _forget_details(entry: Entry, number: int) -> None:
    """Make a revision look as if made before revisions snapshotted details."""
    Revision.objects.filter(entry=entry, number=number).update(meta={})


def test_a_stale_write_from_a_revision_without_details_merges_only_what_is_certain(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC, week=1, tags=["orm"])
    _forget_details(entry, 1)
    entry_update(actor=mentor, entry=entry, data={"week": 3, "tags": ["orm", "redis"]}, base_version=1)
    # The same value as now, and a set keeping every current member: nothing can be lost.
    saved = entry_update(
        actor=owner,
        entry=entry,
        data={
            "body": DOC.replace("Stale data.", "Stale data after deploys."),
            "week": 3,
            "tags": ["orm", "redis", "celery"],
        },
        base_version=1,
    )
    assert (saved.merged, saved.entry.version, saved.entry.week) == (True, 3, 3)
    assert saved.revision.meta == meta(week=3, tags=["celery", "orm", "redis"])


def test_a_stale_write_from_a_revision_without_details_conflicts_where_it_cannot_tell(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC, week=1, tags=["orm"])
    _forget_details(entry, 1)
    entry_update(actor=mentor, entry=entry, data={"week": 3, "tags": ["orm", "redis"]}, base_version=1)
    # Was week 1 the old value or the owner's change? Is redis missing because the owner
    # removed it or because it was added since? Revision 1 cannot say: nothing is guessed.
    with pytest.raises(EntryConflict) as caught:
        entry_update(actor=owner, entry=entry, data={"week": 1, "tags": ["orm", "celery"]}, base_version=1)
    assert caught.value.details == {
        "current_revision": 2,
        "conflicts": {
            "week": [{"line": None, "base": None, "current": "3", "yours": "1"}],
            "tags": [{"line": None, "base": None, "current": "orm, redis", "yours": "celery, orm"}],
        },
    }
    entry.refresh_from_db()
    assert (entry.version, entry.week) == (2, 3)
    assert sorted(entry.tags.values_list("name", flat=True)) == ["orm", "redis"]


def test_content_and_detail_conflicts_are_reported_together(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC, kind="note")
    entry_update(
        actor=mentor,
        entry=entry,
        data={"body": DOC.replace("Install Redis.", "Install Redis 7."), "kind": "best-practice"},
        base_version=1,
    )
    with pytest.raises(EntryConflict) as caught:
        entry_update(
            actor=owner,
            entry=entry,
            data={"body": DOC.replace("Install Redis.", "Use Memcached."), "kind": "takeaway"},
            base_version=1,
        )
    assert caught.value.details["conflicts"] == {
        "body": [{"line": 3, "base": "Install Redis.\n", "current": "Install Redis 7.\n", "yours": "Use Memcached.\n"}],
        "kind": [{"line": None, "base": "note", "current": "best-practice", "yours": "takeaway"}],
    }


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


def test_links_to_entries_are_checked_in_one_query_however_many(owner: Any, member: Any) -> None:
    from nexus.knowledge.services import _links_to_missing_entries

    make_entry(owner, title="Caching strategies")
    make_entry(member, title="Message queues")
    links = ["/h/Owner/caching-strategies/", "/h/member/message-queues", "/h/member/gone/", "/h/nobody/x/"]
    links += [f"/h/user{n}/entry-{n}/" for n in range(300)] + ["https://example.org/h/owner/x/", "/h/owner/"]
    with CaptureQueriesContext(connection) as queries:
        missing = _links_to_missing_entries(links)
    assert len(queries) == 1
    assert missing[:2] == ["/h/member/gone/", "/h/nobody/x/"]
    # Only the first MAX_LINKED_HUBS (50) hubs by name are checked, a warning being no rule:
    # member, nobody and owner, then 47 of the user<n> hubs, each link missing.
    assert len(missing) == 2 + 47


def test_stale_flag_follows_the_review_date(owner: Any) -> None:
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


def test_the_migration_gives_every_older_revision_the_details_the_entry_has(owner: Any) -> None:
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps as django_apps
    from django.db import connection

    entry = make_entry(owner, body="one\n", week=2, topics=["caching"], tags=["orm", "celery"])
    entry_update(actor=owner, entry=entry, data={"body": "two\n"}, base_version=1)
    other = make_entry(owner, title="Other", review_by=datetime.date(2030, 1, 31))
    Revision.objects.update(meta={})  # as the column is added: empty
    migration = import_module("nexus.knowledge.migrations.0004_revision_meta")
    migration.fill_meta(django_apps, SimpleNamespace(connection=connection))
    details = meta(week=2, topics=["caching"], tags=["celery", "orm"])
    assert [r.meta for r in Revision.objects.filter(entry=entry)] == [details, details]
    assert Revision.objects.get(entry=other).meta == meta(review_by="2030-01-31")


def test_the_editor_shows_a_conflict_of_details(owner: Any, mentor: Any) -> None:
    """The editor's 409 page (test_pages.py has the content cases) with a detail in conflict."""
    from django.test import Client

    entry = make_entry(owner, body=DOC, week=1)
    entry_update(actor=mentor, entry=entry, data={"week": 3}, base_version=1)
    client = Client()
    client.force_login(owner)
    form = {"kind": "concept", "title": entry.title, "summary": "", "body": DOC, "status": "published"}
    response = client.post(f"/h/owner/{entry.slug}/edit/", {**form, "week": "5", "base_revision": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "<h3>Week</h3>" in page
    assert "Before both changes: <code>1</code>. Check it in the form before saving again.</p>" in page
    assert '<p class="side-label">Current</p><pre>3</pre>' in page
    assert '<p class="side-label">Yours</p><pre>5</pre>' in page
    assert "From line" not in page
    assert "Your whole week" not in page
    entry.refresh_from_db()
    assert (entry.version, entry.week) == (2, 3)


def test_vocabulary_in_one_query_reads_like_the_prefetch(owner: Any, member: Any) -> None:
    from nexus.knowledge.selectors import entries_load_vocabulary, entry_list_visible_to

    make_entry(owner, title="Both", topics=["testing", "caching"], technologies=["redis", "django"], tags=["b", "a"])
    make_entry(member, title="Bare")
    make_entry(member, title="Tagged", tags=["a"])
    prefetched = list(entry_list_visible_to(owner))
    with CaptureQueriesContext(connection) as queries:
        loaded = entries_load_vocabulary(list(entry_list_visible_to(owner, vocabulary=False)))
        shown = [
            (
                entry.title,
                [(t.slug, t.name) for t in entry.topics.all()],
                [(t.slug, t.name) for t in entry.technologies.all()],
                [t.name for t in entry.tags.all()],
            )
            for entry in loaded
        ]
    assert len(queries) == 2  # the entries, then one UNION for all their vocabulary
    assert shown == [
        (
            entry.title,
            [(t.slug, t.name) for t in entry.topics.all()],
            [(t.slug, t.name) for t in entry.technologies.all()],
            [t.name for t in entry.tags.all()],
        )
        for entry in prefetched
    ]
    assert shown[-1][1] == [("caching", "Caching"), ("testing", "Testing")]
    # Fields the UNION does not carry load on access, as with .only().
    assert loaded[-1].topics.all()[0].description == prefetched[-1].topics.all()[0].description
    # A query built on the loaded rows is still about this entry's vocabulary alone.
    both = loaded[-1]
    assert [t.slug for t in both.topics.all().filter(slug__in=["caching", "rest-apis"])] == ["caching"]
    assert both.technologies.filter(slug="redis").count() == 1
    assert loaded[0].tags.all().filter(name="b").exists() is False
    assert both.tags.all().count() == 2
    assert entries_load_vocabulary([]) == []
