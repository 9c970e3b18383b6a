"""Model instances from a SELECT written once, for the few reads too hot for the ORM.

Composing a query with the ORM (filters, joins, select_related) costs more per request
than running it: about 1 ms for an entry with its hub, owner and profile, where the
statement itself takes 0.2 ms. A hot read keeps its statement as text, built once from
the models' own table and column names, and turns each row back into the instances
select_related would have made: the same converters the ORM applies (SQLite's dates,
JSON, booleans), `Model.from_db`, and the related objects cached on each other.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.db import connection
from django.db.models import Model


class ModelColumns:
    """The concrete columns of `model` under the table alias `alias`: what a SELECT lists
    (`sql`, `width` of them) and how a slice of its row becomes an instance (`load`)."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self._fields = list(model._meta.concrete_fields)
        self.names = [field.attname for field in self._fields]
        self.width = len(self._fields)
        self._pk_index = self.names.index(model._meta.pk.attname)  # type: ignore[union-attr]

    @property
    def table(self) -> str:
        return f"{connection.ops.quote_name(self.model._meta.db_table)} {self.alias}"

    @property
    def sql(self) -> str:
        return ", ".join(f"{self.alias}.{self.column(field.name)}" for field in self._fields)

    def column(self, name: str) -> str:
        """A field's quoted column (without the alias)."""
        return connection.ops.quote_name(self.model._meta.get_field(name).column)  # type: ignore[union-attr,arg-type]

    @functools.cached_property
    def _converters(self) -> list[tuple[int, list[Any], Any]]:
        # What SQLCompiler.get_converters finds for each column: the backend's, then the field's.
        found = []
        for index, field in enumerate(self._fields):
            column = field.get_col(self.alias)
            converters = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
            if converters:
                found.append((index, converters, column))
        return found

    def convert(self, name: str, value: Any) -> Any:
        """One column's value as the ORM reads it, for a statement that selects a few
        columns rather than whole instances."""
        index = self.names.index(self.model._meta.get_field(name).attname)  # type: ignore[union-attr]
        for position, converters, column in self._converters:
            if position == index:
                for convert in converters:
                    value = convert(value, column, connection)
        return value

    def load(self, row: tuple[Any, ...] | list[Any], start: int = 0) -> Any:
        """The instance in row[start : start + width], or None when its key is NULL (an
        outer join found nothing)."""
        values = list(row[start : start + self.width])
        if values[self._pk_index] is None:
            return None
        for index, converters, column in self._converters:
            for convert in converters:
                values[index] = convert(values[index], column, connection)
        return self.model.from_db(connection.alias, self.names, values)


def is_storable_key(value: int) -> bool:
    """Whether an integer fits a database key (a signed 64-bit integer): larger ones, from
    a URL or a signed token, name no row, where binding them would fail on SQLite."""
    return -(2**63) <= value < 2**63


def placeholders(count: int) -> str:
    """ "(%s, %s, ...)" for an IN list of `count` values."""
    return "(" + ", ".join(["%s"] * count) + ")"


def fetch_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def json_rows_subquery(columns: str, source: str, *, order: str) -> str:
    """A scalar subquery of the rows `SELECT columns FROM source ORDER BY order` finds, as
    one JSON array of arrays: a detail reads its few related rows in its own statement,
    not in a query of their own. `columns` are "alias.column" names from the models."""
    if connection.vendor == "postgresql":
        return f"(SELECT json_agg(json_build_array({columns}) ORDER BY {order}) FROM {source})"  # noqa: S608
    # SQLite aggregates in the order its subquery hands the rows over.
    names = [f"c{index}" for index, _ in enumerate(columns.split(","))]
    aliased = ", ".join(f"{column.strip()} AS {name}" for column, name in zip(columns.split(","), names, strict=True))
    return (
        f"(SELECT json_group_array(json_array({', '.join(names)})) "  # noqa: S608 (names from models)
        f"FROM (SELECT {aliased} FROM {source} ORDER BY {order}))"
    )


def json_rows(value: Any) -> list[list[Any]]:
    """What json_rows_subquery read: psycopg decodes JSON itself, SQLite hands over text,
    and no rows at all is NULL (PostgreSQL) or "[]"."""
    if value is None:
        return []
    return value if isinstance(value, list) else json.loads(value)
