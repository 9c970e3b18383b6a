"""Restore: an archive into an empty database, in one transaction that checks every
model's count and checksum before it commits."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, models, transaction

from nexus.core.progress import progress_iter
from nexus.interchange.backup.archive import Archive
from nexus.interchange.backup.checksums import instance_checksums
from nexus.interchange.backup.scope import SEEDED_BY_MIGRATIONS, applied_migrations, auto_m2m, backup_models
from nexus.interchange.errors import (
    BackupChecksumMismatch,
    BackupSchemaMismatch,
    BackupUnreadable,
    RestoreTargetNotEmpty,
)


@dataclass(frozen=True)
class RestoreReport:
    path: str
    created_at: str
    source_database: str
    counts: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        return (
            f"Restored {self.rows:,} rows of {len(self.counts)} models from {self.path} (made {self.created_at} "
            f"on {self.source_database}) in {self.seconds:.1f} s; counts and checksums match."
        )


def _archive_models(archive: Archive) -> list[type[models.Model]]:
    """The models the archive holds rows of, in its order; each must exist here."""
    found: list[type[models.Model]] = []
    unknown: list[str] = []
    for label in archive.header["counts"]:
        try:
            found.append(apps.get_model(label))
        except (LookupError, ValueError):
            unknown.append(label)
    if unknown:
        raise BackupSchemaMismatch(
            f"{archive.name} holds rows of {', '.join(unknown)}, which this Nexus does not have. "
            "Restore it with the Nexus release that made it.",
            details={"unknown_models": unknown},
        )
    return found


def _check_migrations(archive: Archive) -> None:
    """The database must be at the archive's migrations: rows fit the schema they came from."""
    recorded: dict[str, list[str]] = archive.header["migrations"]
    here = applied_migrations(recorded)
    missing = [f"{app} {name}" for app, names in recorded.items() for name in names if name not in here[app]]
    extra = [f"{app} {name}" for app, names in here.items() for name in names if name not in recorded[app]]
    if not missing and not extra:
        return
    if missing:
        advice = (
            f"This database lacks migrations the backup was made with ({', '.join(missing)}): run "
            "`manage.py migrate` with the Nexus release that made the backup (or a later one), then restore."
        )
    else:
        steps = "; ".join(
            f"manage.py migrate {app} {names[-1] if names else 'zero'}" for app, names in recorded.items()
        )
        advice = (
            f"This database has migrations the backup was made without ({', '.join(extra)}): migrate a new "
            f"database only as far as the backup ({steps}), restore, then run `manage.py migrate`."
        )
    raise BackupSchemaMismatch(advice, details={"missing": missing, "extra": extra})


def _require_empty() -> None:
    """Restore fills an empty database only: it never merges into one, so a restored
    instance is exactly the one backed up. Rows the migrations seed do not count."""
    held = {
        model._meta.label_lower: model._base_manager.count()
        for model in backup_models()
        if model._meta.label_lower not in SEEDED_BY_MIGRATIONS and model._base_manager.exists()
    }
    if held:
        listed = ", ".join(f"{label} {count:,}" for label, count in held.items())
        raise RestoreTargetNotEmpty(
            f"This database already holds data (rows: {listed}). Restore only into an empty database: create a new "
            "one and run `manage.py migrate`, or empty this one with `manage.py flush` (which deletes everything).",
            details={"rows": held},
        )


def _load(archive: Archive, model_list: list[type[models.Model]], progress_stream: TextIO | None) -> None:
    """Save every row as it is read (raw saves: timestamps and ids kept, no model logic)."""
    labels = {model._meta.label_lower for model in model_list}

    def rows() -> Iterator[dict[str, Any]]:
        for row in archive.rows():
            if row["model"] not in labels:
                raise BackupUnreadable(
                    f"{archive.name} is damaged: line {archive.line_number} is a row of {row['model']!r}, "
                    "which its header does not list."
                )
            yield row

    total = sum(archive.header["counts"].values())
    tracked = progress_iter(rows(), total=total, label="Restore", unit="rows", stream=progress_stream)
    where = ""
    try:
        for found in serializers.deserialize("python", tracked, handle_forward_references=False):
            where = f"line {archive.line_number} ({found.object._meta.label_lower} {found.object.pk})"
            m2m = found.m2m_data or {}
            found.save(save_m2m=False, force_insert=True)
            for name, targets in m2m.items():
                if targets:
                    getattr(found.object, name).add(*targets)
    except (DeserializationError, FieldDoesNotExist) as error:
        raise BackupUnreadable(f"{archive.name} is damaged: line {archive.line_number}: {error}") from error
    except DatabaseError as error:
        raise BackupUnreadable(
            f"{archive.name}: this database refuses the row on {where or f'line {archive.line_number}'}: {error}"
        ) from error
    try:
        tables = [model._meta.db_table for model in model_list]
        tables += [field.remote_field.through._meta.db_table for model in model_list for field in auto_m2m(model)]  # type: ignore[union-attr]
        connection.check_constraints(table_names=tables)
    except DatabaseError as error:
        raise BackupUnreadable(f"{archive.name} is damaged: rows point at rows it does not hold ({error}).") from error


def _verify(archive: Archive, model_list: list[type[models.Model]], progress_stream: TextIO | None) -> None:
    """The restored rows, read back, must have the counts and checksums the backup recorded."""
    restored = instance_checksums(model_list, label="Verify", progress_stream=progress_stream)
    counts, checksums = archive.header["counts"], archive.header["checksums"]
    differ = {
        label: {"archive": [counts[label], checksums[label]], "restored": list(found)}
        for label, found in restored.items()
        if found != (counts[label], checksums[label])
    }
    if differ:
        listed = "; ".join(
            f"{label}: {values['archive'][0]:,} rows recorded, {values['restored'][0]:,} restored"
            + ("" if values["archive"][0] != values["restored"][0] else ", content differs")
            for label, values in differ.items()
        )
        raise BackupChecksumMismatch(
            f"{archive.name} does not hold what its header recorded at backup time ({listed}): it was edited or "
            "damaged. Nothing was restored; use another copy.",
            details={"models": differ},
        )


def _forget_cached_reads() -> None:
    """Cached pages and lists describe the database as it was before: drop them all."""
    try:
        cache.clear()
    except Exception:
        logging.getLogger("nexus.cache").warning("Cache unavailable while clearing it after a restore", exc_info=True)


def instance_restore(source: str | os.PathLike[str], *, progress_stream: TextIO | None = None) -> RestoreReport:
    """Load an archive into an empty database in one transaction: any failure, including
    a checksum that does not match, leaves the database as it was."""
    started = time.perf_counter()
    # Natural keys are looked up through ContentType's per-process cache; a flush or a new
    # database may have given content types new ids since it was filled.
    ContentType.objects.clear_cache()
    with Archive(source) as archive:
        model_list = _archive_models(archive)
        _check_migrations(archive)
        with transaction.atomic():
            _require_empty()
            for model in model_list:
                if model._meta.label_lower in SEEDED_BY_MIGRATIONS:
                    model._base_manager.all().delete()
            _load(archive, model_list, progress_stream)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), model_list):
                    cursor.execute(statement)
            _verify(archive, model_list, progress_stream)
            transaction.on_commit(_forget_cached_reads)
        header = archive.header
    return RestoreReport(
        path=str(source),
        created_at=str(header.get("created_at")),
        source_database=str(header.get("database")),
        counts=dict(header["counts"]),
        seconds=time.perf_counter() - started,
    )
