"""README import: preview and commit through the knowledge services, in one transaction.

A preview runs the very same writes and rolls them back, so what it shows (created,
updated, unchanged, errors, conflicts) is exactly what a commit would do."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import transaction

from nexus.audit.services import audit_record
from nexus.core.errors import InvalidInput, NexusError
from nexus.interchange.errors import ImportConflict, ReadmeTooLarge, ReadmeTooManyEntries
from nexus.interchange.exporting import hub_readme_export
from nexus.interchange.models import ImportedEntry, ImportSource
from nexus.interchange.readme.decoding import readme_decode
from nexus.interchange.readme.plan import PlannedEntry, ReadmePlan, readme_plan
from nexus.interchange.selectors import (
    hub_entries_by_slug,
    hub_entries_for_export,
    import_source_get,
    imported_entries,
)
from nexus.knowledge.errors import EntryConflict
from nexus.knowledge.models import CONTENT_FIELDS, EntryKind, EntryStatus, Hub, Technology, Topic
from nexus.knowledge.permissions import can_edit_hub, require
from nexus.knowledge.selectors import hub_get_for_user
from nexus.knowledge.services import entry_create, entry_update, hub_ensure, hub_update

MAX_ENTRIES = 500
# Lines that look like ATX headings (a few may sit in code blocks: this is an upper bound).
MAX_HEADINGS = 1_000
ATX_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)", re.MULTILINE)
REVISION_MESSAGE_MAX = 200  # Revision.message


@dataclass
class ImportItem:
    """One entry of the report: what the import does with one part of the file."""

    planned: PlannedEntry
    action: str  # create, update, unchanged
    entry_id: int | None = None
    slug: str = ""
    merged: bool = False  # updated an entry edited in Nexus since, without overlap
    error: dict[str, Any] | None = None


@dataclass
class ImportReport:
    name: str
    encoding: str
    repairs: list[str]
    plan: ReadmePlan
    items: list[ImportItem]
    missing: list[dict[str, Any]]  # entries an earlier import made that the file no longer has
    hub_changes: dict[str, str]
    dry_run: bool
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""  # the file as read (decoded and repaired): what a preview page sends back

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for item in self.items:
            counts[item.action] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        """The report every face shows: REST returns it, GraphQL and the page mirror it."""
        coverage = self.plan.coverage
        return {
            "name": self.name,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "repairs": self.repairs,
            "hub_changes": self.hub_changes,
            "counts": self.counts,
            "coverage": {
                "lines": coverage.lines,
                "placed": coverage.placed,
                "percent": coverage.percent,
                "unplaced": [{"line": line, "reason": why} for line, why in coverage.unplaced],
            },
            "warnings": [{"line": line, "message": message} for line, message in self.plan.warnings],
            "entries": [
                {
                    "key": item.planned.key,
                    "kind": item.planned.kind,
                    "title": item.planned.title,
                    "action": item.action,
                    "entry_id": item.entry_id,
                    "slug": item.slug,
                    "lines": list(item.planned.line_span()),
                    "confidence": item.planned.confidence,
                    "reason": item.planned.reason,
                    "merged": item.merged,
                    "error": item.error,
                }
                for item in self.items
            ],
            "missing": self.missing,
            "conflicts": self.conflicts,
        }


def readme_import_hub(actor: Any, username: str) -> Hub:
    """The hub an import into `username`'s hub writes to: one's own is made on first use;
    another's must be visible (the import itself checks that the actor may edit it)."""
    if actor.is_authenticated and username.casefold() == actor.username.casefold():
        return hub_ensure(actor)
    return hub_get_for_user(actor, username)


def readme_export(*, actor: Any, hub: Hub) -> str:
    """The README.md of `hub` as `actor` may see it: their own drafts included, nobody else's."""
    text = hub_readme_export(hub, hub_entries_for_export(actor, hub))
    audit_record(actor=actor, action="readme.export", target=hub, details={"bytes": len(text.encode())})
    return text


def readme_source(*, upload: Any = None, text: str | None = None, name: str = "") -> tuple[bytes, str]:
    """A README as sent, an upload or pasted text, and the name it is remembered by: the one
    given, else the file's, else README.md. An upload over the limit is refused after
    reading one byte past it, never read whole."""
    name = name.strip()
    if upload is None:
        return (text or "").encode("utf-8"), name or "README.md"
    limit = settings.NEXUS_README_MAX_BYTES
    data = bytes(upload.read(limit + 1))
    if len(data) > limit:
        raise ReadmeTooLarge(f"This README is over {limit:,} bytes, the limit; split it and import the parts.")
    return data, name or PurePath(getattr(upload, "name", "") or "README.md").name


def readme_read(data: bytes) -> tuple[str, str, list[str], ReadmePlan]:
    """Decode and plan a README (no database): text, encoding, repairs, plan."""
    limit = settings.NEXUS_README_MAX_BYTES
    if len(data) > limit:
        raise ReadmeTooLarge(f"This README is {len(data):,} bytes; the limit is {limit:,} bytes.")
    decoded = readme_decode(data)
    headings = sum(1 for _ in ATX_HEADING_LINE.finditer(decoded.text))
    if headings > MAX_HEADINGS:
        # Parsing that many headings costs seconds and the plan would be refused anyway.
        raise ReadmeTooManyEntries(
            f"This README has {headings:,} headings; one import reads at most {MAX_HEADINGS:,} "
            f"and makes at most {MAX_ENTRIES} entries. Split the file and import the parts one by one."
        )
    plan = readme_plan(decoded.text)
    if len(plan.entries) > MAX_ENTRIES:
        raise ReadmeTooManyEntries(
            f"This README would make {len(plan.entries):,} entries; one import makes at most {MAX_ENTRIES}. "
            "Split the file and import the parts one by one."
        )
    return decoded.text, decoded.encoding, decoded.repairs, plan


def readme_import(
    *,
    actor: Any,
    hub: Hub,
    data: bytes,
    name: str = "README.md",
    dry_run: bool = True,
    kinds: dict[str, str] | None = None,
    status: str = EntryStatus.PUBLISHED,
) -> ImportReport:
    """Import a README into `hub`: a preview when `dry_run`, else one transaction that
    creates, updates (new revisions, merged with edits made in Nexus) and reports what the
    file no longer holds without deleting it. `kinds` maps entry keys to chosen kinds."""
    require(can_edit_hub(actor, hub), "Only the owner of this hub can import into it.")
    name = (name or "README.md").strip()[:200] or "README.md"
    if status not in EntryStatus.values:
        raise InvalidInput(details={"status": [f"Choose one of: {', '.join(EntryStatus.values)}."]})
    text, encoding, repairs, plan = readme_read(data)
    kinds = kinds or {}
    _check_kinds(plan, kinds)
    with transaction.atomic():
        source = import_source_get(hub, name)
        previous = imported_entries(source)
        _match_exported(hub, source, plan, previous)
        # The kind the learner chose last time stays chosen, unless they choose again.
        earlier = {p.key: previous[p.key].kind for p in plan.entries if p.key in previous and not p.slug}
        _apply_kinds(plan, {**earlier, **kinds})
        report = ImportReport(name, encoding, repairs, plan, [], [], {}, dry_run, text=text)
        report.hub_changes = _hub_changes(hub, plan, source)
        if report.hub_changes:
            hub_update(actor=actor, hub=hub, data=report.hub_changes)
        vocabulary = _Vocabulary()
        for planned in plan.entries:
            report.items.append(
                _write(actor, hub, planned, previous.get(planned.key), name, status, vocabulary, report)
            )
        present = {planned.key for planned in plan.entries}
        report.missing = [
            {"key": key, "entry_id": item.entry_id, "title": item.entry.title, "slug": item.entry.slug}
            for key, item in previous.items()
            if key not in present
        ]
        errors = {_label(item.planned): item.error for item in report.items if item.error}
        if not dry_run and errors:
            raise InvalidInput("Some parts of the README cannot be saved as entries.", details={"entries": errors})
        if not dry_run and report.conflicts:
            raise ImportConflict(details={"conflicts": report.conflicts})
        if dry_run:
            transaction.set_rollback(True)
            for item in report.items:  # the ids of rolled-back rows name nothing
                if item.action == "create":
                    item.entry_id = None
        else:
            _remember(actor, hub, source, name, text, report)
            audit_record(
                actor=actor,
                action="readme.import",
                target=hub,
                details={"name": name, "entries": len(report.items), "missing": len(report.missing)},
            )
    return report


def _match_exported(
    hub: Hub, source: ImportSource | None, plan: ReadmePlan, previous: dict[str, ImportedEntry]
) -> None:
    """An exported README names its entries by slug: one never imported before (written in
    Nexus, exported, edited on GitHub) is matched to its entry, its current content the base."""
    wanted = [p.slug for p in plan.entries if p.slug and p.key not in previous]
    found = hub_entries_by_slug(hub, wanted) if wanted else {}
    for planned in plan.entries:
        entry = found.get(planned.slug) if planned.key not in previous else None
        if entry is not None:
            content = _file_content({**entry.content(), "kind": entry.kind, "week": entry.week})
            previous[planned.key] = ImportedEntry(
                source=source, key=planned.key, entry=entry, kind=entry.kind, content=content
            )


def _check_kinds(plan: ReadmePlan, kinds: dict[str, str]) -> None:
    keys = {planned.key for planned in plan.entries}
    errors: dict[str, list[str]] = {}
    for key, kind in kinds.items():
        if key not in keys:
            errors[key] = ["No part of this README has that key; preview again and use the keys it lists."]
        elif kind not in EntryKind.values:
            errors[key] = [f"{kind!r} is not a kind; choose one of: {', '.join(EntryKind.values)}."]
    if errors:
        raise InvalidInput("Some chosen kinds cannot be used.", details={"kinds": errors})


def _apply_kinds(plan: ReadmePlan, kinds: dict[str, str]) -> None:
    for planned in plan.entries:
        if planned.key in kinds and kinds[planned.key] != planned.kind:
            planned.kind = kinds[planned.key]
            planned.confidence, planned.reason = 1.0, "the kind you chose"
            if planned.kind != EntryKind.CHALLENGE and (planned.problem or planned.solution or planned.outcome):
                # Problem, solution and outcome belong to challenges: keep their text in the body.
                parts = [planned.body, planned.problem, planned.solution, planned.outcome]
                planned.body = "\n\n".join(part for part in parts if part.strip())
                planned.problem = planned.solution = planned.outcome = ""
            elif planned.kind == EntryKind.CHALLENGE and not planned.problem:
                planned.problem, planned.body = planned.body, ""


def _hub_changes(hub: Hub, plan: ReadmePlan, source: ImportSource | None) -> dict[str, str]:
    """The README's H1 and the text under it become the hub's title and intro, unless the
    learner has written their own since (they are then what an earlier import left)."""
    # The earlier README is planned again only when the answer depends on it: re-planning
    # costs as much as the import's own plan.
    earlier = functools.cache(lambda: readme_plan(source.text) if source is not None else None)
    changes: dict[str, str] = {}
    for name, new in (("title", plan.title[:120]), ("intro", plan.intro)):
        current = getattr(hub, name)
        if not new.strip() or new == current:
            continue
        replaceable = (
            not current.strip()
            or (name == "title" and current.endswith("'s Project Nexus"))
            or ((before := earlier()) is not None and current == getattr(before, name)[: len(current)])
        )
        if replaceable:
            changes[name] = new
    return changes


class _Vocabulary:
    """Topics and technologies named in an entry's title, by name, slug or alias."""

    def __init__(self) -> None:
        self.patterns: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        for field_name, model in (("topics", Topic), ("technologies", Technology)):
            rows = []
            for item in model.objects.all():  # type: ignore[attr-defined]
                names = {item.name, item.slug, *(getattr(item, "aliases", None) or [])}
                for word in names:
                    if len(word) >= 2:
                        rows.append((re.compile(rf"(?<![\w/]){re.escape(word)}(?![\w/])", re.I), item.slug))
            self.patterns[field_name] = rows

    def links(self, planned: PlannedEntry) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for field_name, rows in self.patterns.items():
            slugs = []
            for pattern, slug in rows:
                if slug not in slugs and pattern.search(planned.title):
                    slugs.append(slug)
            found[field_name] = slugs[:10]
        return found


def _entry_data(planned: PlannedEntry, status: str, vocabulary: _Vocabulary, *, linking: bool) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(planned, name) for name in CONTENT_FIELDS}
    data["kind"] = planned.kind
    data["week"] = planned.week
    if planned.slug:  # an export: its markers carry the vocabulary and status exactly
        data.update(topics=planned.topics, technologies=planned.technologies, tags=planned.tags)
        data["status"] = planned.status or EntryStatus.PUBLISHED
    elif linking:
        data.update(vocabulary.links(planned))
        data["status"] = status
    return data


def _file_content(data: dict[str, Any]) -> dict[str, Any]:
    """What an import compares and remembers of an entry: its content, kind and week."""
    return {**{name: (data[name] or "").strip() for name in CONTENT_FIELDS}, "kind": data["kind"], "week": data["week"]}


def _write(
    actor: Any,
    hub: Hub,
    planned: PlannedEntry,
    known: ImportedEntry | None,
    name: str,
    status: str,
    vocabulary: _Vocabulary,
    report: ImportReport,
) -> ImportItem:
    try:
        with transaction.atomic():  # a savepoint: one bad part must not poison the rest of a preview
            if known is None:
                saved = entry_create(
                    actor=actor,
                    hub=hub,
                    data=_entry_data(planned, status, vocabulary, linking=True),
                    message=_revision_message("Imported from", name),
                )
                planned.slug = planned.slug or saved.entry.slug
                return ImportItem(planned, "create", saved.entry.pk, saved.entry.slug)
            data = _entry_data(planned, status, vocabulary, linking=bool(planned.slug))
            if _file_content(data) == known.content:
                # The file says what it said last time: edits made in Nexus since then stand.
                return ImportItem(planned, "unchanged", known.entry_id, known.entry.slug)
            data.pop("status", None)  # re-importing never unpublishes or publishes
            saved = entry_update(
                actor=actor,
                entry=known.entry,
                data=data,
                base_version=known.entry.version,
                base_content={name: known.content.get(name, "") for name in CONTENT_FIELDS},
                message=_revision_message("Re-imported from", name),
            )
            return ImportItem(planned, "update", saved.entry.pk, saved.entry.slug, merged=saved.merged)
    except EntryConflict as conflict:
        report.conflicts.append({"key": planned.key, "title": planned.title, **conflict.details})
        return ImportItem(planned, "update", known.entry_id if known else None)
    except NexusError as error:
        return ImportItem(planned, "create" if known is None else "update", error=error.as_dict())


def _remember(actor: Any, hub: Hub, source: ImportSource | None, name: str, text: str, report: ImportReport) -> None:
    digest = hashlib.sha256(text.encode()).hexdigest()
    if source is None:
        source = ImportSource.objects.create(hub=hub, name=name, text=text, digest=digest, imported_by=actor)
    else:
        source.text, source.digest, source.imported_by = text, digest, actor
        source.save(update_fields=["text", "digest", "imported_by", "updated_at"])
    for item in report.items:
        if item.entry_id is None:
            continue
        content = _file_content({**item.planned.content(), "kind": item.planned.kind, "week": item.planned.week})
        ImportedEntry.objects.update_or_create(
            source=source,
            key=item.planned.key,
            defaults={"entry_id": item.entry_id, "kind": item.planned.kind, "content": content},
        )


def _revision_message(what: str, name: str) -> str:
    """A revision message naming the file, shortened to fit (the knowledge services refuse
    longer messages from people; this one is ours)."""
    message = f"{what} {name}"
    return message if len(message) <= REVISION_MESSAGE_MAX else message[: REVISION_MESSAGE_MAX - 1] + "…"


def _label(planned: PlannedEntry) -> str:
    first, last = planned.line_span()
    return f"{planned.title} (lines {first} to {last})" if first else planned.title
