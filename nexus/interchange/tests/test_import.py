"""README import through the service: preview equals commit, idempotent re-imports,
updates as new revisions merged with edits made in Nexus, the whole import one
transaction, and export -> import giving the same entries (demo hubs and generated ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexus.core.errors import InvalidInput, PermissionDenied
from nexus.interchange.errors import ImportConflict, ReadmeTooLarge, ReadmeUnreadable
from nexus.interchange.exporting import hub_readme_export
from nexus.interchange.models import ImportedEntry, ImportSource
from nexus.interchange.readme.plan import readme_plan
from nexus.interchange.selectors import hub_entries_for_export
from nexus.interchange.services import readme_import
from nexus.knowledge.models import Entry, EntryKind, EntryStatus, Revision
from nexus.knowledge.services import entry_update, hub_ensure

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "readmes"

README = """# 🚀 Amara's Project Nexus

Everything I learned in the backend program.

## Key Technologies

- **Django** – models, views and the admin
- **Redis** – the cache in front of the feed

## Challenges & Solutions

- **Challenge:** The feed page ran 120 queries
  **Solution:** `select_related` and `prefetch_related`
- **Challenge:** Emails slowed down sign-up
  **Solution:** Celery tasks on RabbitMQ

## Takeaways

Small pull requests get reviewed the same day.
"""


def run(owner: Any, text: str | bytes, **options: Any) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return readme_import(actor=owner, hub=hub_ensure(owner), data=data, **options)


def hub_entries(owner: Any) -> list[tuple[str, str]]:
    return list(Entry.objects.filter(hub__owner=owner).order_by("id").values_list("kind", "title"))


def test_preview_writes_nothing_and_shows_what_commit_does(owner: Any) -> None:
    preview = run(owner, README)
    assert preview.dry_run
    assert preview.counts == {"create": 5, "update": 0, "unchanged": 0}
    assert Entry.objects.filter(hub__owner=owner).count() == 0
    assert not ImportSource.objects.exists()
    report = preview.as_dict()
    assert report["coverage"]["percent"] == 100.0
    assert [(e["kind"], e["title"], e["action"]) for e in report["entries"]][:2] == [
        ("technology", "Django", "create"),
        ("technology", "Redis", "create"),
    ]
    assert report["hub_changes"]["title"] == "🚀 Amara's Project Nexus"
    committed = run(owner, README, dry_run=False)
    assert [(e.planned.kind, e.planned.title) for e in committed.items] == [
        (e.planned.kind, e.planned.title) for e in preview.items
    ]
    assert hub_entries(owner) == [
        ("technology", "Django"),
        ("technology", "Redis"),
        ("challenge", "The feed page ran 120 queries"),
        ("challenge", "Emails slowed down sign-up"),
        ("takeaway", "Takeaways"),
    ]
    hub = hub_ensure(owner)
    hub.refresh_from_db()
    assert hub.title == "🚀 Amara's Project Nexus"
    assert "backend program" in hub.intro
    redis = Entry.objects.get(hub=hub, title="Redis")
    assert list(redis.technologies.values_list("slug", flat=True)) == ["redis"]
    assert redis.status == EntryStatus.PUBLISHED


def test_importing_the_same_file_again_changes_nothing(owner: Any) -> None:
    run(owner, README, dry_run=False)
    revisions = Revision.objects.count()
    again = run(owner, README, dry_run=False)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 5}
    assert Revision.objects.count() == revisions
    assert Entry.objects.filter(hub__owner=owner).count() == 5


def test_an_edited_file_updates_adds_and_lists_what_is_gone_without_deleting(owner: Any) -> None:
    run(owner, README, dry_run=False)
    edited = (
        README.replace("the cache in front of the feed", "the cache and the Celery broker").replace(
            "- **Challenge:** Emails slowed down sign-up\n  **Solution:** Celery tasks on RabbitMQ\n", ""
        )
        + "\n## Week 3\n\nShipped the search page.\n"
    )
    report = run(owner, edited, dry_run=False)
    assert report.counts == {"create": 1, "update": 1, "unchanged": 3}
    redis = Entry.objects.get(hub__owner=owner, title="Redis")
    assert redis.version == 2
    assert "Celery broker" in redis.body
    assert [gone["title"] for gone in report.missing] == ["Emails slowed down sign-up"]
    assert Entry.objects.filter(title="Emails slowed down sign-up").exists()
    week = Entry.objects.get(hub__owner=owner, kind=EntryKind.WEEKLY_HIGHLIGHT)
    assert (week.title, week.week) == ("Week 3", 3)


def test_a_reimport_merges_with_edits_made_in_nexus_and_refuses_overlaps(owner: Any) -> None:
    run(owner, README.replace("Small pull requests", "Small pull requests\n\nline two\n\nline three"), dry_run=False)
    takeaway = Entry.objects.get(hub__owner=owner, kind=EntryKind.TAKEAWAY)
    edited_in_nexus = takeaway.body.replace("line three", "line three, edited in Nexus")
    entry_update(actor=owner, entry=takeaway, data={"body": edited_in_nexus}, base_version=takeaway.version)
    file_edit = README.replace("Small pull requests", "Tiny pull requests\n\nline two\n\nline three")
    report = run(owner, file_edit, dry_run=False)
    takeaway.refresh_from_db()
    assert report.counts["update"] == 1
    assert any(item.merged for item in report.items)
    assert "Tiny pull requests" in takeaway.body
    assert "edited in Nexus" in takeaway.body
    clash = file_edit.replace("line three", "line three, changed in the file too")
    preview = run(owner, clash)
    assert preview.conflicts
    assert preview.conflicts[0]["title"] == "Takeaways"
    with pytest.raises(ImportConflict):
        run(owner, clash, dry_run=False)
    takeaway.refresh_from_db()
    assert "changed in the file too" not in takeaway.body


def test_chosen_kinds_are_applied_and_remembered(owner: Any) -> None:
    preview = run(owner, README)
    key = next(item.planned.key for item in preview.items if item.planned.title == "Takeaways")
    run(owner, README, dry_run=False, kinds={key: EntryKind.BEST_PRACTICE})
    assert Entry.objects.get(hub__owner=owner, title="Takeaways").kind == EntryKind.BEST_PRACTICE
    again = run(owner, README, dry_run=False)
    assert again.counts["unchanged"] == 5
    assert ImportedEntry.objects.get(key=key).kind == EntryKind.BEST_PRACTICE
    with pytest.raises(InvalidInput) as error:
        run(owner, README, kinds={key: "poem", "no-such-key": "note"})
    assert set(error.value.details["kinds"]) == {key, "no-such-key"}


def test_the_whole_import_is_one_transaction(owner: Any) -> None:
    broken = README + "\n## Notes\n\n" + ("word " * 60_000) + "\n"  # a body over the Markdown limit
    preview = run(owner, broken)
    assert [item.error["code"] for item in preview.items if item.error] == ["markdown_too_large"]
    with pytest.raises(InvalidInput):
        run(owner, broken, dry_run=False)
    assert Entry.objects.filter(hub__owner=owner).count() == 0
    assert not ImportSource.objects.exists()


def test_only_the_owner_imports_into_a_hub(owner: Any, member: Any) -> None:
    with pytest.raises(PermissionDenied):
        readme_import(actor=member, hub=hub_ensure(owner), data=README.encode(), dry_run=False)


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"", ReadmeUnreadable), (bytes(range(256)) * 100, ReadmeUnreadable), (b"#" * (3 * 1024 * 1024), ReadmeTooLarge)],
    ids=["empty", "binary", "too-large"],
)
def test_unreadable_files_are_refused_before_anything_is_written(owner: Any, data: bytes, error: type) -> None:
    with pytest.raises(error):
        run(owner, data, dry_run=False)
    assert Entry.objects.count() == 0


def test_ten_thousand_headings_are_refused_with_a_count(owner: Any) -> None:
    text = "# Hub\n\n## Challenges\n\n" + "".join(f"### Challenge {n}\n\nslow\n\n" for n in range(10_000))
    with pytest.raises(InvalidInput, match="10,002 headings"):
        run(owner, text)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside the project")
def test_every_sample_imports_and_reimports_idempotently(owner: Any) -> None:
    for path in sorted(SAMPLES.glob("*.md")):
        Entry.objects.filter(hub__owner=owner).delete()
        ImportSource.objects.all().delete()
        first = run(owner, path.read_bytes(), dry_run=False)
        assert first.plan.coverage.percent == 100.0, path.name
        assert not any(item.error for item in first.items), path.name
        again = run(owner, path.read_bytes(), dry_run=False)
        assert again.counts["create"] == again.counts["update"] == 0, path.name


# --- export, and the round trip -----------------------------------------------------------------


def exported(owner: Any) -> str:
    hub = hub_ensure(owner)
    hub.refresh_from_db()
    return hub_readme_export(hub, hub_entries_for_export(owner, hub))


def entry_contents(owner: Any) -> list[tuple[Any, ...]]:
    return [
        (e.kind, e.title, e.body.strip(), e.problem.strip(), e.solution.strip(), e.outcome.strip(), e.week)
        for e in Entry.objects.filter(hub__owner=owner).order_by("kind", "title", "id")
    ]


def test_export_has_the_canonical_outline_and_a_table_of_contents(owner: Any) -> None:
    run(owner, README, dry_run=False)
    text = exported(owner)
    assert text.startswith("# 🚀 Amara's Project Nexus\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Contents",
        "## Technologies",
        "## Challenges and solutions",
        "## Best practices and takeaways",
    ]
    assert "- [Challenges and solutions](#challenges-and-solutions)" in text
    assert "#### Solution\n\n`select_related` and `prefetch_related`" in text


def test_round_trip_into_another_hub_gives_the_same_entries(owner: Any, member: Any) -> None:
    run(owner, README, dry_run=False)
    run(member, exported(owner), dry_run=False)
    assert entry_contents(member) == entry_contents(owner)
    assert run(owner, exported(owner), dry_run=False).counts["unchanged"] == 5


@pytest.mark.django_db
def test_round_trip_of_every_demo_hub(member: Any) -> None:
    from django.core.management import call_command

    from nexus.accounts.models import User

    call_command("nexus_demo", verbosity=0)
    for learner in User.objects.filter(hub__entries__isnull=False).distinct():
        target = User.objects.create_user(username=f"copy-of-{learner.username}", password="x" * 12)
        text = exported(learner)
        report = run(target, text, dry_run=False)
        assert report.plan.coverage.percent == 100.0, learner.username
        assert entry_contents(target) == entry_contents(learner), learner.username


LINE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda s: s.strip() and not s.lstrip().startswith(("<!--", "#### ")))
BODY = st.lists(LINE, min_size=0, max_size=6).map(lambda lines: "\n".join(lines))
ENTRY = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([k for k in EntryKind.values if k != EntryKind.WEEKLY_HIGHLIGHT]),
        "title": LINE,
        "body": BODY,
        "problem": BODY,
        "solution": BODY,
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(ENTRY, min_size=1, max_size=6))
@pytest.mark.django_db
def test_round_trip_of_generated_hubs(owner: Any, member: Any, entries: list[dict[str, str]]) -> None:
    from nexus.knowledge.services import entry_create

    Entry.objects.all().delete()
    ImportSource.objects.all().delete()
    hub = hub_ensure(owner)
    for data in entries:
        if data["kind"] != EntryKind.CHALLENGE:
            data = {**data, "problem": "", "solution": ""}
        try:
            entry_create(actor=owner, hub=hub, data={**data, "status": EntryStatus.PUBLISHED})
        except InvalidInput:
            continue  # a title of only symbols, say: nothing to round-trip
    text = exported(owner)
    plan = readme_plan(text)
    assert plan.coverage.percent == 100.0
    run(member, text, dry_run=False)
    assert entry_contents(member) == entry_contents(owner)


def test_a_long_file_name_still_names_the_revisions(owner: Any) -> None:
    name = "notes/" + "week-by-week-" * 15 + "README.md"
    run(owner, README, dry_run=False, name=name)
    messages = set(Revision.objects.values_list("message", flat=True))
    assert len(messages) == 1
    (message,) = messages
    assert len(message) == 200
    assert message.startswith("Imported from notes/week-by-week-")
    assert message.endswith("…")
