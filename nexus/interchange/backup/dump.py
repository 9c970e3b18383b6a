"""Backup: the whole instance, from one consistent snapshot, to one archive."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from django.core import serializers
from django.db import connection, models, transaction
from django.utils import timezone

from nexus.core.progress import progress_iter
from nexus.interchange.backup.archive import FORMAT, VERSION, archive_output, archive_write
from nexus.interchange.backup.checksums import instance_checksums
from nexus.interchange.backup.scope import applied_migrations, auto_m2m, backup_models, refers_to_rebuilt_rows

CHUNK = 500


@dataclass(frozen=True)
class BackupReport:
    path: str
    counts: dict[str, int]
    bytes_written: int | None
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        size = f" ({self.bytes_written / 1024:,.0f} KB)" if self.bytes_written is not None else ""
        return (
            f"Backed up {self.rows:,} rows of {len(self.counts)} models to {self.path}{size} in {self.seconds:.1f} s."
        )


def _archive_rows(model_list: list[type[models.Model]]) -> Iterator[dict[str, Any]]:
    """Each row as Django's serializers write it, model by model, by primary key."""
    serializer = serializers.get_serializer("python")()
    for model in model_list:
        natural = refers_to_rebuilt_rows(model)
        queryset = model._base_manager.order_by("pk")
        if natural:  # each related row's natural key is read with the row
            keyed = [field.name for field in model._meta.fields if hasattr(field.related_model, "natural_key")]
            queryset = queryset.select_related(*keyed)
        m2m = [field.name for field in auto_m2m(model)]
        if m2m:
            queryset = queryset.prefetch_related(*m2m)
        objects = queryset.iterator(chunk_size=CHUNK)
        while chunk := list(islice(objects, CHUNK)):
            yield from serializer.serialize(chunk, use_natural_foreign_keys=natural)


@contextlib.contextmanager
def _consistent_snapshot() -> Iterator[None]:
    """One read transaction, so the checksums and the rows describe the same moment while
    the site goes on writing: repeatable read on PostgreSQL; on SQLite a deferred
    transaction, which WAL mode makes a snapshot (Django's atomic() would BEGIN IMMEDIATE,
    per the settings, and make every writer wait for the backup)."""
    if connection.in_atomic_block:  # the caller's transaction is the snapshot
        yield
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")  # it wrote nothing
    else:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield


def instance_backup(
    destination: str | os.PathLike[str] | TextIO, *, progress_stream: TextIO | None = None
) -> BackupReport:
    """Write the whole instance to one archive (a path, gzip when it ends in .gz, or a text
    stream), from one consistent snapshot."""
    started = time.perf_counter()
    model_list = backup_models()
    with _consistent_snapshot():
        summary = instance_checksums(model_list, label="Checksums", progress_stream=progress_stream)
        labels = [model._meta.app_label for model in model_list]
        counts = {label: count for label, (count, _) in summary.items()}
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "django_apps": list(dict.fromkeys(labels)),
            "migrations": applied_migrations(labels),
            "counts": counts,
            "checksums": {label: checksum for label, (_, checksum) in summary.items()},
        }
        rows = progress_iter(
            _archive_rows(model_list), total=sum(counts.values()), label="Backup", unit="rows", stream=progress_stream
        )
        if isinstance(destination, str | os.PathLike):
            with archive_output(destination) as stream:
                archive_write(stream, header, rows)
            path, size = str(destination), Path(destination).stat().st_size
        else:
            archive_write(destination, header, rows)
            path, size = getattr(destination, "name", "the stream"), None
    return BackupReport(path=path, counts=counts, bytes_written=size, seconds=time.perf_counter() - started)
