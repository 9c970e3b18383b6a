"""The discussion of a suggested edit is a community thread: replies, edit history, soft
delete and reactions from the one comment implementation, private to the proposal's author
and reviewers, never part of the entry's own thread; through services, REST, GraphQL and the
proposal page, with flat query counts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from conftest import bearer
from nexus.accounts.tests.factories import UserFactory
from nexus.community.errors import CommentDeleted, CommentNotFound
from nexus.community.models import Comment, CommentRevision, Reaction
from nexus.community.selectors import (
    comment_get_for_user,
    comment_list_for_entry,
    comment_list_for_proposal,
    thread_state_of_user,
)
from nexus.community.services import (
    PostTooLarge,
    comment_delete,
    comment_edit,
    comment_post,
    comment_post_on_proposal,
    proposal_review_with_comment,
    reaction_set,
)
from nexus.community.tests.factories import make_comment
from nexus.community.tests.test_pages import page_queries, signed_in
from nexus.core.errors import PermissionDenied
from nexus.knowledge.errors import ProposalNotFound
from nexus.knowledge.models import EditProposal, ProposalStatus
from nexus.knowledge.services import proposal_create
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def propose(entry: Any, author: Any) -> EditProposal:
    return proposal_create(actor=author, entry=entry, data={"body": "Clearer.\n"}, base_version=1, message="Clearer")


def talk(actor: Any, proposal: EditProposal, body: str = "Why this?", parent: Comment | None = None) -> Comment:
    return comment_post_on_proposal(actor=actor, proposal=proposal, body=body, parent=parent)


@pytest.fixture
def proposal(owner: Any, member: Any) -> EditProposal:
    """`member` suggests an edit to a published entry of `owner` (its reviewer)."""
    return propose(make_entry(owner, body="Cache reads.\n"), member)


# --- Services and selectors ------------------------------------------------------------------


def test_author_and_reviewers_discuss_with_threaded_replies(
    proposal: EditProposal, owner: Any, member: Any, mentor: Any
) -> None:
    question = talk(owner, proposal, "Why **this**?")
    answer = talk(member, proposal, "Because.", parent=question)
    talk(mentor, proposal, "Agreed.", parent=answer)

    assert (question.entry_id, question.proposal_id) == (proposal.entry_id, proposal.pk)
    assert "<strong>this</strong>" in question.html
    thread = list(comment_list_for_proposal(proposal))
    assert [(c.body, c.parent_id) for c in thread] == [
        ("Why **this**?", None),
        ("Because.", question.pk),
        ("Agreed.", answer.pk),
    ]


def test_a_proposal_comment_is_never_in_the_entrys_thread(proposal: EditProposal, owner: Any, member: Any) -> None:
    on_entry = make_comment(member, proposal.entry, "On the entry")
    talk(owner, proposal, "On the proposal")
    assert [c.body for c in comment_list_for_entry(proposal.entry)] == ["On the entry"]
    assert [c.body for c in comment_list_for_proposal(proposal)] == ["On the proposal"]
    assert thread_state_of_user(member, proposal.entry)["own"] == [on_entry.pk]


def test_who_cannot_see_the_proposal_cannot_read_or_write_its_discussion(
    proposal: EditProposal, owner: Any, outsider: Any
) -> None:
    comment = talk(owner, proposal)
    # The outsider may read the (published) entry, not the proposal: its comments do not exist.
    with pytest.raises(CommentNotFound):
        comment_get_for_user(outsider, comment.pk)
    with pytest.raises(ProposalNotFound):
        talk(outsider, proposal, "Let me in")
    assert comment_get_for_user(owner, comment.pk) == comment
    assert Comment.objects.count() == 1


def test_replies_stay_in_their_own_thread(proposal: EditProposal, owner: Any, member: Any) -> None:
    on_entry = make_comment(member, proposal.entry, "On the entry")
    on_proposal = talk(owner, proposal)
    other = propose(proposal.entry, UserFactory())
    with pytest.raises(CommentNotFound, match="not in this proposal's discussion"):
        talk(owner, proposal, "Cross-thread", parent=on_entry)
    with pytest.raises(CommentNotFound, match="not in this proposal's discussion"):
        talk(owner, other, "Cross-proposal", parent=on_proposal)
    with pytest.raises(CommentNotFound, match="not on this entry"):
        comment_post(actor=member, entry=proposal.entry, body="Leak it", parent=on_proposal)
    assert Comment.objects.count() == 2


def test_edit_history_and_soft_delete_work_on_proposal_comments(
    proposal: EditProposal, owner: Any, member: Any
) -> None:
    comment = talk(member, proposal, "First take")
    reply = talk(owner, proposal, "A reply", parent=comment)
    edited = comment_edit(actor=member, comment=comment, body="Second take", base_version=1)
    assert (edited.version, edited.body) == (2, "Second take")
    assert list(CommentRevision.objects.filter(comment=comment).values_list("number", "body")) == [(1, "First take")]
    with pytest.raises(PermissionDenied):
        comment_edit(actor=owner, comment=comment, body="Not mine")

    reaction_set(actor=owner, target=comment, kind="thanks")
    comment_delete(actor=member, comment=comment)
    comment.refresh_from_db()
    assert (comment.is_deleted, comment.body) == (True, "")
    assert not Reaction.objects.filter(comment=comment).exists()
    assert [c.pk for c in comment_list_for_proposal(proposal)] == [comment.pk, reply.pk]
    with pytest.raises(CommentDeleted):
        talk(owner, proposal, "Late reply", parent=comment)


def test_a_reviewer_deletes_any_comment_of_the_discussion(proposal: EditProposal, owner: Any, member: Any) -> None:
    comment = talk(member, proposal, "Off topic")
    comment_delete(actor=owner, comment=comment)
    comment.refresh_from_db()
    assert comment.is_deleted


def test_a_review_with_a_comment_is_one_transaction(proposal: EditProposal, owner: Any) -> None:
    reviewed = proposal_review_with_comment(
        actor=owner, proposal=proposal, decision="request-changes", comment="Name the package."
    )
    assert reviewed.status == ProposalStatus.CHANGES_REQUESTED
    assert [(c.author, c.body) for c in comment_list_for_proposal(proposal)] == [(owner, "Name the package.")]

    with pytest.raises(PostTooLarge):
        proposal_review_with_comment(actor=owner, proposal=proposal, decision="reject", comment="x" * 20_001)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CHANGES_REQUESTED  # the refused comment undid the review
    assert Comment.objects.count() == 1


def test_deleting_the_entry_deletes_the_discussion(proposal: EditProposal, owner: Any) -> None:
    from nexus.knowledge.services import entry_delete

    talk(owner, proposal)
    entry_delete(actor=owner, entry=proposal.entry)
    assert not Comment.objects.exists()


# --- REST --------------------------------------------------------------------------------------


def test_rest_lists_a_page_at_a_time_with_flat_queries(
    api_client: Any, proposal: EditProposal, owner: Any, member: Any
) -> None:
    for number in range(30):
        talk(owner if number % 2 else member, proposal, f"Comment {number}")
    url = f"/api/v1/proposals/{proposal.pk}/comments"
    first = api_client.get(url, {"page_size": 10}, **bearer(owner)).json()
    assert [c["body"] for c in first["results"]] == [f"Comment {n}" for n in range(10)]
    assert first["results"][0]["proposal"] == proposal.pk
    assert first["results"][0]["reactions"] == {"helpful": 0, "insightful": 0, "thanks": 0}
    rest = api_client.get(first["next"], **bearer(owner)).json()
    assert rest["results"][0]["body"] == "Comment 10"

    api_client.force_authenticate(owner)
    api_client.get(url)  # warm the per-process caches

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(url, {"page_size": size}).status_code == 200
        return len(captured)

    assert queries(5) == queries(30)


def test_rest_posts_replies_and_edits_through_the_comment_endpoints(
    api_client: Any, proposal: EditProposal, owner: Any, member: Any
) -> None:
    url = f"/api/v1/proposals/{proposal.pk}/comments"
    top = api_client.post(url, {"body": "Why?"}, format="json", **bearer(owner))
    assert top.status_code == 201
    reply = api_client.post(url, {"body": "Because.", "parent": top.json()["id"]}, format="json", **bearer(member))
    assert (reply.status_code, reply.json()["parent"], reply.json()["proposal"]) == (201, top.json()["id"], proposal.pk)

    detail = f"/api/v1/comments/{reply.json()['id']}"
    edited = api_client.patch(
        detail, {"body": "Because it is clearer.", "base_version": 1}, format="json", **bearer(member)
    )
    assert (edited.status_code, edited.json()["version"]) == (200, 2)
    revisions = api_client.get(f"{detail}/revisions", **bearer(owner)).json()
    assert [r["body"] for r in revisions] == ["Because."]
    deleted = api_client.delete(detail, **bearer(member))
    assert (deleted.status_code, deleted.json()["deleted"]) == (200, True)

    entry_thread = api_client.get(f"/api/v1/entries/{proposal.entry_id}/comments", **bearer(owner)).json()
    assert entry_thread["results"] == []


def test_rest_strangers_get_404_everywhere(api_client: Any, proposal: EditProposal, owner: Any, outsider: Any) -> None:
    comment = talk(owner, proposal)
    stranger = bearer(outsider)
    url = f"/api/v1/proposals/{proposal.pk}/comments"
    refused = [
        api_client.get(url, **stranger),
        api_client.post(url, {"body": "Hi"}, format="json", **stranger),
        api_client.get(f"/api/v1/comments/{comment.pk}", **stranger),
        api_client.get(f"/api/v1/comments/{comment.pk}/revisions", **stranger),
        api_client.patch(f"/api/v1/comments/{comment.pk}", {"body": "Mine"}, format="json", **stranger),
        api_client.delete(f"/api/v1/comments/{comment.pk}", **stranger),
        api_client.post(
            "/api/v1/reactions", {"target": "comment", "id": comment.pk, "kind": "thanks"}, format="json", **stranger
        ),
        api_client.post(
            f"/api/v1/entries/{proposal.entry_id}/comments",
            {"body": "Hi", "parent": comment.pk},
            format="json",
            **stranger,
        ),
    ]
    assert [(r.status_code, r.json()["error"]["code"]) for r in refused] == [
        (404, "proposal_not_found"),
        (404, "proposal_not_found"),
        *[(404, "comment_not_found")] * 6,
    ]
    comment.refresh_from_db()
    assert (comment.body, Comment.objects.count(), Reaction.objects.count()) == ("Why this?", 1, 0)


def test_rest_review_with_a_comment(api_client: Any, proposal: EditProposal, owner: Any, member: Any) -> None:
    url = f"/api/v1/proposals/{proposal.pk}/review"
    reviewed = api_client.post(url, {"decision": "approve", "comment": "Nice."}, format="json", **bearer(owner))
    assert (reviewed.status_code, reviewed.json()["status"]) == (200, "approved")
    assert [c.body for c in comment_list_for_proposal(proposal)] == ["Nice."]
    denied = api_client.post(url, {"decision": "approve"}, format="json", **bearer(member))
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "permission_denied")
    huge = api_client.post(url, {"decision": "reject", "comment": "x" * 20_001}, format="json", **bearer(owner))
    assert (huge.status_code, huge.json()["error"]["code"]) == (413, "post_too_large")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED


# --- GraphQL -----------------------------------------------------------------------------------

COMMENT = """mutation($id: ID!, $body: String!, $parent: ID) {
  commentOnProposal(id: $id, body: $body, parentId: $parent) {
    id body html parentId proposalId deleted author { username } reactions { thanks }
  }
}"""
THREAD = """query($id: ID!, $limit: Int!) { proposalComments(proposalId: $id, limit: $limit) {
  id body parentId author { username profile { displayName } } reactions { thanks } myReactions
} }"""


def codes(result: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors", [])]


def test_graphql_comments_replies_and_reads_the_thread(
    graphql_client: Any, proposal: EditProposal, owner: Any, member: Any
) -> None:
    top = graphql_client(COMMENT, {"id": proposal.pk, "body": "Why **this**?"}, user=owner)["data"]["commentOnProposal"]
    assert (top["html"], top["parentId"], top["proposalId"]) == (
        "<p>Why <strong>this</strong>?</p>\n",
        None,
        str(proposal.pk),
    )
    reply = graphql_client(COMMENT, {"id": proposal.pk, "body": "Because.", "parent": top["id"]}, user=member)
    assert reply["data"]["commentOnProposal"]["parentId"] == top["id"]
    thread = graphql_client(THREAD, {"id": proposal.pk, "limit": 10}, user=owner)["data"]["proposalComments"]
    assert [(c["body"], c["parentId"], c["author"]["username"]) for c in thread] == [
        ("Why **this**?", None, "owner"),
        ("Because.", top["id"], "member"),
    ]
    entry_thread = graphql_client(
        "query($id: ID!) { comments(entryId: $id) { id } }", {"id": proposal.entry_id}, user=owner
    )
    assert entry_thread["data"]["comments"] == []


@override_settings(NEXUS_COMMUNITY_POSTS_PER_MINUTE=1000)
def test_graphql_thread_query_count_is_flat(
    graphql_client: Any, proposal: EditProposal, owner: Any, member: Any, mentor: Any
) -> None:
    def counted(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = graphql_client(THREAD, {"id": proposal.pk, "limit": limit}, user=owner)
        assert len(result["data"]["proposalComments"]) == min(limit, Comment.objects.count())
        return len(captured)

    for number in range(40):
        talk((owner, member, mentor)[number % 3], proposal, f"c{number}")
    counted(1)  # warm the roles map
    assert counted(5) == counted(40)


def test_graphql_strangers_and_bad_input(
    graphql_client: Any, proposal: EditProposal, owner: Any, outsider: Any
) -> None:
    comment = talk(owner, proposal)
    react = 'mutation($id: ID!) { react(target: "comment", id: $id, kind: "thanks") { id } }'
    edit = 'mutation($id: ID!) { editComment(id: $id, body: "Mine") { id } }'
    assert codes(graphql_client(COMMENT, {"id": proposal.pk, "body": "Hi"}, user=outsider)) == ["proposal_not_found"]
    assert codes(graphql_client(THREAD, {"id": proposal.pk, "limit": 5}, user=outsider)) == ["proposal_not_found"]
    assert codes(graphql_client(react, {"id": comment.pk}, user=outsider)) == ["comment_not_found"]
    assert codes(graphql_client(edit, {"id": comment.pk}, user=outsider)) == ["comment_not_found"]
    reply = {"id": proposal.pk, "body": "Hi", "parent": comment.pk}
    assert codes(graphql_client(COMMENT, reply, user=outsider)) == ["proposal_not_found"]
    assert codes(graphql_client(COMMENT, {"id": proposal.pk, "body": "Hi"})) == ["not_authenticated"]
    assert codes(graphql_client(COMMENT, {"id": proposal.pk, "body": "   "}, user=owner)) == ["invalid"]
    assert codes(graphql_client(COMMENT, {"id": proposal.pk, "body": "x" * 20_001}, user=owner)) == ["post_too_large"]
    assert Comment.objects.count() == 1


def test_graphql_review_with_a_comment(graphql_client: Any, proposal: EditProposal, owner: Any) -> None:
    review = """mutation($id: ID!) { reviewProposal(id: $id, decision: "reject", comment: "Out of scope.") {
      status
    } }"""
    assert graphql_client(review, {"id": proposal.pk}, user=owner)["data"]["reviewProposal"] == {"status": "rejected"}
    assert [c.body for c in comment_list_for_proposal(proposal)] == ["Out of scope."]


# --- The proposal page -------------------------------------------------------------------------


@override_settings(NEXUS_COMMUNITY_POSTS_PER_MINUTE=1000)
def test_the_page_shows_the_thread_with_the_entry_templates_and_a_flat_query_count(
    proposal: EditProposal, owner: Any, member: Any
) -> None:
    first = talk(member, proposal, "Top **one**")
    talk(owner, proposal, "A reply", parent=first)
    for number in range(8):
        talk(owner, proposal, f"c{number}")
    client = signed_in(member)
    url = f"/proposals/{proposal.pk}/"
    few, html = page_queries(client, url)
    assert "<strong>one</strong>" in html
    assert re.search(rf'id="replies-{first.pk}">\s*<article class="comment" id="comment-', html)
    assert f'href="/comments/{first.pk}/reply/"' in html
    assert f'action="/proposals/{proposal.pk}/comments/"' in html
    state = json.loads(re.search(r'id="discussion-state" type="application/json">(.*?)</script>', html)[1])
    assert (state["own"], state["moderator"]) == ([first.pk], False)
    for number in range(90):
        talk(owner, proposal, f"more {number}")
    many, html = page_queries(client, url)
    assert html.count('class="comment"') == 100
    assert few == many


def test_the_entry_page_does_not_show_the_proposals_discussion(proposal: EditProposal, owner: Any) -> None:
    talk(owner, proposal, "Private review note")
    for client in (Client(), signed_in(owner)):
        html = client.get(f"/h/owner/{proposal.entry.slug}/").content.decode()
        assert "Private review note" not in html
        assert 'id="comment-count">0<' in html


def test_posting_replying_and_editing_from_the_page(proposal: EditProposal, owner: Any, member: Any) -> None:
    reviewer, author = signed_in(owner), signed_in(member)
    created = reviewer.post(f"/proposals/{proposal.pk}/comments/", {"body": "Which repo?"}, **HTMX)
    assert created.status_code == 201
    comment = Comment.objects.get()
    assert comment.proposal_id == proposal.pk
    form = author.get(f"/comments/{comment.pk}/reply/", **HTMX).content.decode()
    assert f'action="/proposals/{proposal.pk}/comments/"' in form
    replied = author.post(f"/proposals/{proposal.pk}/comments/", {"body": "Debian's.", "parent": comment.pk})
    reply = Comment.objects.get(parent=comment)
    assert replied["Location"] == f"/proposals/{proposal.pk}/#comment-{reply.pk}"
    edit_page = author.get(f"/comments/{reply.pk}/edit/").content.decode()
    assert f'href="/proposals/{proposal.pk}/#comment-{reply.pk}"' in edit_page
    saved = author.post(f"/comments/{reply.pk}/edit/", {"body": "Debian's own.", "base_version": 1})
    assert saved["Location"] == f"/proposals/{proposal.pk}/#comment-{reply.pk}"
    deleted = reviewer.post(f"/comments/{reply.pk}/delete/")
    assert deleted["Location"] == f"/proposals/{proposal.pk}/#comment-{reply.pk}"
    empty = reviewer.post(f"/proposals/{proposal.pk}/comments/", {"body": "   "}, **HTMX)
    assert (empty.status_code, "needs some text" in empty.content.decode()) == (400, True)


def test_the_page_review_form_comments_in_the_discussion(proposal: EditProposal, owner: Any) -> None:
    client = signed_in(owner)
    assert 'name="comment"' in client.get(f"/proposals/{proposal.pk}/").content.decode()
    response = client.post(f"/proposals/{proposal.pk}/review/", {"decision": "request-changes", "comment": "Pin it."})
    assert (response.status_code, response["Location"]) == (302, f"/proposals/{proposal.pk}/")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CHANGES_REQUESTED
    assert "Pin it." in client.get(f"/proposals/{proposal.pk}/").content.decode()


def test_the_page_refuses_strangers_with_404(proposal: EditProposal, owner: Any, outsider: Any) -> None:
    comment = talk(owner, proposal)
    client = signed_in(outsider)
    responses = [
        client.get(f"/proposals/{proposal.pk}/"),
        client.post(f"/proposals/{proposal.pk}/comments/", {"body": "Hi"}),
        client.post(f"/proposals/{proposal.pk}/comments/", {"body": "Hi", "parent": comment.pk}),
        client.get(f"/comments/{comment.pk}/reply/"),
        client.get(f"/comments/{comment.pk}/edit/"),
        client.post(f"/comments/{comment.pk}/delete/"),
        client.post("/react/", {"target": "comment", "id": comment.pk, "reaction": "thanks:add"}),
        client.post(f"/proposals/{proposal.pk}/review/", {"decision": "approve"}),
    ]
    assert [response.status_code for response in responses] == [404] * len(responses)
    comment.refresh_from_db()
    assert (comment.is_deleted, Comment.objects.count(), Reaction.objects.count()) == (False, 1, 0)


@override_settings(NEXUS_COMMUNITY_POSTS_PER_MINUTE=2)
@pytest.mark.usefixtures("one_posting_minute")
def test_the_proposal_discussion_shares_the_posting_limit(proposal: EditProposal, owner: Any) -> None:
    client = signed_in(owner)
    for _ in range(2):
        client.post(f"/proposals/{proposal.pk}/comments/", {"body": "spam"}, **HTMX)
    assert client.post(f"/proposals/{proposal.pk}/comments/", {"body": "spam"}, **HTMX).status_code == 429
