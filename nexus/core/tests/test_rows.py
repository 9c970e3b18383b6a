"""Instances from a statement written once are the instances the ORM would load: every
column converted as the ORM converts it (JSON, aware datetimes, NULLs), on both engines;
and JSON row aggregates read back as lists of rows, in order, empty when nothing matched."""

from __future__ import annotations

import pytest
from django.utils import timezone

from nexus.core.models import OutboxMessage
from nexus.core.rows import ModelColumns, fetch_one, json_rows, json_rows_subquery

pytestmark = pytest.mark.django_db

MESSAGE = ModelColumns(OutboxMessage, "m")


def _fields(message: OutboxMessage) -> dict[str, object]:
    return {field.attname: getattr(message, field.attname) for field in OutboxMessage._meta.concrete_fields}


def test_a_row_loads_as_the_orm_loads_it() -> None:
    saved = OutboxMessage.objects.create(
        topic="t", payload={"nested": [1, "two", None]}, idempotency_key="k1", published_at=timezone.now()
    )
    row = fetch_one(f"SELECT {MESSAGE.sql} FROM {MESSAGE.table} WHERE m.id = %s", [saved.pk])
    assert row is not None
    loaded = MESSAGE.load(row)
    assert _fields(loaded) == _fields(OutboxMessage.objects.get(pk=saved.pk))
    assert loaded.payload == {"nested": [1, "two", None]}  # decoded JSON, not text
    assert loaded.published_at is not None
    assert loaded.published_at.tzinfo is not None
    assert loaded.delivered_at is None
    assert not loaded._state.adding  # as from the database: a save updates the row
    loaded.attempts = 3
    loaded.save(update_fields=["attempts"])
    assert OutboxMessage.objects.get(pk=saved.pk).attempts == 3


def test_an_outer_join_that_found_nothing_loads_as_none() -> None:
    row = fetch_one(
        f"SELECT 1, {MESSAGE.sql} FROM (SELECT 1 AS one) x LEFT JOIN {MESSAGE.table} ON m.id = -1",
        [],
    )
    assert row is not None
    assert MESSAGE.load(row, 1) is None


def test_json_row_aggregates_keep_order_and_are_empty_when_nothing_matched() -> None:
    for key, topic in (("a", "beta"), ("b", "alpha"), ("c", "gamma")):
        OutboxMessage.objects.create(topic=topic, idempotency_key=key)
    source = f"{MESSAGE.table} WHERE m.topic <> %s"
    found = fetch_one(f"SELECT {json_rows_subquery('m.topic, m.attempts', source, order='m.topic')}", ["gamma"])
    all_three = fetch_one(f"SELECT {json_rows_subquery('m.topic, m.attempts', source, order='m.topic')}", ["?"])
    assert found is not None
    assert all_three is not None
    assert json_rows(found[0]) == [["alpha", 0], ["beta", 0]]
    nothing = fetch_one(
        f"SELECT {json_rows_subquery('m.topic', f'{MESSAGE.table} WHERE m.topic = %s', order='m.topic')}",
        ["nobody"],
    )
    assert nothing is not None
    assert json_rows(nothing[0]) == []
    assert [topic for topic, _ in json_rows(all_three[0])] == ["alpha", "beta", "gamma"]
