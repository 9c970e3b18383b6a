"""The community GraphQL face: the same reads and writes as REST, flat query counts for
10 and 100 items, errors with codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from nexus.accounts.tests.factories import UserFactory
from nexus.community.tests.factories import make_announcement, make_answer, make_comment, make_question
from nexus.knowledge.models import EntryStatus
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db


def counted(graphql_client: Any, query: str, variables: dict[str, Any], user: Any = None) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        result = graphql_client(query, variables, user=user)
    assert "errors" not in result, result
    return len(queries), result["data"]


QUESTIONS = """query($limit: Int!) { questions(limit: $limit) {
  id title answerCount author { username profile { displayName } roles }
  topics { slug } technologies { slug name }
  answers { id score accepted author { username } }
} }"""


def test_question_list_query_count_is_flat(graphql_client: Any, member: Any) -> None:
    def add(count: int) -> None:
        for number in range(count):
            question = make_question(UserFactory(), title=f"Q{number}", topics=["caching"], technologies=["redis"])
            make_answer(UserFactory(), question)

    add(10)
    graphql_client(QUESTIONS, {"limit": 1})  # warm the roles map
    few, data = counted(graphql_client, QUESTIONS, {"limit": 100})
    assert len(data["questions"]) == 10
    add(90)
    many, data = counted(graphql_client, QUESTIONS, {"limit": 100})
    assert len(data["questions"]) == 100
    assert few == many
    first = data["questions"][0]
    assert (first["answerCount"], first["topics"], first["answers"][0]["score"]) == (1, [{"slug": "caching"}], 0)


COMMENTS = """query($entry: ID!) { comments(entryId: $entry, limit: 100) {
  id body html parentId deleted author { username profile { displayName } } reactions { helpful } myReactions
} }"""


def test_comment_list_query_count_is_flat(graphql_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    for number in range(10):
        make_comment(UserFactory(), entry, f"c{number}")
    graphql_client(COMMENTS, {"entry": entry.pk})
    few, _ = counted(graphql_client, COMMENTS, {"entry": entry.pk}, member)
    for number in range(90):
        make_comment(UserFactory(), entry, f"more {number}")
    many, data = counted(graphql_client, COMMENTS, {"entry": entry.pk}, member)
    assert len(data["comments"]) == 100
    assert few == many


PROJECTS = """{ projects { slug announcementCount announcements { track stack { slug } user { username } } } }"""


def test_project_board_query_count_is_flat(graphql_client: Any) -> None:
    for _ in range(10):
        make_announcement(UserFactory(), "job-board", stack=["django"])
    graphql_client(PROJECTS)
    few, _ = counted(graphql_client, PROJECTS, {})
    for _ in range(90):
        make_announcement(UserFactory(), "movie-recommendation", stack=["redis"])
    many, data = counted(graphql_client, PROJECTS, {})
    assert few == many
    counts = {project["slug"]: project["announcementCount"] for project in data["projects"]}
    assert (counts["job-board"], counts["movie-recommendation"]) == (10, 90)


def test_discussion_mutations(graphql_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    posted = graphql_client(
        'mutation($e: ID!) { postComment(entryId: $e, body: "Hello *there*") { id html version } }',
        {"e": entry.pk},
        user=member,
    )["data"]["postComment"]
    assert posted["html"] == "<p>Hello <em>there</em></p>\n"
    edited = graphql_client(
        'mutation($id: ID!) { editComment(id: $id, body: "Hello!", baseVersion: 1) { version body } }',
        {"id": posted["id"]},
        user=member,
    )["data"]["editComment"]
    assert edited == {"version": 2, "body": "Hello!"}
    react = 'mutation($id: ID!) { react(target: "comment", id: $id, kind: "insightful") { reactions { insightful } myReactions } }'
    state = graphql_client(react, {"id": posted["id"]}, user=owner)["data"]["react"]
    assert state == {"reactions": {"insightful": 1}, "myReactions": ["insightful"]}
    deleted = graphql_client(
        "mutation($id: ID!) { deleteComment(id: $id) { deleted author { username } } }",
        {"id": posted["id"]},
        user=member,
    )["data"]["deleteComment"]
    assert deleted == {"deleted": True, "author": None}
    draft = make_entry(owner, title="Secret", status=EntryStatus.DRAFT)
    hidden = graphql_client(
        'mutation($e: ID!) { react(target: "entry", id: $e, kind: "thanks") { myReactions } }',
        {"e": draft.pk},
        user=member,
    )
    assert hidden["errors"][0]["extensions"]["code"] == "entry_not_found"
    anonymous = graphql_client('mutation($e: ID!) { postComment(entryId: $e, body: "x") { id } }', {"e": entry.pk})
    assert anonymous["errors"][0]["extensions"]["code"] == "not_authenticated"


def test_ask_answer_accept_promote(graphql_client: Any, owner: Any, member: Any, outsider: Any) -> None:
    asked = graphql_client(
        'mutation { askQuestion(input: {title: "Redis or Memcached?", body: "For sessions.", technologies: ["redis"]}) { id } }',
        user=owner,
    )["data"]["askQuestion"]
    answer = graphql_client(
        'mutation($q: ID!) { answerQuestion(questionId: $q, body: "Redis: it persists.") { id score } }',
        {"q": asked["id"]},
        user=member,
    )["data"]["answerQuestion"]
    vote = graphql_client(
        "mutation($a: ID!) { voteAnswer(id: $a, value: 1) { myVote score } }", {"a": answer["id"]}, user=outsider
    )
    assert vote["data"]["voteAnswer"] == {"myVote": 1, "score": 1}
    refused = graphql_client("mutation($a: ID!) { acceptAnswer(id: $a) { id } }", {"a": answer["id"]}, user=outsider)
    assert refused["errors"][0]["extensions"]["code"] == "permission_denied"
    graphql_client("mutation($a: ID!) { acceptAnswer(id: $a) { acceptedAnswerId } }", {"a": answer["id"]}, user=owner)
    promoted = graphql_client(
        "mutation($q: ID!) { promoteQuestion(id: $q) { promotedEntry { kind slug author { username } } } }",
        {"q": asked["id"]},
        user=owner,
    )["data"]["promoteQuestion"]
    assert promoted["promotedEntry"] == {
        "kind": "challenge",
        "slug": "redis-or-memcached",
        "author": {"username": "owner"},
    }
    bad = graphql_client('{ question(id: "abc") { id } }')
    assert bad["errors"][0]["extensions"]["code"] == "question_not_found"


def test_projects_matches_and_collaboration(graphql_client: Any, owner: Any, member: Any) -> None:
    announce = """mutation($input: AnnouncementInput!) { announceProject(project: "online-poll", input: $input) { id track } }"""
    backend = graphql_client(
        announce, {"input": {"track": "backend", "stack": ["django"], "timezone": "UTC"}}, user=owner
    )
    frontend = graphql_client(
        announce, {"input": {"track": "frontend", "stack": ["django"], "timezone": "UTC"}}, user=member
    )
    matches = graphql_client(
        '{ matches(project: "online-poll") { sharedStack announcement { user { username } } } }', user=owner
    )["data"]["matches"]
    assert matches == [{"sharedStack": 1, "announcement": {"user": {"username": "member"}}}]
    sent = graphql_client(
        'mutation($a: ID!) { requestCollaboration(announcementId: $a, message: "hi") { id status } }',
        {"a": backend["data"]["announceProject"]["id"]},
        user=member,
    )["data"]["requestCollaboration"]
    answered = graphql_client(
        "mutation($id: ID!) { answerCollaborationRequest(id: $id, accept: true) { status recipient { teamId } } }",
        {"id": sent["id"]},
        user=owner,
    )["data"]["answerCollaborationRequest"]
    assert answered["status"] == "accepted"
    team = graphql_client(
        "query($id: ID!) { team(id: $id) { project { slug } members { user { username } } apiDocs } }",
        {"id": answered["recipient"]["teamId"]},
    )["data"]["team"]
    assert sorted(m["user"]["username"] for m in team["members"]) == ["member", "owner"]
    assert frontend["data"]["announceProject"]["track"] == "frontend"
    assert team["apiDocs"] == []


@override_settings(NEXUS_COMMUNITY_POSTS_PER_MINUTE=3)
@pytest.mark.usefixtures("one_posting_minute")
def test_posting_too_fast_and_bad_input_have_codes(graphql_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    post = "mutation($e: ID!, $b: String!) { postComment(entryId: $e, body: $b) { id } }"
    codes = []
    for number in range(4):
        result = graphql_client(post, {"e": entry.pk, "b": f"n{number}"}, user=member)
        codes.append(result["errors"][0]["extensions"]["code"] if "errors" in result else "ok")
    assert codes == ["ok", "ok", "ok", "posting_too_fast"]
    oversized = graphql_client(post, {"e": entry.pk, "b": "a" * 20_001}, user=owner)
    assert oversized["errors"][0]["extensions"]["code"] == "post_too_large"
    bad_id = graphql_client(post, {"e": "1" * 40, "b": "x"}, user=owner)
    assert bad_id["errors"][0]["extensions"]["code"] == "entry_not_found"
    react = graphql_client(
        'mutation($e: ID!) { react(target: "hub", id: $e, kind: "thanks") { myReactions } }',
        {"e": entry.pk},
        user=owner,
    )
    assert react["errors"][0]["extensions"]["code"] == "invalid"
