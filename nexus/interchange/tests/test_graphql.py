"""README import and export over GraphQL: the same service as REST, the same report."""

from __future__ import annotations

import base64
import codecs
from typing import Any

import pytest

from nexus.interchange.tests.test_import import README
from nexus.knowledge.models import Entry, EntryStatus
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

IMPORT = """
mutation Import($username: String!, $text: String, $b64: String, $dryRun: Boolean!, $kinds: [KindChoiceInput!]) {
  importReadme(username: $username, text: $text, base64Content: $b64, dryRun: $dryRun, kinds: $kinds) {
    name dryRun encoding repairs created updated unchanged
    coverage { lines placed percent unplaced }
    warnings { line message }
    entries { key kind title action entryId lines confidence reason error }
    missing
  }
}
"""


def run(graphql_client: Any, user: Any, **variables: Any) -> dict[str, Any]:
    return graphql_client(IMPORT, {"username": "owner", "dryRun": True, **variables}, user=user)


def test_preview_then_commit_with_a_chosen_kind(graphql_client: Any, owner: Any) -> None:
    preview = run(graphql_client, owner, text=README)["data"]["importReadme"]
    assert (preview["dryRun"], preview["created"], preview["updated"], preview["unchanged"]) == (True, 5, 0, 0)
    assert preview["coverage"] == {"lines": 12, "placed": 12, "percent": 100.0, "unplaced": []}
    assert preview["entries"][0] == {
        "key": "django",
        "kind": "technology",
        "title": "Django",
        "action": "create",
        "entryId": None,
        "lines": [7, 7],
        "confidence": 0.75,
        "reason": "an item under “Key Technologies”",
        "error": None,
    }
    assert not Entry.objects.exists()

    kinds = [{"key": "redis", "kind": "concept"}]
    done = run(graphql_client, owner, text=README, dryRun=False, kinds=kinds)["data"]["importReadme"]
    assert done["created"] == 5
    assert Entry.objects.get(slug="redis").kind == "concept"
    assert run(graphql_client, owner, text=README, dryRun=False)["data"]["importReadme"]["unchanged"] == 5


def test_base64_carries_files_that_are_not_utf8(graphql_client: Any, owner: Any) -> None:
    content = base64.b64encode(codecs.BOM_UTF16_BE + README.encode("utf-16-be")).decode()
    report = run(graphql_client, owner, b64=content)["data"]["importReadme"]
    assert report["encoding"] == "utf-16 with a byte-order mark"
    assert report["created"] == 5


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({}, "invalid"),
        ({"text": "# a", "b64": "YQ=="}, "invalid"),
        ({"b64": "not base64!"}, "invalid"),
        ({"text": "\n\n"}, "readme_unreadable"),
        ({"text": README, "kinds": [{"key": "redis", "kind": "poem"}]}, "invalid"),
    ],
)
def test_bad_input_is_an_error_with_a_code(
    graphql_client: Any, owner: Any, variables: dict[str, Any], code: str
) -> None:
    result = run(graphql_client, owner, **variables)
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == code


def test_only_the_owner_imports(graphql_client: Any, owner: Any, member: Any) -> None:
    make_entry(owner, title="Mine")
    assert run(graphql_client, None, text=README)["errors"][0]["extensions"]["code"] == "not_authenticated"
    denied = run(graphql_client, member, text=README, dryRun=False)
    assert denied["errors"][0]["extensions"]["code"] == "permission_denied"
    assert list(Entry.objects.values_list("title", flat=True)) == ["Mine"]


def test_hub_readme_exports_what_the_reader_may_see(graphql_client: Any, owner: Any) -> None:
    make_entry(owner, title="Caching strategies", body="Cache-aside first.\n")
    make_entry(owner, title="Half-written", status=EntryStatus.DRAFT)
    query = '{ hubReadme(username: "owner") }'

    public = graphql_client(query)["data"]["hubReadme"]
    assert public.startswith("# Olive Owner's Project Nexus\n")
    assert "### Caching strategies" in public
    assert "Half-written" not in public
    assert "### Half-written" in graphql_client(query, user=owner)["data"]["hubReadme"]
    missing = graphql_client('{ hubReadme(username: "nobody") }')
    assert missing["errors"][0]["extensions"]["code"] == "hub_not_found"
