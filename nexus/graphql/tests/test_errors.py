"""How GraphQL answers input that is no value of its type."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.knowledge.tests.factories import make_entry


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2024-13-45", "tomorrow", "2024-02-30"])
def test_a_variable_that_is_no_date_is_invalid_input(graphql_client: Any, owner: Any, value: str) -> None:
    entry = make_entry(owner)
    mutation = "mutation($id: ID!, $day: Date) { reverifyEntry(id: $id, reviewBy: $day) { id reviewBy } }"

    result = graphql_client(mutation, {"id": entry.pk, "day": value}, user=owner)

    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "invalid"
    assert f'Value cannot represent a Date: "{value}"' in result["errors"][0]["message"]
    entry.refresh_from_db()
    assert entry.review_by is None
