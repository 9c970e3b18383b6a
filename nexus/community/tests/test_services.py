"""The community's rules at the service level: threads, history, soft delete, reactions,
Q&A with acceptance and promotion, announcements, requests and teams."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from nexus.accounts.tests.factories import UserFactory
from nexus.community.errors import (
    AlreadyPromoted,
    AnswerNotAccepted,
    CommentConflict,
    CommentDeleted,
    NotAnnounced,
    NotAnOpenChallenge,
    PostingTooFast,
    RequestClosed,
    RequestExists,
)
from nexus.community.models import Bookmark, Comment, CommentRevision, Question, Reaction, RequestStatus
from nexus.community.selectors import (
    answer_list,
    comment_list_for_entry,
    comment_thread,
    match_list,
    reaction_counts,
    team_get,
)
from nexus.community.services import (
    PostTooLarge,
    answer_accept,
    answer_vote,
    bookmark_set,
    collaboration_request_answer,
    collaboration_request_send,
    comment_delete,
    comment_edit,
    question_ask_from_entry,
    question_promote,
    reaction_set,
)
from nexus.community.tests.factories import make_announcement, make_answer, make_comment, make_question
from nexus.core.errors import InvalidInput, PermissionDenied
from nexus.knowledge.errors import EntryNotFound
from nexus.knowledge.models import EntryKind, EntryStatus, Visibility
from nexus.knowledge.services import hub_ensure, hub_update
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db


def test_replies_keep_their_place_when_the_parent_is_deleted(owner: Any, member: Any, outsider: Any) -> None:
    entry = make_entry(owner)
    first = make_comment(member, entry, "First!")
    reply = make_comment(outsider, entry, "A reply", parent=first)
    make_comment(owner, entry, "Second top-level")
    comment_delete(actor=member, comment=first)

    thread = comment_thread(comment_list_for_entry(entry))
    assert [(item.comment.body, item.depth) for item in thread] == [("", 0), ("A reply", 1), ("Second top-level", 0)]
    deleted = thread[0].comment
    assert deleted.is_deleted
    assert deleted.html == ""
    assert deleted.pk == first.pk
    assert Comment.objects.get(pk=reply.pk).parent_id == first.pk
    with pytest.raises(CommentDeleted):
        make_comment(owner, entry, "reply to a ghost", parent=deleted)


def test_edit_keeps_history_and_refuses_a_stale_version(owner: Any, member: Any) -> None:
    comment = make_comment(member, make_entry(owner), "Fist draft")
    edited = comment_edit(actor=member, comment=comment, body="First draft, **fixed**", base_version=1)
    assert (edited.version, edited.html) == (2, "<p>First draft, <strong>fixed</strong></p>\n")
    assert list(CommentRevision.objects.values_list("number", "body")) == [(1, "Fist draft")]
    with pytest.raises(CommentConflict):
        comment_edit(actor=member, comment=comment, body="again", base_version=1)
    with pytest.raises(PermissionDenied):
        comment_edit(actor=owner, comment=comment, body="owner rewrites")
    assert Comment.objects.get(pk=comment.pk).body == "First draft, **fixed**"


def test_markdown_is_sanitised_and_oversized_comments_are_refused(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    comment = make_comment(member, entry, "<script>alert(1)</script>[x](javascript:alert(1))")
    assert "<script" not in comment.html
    assert 'href="javascript' not in comment.html
    with pytest.raises(PostTooLarge) as refused:
        make_comment(member, entry, "a" * 20_001)
    assert refused.value.status == 413
    with pytest.raises(InvalidInput):
        make_comment(member, entry, "   \n")
    assert Comment.objects.count() == 1


def test_hidden_entries_cannot_be_discussed_or_reacted_to(owner: Any, member: Any) -> None:
    draft = make_entry(owner, status=EntryStatus.DRAFT)
    with pytest.raises(EntryNotFound):
        make_comment(member, draft)
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": Visibility.PRIVATE})
    with pytest.raises(EntryNotFound):
        make_comment(member, make_entry(owner, title="Private one"))
    assert Comment.objects.count() == 0


@override_settings(NEXUS_COMMUNITY_POSTS_PER_MINUTE=5)
@pytest.mark.usefixtures("one_posting_minute")
def test_posting_too_fast_is_refused_across_comments_and_answers(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    for number in range(4):
        make_comment(member, entry, f"comment {number}")
    make_answer(member, make_question(owner))
    with pytest.raises(PostingTooFast) as refused:
        make_comment(member, entry, "one too many")
    assert refused.value.status == 429
    assert 1 <= refused.value.details["retry_after_seconds"] <= 60
    make_comment(owner, entry, "someone else still may")  # the budget is per user
    assert Comment.objects.filter(author=member).count() == 4


def test_reactions_count_once_per_user_and_kind(owner: Any, member: Any, outsider: Any) -> None:
    entry = make_entry(owner)
    for user in (member, member, outsider):
        reaction_set(actor=user, target=entry, kind="helpful")
    reaction_set(actor=member, target=entry, kind="thanks")
    assert reaction_counts("entry", [entry.pk])[entry.pk] == {"helpful": 2, "insightful": 0, "thanks": 1}
    reaction_set(actor=member, target=entry, kind="helpful", active=False)
    reaction_set(actor=member, target=entry, kind="helpful", active=False)
    assert reaction_counts("entry", [entry.pk])[entry.pk]["helpful"] == 1
    with pytest.raises(InvalidInput):
        reaction_set(actor=member, target=entry, kind="love")
    assert Reaction.objects.count() == 2


def test_bookmarks_are_idempotent(owner: Any, member: Any) -> None:
    entry, question = make_entry(owner), make_question(owner)
    assert bookmark_set(actor=member, entry=entry) is True
    assert bookmark_set(actor=member, entry=entry) is True
    assert bookmark_set(actor=member, question=question) is True
    assert Bookmark.objects.filter(user=member).count() == 2
    assert bookmark_set(actor=member, entry=entry, active=False) is False
    assert Bookmark.objects.filter(user=member).count() == 1


def test_votes_are_one_per_user_and_order_answers(owner: Any, member: Any, outsider: Any, mentor: Any) -> None:
    question = make_question(owner)
    weak, strong = make_answer(member, question, "weak"), make_answer(outsider, question, "strong")
    answer_vote(actor=owner, answer=strong, value=1)
    answer_vote(actor=owner, answer=strong, value=1)
    answer_vote(actor=mentor, answer=strong, value=1)
    answer_vote(actor=owner, answer=weak, value=-1)
    assert [(a.body, a.score) for a in answer_list(question)] == [("strong", 2), ("weak", -1)]
    answer_vote(actor=owner, answer=weak, value=0)
    with pytest.raises(PermissionDenied):
        answer_vote(actor=member, answer=weak, value=1)  # your own answer
    with pytest.raises(InvalidInput):
        answer_vote(actor=owner, answer=weak, value=5)
    accepted = answer_accept(actor=owner, answer=weak)
    assert [a.body for a in answer_list(accepted)] == ["weak", "strong"]  # accepted first


def test_only_the_asker_or_a_mentor_accepts(owner: Any, member: Any, outsider: Any, mentor: Any) -> None:
    question = make_question(owner)
    answer = make_answer(member, question)
    with pytest.raises(PermissionDenied) as refused:
        answer_accept(actor=outsider, answer=answer)
    assert "asked" in refused.value.message
    assert Question.objects.get(pk=question.pk).accepted_answer_id is None
    assert answer_accept(actor=mentor, answer=answer).accepted_answer_id == answer.pk


def test_promote_creates_a_challenge_in_the_askers_hub_crediting_the_answerer(owner: Any, member: Any) -> None:
    question = make_question(owner, topics=["performance"], technologies=["django"])
    answer = make_answer(member, question, "Use `select_related` for foreign keys.")
    with pytest.raises(AnswerNotAccepted):
        question_promote(actor=owner, question=question)
    answer_accept(actor=owner, answer=answer)
    with pytest.raises(PermissionDenied):
        question_promote(actor=member, question=question)

    entry = question_promote(actor=owner, question=question)
    assert (entry.hub.owner, entry.kind, entry.status) == (owner, EntryKind.CHALLENGE, EntryStatus.PUBLISHED)
    assert entry.problem == question.body
    assert entry.solution.startswith("Use `select_related` for foreign keys.")
    assert "/u/member/" in entry.solution
    assert list(entry.topics.values_list("slug", flat=True)) == ["performance"]
    assert entry.revisions.get().message == f"From question #{question.pk}, answered by @member"
    assert Question.objects.get(pk=question.pk).promoted_entry == entry
    assert entry.promoted_from == question
    with pytest.raises(AlreadyPromoted):
        question_promote(actor=owner, question=question)


def test_an_open_challenge_becomes_a_question_once(owner: Any, member: Any) -> None:
    challenge = make_entry(
        owner,
        kind=EntryKind.CHALLENGE,
        title="Celery tasks run twice",
        problem="Every task runs twice.",
        topics=["message-queues"],
    )
    question = question_ask_from_entry(actor=owner, entry=challenge)
    assert question.source_entry == challenge
    assert question.body.startswith("Every task runs twice.")
    assert list(question.topics.values_list("slug", flat=True)) == ["message-queues"]
    assert question_ask_from_entry(actor=owner, entry=challenge) == question
    with pytest.raises(PermissionDenied):
        question_ask_from_entry(actor=member, entry=challenge)
    solved = make_entry(owner, kind=EntryKind.CHALLENGE, title="Solved", problem="p", solution="s")
    with pytest.raises(NotAnOpenChallenge):
        question_ask_from_entry(actor=owner, entry=solved)


def test_matches_rank_by_stack_then_cohort_then_time_zone(db: None) -> None:
    me = UserFactory(username="be", profile__track="backend", profile__cohort="2026-autumn")
    mine = make_announcement(me, track="backend", stack=["django", "graphql", "postgresql"], timezone="Europe/Lisbon")
    people = {
        "two_shared": ("frontend", ["graphql", "postgresql"], "Asia/Tokyo", "2025-spring"),
        "one_shared_cohort": ("frontend", ["graphql"], "America/New_York", "2026-autumn"),
        "one_shared_near": ("full-stack", ["django"], "Europe/London", "2025-spring"),
        "one_shared_far": ("frontend", ["django"], "Pacific/Auckland", "2025-spring"),
        "backend_too": ("backend", ["django", "graphql", "postgresql"], "Europe/Lisbon", "2026-autumn"),
    }
    for username, (track, stack, zone, cohort) in people.items():
        user = UserFactory(username=username, profile__track=track, profile__cohort=cohort)
        make_announcement(user, track=track, stack=stack, timezone=zone)
    make_announcement(UserFactory(username="other_project"), "job-board", track="frontend", stack=["django"])

    ranked = [(a.user.username, a.shared_stack, a.same_cohort) for a in match_list(mine)]
    assert ranked == [
        ("two_shared", 2, 0),
        ("one_shared_cohort", 1, 1),
        ("one_shared_near", 1, 0),
        ("one_shared_far", 1, 0),
    ]


def test_matches_cost_a_fixed_number_of_queries(db: None, django_assert_num_queries: Any) -> None:
    me = UserFactory(username="be", profile__track="backend")
    mine = make_announcement(me, track="backend", stack=["django"])
    for number in range(15):
        make_announcement(UserFactory(username=f"fe{number}"), track="frontend", stack=["django", "graphql"])
    # The announcement, its stack, its author's profile, the ranking, the stacks of the ranked.
    with django_assert_num_queries(5):
        fresh = type(mine).objects.select_related("user").get(pk=mine.pk)
        assert len(match_list(fresh)) == 15


def test_a_request_accepted_makes_a_team_and_teams_merge(db: None) -> None:
    backend = make_announcement(
        UserFactory(username="be"), track="backend", api_docs_url="https://be.example/api/docs/"
    )
    frontend = make_announcement(UserFactory(username="fe"), track="frontend")
    other = make_announcement(UserFactory(username="fe2"), track="frontend")
    with pytest.raises(NotAnnounced):
        collaboration_request_send(actor=UserFactory(username="lurker"), recipient=backend)

    request = collaboration_request_send(actor=frontend.user, recipient=backend, message="Build the poll together?")
    with pytest.raises(RequestExists):
        collaboration_request_send(actor=backend.user, recipient=frontend)
    with pytest.raises(PermissionDenied):
        collaboration_request_answer(actor=frontend.user, request=request, accept=True)
    collaboration_request_answer(actor=backend.user, request=request, accept=True)
    with pytest.raises(RequestClosed):
        collaboration_request_answer(actor=backend.user, request=request, accept=False)

    backend.refresh_from_db()
    team = team_get(backend.team_id)
    assert sorted(m.user.username for m in team.members.all()) == ["be", "fe"]
    declined = collaboration_request_send(actor=other.user, recipient=backend)
    collaboration_request_answer(actor=backend.user, request=declined, accept=False)
    assert declined.status == RequestStatus.DECLINED
    other.refresh_from_db()
    assert other.team_id is None


def test_announcement_links_must_be_http(owner: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        make_announcement(owner, repository_url="javascript:alert(1)", api_docs_url="ftp://docs.example/")
    assert refused.value.details == {"repository_url": ["Enter a valid URL."], "api_docs_url": ["Enter a valid URL."]}
