"""The knowledge GraphQL face: same reads and writes as REST, query counts that do not
grow with the list, errors with codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.knowledge.models import EditProposal, Entry, Revision
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

LIST = """query($limit: Int!) { entries(limit: $limit) {
  id title kind author { username profile { displayName } roles }
  topics { slug } technologies { slug name } tags
} }"""


def test_entry_list_query_count_does_not_grow(graphql_client: Any, owner: Any, member: Any) -> None:
    for n in range(40):
        make_entry(owner if n % 2 else member, title=f"E{n}", topics=["caching"], technologies=["redis"], tags=["t"])
    graphql_client(LIST, {"limit": 5})  # warm the roles map
    counts = []
    for limit in (10, 40):
        with CaptureQueriesContext(connection) as queries:
            result = graphql_client(LIST, {"limit": limit})
        assert "errors" not in result, result
        assert len(result["data"]["entries"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]
    first = result["data"]["entries"][0]
    assert first["topics"] == [{"slug": "caching"}]
    assert first["tags"] == ["t"]


def test_entry_detail_with_revisions(graphql_client: Any, owner: Any) -> None:
    entry = make_entry(owner, body="## Hi\n")
    result = graphql_client(
        "query($id: ID!) { entry(id: $id) { title html toc { anchor } revisions { number author { username } } } }",
        {"id": entry.pk},
    )
    assert result["data"]["entry"]["toc"] == [{"anchor": "hi"}]
    assert result["data"]["entry"]["revisions"] == [{"number": 1, "author": {"username": "owner"}}]


def test_drafts_of_others_are_not_found(graphql_client: Any, owner: Any, member: Any) -> None:
    draft = make_entry(owner, status="draft")
    result = graphql_client("query($id: ID!) { entry(id: $id) { title } }", {"id": draft.pk}, user=member)
    assert result["errors"][0]["extensions"]["code"] == "entry_not_found"


def test_bad_filter_is_invalid(graphql_client: Any) -> None:
    result = graphql_client('{ entries(kind: "recipe") { id } }')
    assert result["errors"][0]["extensions"]["code"] == "invalid"


CREATE = """mutation($input: EntryInput!) { createEntry(input: $input) {
  revision merged warnings { code } entry { id slug version status }
} }"""
UPDATE = """mutation($id: ID!, $base: Int!, $input: EntryInput!) {
  updateEntry(id: $id, baseRevision: $base, input: $input) { revision merged entry { body version } }
}"""


def test_create_update_and_conflict(graphql_client: Any, owner: Any, mentor: Any) -> None:
    doc = "## A\n\none\n\n## B\n\ntwo\n"
    created = graphql_client(
        CREATE, {"input": {"kind": "concept", "title": "Queues", "body": doc, "status": "published"}}, user=owner
    )
    saved = created["data"]["createEntry"]
    assert (saved["revision"], saved["entry"]["slug"], saved["warnings"]) == (1, "queues", [])
    entry_id = saved["entry"]["id"]
    graphql_client(UPDATE, {"id": entry_id, "base": 1, "input": {"body": doc.replace("one", "ONE")}}, user=mentor)
    merged = graphql_client(
        UPDATE, {"id": entry_id, "base": 1, "input": {"body": doc.replace("two", "TWO")}}, user=owner
    )
    assert merged["data"]["updateEntry"]["merged"] is True
    assert merged["data"]["updateEntry"]["entry"]["body"] == "## A\n\nONE\n\n## B\n\nTWO\n"
    conflict = graphql_client(
        UPDATE, {"id": entry_id, "base": 1, "input": {"body": doc.replace("one", "uno")}}, user=owner
    )
    assert conflict["errors"][0]["extensions"]["code"] == "entry_conflict"
    assert conflict["errors"][0]["extensions"]["details"]["current_revision"] == 3


def test_create_needs_a_user_and_valid_input(graphql_client: Any, owner: Any) -> None:
    anonymous = graphql_client(CREATE, {"input": {"kind": "concept", "title": "x"}})
    assert anonymous["errors"][0]["extensions"]["code"] == "not_authenticated"
    invalid = graphql_client(CREATE, {"input": {"kind": "concept", "title": "x", "week": 0}}, user=owner)
    assert invalid["errors"][0]["extensions"]["code"] == "invalid"
    assert "week" in invalid["errors"][0]["extensions"]["details"]


def test_propose_and_merge(graphql_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, body="old\n")
    proposed = graphql_client(
        'mutation($id: ID!) { proposeEdit(entryId: $id, baseRevision: 1, message: "fix", input: {body: "new\\n"}) { id status baseRevision } }',
        {"id": entry.pk},
        user=member,
    )
    proposal = proposed["data"]["proposeEdit"]
    assert (proposal["status"], proposal["baseRevision"]) == ("open", 1)
    merged = graphql_client(
        "mutation($id: ID!) { mergeProposal(id: $id) { revision entry { body } } }", {"id": proposal["id"]}, user=owner
    )
    assert merged["data"]["mergeProposal"] == {"revision": 2, "entry": {"body": "new\n"}}


def test_revision_diff(graphql_client: Any, owner: Any) -> None:
    from nexus.knowledge.services import entry_update

    entry = make_entry(owner, body="one\n")
    entry_update(actor=owner, entry=entry, data={"body": "two\n"}, base_version=1)
    result = graphql_client(
        "query($id: ID!) { revisionDiff(entryId: $id, fromRevision: 1, toRevision: 2) { field oldHtml newHtml } }",
        {"id": entry.pk},
    )
    assert result["data"]["revisionDiff"] == [
        {"field": "body", "oldHtml": ["<del>one</del>\n"], "newHtml": ["<ins>two</ins>\n"]}
    ]


@pytest.mark.parametrize("bad_id", ["abc", "²", "-1", " 1", "1" * 19, "9" * 40])
def test_an_id_that_cannot_be_a_key_is_not_found(graphql_client: Any, owner: Any, bad_id: str) -> None:
    result = graphql_client("query($id: ID!) { entry(id: $id) { title } }", {"id": bad_id}, user=owner)
    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["entry_not_found"]


@pytest.mark.parametrize(
    ("operation", "code"),
    [
        ("query { proposal(id: $id) { id } }", "proposal_not_found"),
        ('mutation { reviewProposal(id: $id, decision: "approve") { id } }', "proposal_not_found"),
        ("mutation { mergeProposal(id: $id) { revision } }", "proposal_not_found"),
        ("query { revisionDiff(entryId: $id, fromRevision: 1, toRevision: 2) { field } }", "entry_not_found"),
        ("mutation { publishEntry(id: $id) { id } }", "entry_not_found"),
        ("mutation { restoreRevision(entryId: $id, number: 1) { revision } }", "entry_not_found"),
        ('mutation { updateEntry(id: $id, baseRevision: 1, input: {body: "x"}) { revision } }', "entry_not_found"),
        (
            'mutation { proposeEdit(entryId: $id, baseRevision: 1, message: "m", input: {body: "x"}) { id } }',
            "entry_not_found",
        ),
    ],
)
def test_every_id_argument_is_parsed_into_not_found(graphql_client: Any, owner: Any, operation: str, code: str) -> None:
    kind, selection = operation.split(" ", 1)
    result = graphql_client(f"{kind}($id: ID!) {selection}", {"id": "abc"}, user=owner)
    assert [e["extensions"]["code"] for e in result["errors"]] == [code]


@pytest.mark.parametrize(
    ("variables", "details"),
    [
        ({"message": "nul\u0000byte"}, {"message": ["Null characters are not allowed."]}),
        ({"message": "x" * 201}, {"message": ["Ensure this value has at most 200 characters (it has 201)."]}),
        ({"input": {"topics": ["caching\u0000"]}}, {"topics": ["Unknown topic: 'caching\\x00'."]}),
        ({"input": {"technologies": ["redis\u0000"]}}, {"technologies": ["Unknown technology: 'redis\\x00'."]}),
    ],
)
def test_create_refuses_what_the_database_cannot_store(
    graphql_client: Any, owner: Any, variables: dict[str, Any], details: dict[str, list[str]]
) -> None:
    query = """mutation($input: EntryInput!, $message: String!) {
      createEntry(input: $input, message: $message) { revision }
    }"""
    sent = {"message": "", **variables, "input": {"kind": "note", "title": "Fine", **variables.get("input", {})}}
    result = graphql_client(query, sent, user=owner)
    assert [(e["extensions"]["code"], e["extensions"]["details"]) for e in result["errors"]] == [("invalid", details)]
    assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    ("variables", "details"),
    [
        ({"message": "nul\u0000byte"}, {"message": ["Null characters are not allowed."]}),
        ({"message": "x" * 201}, {"message": ["Ensure this value has at most 200 characters (it has 201)."]}),
        ({"input": {"topics": ["caching\u0000"]}}, {"topics": ["Unknown topic: 'caching\\x00'."]}),
    ],
)
def test_update_refuses_what_the_database_cannot_store(
    graphql_client: Any, owner: Any, variables: dict[str, Any], details: dict[str, list[str]]
) -> None:
    entry = make_entry(owner, body="one\n")
    query = """mutation($id: ID!, $input: EntryInput!, $message: String!) {
      updateEntry(id: $id, baseRevision: 1, input: $input, message: $message) { revision }
    }"""
    sent = {"id": entry.pk, "message": "", **variables, "input": {"body": "two\n", **variables.get("input", {})}}
    result = graphql_client(query, sent, user=owner)
    assert [(e["extensions"]["code"], e["extensions"]["details"]) for e in result["errors"]] == [("invalid", details)]
    entry.refresh_from_db()
    assert (entry.version, entry.body) == (1, "one\n")
    assert Revision.objects.count() == 1


def test_a_proposal_message_with_a_nul_is_refused(graphql_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, body="old\n")
    result = graphql_client(
        'mutation($id: ID!, $m: String!) { proposeEdit(entryId: $id, baseRevision: 1, message: $m, input: {body: "new"}) { id } }',
        {"id": entry.pk, "m": "fix\u0000"},
        user=member,
    )
    assert [(e["extensions"]["code"], e["extensions"]["details"]) for e in result["errors"]] == [
        ("invalid", {"message": ["Null characters are not allowed."]})
    ]
    assert EditProposal.objects.count() == 0
