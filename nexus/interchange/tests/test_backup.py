"""Backup and restore of the whole instance: a round trip through an empty database gives
back every row, count and checksum; damaged archives and non-empty databases are refused
with their own errors, and a restore that fails at any point changes nothing.

The tests commit for real (transaction=True): restore owns its transaction, PostgreSQL
checks deferred foreign keys at commit, and "empty" means a database after `flush` plus
what the migrations seed, which is what `migrate` leaves in a new one."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import re
import stat
import threading
from importlib import import_module
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.accounts.models import Profile, User
from nexus.accounts.roles import Role, user_roles
from nexus.accounts.tests.factories import UserFactory
from nexus.community.models import Comment
from nexus.community.services import comment_post_on_proposal
from nexus.core.models import OutboxMessage
from nexus.interchange.backup import (
    BackupReport,
    RestoreReport,
    backup_models,
    instance_backup,
    instance_checksums,
    instance_restore,
)
from nexus.interchange.errors import (
    BackupChecksumMismatch,
    BackupOutputUnusable,
    BackupSchemaMismatch,
    BackupTruncated,
    BackupUnreadable,
    BackupVersionUnsupported,
    RestoreTargetNotEmpty,
)
from nexus.interchange.models import ImportedEntry, ImportSource
from nexus.interchange.services import readme_import
from nexus.knowledge.models import EditProposal, Entry, Hub, Revision, Tag, Technology, Topic
from nexus.knowledge.services import hub_ensure
from nexus.knowledge.tests.factories import make_entry
from nexus.web.demo import DEMO_PASSWORD, DEMO_PEOPLE

pytestmark = pytest.mark.django_db(transaction=True)

SEEDED_TOPICS = 13
SEEDED_TECHNOLOGIES = 16
README = b"""# Sam's backend journey

## Technologies

- **Redis**: an in-memory store I use as a cache.

## Challenges

### Slow list
**Problem:** The list ran 101 queries.
**Solution:** select_related.
"""


# --- Fixtures and helpers -------------------------------------------------------------------


def migrated_only(*, flush: bool = True) -> None:
    """Empty the database the way a new one is after `migrate`: no rows but the content
    types and permissions migrate makes and the rows its data migrations seed. (Without
    `flush` only the seeds are ensured: each transactional test starts after the previous
    one's flush.)"""
    if flush:
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()
    import_module("nexus.accounts.migrations.0002_role_groups").create_role_groups(django_apps, None)
    import_module("nexus.knowledge.migrations.0002_seed_vocabulary").seed(django_apps, None)


def rebuild_content_type(model: type[Any]) -> None:
    """Give a model's content type and permissions new ids, as another database would."""
    ContentType.objects.get_for_model(model).delete()
    ContentType.objects.clear_cache()
    create_permissions(django_apps.get_app_config(model._meta.app_label), verbosity=0)


def contents() -> dict[str, Any]:
    """Every backed-up row as the ORM reads it, with permissions and content types named
    by natural key (their ids belong to each database), and every many-to-many link."""
    found: dict[str, Any] = {}
    for model in backup_models():
        label = model._meta.label_lower
        rows = list(model._base_manager.order_by("pk").values())
        for field in model._meta.fields:
            if field.related_model in (ContentType, Permission):
                names = {row.pk: row.natural_key() for row in field.related_model.objects.all()}
                for row in rows:
                    row[field.attname] = names.get(row[field.attname])
        found[label] = rows
        for field in model._meta.many_to_many:
            target = "codename" if field.related_model is Permission else "pk"
            links = model._base_manager.filter(**{f"{field.name}__isnull": False})
            found[f"{label}.{field.name}"] = sorted(links.values_list("pk", f"{field.name}__{target}"))
    return found


def counts() -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.count() for model in backup_models()}


def read_header(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    line = (gzip.decompress(data) if path.name.endswith(".gz") else data).decode().split("\n", 1)[0]
    assert line.startswith('{"header": ')
    assert line.endswith(', "rows": [')
    return json.loads(line[len('{"header": ') : -len(', "rows": [')])


def edit_header(path: Path, **changes: Any) -> None:
    _, rest = path.read_text(encoding="utf-8").split("\n", 1)
    header = {**read_header(path), **changes}
    path.write_text('{"header": ' + json.dumps(header) + ', "rows": [\n' + rest, encoding="utf-8")


def row_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


@pytest.fixture
def demo() -> None:
    """The demo cohort, plus a row of each kind the demo does not make: an imported README,
    a proposal comment, JWTs (one blacklisted), an admin log entry, permissions."""
    migrated_only(flush=False)
    call_command("nexus_demo", verbosity=0)
    sam = UserFactory(username="sam")
    readme_import(actor=sam, hub=hub_ensure(sam), data=README, dry_run=False)
    proposal = EditProposal.objects.order_by("pk").first()
    assert proposal is not None
    comment_post_on_proposal(actor=proposal.entry.hub.owner, proposal=proposal, body="Thanks, **merging** soon.")
    RefreshToken.for_user(sam)
    RefreshToken.for_user(sam).blacklist()
    grace = User.objects.get(username="grace")
    hub = Hub.objects.get(owner__username="amara")
    LogEntry.objects.create(
        user=grace,
        content_type=ContentType.objects.get_for_model(Hub),
        object_id=str(hub.pk),
        object_repr=str(hub),
        action_flag=CHANGE,
        change_message="Changed title.",
    )
    Group.objects.get(name=Role.MENTOR).permissions.add(Permission.objects.get(codename="change_hub"))
    User.objects.get(username="amara").user_permissions.add(Permission.objects.get(codename="view_hub"))


def small_instance_archive(tmp_path: Path) -> Path:
    """A mentor's hub with two entries, and its archive."""
    owner = UserFactory(username="olive", roles=[Role.MENTOR])
    make_entry(owner, title="Caching strategies", topics=["caching"], technologies=["redis"], tags=["cache"])
    make_entry(owner, title="Message queues", body="Acknowledge late.\n")
    path = tmp_path / "small.json"
    instance_backup(path)
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A small instance's archive, and the database left as `migrate` leaves a new one."""
    migrated_only(flush=False)
    path = small_instance_archive(tmp_path)
    migrated_only()
    return path


# --- The round trip -------------------------------------------------------------------------


def test_every_nexus_model_and_the_instance_rows_of_django_apps_are_backed_up() -> None:
    assert {model._meta.label_lower for model in backup_models()} == {
        "accounts.user",
        "accounts.profile",
        "admin.logentry",
        "audit.auditevent",
        "auth.group",
        "community.announcement",
        "community.answer",
        "community.answervote",
        "community.bookmark",
        "community.collaborationrequest",
        "community.comment",
        "community.commentrevision",
        "community.project",
        "community.question",
        "community.reaction",
        "community.team",
        "core.outboxmessage",
        "interchange.importsource",
        "interchange.importedentry",
        "knowledge.editproposal",
        "knowledge.entry",
        "knowledge.hub",
        "knowledge.revision",
        "knowledge.tag",
        "knowledge.technology",
        "knowledge.topic",
        "notifications.digestdelivery",
        "notifications.event",
        "notifications.follow",
        "notifications.notification",
        "notifications.notificationpreference",
        "notifications.webhook",
        "notifications.webhookattempt",
        "notifications.webhookdelivery",
        "search.searchdocument",
        "search.searchterm",
        "search.zeroresultquery",
        "token_blacklist.blacklistedtoken",
        "token_blacklist.outstandingtoken",
        # Raw request rows are not: retention keeps them a few days (scope.NOT_BACKED_UP).
        "traffic.anomalyflag",
        "traffic.dailyaggregate",
        "traffic.iprule",
    }
    order = [model._meta.label_lower for model in backup_models()]
    # Rows found by natural key on restore come after the rows they name.
    assert order.index("auth.group") < order.index("accounts.user") < order.index("admin.logentry")


@pytest.mark.parametrize("name", ["nexus.json", "nexus.json.gz"])
def test_restore_into_an_empty_database_gives_back_every_row_count_and_checksum(
    demo: None, tmp_path: Path, name: str
) -> None:
    before, sums = contents(), instance_checksums()
    entry = Entry.objects.annotate(edits=Count("revisions")).order_by("-edits", "pk").first()
    assert entry is not None
    html, revisions = entry.html, list(entry.revisions.order_by("number").values_list("number", "body"))
    proposal = EditProposal.objects.order_by("pk").first()
    assert proposal is not None
    suggested = (proposal.author.username, proposal.message, proposal.status, proposal.base_revision.number)
    path = tmp_path / name

    backup = instance_backup(path)

    assert isinstance(backup, BackupReport)
    assert backup.counts == counts() == {label: count for label, (count, _) in sums.items()}
    migrated_only()
    rebuild_content_type(Hub)  # this database's ids for it differ from the source's
    assert (User.objects.count(), Topic.objects.count(), Group.objects.count()) == (0, SEEDED_TOPICS, 2)

    restored = instance_restore(path)

    assert isinstance(restored, RestoreReport)
    assert restored.counts == backup.counts
    assert restored.source_database == read_header(path)["database"]
    assert counts() == backup.counts
    assert instance_checksums() == sums
    assert contents() == before
    entry = Entry.objects.get(pk=entry.pk)
    assert entry.html == html
    assert "<h2" in entry.html
    assert list(entry.revisions.order_by("number").values_list("number", "body")) == revisions
    assert len(revisions) >= 2
    proposal = EditProposal.objects.get(pk=proposal.pk)
    assert (proposal.author.username, proposal.message, proposal.status, proposal.base_revision.number) == suggested
    assert proposal.base_revision == Revision.objects.get(entry=proposal.entry, number=suggested[3])
    discussed = Comment.objects.filter(proposal__isnull=False)
    assert list(discussed.values_list("proposal_id", "body")) == [(proposal.pk, "Thanks, **merging** soon.")]
    assert Client().login(username="amara", password=DEMO_PASSWORD) is True
    assert user_roles(User.objects.get(username="grace")) == frozenset({Role.MENTOR})
    amara = User.objects.get(username="amara")
    assert amara.has_perm("knowledge.view_hub") is True
    assert Group.objects.get(name=Role.MENTOR).permissions.get().codename == "change_hub"
    assert LogEntry.objects.get().content_type == ContentType.objects.get_for_model(Hub)
    assert OutstandingToken.objects.count() == 2
    assert BlacklistedToken.objects.count() == 1
    assert ImportSource.objects.get().hub.owner.username == "sam"
    assert ImportedEntry.objects.count() == 2
    assert Profile.objects.get(user=amara).display_name == "Amara Okafor"
    # New rows get new ids after the restored ones.
    assert (
        Topic.objects.create(name="Observability", slug="observability").pk
        == max(before["knowledge.topic"], key=lambda row: row["id"])["id"] + 1
    )


def test_the_archive_is_one_json_document_with_a_header_and_a_row_a_line(demo: None, tmp_path: Path) -> None:
    entry = Entry.objects.filter(hub__owner__username="amara").order_by("pk").first()
    assert entry is not None
    path = tmp_path / "nexus.json"
    instance_backup(path)

    document = json.loads(path.read_text(encoding="utf-8"))
    header = document["header"]
    assert list(document) == ["header", "rows"]
    assert list(header) == [
        "format",
        "version",
        "created_at",
        "database",
        "django_apps",
        "migrations",
        "counts",
        "checksums",
    ]
    assert (header["format"], header["version"]) == ("nexus-backup", 1)
    assert header["django_apps"] == list(dict.fromkeys(model._meta.app_label for model in backup_models()))
    assert list(header["counts"]) == [model._meta.label_lower for model in backup_models()]
    assert header["counts"] == counts()
    assert header["counts"]["accounts.user"] == len(DEMO_PEOPLE) + 1  # and sam
    assert header["counts"]["knowledge.topic"] == SEEDED_TOPICS
    assert header["checksums"] == {label: checksum for label, (_, checksum) in instance_checksums().items()}
    applied = MigrationRecorder(connection).applied_migrations()
    assert header["migrations"]["knowledge"] == sorted(name for app, name in applied if app == "knowledge")
    assert header["migrations"]["knowledge"][:2] == ["0001_initial", "0002_seed_vocabulary"]
    assert len(document["rows"]) == sum(header["counts"].values())
    lines = row_lines(path)
    assert len(lines) == 1 + len(document["rows"]) + 2
    assert lines[-2:] == ["]}", ""]
    row = next(row for row in document["rows"] if row["model"] == "knowledge.entry" and row["pk"] == entry.pk)
    assert row["fields"]["title"] == entry.title
    assert row["fields"]["created_at"] == entry.created_at.isoformat()  # microseconds kept
    assert row["fields"]["hub"] == entry.hub_id
    amara = next(row for row in document["rows"] if row["model"] == "accounts.user" and row["pk"] == entry.hub.owner_id)
    assert amara["fields"]["user_permissions"] == [["view_hub", "knowledge", "hub"]]
    assert amara["fields"]["password"] == User.objects.get(pk=entry.hub.owner_id).password
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds password hashes

    packed = tmp_path / "nexus.json.gz"
    instance_backup(packed)
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    assert json.loads(gzip.decompress(packed.read_bytes()))["rows"] == document["rows"]


def test_an_instance_with_no_rows_round_trips_and_a_stream_takes_the_archive(tmp_path: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)  # not even the seeded vocabulary
    stream = StringIO()
    report = instance_backup(stream)
    path = tmp_path / "nothing.json"
    path.write_text(stream.getvalue(), encoding="utf-8")

    assert report.summary().startswith(f"Backed up 0 rows of {len(backup_models())} models to the stream in ")
    assert row_lines(path)[1:] == ["]}", ""]
    assert set(read_header(path)["counts"].values()) == {0}
    migrated_only()
    instance_restore(path)
    assert Topic.objects.count() == 0  # the seeded rows were replaced by the archive's: none
    assert counts() == read_header(path)["counts"]


def test_a_backup_reads_one_snapshot_while_others_go_on_writing() -> None:
    if connection.vendor == "sqlite":
        # The SQLite test database lives in memory, where shared-cache locks are per table;
        # the file databases Nexus runs on use WAL, where a read transaction is a snapshot.
        pytest.skip("needs a database where readers do not block writers (PostgreSQL here)")
    migrated_only(flush=False)
    written: list[int] = []

    def write_elsewhere() -> None:  # a thread has a connection of its own
        written.append(Tag.objects.create(name="late").pk)
        connections.close_all()

    class WritesMidway(StringIO):
        def write(self, text: str) -> int:
            if not written:  # the header is written: the backup has read its checksums
                thread = threading.Thread(target=write_elsewhere)
                thread.start()
                thread.join(timeout=30)
            return super().write(text)

    archive = WritesMidway()
    instance_backup(archive)

    assert len(written) == 1
    assert Tag.objects.filter(name="late").count() == 1
    assert json.loads(archive.getvalue())["header"]["counts"]["knowledge.tag"] == 0
    assert '"model": "knowledge.tag"' not in archive.getvalue()


def test_checksums_are_the_same_on_every_engine() -> None:
    # Fixed rows, with a time zone, microseconds, JSON, booleans and nulls: the suite runs
    # on SQLite and on PostgreSQL, and both must give these digests.
    call_command("flush", interactive=False, verbosity=0)
    tz = ZoneInfo("Europe/Berlin")
    User.objects.create(
        pk=7,
        username="ada",
        password="md5$x$y",
        is_staff=True,
        date_joined=dt.datetime(2026, 3, 1, 9, 30, 0, 123456, tz),
    )
    Technology.objects.create(
        pk=3, name="Redis", slug="redis", aliases=["redis-server", {"b": 1, "a": [1.5, True, None]}]
    )
    OutboxMessage.objects.create(pk=5, topic="entry.published", payload={"entry": 1, "tags": []}, idempotency_key="k1")
    OutboxMessage.objects.filter(pk=5).update(
        created_at=dt.datetime(2026, 3, 1, 23, 59, 59, 999999, dt.UTC),
        published_at=dt.datetime(2026, 3, 2, 1, 0, tzinfo=tz),
    )

    assert instance_checksums([User, Technology, OutboxMessage]) == {
        "accounts.user": (1, "d9e379e3f23332033077a4a5f3f95ec93ad9501bd0addc4ae9f61b8d0ef8c748"),
        "knowledge.technology": (1, "a0d82419563174774e727692b70c17a5855609d26375fba31c4f2746b5741e41"),
        "core.outboxmessage": (1, "582c0e438263db926744abc45f651bbf946838f5a886d6c19430d3f58664696f"),
    }


# --- Refusals -------------------------------------------------------------------------------


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(small: Path) -> None:
    owner = UserFactory(username="ivy")
    make_entry(owner, title="Already here")
    before = contents()

    with pytest.raises(RestoreTargetNotEmpty) as refused:
        instance_restore(small)

    error = refused.value
    assert (error.code, error.status) == ("restore_target_not_empty", 409)
    rows = dict(error.details["rows"])
    # The announcement of the entry's publication is recorded once delivered: at once on the
    # embedded default, by a worker (none runs here) in the services column.
    assert rows.pop("notifications.event", 1) == 1
    assert {"rows": rows} == {
        "rows": {
            "core.outboxmessage": 1,  # the entry's publication, announced to its followers
            "accounts.user": 1,
            "accounts.profile": 1,
            "knowledge.hub": 1,
            "knowledge.entry": 1,
            "knowledge.revision": 1,
            "search.searchterm": 6,  # the entry's words, for typo suggestions
        }
    }
    assert "create a new one and run `manage.py migrate`, or empty this one with `manage.py flush`" in error.message
    assert contents() == before


def damage_cut_in_a_row(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")


def damage_drop_the_end(path: Path) -> None:
    path.write_text("\n".join(row_lines(path)[:-2]) + "\n", encoding="utf-8")


def damage_break_a_row(path: Path) -> None:
    lines = row_lines(path)
    lines[3] = lines[3][:40]
    path.write_text("\n".join(lines), encoding="utf-8")


def damage_add_after_the_end(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + '{"more": 1}\n', encoding="utf-8")


def damage_gzip_cut(path: Path) -> None:
    path.write_bytes(gzip.compress(path.read_bytes())[:-60])


def damage_gzip_checksum(path: Path) -> None:
    packed = gzip.compress(path.read_bytes())
    path.write_bytes(packed[:-8] + bytes(8))


def replace_with(data: bytes) -> Any:
    return lambda path: path.write_bytes(data)


def header_change(**changes: Any) -> Any:
    return lambda path: edit_header(path, **changes)


def migrations_change(app: str, names: list[str]) -> Any:
    return lambda path: edit_header(path, migrations={**read_header(path)["migrations"], app: names})


def unknown_model(path: Path) -> None:
    header = read_header(path)
    edit_header(path, counts={**header["counts"], "gone.model": 0}, checksums={**header["checksums"], "gone.model": ""})


@pytest.mark.django_db  # refused before a row is read: no empty database needed
@pytest.mark.parametrize(
    ("damage", "error", "message"),
    [
        (replace_with(b""), BackupUnreadable, r"is not a Nexus backup: it is empty\."),
        (replace_with(b"Dear diary,\nnot JSON.\n"), BackupUnreadable, r"is not a Nexus backup: it is not JSON\."),
        (replace_with(bytes(range(256)) * 8), BackupUnreadable, r"is not a Nexus backup: it is not UTF-8 text"),
        (
            replace_with(b'[{"model": "knowledge.topic", "pk": 1, "fields": {}}]\n'),
            BackupUnreadable,
            r"it is JSON without a nexus-backup header\. Give a file that `manage\.py nexus_backup` wrote\.",
        ),
        (header_change(format="other-backup"), BackupUnreadable, r"its format is 'other-backup', not 'nexus-backup'"),
        (header_change(counts=None), BackupUnreadable, r"its header lacks well-formed counts"),
        (header_change(version=2), BackupVersionUnsupported, r"version 2 Nexus backup; .* written by a newer Nexus"),
        (header_change(version="1"), BackupVersionUnsupported, r"Restore it with the Nexus release that wrote it\."),
        (
            migrations_change("knowledge", ["0001_initial"]),
            BackupSchemaMismatch,
            r"has migrations the backup was made without \(knowledge 0002_seed_vocabulary.*\): migrate a new database "
            r"only as far as the backup \(.*manage\.py migrate knowledge 0001_initial.*\), restore, then run",
        ),
        (
            migrations_change("knowledge", ["0001_initial", "0002_seed_vocabulary", "0003_from_the_future"]),
            BackupSchemaMismatch,
            r"lacks migrations the backup was made with \(knowledge 0003_from_the_future\)",
        ),
        (unknown_model, BackupSchemaMismatch, r"holds rows of gone\.model, which this Nexus does not have"),
    ],
    ids=[
        "empty",
        "not-json",
        "binary",
        "a-fixture",
        "other-format",
        "no-counts",
        "newer-version",
        "odd-version",
        "older-schema",
        "newer-schema",
        "unknown-model",
    ],
)
def test_foreign_and_unsupported_archives_are_refused_before_anything_changes(
    tmp_path: Path, damage: Any, error: type[Exception], message: str
) -> None:
    path = small_instance_archive(tmp_path)
    before = contents()
    damage(path)

    with pytest.raises(error, match=message) as refused:
        instance_restore(path)

    assert type(refused.value) is error
    assert contents() == before


@pytest.mark.parametrize(
    ("damage", "error", "message"),
    [
        (damage_cut_in_a_row, BackupTruncated, r"before the end of the archive: the file is incomplete"),
        (damage_drop_the_end, BackupTruncated, r"before the end of the archive: the file is incomplete"),
        (damage_gzip_cut, BackupTruncated, r"before the end of the archive: the file is incomplete"),
        (damage_gzip_checksum, BackupUnreadable, r"is damaged: CRC check failed"),
        (damage_break_a_row, BackupUnreadable, r"is damaged: line 4 is not valid JSON"),
        (damage_add_after_the_end, BackupUnreadable, r"is damaged: there is more after its end"),
    ],
    ids=["cut-in-a-row", "no-end", "gzip-cut", "gzip-crc", "broken-row", "after-the-end"],
)
def test_damage_found_while_loading_rolls_everything_back(
    small: Path, damage: Any, error: type[Exception], message: str
) -> None:
    before = contents()
    damage(small)

    with pytest.raises(error, match=message) as refused:
        instance_restore(small)

    assert type(refused.value) is error
    assert contents() == before  # the seeded rows restore replaced are back too
    assert Topic.objects.count() == SEEDED_TOPICS


def test_a_checksum_mismatch_found_after_loading_every_row_rolls_it_all_back(small: Path) -> None:
    before = contents()
    # The entry's own row: the title is in the outbox message announcing it too.
    lines = small.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if '"knowledge.entry"' in line and '"title": "Message queues"' in line)
    lines[at] = lines[at].replace('"title": "Message queues"', '"title": "Message queues!"')
    small.write_text("\n".join(lines), encoding="utf-8")

    with pytest.raises(BackupChecksumMismatch) as refused:
        instance_restore(small)

    header = read_header(small)
    edited = refused.value
    assert edited.code == "backup_checksum_mismatch"
    assert list(edited.details["models"]) == ["knowledge.entry"]
    assert edited.details["models"]["knowledge.entry"]["archive"] == [2, header["checksums"]["knowledge.entry"]]
    assert edited.details["models"]["knowledge.entry"]["restored"][0] == 2
    assert "knowledge.entry: 2 rows recorded, 2 restored, content differs" in edited.message
    assert contents() == before  # the seeded vocabulary it replaced is back too
    assert Topic.objects.count() == SEEDED_TOPICS


def test_a_missing_row_is_a_count_mismatch(small: Path) -> None:
    before = contents()
    lines = row_lines(small)
    small.write_text("\n".join(line for line in lines if '"title": "Message queues"' not in line), encoding="utf-8")

    with pytest.raises(BackupChecksumMismatch, match=r"knowledge\.entry: 2 rows recorded, 1 restored"):
        instance_restore(small)

    assert contents() == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda text: re.sub(r'("model": "knowledge\.entry", .*?"hub": )\d+', r"\g<1>999999", text, count=1),
            r"is damaged: rows point at rows it does not hold",
        ),
        (
            lambda text: re.sub(r'(\{"model": "knowledge\.tag".*?\n)', r"\1\1", text, count=1),
            r"this database refuses the row on line \d+ \(knowledge\.tag \d+\)",
        ),
        (
            lambda text: text.replace('"week": null', '"week": "soon"', 1),
            r"is damaged: line \d+: .*“soon” value must be an integer",
        ),
    ],
    ids=["dangling-foreign-key", "duplicate-row", "bad-value"],
)
def test_a_row_that_cannot_be_stored_rolls_everything_back(small: Path, edit: Any, message: str) -> None:
    before = contents()
    small.write_text(edit(small.read_text(encoding="utf-8")), encoding="utf-8")

    with pytest.raises(BackupUnreadable, match=message):
        instance_restore(small)

    assert contents() == before


def test_a_missing_file_and_an_unusable_output_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(BackupUnreadable, match=r"There is no file .*nothing\.json\."):
        instance_restore(tmp_path / "nothing.json")
    with pytest.raises(BackupOutputUnusable, match=r"is a folder; give the backup a file name"):
        instance_backup(tmp_path)
    with pytest.raises(BackupOutputUnusable, match=r"Cannot write .*missing/nexus\.json: No such file or directory\."):
        instance_backup(tmp_path / "missing" / "nexus.json")
    assert sorted(path.name for path in tmp_path.iterdir()) == []  # no partial file left behind


# --- Commands and progress ------------------------------------------------------------------


def test_the_commands_print_a_summary_and_show_progress(small: Path, tmp_path: Path, caplog: Any) -> None:
    out = StringIO()
    with caplog.at_level(logging.INFO, logger="nexus.progress"):
        call_command("nexus_restore", str(small), stdout=out)
    rows = sum(read_header(small)["counts"].values())
    assert re.fullmatch(
        rf"Restored {rows} rows of {len(backup_models())} models from {re.escape(str(small))} \(made \S+ on \w+\) in \d+\.\d s; "
        r"counts and checksums match\.\n",
        out.getvalue(),
    )
    assert f"Restore: {rows}/{rows} rows (100%)" in caplog.text
    assert f"Verify: {rows}/{rows} rows (100%)" in caplog.text

    caplog.clear()
    again = tmp_path / "again.json.gz"
    out = StringIO()
    with caplog.at_level(logging.INFO, logger="nexus.progress"):
        call_command("nexus_backup", str(again), stdout=out)
    rows += 1  # the restore itself is in the audit trail now
    assert sum(read_header(again)["counts"].values()) == rows
    assert re.fullmatch(
        rf"Backed up {rows} rows of {len(backup_models())} models to {re.escape(str(again))} \(\d+ KB\) in \d+\.\d s\.\n",
        out.getvalue(),
    )
    assert f"Checksums: {rows}/{rows} rows (100%)" in caplog.text
    assert f"Backup: {rows}/{rows} rows (100%)" in caplog.text


def test_the_restore_command_turns_errors_into_command_errors(small: Path, tmp_path: Path) -> None:
    UserFactory(username="ivy")
    with pytest.raises(CommandError, match=r"^This database already holds data \(rows: accounts\.user 1"):
        call_command("nexus_restore", str(small))
    with pytest.raises(CommandError, match=r"There is no file"):
        call_command("nexus_restore", str(tmp_path / "nothing.json"))
    with pytest.raises(CommandError, match=r"is a folder; give the backup a file name"):
        call_command("nexus_backup", str(tmp_path))
