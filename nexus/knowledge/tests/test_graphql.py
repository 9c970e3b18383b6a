"""The knowledge GraphQL face: same reads and writes as REST, query counts that do not
grow with the list, errors with codes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexus.accounts.tests.factories import UserFactory
from nexus.knowledge.models import EditProposal, Entry, Hub, Revision, Technology, Topic
from nexus.knowledge.services import entry_update, hub_ensure, hub_update, proposal_create
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


def _vocabulary_queries(queries: CaptureQueriesContext) -> list[str]:
    tables = ("knowledge_topic", "knowledge_technology", "knowledge_tag")
    return [q["sql"] for q in queries.captured_queries if any(table in q["sql"] for table in tables)]


def test_an_entry_list_reads_its_vocabulary_in_one_query(graphql_client: Any, owner: Any) -> None:
    for n in range(3):
        make_entry(owner, title=f"E{n}", topics=["caching", "testing"], technologies=["redis"], tags=[f"t{n}", "x"])
    graphql_client(LIST, {"limit": 5})  # warm the roles map
    with CaptureQueriesContext(connection) as queries:
        result = graphql_client(LIST, {"limit": 5})
    assert len(_vocabulary_queries(queries)) == 1  # one UNION, where the optimizer's prefetches were three
    newest = result["data"]["entries"][0]
    assert [t["slug"] for t in newest["topics"]] == ["caching", "testing"]
    assert newest["technologies"] == [{"slug": "redis", "name": "Redis"}]
    assert newest["tags"] == ["t2", "x"]


NESTED_MORE = """query($limit: Int!) { entries(limit: $limit) {
  title topics { slug description } technologies { slug aliases } tags
} }"""


def test_nested_vocabulary_fields_beyond_the_union_are_prefetched_in_a_flat_count(
    graphql_client: Any, owner: Any, member: Any
) -> None:
    # A topic's description and a technology's aliases are not in the UNION: those two
    # relations stay the optimizer's prefetches, tags still come from the UNION.
    Topic.objects.filter(slug="caching").update(description="Keeping answers close.")
    Technology.objects.filter(slug="redis").update(aliases=["redis-server"])
    for n in range(40):
        make_entry(owner if n % 2 else member, title=f"E{n}", topics=["caching"], technologies=["redis"], tags=["t"])
    small, few = counted(graphql_client, NESTED_MORE, {"limit": 10})
    large, many = counted(graphql_client, NESTED_MORE, {"limit": 40})
    assert small == large
    assert (len(few["entries"]), len(many["entries"])) == (10, 40)
    assert many["entries"][-1]["topics"] == [{"slug": "caching", "description": "Keeping answers close."}]
    assert many["entries"][-1]["technologies"] == [{"slug": "redis", "aliases": ["redis-server"]}]
    assert many["entries"][-1]["tags"] == ["t"]


def test_entries_with_vocabulary_leaves_prefetches_it_cannot_stand_in_for(owner: Any) -> None:
    from django.db.models import Prefetch

    from nexus.knowledge.selectors import entries_with_vocabulary, entry_vocabulary

    make_entry(owner, topics=["caching", "testing"], technologies=["redis"], tags=["t"])
    only_testing = Prefetch("topics", queryset=Topic.objects.filter(slug="testing"))
    with CaptureQueriesContext(connection) as queries:
        entries = list(entries_with_vocabulary(Entry.objects.prefetch_related(only_testing, "technologies", "tags")))
    # The filtered topics and the whole technologies (aliases too) are prefetched; only
    # tags, whose every column the UNION reads, come from it.
    assert len(queries) == 4
    assert [t.slug for t in entry_vocabulary(entries[0], "topics")] == ["testing"]
    with CaptureQueriesContext(connection) as queries:
        assert entry_vocabulary(entries[0], "technologies")[0].aliases == []
        assert [t.name for t in entry_vocabulary(entries[0], "tags")] == ["t"]
    assert len(queries) == 0


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


def test_update_proposal(graphql_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, body="old\n")
    proposed = graphql_client(
        'mutation($id: ID!) { proposeEdit(entryId: $id, baseRevision: 1, message: "fix", input: {body: "new\\n"}) { id } }',
        {"id": entry.pk},
        user=member,
    )["data"]["proposeEdit"]
    update = 'mutation($id: ID!, $body: String!) { updateProposal(id: $id, input: {body: $body}, message: "better") { status message body } }'
    denied = graphql_client(update, {"id": proposed["id"], "body": "owner's\n"}, user=owner)
    assert denied["errors"][0]["extensions"]["code"] == "permission_denied"
    revised = graphql_client(update, {"id": proposed["id"], "body": "newer\n"}, user=member)
    assert revised["data"]["updateProposal"] == {"status": "open", "message": "better", "body": "newer\n"}


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
        ("query { proposals(entryId: $id) { id } }", "entry_not_found"),
        ("query { revision(entryId: $id, number: 1) { number } }", "entry_not_found"),
        ("query { proposalDiff(id: $id) { field } }", "proposal_not_found"),
        ("mutation { deleteEntry(id: $id) }", "entry_not_found"),
        ("mutation { reverifyEntry(id: $id, reviewBy: null) { id } }", "entry_not_found"),
        ('mutation { commentOnProposal(id: $id, body: "hi") { id } }', "proposal_not_found"),
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


# --- Helpers for the reads and writes added to match REST --------------------------------------


def codes(result: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors", [])]


def counted(graphql_client: Any, query: str, variables: dict[str, Any], user: Any = None) -> tuple[int, Any]:
    """The number of SQL queries one request ran, and its data (which must have no errors)."""
    with CaptureQueriesContext(connection) as queries:
        result = graphql_client(query, variables, user=user)
    assert "errors" not in result, result
    return len(queries), result["data"]


def add_revisions(entry: Entry, actor: Any, count: int) -> Entry:
    """`count` more revisions of `entry`, written through the service."""
    for n in range(count):
        entry = entry_update(actor=actor, entry=entry, data={"body": f"v{n}\n"}, base_version=entry.version).entry
    return entry


def propose(author: Any, entry: Entry, body: str = "new\n", message: str = "fix") -> EditProposal:
    return proposal_create(actor=author, entry=entry, data={"body": body}, base_version=entry.version, message=message)


# --- Hubs and tags -----------------------------------------------------------------------------

HUBS = """query($limit: Int!, $offset: Int! = 0) { hubs(limit: $limit, offset: $offset) {
  title visibility owner { username profile { displayName } roles }
} }"""


def test_hubs_query_count_does_not_grow(graphql_client: Any) -> None:
    for n in range(100):
        hub_ensure(UserFactory(username=f"hubber{n:03}"))
    assert Hub.objects.count() == 100
    graphql_client(HUBS, {"limit": 5})  # warm the roles map
    small, few = counted(graphql_client, HUBS, {"limit": 10})
    large, many = counted(graphql_client, HUBS, {"limit": 100})
    assert (len(few["hubs"]), len(many["hubs"])) == (10, 100)
    assert small == large
    assert many["hubs"][0] == {
        "title": "hubber099's Project Nexus",
        "visibility": "public",
        "owner": {"username": "hubber099", "profile": {"displayName": ""}, "roles": []},
    }
    assert many["hubs"][-1]["owner"]["username"] == "hubber000"


def test_hubs_show_only_what_you_may_see_and_page(graphql_client: Any, owner: Any, member: Any) -> None:
    hub_ensure(member)
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": "private"})
    names = lambda result: [hub["owner"]["username"] for hub in result["data"]["hubs"]]  # noqa: E731
    assert names(graphql_client(HUBS, {"limit": 10})) == ["member"]
    assert names(graphql_client(HUBS, {"limit": 10}, user=owner)) == ["owner", "member"]
    assert names(graphql_client(HUBS, {"limit": 1, "offset": 1}, user=owner)) == ["member"]
    assert names(graphql_client(HUBS, {"limit": 10, "offset": -5}, user=owner)) == ["owner", "member"]


def test_tags_lists_every_tag_by_name(graphql_client: Any, owner: Any) -> None:
    make_entry(owner, tags=["redis", "cache"])
    make_entry(owner, title="Other", tags=["celery", "redis"])
    assert graphql_client("{ tags }")["data"]["tags"] == ["cache", "celery", "redis"]
    assert graphql_client('{ tags(prefix: "C", limit: 1, offset: 1) }')["data"]["tags"] == ["celery"]
    long = graphql_client("query($p: String!) { tags(prefix: $p) }", {"p": "x" * 41})
    assert long["errors"][0]["extensions"]["code"] == "invalid"


# --- Revisions ---------------------------------------------------------------------------------


def test_revision_has_the_whole_content(graphql_client: Any, owner: Any) -> None:
    entry = make_entry(owner, kind="challenge", title="Slow queries", problem="P\n", solution="S\n", outcome="O\n")
    query = """query($id: ID!, $n: Int!) { revision(entryId: $id, number: $n) {
      number message title body problem solution outcome author { username }
    } }"""
    result = graphql_client(query, {"id": entry.pk, "n": 1})
    assert result["data"]["revision"] == {
        "number": 1,
        "message": "Created",
        "title": "Slow queries",
        "body": "Cache reads.\n",
        "problem": "P\n",
        "solution": "S\n",
        "outcome": "O\n",
        "author": {"username": "owner"},
    }
    assert codes(graphql_client(query, {"id": entry.pk, "n": 2})) == ["revision_not_found"]


def test_revision_of_a_draft_of_someone_else_is_not_found(graphql_client: Any, owner: Any, member: Any) -> None:
    draft = make_entry(owner, status="draft")
    query = "query($id: ID!) { revision(entryId: $id, number: 1) { number } }"
    assert codes(graphql_client(query, {"id": draft.pk}, user=member)) == ["entry_not_found"]
    assert graphql_client(query, {"id": draft.pk}, user=owner)["data"]["revision"] == {"number": 1}


NESTED = "query($id: ID!, $limit: Int!) { entry(id: $id) { revisions(limit: $limit) { number author { username } } } }"


def test_nested_revisions_are_bounded_and_their_query_count_does_not_grow(graphql_client: Any, owner: Any) -> None:
    entry = add_revisions(make_entry(owner), owner, 119)
    assert Revision.objects.filter(entry=entry).count() == 120
    graphql_client(NESTED, {"id": entry.pk, "limit": 1})  # warm the roles map
    small, few = counted(graphql_client, NESTED, {"id": entry.pk, "limit": 10})
    large, many = counted(graphql_client, NESTED, {"id": entry.pk, "limit": 100})
    assert [r["number"] for r in few["entry"]["revisions"]] == list(range(120, 110, -1))
    assert [r["number"] for r in many["entry"]["revisions"]] == list(range(120, 20, -1))
    assert many["entry"]["revisions"][0]["author"] == {"username": "owner"}
    assert small == large
    # Clamped, like entries(limit:): never more than 100, never fewer than one.
    assert len(graphql_client(NESTED, {"id": entry.pk, "limit": 10**6})["data"]["entry"]["revisions"]) == 100
    assert len(graphql_client(NESTED, {"id": entry.pk, "limit": 0})["data"]["entry"]["revisions"]) == 1
    default = graphql_client("query($id: ID!) { entry(id: $id) { revisions { number } } }", {"id": entry.pk})
    assert len(default["data"]["entry"]["revisions"]) == 20


ENTRIES_WITH_REVISIONS = """query($limit: Int!) { entries(limit: $limit) {
  id title revisions(limit: 2) { number message author { username profile { displayName } } }
} }"""


def test_entries_with_revisions_query_count_does_not_grow(graphql_client: Any, owner: Any, member: Any) -> None:
    for n in range(100):
        entry = make_entry(owner if n % 2 else member, title=f"E{n:03}")
        if n % 10 in (0, 9):  # some in every page of ten have more than the limit asks for
            add_revisions(entry, entry.hub.owner, 2)
    assert Entry.objects.count() == 100
    graphql_client(ENTRIES_WITH_REVISIONS, {"limit": 5})  # warm the roles map
    small, few = counted(graphql_client, ENTRIES_WITH_REVISIONS, {"limit": 10})
    large, many = counted(graphql_client, ENTRIES_WITH_REVISIONS, {"limit": 100})
    assert (len(few["entries"]), len(many["entries"])) == (10, 100)
    assert small == large
    newest = many["entries"][0]
    assert newest["title"] == "E099"
    assert [(r["number"], r["author"]["username"]) for r in newest["revisions"]] == [(3, "owner"), (2, "owner")]
    assert [r["number"] for r in many["entries"][1]["revisions"]] == [1]


# --- Proposals ---------------------------------------------------------------------------------

PROPOSALS = """query($limit: Int!) { proposals(limit: $limit) {
  id status message baseRevision body problem solution outcome
  author { username profile { displayName } }
  entry { title author { username } }
} }"""


def test_proposals_query_count_does_not_grow(graphql_client: Any, owner: Any, member: Any) -> None:
    entries = [make_entry(owner, title=f"E{n}", body="old\n") for n in range(4)]
    for n in range(100):
        propose(member, entries[n % 4], body=f"new {n}\n", message=f"m{n}")
    assert EditProposal.objects.count() == 100
    graphql_client(PROPOSALS, {"limit": 5}, user=owner)  # warm the roles map
    small, few = counted(graphql_client, PROPOSALS, {"limit": 10}, user=owner)
    large, many = counted(graphql_client, PROPOSALS, {"limit": 100}, user=owner)
    assert (len(few["proposals"]), len(many["proposals"])) == (10, 100)
    assert small == large
    newest = many["proposals"][0]
    assert newest == {
        "id": str(EditProposal.objects.latest("id").pk),
        "status": "open",
        "message": "m99",
        "baseRevision": 1,
        "body": "new 99\n",
        "problem": "",
        "solution": "",
        "outcome": "",
        "author": {"username": "member", "profile": {"displayName": ""}},
        "entry": {"title": "E3", "author": {"username": "owner"}},
    }


def test_proposals_show_your_own_and_filter(graphql_client: Any, owner: Any, member: Any, outsider: Any) -> None:
    entry, other = make_entry(owner, body="old\n"), make_entry(owner, title="Other", body="old\n")
    mine = propose(member, entry)
    theirs = propose(outsider, entry)
    on_other = propose(member, other)
    from nexus.knowledge.services import proposal_review

    proposal_review(actor=owner, proposal=on_other, decision="reject")
    query = "query($s: String, $e: ID) { proposals(status: $s, entryId: $e) { id } }"
    ids = lambda result: [int(p["id"]) for p in result["data"]["proposals"]]  # noqa: E731
    assert ids(graphql_client(query, {}, user=member)) == [on_other.pk, mine.pk]
    assert ids(graphql_client(query, {}, user=owner)) == [on_other.pk, theirs.pk, mine.pk]
    assert ids(graphql_client(query, {"s": "open"}, user=owner)) == [theirs.pk, mine.pk]
    assert ids(graphql_client(query, {"s": "rejected"}, user=owner)) == [on_other.pk]
    assert ids(graphql_client(query, {"e": other.pk}, user=owner)) == [on_other.pk]
    assert ids(graphql_client(query, {"e": entry.pk, "s": "open"}, user=member)) == [mine.pk]
    assert codes(graphql_client(query, {})) == ["not_authenticated"]


def test_proposals_bad_input_has_codes(graphql_client: Any, owner: Any, member: Any) -> None:
    draft = make_entry(owner, status="draft")
    query = "query($s: String, $e: ID) { proposals(status: $s, entryId: $e) { id } }"
    unknown = graphql_client(query, {"s": "pending"}, user=owner)
    assert [(e["extensions"]["code"], e["extensions"]["details"]) for e in unknown["errors"]] == [
        ("invalid", {"status": ["Choose one of: open, changes-requested, approved, merged, rejected."]})
    ]
    # A draft of someone else does not exist for you, as a filter too.
    assert codes(graphql_client(query, {"e": draft.pk}, user=member)) == ["entry_not_found"]
    assert codes(graphql_client(query, {"e": "9" * 40}, user=member)) == ["entry_not_found"]


def test_proposal_diff(graphql_client: Any, owner: Any, member: Any, outsider: Any) -> None:
    proposal = propose(member, make_entry(owner, body="old\n"))
    query = """query($id: ID!) { proposalDiff(id: $id) {
      field unified oldHtml newHtml rows { kind oldNumber newNumber oldHtml newHtml }
    } }"""
    expected = [
        {
            "field": "body",
            "unified": f"--- r1/body\n+++ proposal-{proposal.pk}/body\n@@ -1 +1 @@\n-old\n+new\n",
            "oldHtml": ["<del>old</del>\n"],
            "newHtml": ["<ins>new</ins>\n"],
            "rows": [
                {
                    "kind": "replace",
                    "oldNumber": 1,
                    "newNumber": 1,
                    "oldHtml": "<del>old</del>\n",
                    "newHtml": "<ins>new</ins>\n",
                }
            ],
        }
    ]
    assert graphql_client(query, {"id": proposal.pk}, user=owner)["data"]["proposalDiff"] == expected
    assert graphql_client(query, {"id": proposal.pk}, user=member)["data"]["proposalDiff"] == expected
    assert codes(graphql_client(query, {"id": proposal.pk}, user=outsider)) == ["proposal_not_found"]


# --- Entry writes ------------------------------------------------------------------------------

DELETE = "mutation($id: ID!) { deleteEntry(id: $id) }"


def test_owner_deletes_an_entry(graphql_client: Any, owner: Any) -> None:
    entry = add_revisions(make_entry(owner, body="old\n"), owner, 1)
    kept = make_entry(owner, title="Kept")
    assert graphql_client(DELETE, {"id": entry.pk}, user=owner)["data"] == {"deleteEntry": str(entry.pk)}
    assert list(Entry.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(Revision.objects.values_list("entry_id", flat=True)) == [kept.pk]
    assert codes(graphql_client(DELETE, {"id": entry.pk}, user=owner)) == ["entry_not_found"]


def test_admin_deletes_any_entry(graphql_client: Any, owner: Any, admin_user: Any) -> None:
    entry = make_entry(owner, status="draft")
    assert graphql_client(DELETE, {"id": entry.pk}, user=admin_user)["data"] == {"deleteEntry": str(entry.pk)}
    assert not Entry.objects.exists()


def test_others_cannot_delete_an_entry(graphql_client: Any, owner: Any, member: Any, mentor: Any) -> None:
    entry = make_entry(owner)
    draft = make_entry(owner, title="Draft", status="draft")
    assert codes(graphql_client(DELETE, {"id": entry.pk}, user=member)) == ["permission_denied"]
    # Mentors edit any entry, but only its owner (or an admin) deletes it.
    assert codes(graphql_client(DELETE, {"id": entry.pk}, user=mentor)) == ["permission_denied"]
    assert codes(graphql_client(DELETE, {"id": draft.pk}, user=member)) == ["entry_not_found"]
    assert codes(graphql_client(DELETE, {"id": entry.pk})) == ["not_authenticated"]
    assert set(Entry.objects.values_list("pk", flat=True)) == {entry.pk, draft.pk}
    assert Revision.objects.count() == 2


REVERIFY = """mutation($id: ID!, $by: Date, $with: String) {
  reverifyEntry(id: $id, reviewBy: $by, verifiedWith: $with) { reviewBy verifiedWith isStale }
}"""


def test_owner_reverifies_an_entry(graphql_client: Any, owner: Any) -> None:
    entry = make_entry(owner, verified_with="Django 5.1")
    next_review = timezone.localdate() + datetime.timedelta(days=30)
    result = graphql_client(REVERIFY, {"id": entry.pk, "by": next_review.isoformat(), "with": "Django 5.2"}, user=owner)
    assert result["data"]["reverifyEntry"] == {
        "reviewBy": next_review.isoformat(),
        "verifiedWith": "Django 5.2",
        "isStale": False,
    }
    cleared = graphql_client(REVERIFY, {"id": entry.pk, "by": None}, user=owner)
    assert cleared["data"]["reverifyEntry"] == {"reviewBy": None, "verifiedWith": "Django 5.2", "isStale": False}
    entry.refresh_from_db()
    assert (entry.review_by, entry.verified_with) == (None, "Django 5.2")


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"by": "2000-01-01"}, "review_by"),  # must be in the future
        ({}, "review_by"),  # say it: a date, or null for none
        ({"by": None, "with": "x" * 121}, "verified_with"),
        ({"by": None, "with": "Django\u0000"}, "verified_with"),
    ],
)
def test_reverify_refuses_bad_input(graphql_client: Any, owner: Any, variables: dict[str, Any], field: str) -> None:
    entry = make_entry(owner, verified_with="Django 5.1")
    result = graphql_client(REVERIFY, {"id": entry.pk, **variables}, user=owner)
    assert codes(result) == ["invalid"]
    assert list(result["errors"][0]["extensions"]["details"]) == [field]
    entry.refresh_from_db()
    assert (entry.review_by, entry.verified_with) == (None, "Django 5.1")


def test_others_cannot_reverify(graphql_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, verified_with="Django 5.1")
    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert codes(graphql_client(REVERIFY, {"id": entry.pk, "by": later}, user=member)) == ["permission_denied"]
    entry.refresh_from_db()
    assert (entry.review_by, entry.verified_with) == (None, "Django 5.1")


# --- Hub writes --------------------------------------------------------------------------------

UPDATE_HUB = """mutation($input: HubInput!, $username: String) { updateHub(input: $input, username: $username) {
  title intro introHtml cohort visibility owner { username }
} }"""


def test_update_your_hub(graphql_client: Any, owner: Any) -> None:
    result = graphql_client(
        UPDATE_HUB, {"input": {"title": "Olive's notes", "intro": "I *learn*.", "visibility": "cohort"}}, user=owner
    )
    assert result["data"]["updateHub"] == {
        "title": "Olive's notes",
        "intro": "I *learn*.",
        "introHtml": "<p>I <em>learn</em>.</p>\n",
        "cohort": "",
        "visibility": "cohort",
        "owner": {"username": "owner"},
    }
    hub = Hub.objects.get(owner=owner)
    assert (hub.title, hub.visibility) == ("Olive's notes", "cohort")


def test_admins_update_any_hub_others_cannot(graphql_client: Any, owner: Any, member: Any, admin_user: Any) -> None:
    hub_ensure(owner)
    by_admin = graphql_client(UPDATE_HUB, {"input": {"cohort": "2025"}, "username": "owner"}, user=admin_user)
    assert by_admin["data"]["updateHub"]["cohort"] == "2025"
    denied = graphql_client(UPDATE_HUB, {"input": {"title": "Mine now"}, "username": "owner"}, user=member)
    assert codes(denied) == ["permission_denied"]
    assert codes(graphql_client(UPDATE_HUB, {"input": {"title": "x"}, "username": "nobody"}, user=member)) == [
        "hub_not_found"
    ]
    assert codes(graphql_client(UPDATE_HUB, {"input": {"title": "x"}})) == ["not_authenticated"]
    hub = Hub.objects.get(owner=owner)
    assert (hub.title, hub.cohort) == ("Olive Owner's Project Nexus", "2025")


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"visibility": "secret"}, "visibility"), ({"title": "x" * 121}, "title"), ({"title": "nul\u0000"}, "title")],
)
def test_update_hub_refuses_bad_input(graphql_client: Any, owner: Any, fields: dict[str, Any], field: str) -> None:
    hub_ensure(owner)
    result = graphql_client(UPDATE_HUB, {"input": fields}, user=owner)
    assert codes(result) == ["invalid"]
    assert field in result["errors"][0]["extensions"]["details"]
    hub = Hub.objects.get(owner=owner)
    assert (hub.title, hub.visibility) == ("Olive Owner's Project Nexus", "public")


# --- Vocabulary --------------------------------------------------------------------------------

SAVE_TOPIC = """mutation($input: TopicInput!, $slug: String) { saveTopic(input: $input, slug: $slug) {
  slug name description
} }"""
SAVE_TECHNOLOGY = """mutation($input: TechnologyInput!, $slug: String) { saveTechnology(input: $input, slug: $slug) {
  slug name aliases
} }"""


def test_mentors_curate_topics_and_technologies(graphql_client: Any, mentor: Any, admin_user: Any) -> None:
    body = {"name": "Observability", "description": "Logs, metrics and traces."}
    created = graphql_client(SAVE_TOPIC, {"input": body}, user=mentor)
    assert created["data"]["saveTopic"] == {
        "slug": "observability",
        "name": "Observability",
        "description": "Logs, metrics and traces.",
    }
    renamed = graphql_client(SAVE_TOPIC, {"input": {"name": "Caching layers"}, "slug": "caching"}, user=admin_user)
    assert renamed["data"]["saveTopic"]["name"] == "Caching layers"
    assert Topic.objects.get(slug="caching").name == "Caching layers"
    assert codes(graphql_client(SAVE_TOPIC, {"input": body}, user=mentor)) == ["invalid"]  # the name is taken
    tech = graphql_client(SAVE_TECHNOLOGY, {"input": {"name": "Valkey", "aliases": ["Redis fork"]}}, user=mentor)
    assert tech["data"]["saveTechnology"] == {"slug": "valkey", "name": "Valkey", "aliases": ["Redis fork"]}
    changed = graphql_client(SAVE_TECHNOLOGY, {"input": {"aliases": []}, "slug": "valkey"}, user=mentor)
    assert changed["data"]["saveTechnology"] == {"slug": "valkey", "name": "Valkey", "aliases": []}


def test_only_mentors_and_admins_curate(graphql_client: Any, member: Any, owner: Any) -> None:
    topics, technologies = Topic.objects.count(), Technology.objects.count()
    denied = graphql_client(SAVE_TOPIC, {"input": {"name": "Knitting"}}, user=member)
    assert codes(denied) == ["permission_denied"]
    assert codes(graphql_client(SAVE_TOPIC, {"input": {"name": "Renamed"}, "slug": "caching"}, user=owner)) == [
        "permission_denied"
    ]
    assert codes(graphql_client(SAVE_TECHNOLOGY, {"input": {"name": "Knit"}}, user=member)) == ["permission_denied"]
    assert codes(graphql_client(SAVE_TOPIC, {"input": {"name": "Knitting"}})) == ["not_authenticated"]
    assert (Topic.objects.count(), Technology.objects.count()) == (topics, technologies)
    assert Topic.objects.get(slug="caching").name == "Caching"


@pytest.mark.parametrize(
    ("mutation", "variables", "code"),
    [
        (SAVE_TOPIC, {"input": {"name": "X"}, "slug": "no-such-topic"}, "topic_not_found"),
        (SAVE_TOPIC, {"input": {"name": "X"}, "slug": "not a slug"}, "topic_not_found"),
        (SAVE_TOPIC, {"input": {"name": "X"}, "slug": "caching\u0000"}, "topic_not_found"),
        (SAVE_TECHNOLOGY, {"input": {"name": "X"}, "slug": "nope"}, "technology_not_found"),
        (SAVE_TOPIC, {"input": {"name": "Nul\u0000"}}, "invalid"),
        (SAVE_TOPIC, {"input": {"name": "Fine", "description": "nul\u0000"}}, "invalid"),
        (SAVE_TOPIC, {"input": {"name": "x" * 61}}, "invalid"),
        (SAVE_TOPIC, {"input": {}}, "invalid"),  # a new topic needs a name
        (SAVE_TECHNOLOGY, {"input": {"name": "Fine", "aliases": ["nul\u0000"]}}, "invalid"),
        (SAVE_TECHNOLOGY, {"input": {"name": "Fine", "aliases": ["a"] * 21}}, "invalid"),
        (SAVE_TECHNOLOGY, {"input": {"name": "Fine", "aliases": ["x" * 61]}}, "invalid"),
    ],
)
def test_vocabulary_bad_input_has_codes(
    graphql_client: Any, mentor: Any, mutation: str, variables: dict[str, Any], code: str
) -> None:
    topics, technologies = Topic.objects.count(), Technology.objects.count()
    assert codes(graphql_client(mutation, variables, user=mentor)) == [code]
    assert (Topic.objects.count(), Technology.objects.count()) == (topics, technologies)


# --- Pagination abuse --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ entries(offset: 10001) { id } }",
        "{ hubs(offset: 10001) { title } }",
        "{ proposals(offset: 10001) { id } }",
        "{ entries(offset: 2147483647, limit: 2147483647) { id } }",
    ],
)
def test_an_offset_past_the_maximum_is_invalid(graphql_client: Any, owner: Any, query: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        result = graphql_client(query, user=owner)
    assert [(e["extensions"]["code"], e["extensions"]["details"]) for e in result["errors"]] == [
        ("invalid", {"offset": ["Ensure this value is less than or equal to 10000."]})
    ]
    assert not any("knowledge_" in q["sql"] for q in queries.captured_queries)  # refused before any list query


def test_the_maximum_offset_itself_is_answered(graphql_client: Any, owner: Any) -> None:
    make_entry(owner)
    result = graphql_client("{ entries(offset: 10000) { id } hubs(offset: 10000) { title } }")
    assert result == {"data": {"entries": [], "hubs": []}}
