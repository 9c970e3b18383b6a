"""Content checksums: the sha256 of a model's rows read back from the database in a
canonical form that does not depend on the engine (datetimes in UTC with microseconds,
decimals normalised, JSON with sorted keys, many-to-many links as sorted ids, permissions
and content types by natural key), so a backup from SQLite proves itself on PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, TextIO, cast

from django.db import models
from django.utils import timezone

from nexus.core.progress import progress_iter
from nexus.interchange.backup.scope import auto_m2m, backup_models, is_rebuilt


def _canonical(value: Any) -> Any:
    """A value as the same JSON on every engine."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.timedelta):
        return value // dt.timedelta(microseconds=1)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value  # str, int, float, bool, None, and JSON fields' dicts and lists


def _sorts_alike_everywhere(model: type[models.Model]) -> bool:
    """Integer keys sort the same on every engine; text keys follow the database's collation."""
    field: Any = model._meta.pk
    while field.is_relation:
        field = field.target_field
    return isinstance(field, models.IntegerField)


def _natural_keys(model: type[models.Model]) -> dict[Any, list[Any]]:
    """{id: natural key} of permissions or content types: their ids belong to each database."""
    return {row.pk: list(row.natural_key()) for row in model._base_manager.select_related()}  # type: ignore[attr-defined]


def _links(field: models.ManyToManyField[Any, Any]) -> dict[Any, list[Any]]:
    """A many-to-many field's links as {row id: sorted target ids} (the through table's own
    ids are left out: restore makes new ones; permissions are named by natural key)."""
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname  # type: ignore[union-attr]
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname  # type: ignore[union-attr]
    named = _natural_keys(field.related_model) if is_rebuilt(field.related_model) else None
    links: dict[Any, list[Any]] = {}
    for source_id, target_id in through._base_manager.values_list(source, target).iterator(chunk_size=2000):  # type: ignore[union-attr]
        links.setdefault(source_id, []).append(named[target_id] if named is not None else _canonical(target_id))
    for targets in links.values():
        targets.sort()
    return links


def _canonical_rows(model: type[models.Model]) -> Iterator[bytes]:
    """The model's rows as canonical JSON lines, sorted by primary key."""
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    pk_index = names.index(model._meta.pk.attname)  # type: ignore[union-attr]
    named = {  # column index: natural keys of the rows it points at
        index: _natural_keys(field.related_model)  # type: ignore[arg-type]
        for index, field in enumerate(fields)
        if is_rebuilt(field.related_model)
    }
    links = {field.name: _links(field) for field in auto_m2m(model)}
    rows: Iterable[tuple[Any, ...]] = model._base_manager.values_list(*names).order_by("pk")
    if _sorts_alike_everywhere(model):
        rows = cast("models.QuerySet[Any, tuple[Any, ...]]", rows).iterator(chunk_size=2000)
    else:
        rows = sorted(rows, key=lambda row: str(_canonical(row[pk_index])))
    for row in rows:
        record = {name: _canonical(value) for name, value in zip(names, row, strict=True)}
        for index, keys in named.items():
            record[names[index]] = keys.get(row[index])
        for name, targets in links.items():
            record[name] = targets.get(row[pk_index], [])
        yield json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def instance_checksums(
    model_list: list[type[models.Model]] | None = None,
    *,
    label: str = "Checksums",
    progress_stream: TextIO | None = None,
) -> dict[str, tuple[int, str]]:
    """Row count and content checksum of each backed-up model, read from the database."""
    model_list = backup_models() if model_list is None else model_list
    total = sum(model._base_manager.count() for model in model_list)
    digests = {model: hashlib.sha256() for model in model_list}
    counts = dict.fromkeys(model_list, 0)
    lines = ((model, line) for model in model_list for line in _canonical_rows(model))
    for model, line in progress_iter(lines, total=total, label=label, unit="rows", stream=progress_stream):
        digests[model].update(line)
        counts[model] += 1
    return {model._meta.label_lower: (counts[model], digests[model].hexdigest()) for model in model_list}
