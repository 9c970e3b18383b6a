"""GraphQL face of the community: the same reads and writes as REST, through the same
selectors and services, with list query counts that do not grow with the list."""

from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from django.db.models import Prefetch
from strawberry import auto
from strawberry.types import Info

from nexus.accounts.graphql import UserType
from nexus.community import models
from nexus.community.errors import (
    AnnouncementNotFound,
    AnswerNotFound,
    CollaborationRequestNotFound,
    CommentNotFound,
    QuestionNotFound,
    TeamNotFound,
)
from nexus.community.selectors import (
    ANSWER_ORDER,
    REACTION_TARGETS,
    announcement_get,
    announcement_of,
    answer_get,
    answer_score,
    answers_scored,
    bookmark_list_for_user,
    comment_get_for_user,
    comment_list_for_entry,
    comment_list_for_proposal,
    entry_visible,
    match_list,
    project_get,
    project_list,
    question_get,
    question_list,
    reaction_counts,
    reactions_of_user,
    request_get_for_user,
    request_list_for_user,
    team_get,
)
from nexus.community.services import (
    announcement_save,
    answer_accept,
    answer_post,
    answer_vote,
    bookmark_set,
    collaboration_request_answer,
    collaboration_request_send,
    comment_delete,
    comment_edit,
    comment_post,
    comment_post_on_proposal,
    project_add,
    proposal_review_with_comment,
    question_ask,
    question_ask_from_entry,
    question_promote,
    reaction_set,
)
from nexus.core.errors import InvalidInput
from nexus.graphql.context import signed_in_user
from nexus.graphql.paging import PAGING, id_to_pk, page_slice
from nexus.knowledge.errors import EntryNotFound, ProposalNotFound
from nexus.knowledge.graphql import EntryType, ProposalType, TechnologyType, TopicType
from nexus.knowledge.models import Technology
from nexus.knowledge.selectors import proposal_get_for_user


def _user_field(relation: str) -> Any:
    # User.roles reads is_superuser, which the optimizer does not know to load with a related user.
    return strawberry_django.field(only=[f"{relation}__is_superuser"])


@strawberry.type(name="ReactionCounts")
class ReactionCountsType:
    helpful: int
    insightful: int
    thanks: int


def _counts(root: Any) -> ReactionCountsType:
    return _counts_of(getattr(root, "reaction_counts", None) or {})


def _counts_of(counts: dict[str, int]) -> ReactionCountsType:
    return ReactionCountsType(
        helpful=counts.get("helpful", 0), insightful=counts.get("insightful", 0), thanks=counts.get("thanks", 0)
    )


def _attach_reactions(user: Any, target: str, items: list[Any]) -> list[Any]:
    """Each item's reaction counts and the viewer's own, two queries for the whole list."""
    ids = [item.pk for item in items]
    counts, mine = reaction_counts(target, ids), reactions_of_user(user, target, ids)
    for item in items:
        item.reaction_counts, item.my_reactions = counts[item.pk], sorted(mine[item.pk])
    return items


@strawberry_django.type(models.Comment, name="Comment")
class CommentType:
    id: auto
    body: auto
    html: auto
    version: auto
    created_at: auto
    edited_at: auto

    @strawberry_django.field(only=["parent_id"])
    def parent_id(self, root: strawberry.Parent[models.Comment]) -> strawberry.ID | None:  # type: ignore[misc]
        return strawberry.ID(str(root.parent_id)) if root.parent_id else None

    @strawberry_django.field(only=["proposal_id"], description="Set on a comment in a proposal's discussion.")
    def proposal_id(self, root: strawberry.Parent[models.Comment]) -> strawberry.ID | None:  # type: ignore[misc]
        return strawberry.ID(str(root.proposal_id)) if root.proposal_id else None

    @strawberry_django.field(only=["deleted_at"])
    def deleted(self, root: strawberry.Parent[models.Comment]) -> bool:  # type: ignore[misc]
        return root.is_deleted

    @strawberry_django.field(
        only=["deleted_at", *(f"author__{n}" for n in ("username", "date_joined", "is_superuser"))],
        select_related=["author__profile"],
        description="Null once the comment is deleted.",
    )
    def author(self, root: strawberry.Parent[models.Comment]) -> UserType | None:  # type: ignore[misc]
        return None if root.is_deleted else root.author  # type: ignore[return-value]

    @strawberry.field
    def reactions(self, root: strawberry.Parent[models.Comment]) -> ReactionCountsType:  # type: ignore[misc]
        return _counts(root)

    @strawberry.field
    def my_reactions(self, root: strawberry.Parent[models.Comment]) -> list[str]:  # type: ignore[misc]
        return list(getattr(root, "my_reactions", []))


@strawberry_django.type(models.Answer, name="Answer")
class AnswerType:
    id: auto
    body: auto
    html: auto
    created_at: auto
    author: UserType = _user_field("author")

    @strawberry.field(description="Up votes minus down votes.")
    def score(self, root: strawberry.Parent[models.Answer]) -> int:  # type: ignore[misc]
        score = getattr(root, "score", None)
        return int(score) if score is not None else answer_score(root)

    @strawberry.field
    def accepted(self, root: strawberry.Parent[models.Answer]) -> bool:  # type: ignore[misc]
        return bool(getattr(root, "is_accepted", False))


def _answers_prefetch(info: Info) -> Prefetch:
    # A list of questions loads all their answers, scored, in one query.
    return Prefetch("answers", queryset=answers_scored().order_by(*ANSWER_ORDER), to_attr="scored_answers")


@strawberry_django.type(models.Question, name="Question")
class QuestionType:
    id: auto
    title: auto
    body: auto
    html: auto
    created_at: auto
    author: UserType = _user_field("author")
    topics: list[TopicType]
    technologies: list[TechnologyType]

    @strawberry_django.field(only=["accepted_answer_id"])
    def accepted_answer_id(self, root: strawberry.Parent[models.Question]) -> strawberry.ID | None:  # type: ignore[misc]
        return strawberry.ID(str(root.accepted_answer_id)) if root.accepted_answer_id else None

    @strawberry_django.field(
        select_related=["promoted_entry__hub__owner__profile"],
        description="The challenge entry this question became, when promoted.",
    )
    def promoted_entry(self, root: strawberry.Parent[models.Question]) -> EntryType | None:  # type: ignore[misc]
        return root.promoted_entry  # type: ignore[return-value]

    @strawberry_django.field(only=["source_entry_id"], description="The open challenge it was asked from.")
    def source_entry_id(self, root: strawberry.Parent[models.Question]) -> strawberry.ID | None:  # type: ignore[misc]
        return strawberry.ID(str(root.source_entry_id)) if root.source_entry_id else None

    @strawberry_django.field(prefetch_related=[_answers_prefetch], description="Accepted first, then by score.")
    def answers(self, root: strawberry.Parent[models.Question]) -> list[AnswerType]:  # type: ignore[misc]
        scored = getattr(root, "scored_answers", None)
        if scored is None:
            scored = list(answers_scored().filter(question=root).order_by(*ANSWER_ORDER))
        return scored  # type: ignore[return-value]

    @strawberry.field(description="Lists annotate it; one question counts its answers.")
    def answer_count(self, root: strawberry.Parent[models.Question]) -> int:  # type: ignore[misc]
        annotated = getattr(root, "answer_count", None)
        if annotated is not None:
            return int(annotated)
        scored = getattr(root, "scored_answers", None)
        return len(scored) if scored is not None else root.answers.count()


@strawberry_django.type(models.Team, name="Team")
class TeamType:
    id: auto

    @strawberry_django.field(select_related=["project"])
    def project(self, root: strawberry.Parent[models.Team]) -> ProjectType:  # type: ignore[misc]
        return root.project  # type: ignore[return-value]

    @strawberry.field
    def members(self, root: strawberry.Parent[models.Team]) -> list[AnnouncementType]:  # type: ignore[misc]
        return list(root.members.all())  # type: ignore[arg-type]

    @strawberry.field(description="The API docs links the backend side publishes for the frontend side.")
    def api_docs(self, root: strawberry.Parent[models.Team]) -> list[str]:  # type: ignore[misc]
        return [m.api_docs_url for m in root.members.all() if m.api_docs_url and m.track != "frontend"]


def _stack_prefetch(info: Info) -> Prefetch:
    return Prefetch("stack", queryset=Technology.objects.only("id", "name", "slug", "aliases"))


@strawberry_django.type(models.Announcement, name="Announcement")
class AnnouncementType:
    id: auto
    track: auto
    timezone: auto
    utc_offset_minutes: auto
    note: auto
    repository_url: auto
    api_docs_url: auto
    created_at: auto
    user: UserType = _user_field("user")

    @strawberry_django.field(prefetch_related=[_stack_prefetch])
    def stack(self, root: strawberry.Parent[models.Announcement]) -> list[TechnologyType]:  # type: ignore[misc]
        return list(root.stack.all())  # type: ignore[arg-type]

    @strawberry_django.field(select_related=["project"])
    def project_slug(self, root: strawberry.Parent[models.Announcement]) -> str:  # type: ignore[misc]
        return root.project.slug

    @strawberry_django.field(only=["team_id"])
    def team_id(self, root: strawberry.Parent[models.Announcement]) -> strawberry.ID | None:  # type: ignore[misc]
        return strawberry.ID(str(root.team_id)) if root.team_id else None

    @strawberry_django.field(only=["user__username"])
    def hub_url(self, root: strawberry.Parent[models.Announcement]) -> str:  # type: ignore[misc]
        return f"/h/{root.user.username}/"


@strawberry.type(name="Match", description="A suggested collaborator and why: shared stack, cohort, time zone.")
class MatchType:
    announcement: AnnouncementType
    shared_stack: int
    same_cohort: bool
    tz_gap_minutes: int


@strawberry_django.type(models.Project, name="Project")
class ProjectType:
    slug: auto
    title: auto
    description: auto
    is_capstone: auto

    @strawberry.field
    def announcement_count(self, root: strawberry.Parent[models.Project]) -> int:  # type: ignore[misc]
        annotated = getattr(root, "announcement_count", None)
        return int(annotated) if annotated is not None else root.announcements.count()

    @strawberry_django.field(
        prefetch_related=[
            lambda info: Prefetch(
                "announcements",
                queryset=models.Announcement.objects.select_related("user__profile").prefetch_related("stack"),
                to_attr="listed_announcements",
            )
        ],
        description="Who builds it, newest first.",
    )
    def announcements(self, root: strawberry.Parent[models.Project]) -> list[AnnouncementType]:  # type: ignore[misc]
        listed = getattr(root, "listed_announcements", None)
        return listed if listed is not None else list(root.announcements.all())  # type: ignore[arg-type]


@strawberry_django.type(models.CollaborationRequest, name="CollaborationRequest")
class CollaborationRequestType:
    id: auto
    message: auto
    status: auto
    created_at: auto
    responded_at: auto
    sender: AnnouncementType
    recipient: AnnouncementType


@strawberry.type(name="ReactionState")
class ReactionStateType:
    target: str
    id: strawberry.ID
    reactions: ReactionCountsType
    my_reactions: list[str]


@strawberry.type(name="VoteResult")
class VoteResultType:
    answer_id: strawberry.ID
    my_vote: int
    score: int


@strawberry.type(name="Bookmark")
class BookmarkType:
    title: str
    url: str
    entry_id: strawberry.ID | None
    question_id: strawberry.ID | None


@strawberry.input(description="A question: title, Markdown body, topic and technology slugs.")
class QuestionInput:
    title: str
    body: str
    topics: list[str] | None = strawberry.UNSET
    technologies: list[str] | None = strawberry.UNSET


@strawberry.input(description="Your announcement on a project; omitted fields keep their value.")
class AnnouncementInput:
    track: str | None = strawberry.UNSET
    stack: list[str] | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    note: str | None = strawberry.UNSET
    repository_url: str | None = strawberry.UNSET
    api_docs_url: str | None = strawberry.UNSET


def _sent(data: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(data).items() if value is not strawberry.UNSET}


def _reaction_target(user: Any, target: str, target_id: strawberry.ID) -> Any:
    if target not in REACTION_TARGETS:
        raise InvalidInput(details={"target": [f"Choose one of: {', '.join(REACTION_TARGETS)}."]})
    if target == "entry":
        return entry_visible(user, id_to_pk(target_id, EntryNotFound))
    if target == "comment":
        return comment_get_for_user(user, id_to_pk(target_id, CommentNotFound))
    return answer_get(id_to_pk(target_id, AnswerNotFound))


@strawberry.type
class CommunityQuery:
    @strawberry.field(description=f"An entry's comments, oldest first (parentId threads them). {PAGING}")
    def comments(self, info: Info, entry_id: strawberry.ID, limit: int = 50, offset: int = 0) -> list[CommentType]:
        user = info.context.request.user
        entry = entry_visible(user, id_to_pk(entry_id, EntryNotFound))
        comments = list(comment_list_for_entry(entry)[page_slice(limit, offset)])
        return _attach_reactions(user, "comment", comments)  # type: ignore[return-value]

    @strawberry.field(
        description=f"A proposal's discussion (its author and reviewers), oldest first; parentId threads it. {PAGING}"
    )
    def proposal_comments(
        self, info: Info, proposal_id: strawberry.ID, limit: int = 50, offset: int = 0
    ) -> list[CommentType]:
        user = signed_in_user(info)
        proposal = proposal_get_for_user(user, id_to_pk(proposal_id, ProposalNotFound))
        comments = list(comment_list_for_proposal(proposal)[page_slice(limit, offset)])
        return _attach_reactions(user, "comment", comments)  # type: ignore[return-value]

    @strawberry_django.field(description=f"Questions, newest first; filter by topic, technology, answered. {PAGING}")
    def questions(
        self,
        info: Info,
        topic: str | None = None,
        technology: str | None = None,
        answered: bool | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[QuestionType]:
        page = page_slice(limit, offset)
        return question_list(topic=topic, technology=technology, answered=answered)[page]  # type: ignore[return-value]

    @strawberry_django.field(description="One question with its answers.")
    def question(self, info: Info, id: strawberry.ID) -> QuestionType:
        return question_get(id_to_pk(id, QuestionNotFound))  # type: ignore[return-value]

    @strawberry.field(description="Your bookmarks, newest first (sign in).")
    def bookmarks(self, info: Info, limit: int = 20, offset: int = 0) -> list[BookmarkType]:
        user = signed_in_user(info)
        return [
            BookmarkType(
                title=b.entry.title if b.entry else b.question.title,  # type: ignore[union-attr]
                url=f"/h/{b.entry.hub.owner.username}/{b.entry.slug}/" if b.entry else f"/questions/{b.question_id}/",
                entry_id=strawberry.ID(str(b.entry_id)) if b.entry_id else None,
                question_id=strawberry.ID(str(b.question_id)) if b.question_id else None,
            )
            for b in bookmark_list_for_user(user)[page_slice(limit, offset)]
        ]

    @strawberry_django.field(description="The projects board: capstones first.")
    def projects(self, info: Info) -> list[ProjectType]:
        return project_list()  # type: ignore[return-value]

    @strawberry_django.field(description="One project.")
    def project(self, info: Info, slug: str) -> ProjectType:
        return project_get(slug)  # type: ignore[return-value]

    @strawberry.field(description="Suggested collaborators for you on a project (announce it first).")
    def matches(self, info: Info, project: str) -> list[MatchType]:
        user = signed_in_user(info)
        mine = announcement_of(user, project_get(project))
        if mine is None:
            raise AnnouncementNotFound("Announce this project first: matches are for learners who build it.")
        return [
            MatchType(
                announcement=found,  # type: ignore[arg-type]
                shared_stack=found.shared_stack,  # type: ignore[attr-defined]
                same_cohort=bool(found.same_cohort),  # type: ignore[attr-defined]
                tz_gap_minutes=found.tz_gap_minutes,  # type: ignore[attr-defined]
            )
            for found in match_list(mine)
        ]

    @strawberry_django.field(description=f"Collaboration requests you received (or sent). {PAGING}")
    def collaboration_requests(
        self, info: Info, box: str = "received", status: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[CollaborationRequestType]:
        user = signed_in_user(info)
        if box not in ("received", "sent"):
            raise InvalidInput(details={"box": ["Choose received or sent."]})
        if status is not None and status not in models.RequestStatus.values:
            raise InvalidInput(details={"status": [f"Choose one of: {', '.join(models.RequestStatus.values)}."]})
        return request_list_for_user(user, box=box, status=status)[page_slice(limit, offset)]  # type: ignore[return-value]

    @strawberry.field(description="A team: its project, members and the backend side's API docs.")
    def team(self, info: Info, id: strawberry.ID) -> TeamType:
        return team_get(id_to_pk(id, TeamNotFound))  # type: ignore[return-value]


@strawberry.type
class CommunityMutation:
    @strawberry.mutation(description="Comment on an entry (or reply, with parentId); Markdown.")
    def post_comment(
        self, info: Info, entry_id: strawberry.ID, body: str, parent_id: strawberry.ID | None = None
    ) -> CommentType:
        user = signed_in_user(info)
        entry = entry_visible(user, id_to_pk(entry_id, EntryNotFound))
        parent = comment_get_for_user(user, id_to_pk(parent_id, CommentNotFound)) if parent_id else None
        comment = comment_post(actor=user, entry=entry, body=body, parent=parent)
        return _attach_reactions(user, "comment", [comment])[0]  # type: ignore[no-any-return]

    @strawberry.mutation(description="Comment on a proposal (its author and reviewers), or reply with parentId.")
    def comment_on_proposal(
        self, info: Info, id: strawberry.ID, body: str, parent_id: strawberry.ID | None = None
    ) -> CommentType:
        user = signed_in_user(info)
        proposal = proposal_get_for_user(user, id_to_pk(id, ProposalNotFound))
        parent = comment_get_for_user(user, id_to_pk(parent_id, CommentNotFound)) if parent_id else None
        comment = comment_post_on_proposal(actor=user, proposal=proposal, body=body, parent=parent)
        return _attach_reactions(user, "comment", [comment])[0]  # type: ignore[no-any-return]

    @strawberry.mutation(
        description="Approve, request changes on, or reject a proposal; `comment` says why in its discussion."
    )
    def review_proposal(self, info: Info, id: strawberry.ID, decision: str, comment: str = "") -> ProposalType:
        user = signed_in_user(info)
        proposal = proposal_get_for_user(user, id_to_pk(id, ProposalNotFound))
        return proposal_review_with_comment(  # type: ignore[return-value]
            actor=user, proposal=proposal, decision=decision, comment=comment
        )

    @strawberry.mutation(description="Change your comment; baseVersion turns a lost update into a conflict.")
    def edit_comment(self, info: Info, id: strawberry.ID, body: str, base_version: int | None = None) -> CommentType:
        user = signed_in_user(info)
        comment = comment_get_for_user(user, id_to_pk(id, CommentNotFound))
        return comment_edit(actor=user, comment=comment, body=body, base_version=base_version)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a comment; its place (and replies) stay in the thread.")
    def delete_comment(self, info: Info, id: strawberry.ID) -> CommentType:
        user = signed_in_user(info)
        return comment_delete(actor=user, comment=comment_get_for_user(user, id_to_pk(id, CommentNotFound)))  # type: ignore[return-value]

    @strawberry.mutation(description="React (helpful, insightful, thanks) to an entry, comment or answer; idempotent.")
    def react(self, info: Info, target: str, id: strawberry.ID, kind: str, active: bool = True) -> ReactionStateType:
        user = signed_in_user(info)
        found = _reaction_target(user, target, id)
        reaction_set(actor=user, target=found, kind=kind, active=active)
        return ReactionStateType(
            target=target,
            id=strawberry.ID(str(found.pk)),
            reactions=_counts_of(reaction_counts(target, [found.pk])[found.pk]),
            my_reactions=sorted(reactions_of_user(user, target, [found.pk])[found.pk]),
        )

    @strawberry.mutation(description="Bookmark (or, with active: false, forget) an entry or a question.")
    def bookmark(
        self,
        info: Info,
        entry_id: strawberry.ID | None = None,
        question_id: strawberry.ID | None = None,
        active: bool = True,
    ) -> bool:
        user = signed_in_user(info)
        if (entry_id is None) == (question_id is None):
            raise InvalidInput(details={"entryId": ["Send an entryId or a questionId (one of them)."]})
        entry = entry_visible(user, id_to_pk(entry_id, EntryNotFound)) if entry_id is not None else None
        question = question_get(id_to_pk(question_id, QuestionNotFound)) if question_id is not None else None
        return bookmark_set(actor=user, entry=entry, question=question, active=active)

    @strawberry.mutation(description="Ask a question.")
    def ask_question(self, info: Info, input: QuestionInput) -> QuestionType:
        user = signed_in_user(info)
        return question_get(question_ask(actor=user, data=_sent(input)).pk)  # type: ignore[return-value]

    @strawberry.mutation(description="Turn your open challenge (no solution yet) into a question.")
    def ask_from_entry(self, info: Info, entry_id: strawberry.ID) -> QuestionType:
        user = signed_in_user(info)
        entry = entry_visible(user, id_to_pk(entry_id, EntryNotFound))
        return question_get(question_ask_from_entry(actor=user, entry=entry).pk)  # type: ignore[return-value]

    @strawberry.mutation(description="Answer a question; Markdown, @mentions notify.")
    def answer_question(self, info: Info, question_id: strawberry.ID, body: str) -> AnswerType:
        user = signed_in_user(info)
        question = question_get(id_to_pk(question_id, QuestionNotFound))
        return answer_post(actor=user, question=question, body=body)  # type: ignore[return-value]

    @strawberry.mutation(description="Vote an answer up (1), down (-1), or take your vote back (0).")
    def vote_answer(self, info: Info, id: strawberry.ID, value: int) -> VoteResultType:
        user = signed_in_user(info)
        answer = answer_get(id_to_pk(id, AnswerNotFound))
        vote = answer_vote(actor=user, answer=answer, value=value)
        return VoteResultType(answer_id=strawberry.ID(str(answer.pk)), my_vote=vote, score=answer_score(answer))

    @strawberry.mutation(description="Accept an answer to your question (mentors: to any question).")
    def accept_answer(self, info: Info, id: strawberry.ID) -> QuestionType:
        user = signed_in_user(info)
        question = answer_accept(actor=user, answer=answer_get(id_to_pk(id, AnswerNotFound)))
        return question_get(question.pk)  # type: ignore[return-value]

    @strawberry.mutation(description="Turn your question and its accepted answer into a challenge entry in your hub.")
    def promote_question(self, info: Info, id: strawberry.ID) -> QuestionType:
        user = signed_in_user(info)
        question = question_get(id_to_pk(id, QuestionNotFound))
        question_promote(actor=user, question=question)
        return question_get(question.pk)  # type: ignore[return-value]

    @strawberry.mutation(description="Add a project to the board (mentors and admins).")
    def add_project(self, info: Info, title: str, description: str = "") -> ProjectType:
        user = signed_in_user(info)
        return project_add(actor=user, data={"title": title, "description": description})  # type: ignore[return-value]

    @strawberry.mutation(description="Announce what you build on a project, or change your announcement.")
    def announce_project(self, info: Info, project: str, input: AnnouncementInput) -> AnnouncementType:
        user = signed_in_user(info)
        saved = announcement_save(actor=user, project=project_get(project), data=_sent(input))
        return announcement_get(saved.pk)  # type: ignore[return-value]

    @strawberry.mutation(description="Ask a learner who announced the same project to collaborate.")
    def request_collaboration(
        self, info: Info, announcement_id: strawberry.ID, message: str = ""
    ) -> CollaborationRequestType:
        user = signed_in_user(info)
        recipient = announcement_get(id_to_pk(announcement_id, AnnouncementNotFound))
        sent = collaboration_request_send(actor=user, recipient=recipient, message=message)
        return request_get_for_user(user, sent.pk)  # type: ignore[return-value]

    @strawberry.mutation(description="Accept (both join one team) or decline a request you received.")
    def answer_collaboration_request(self, info: Info, id: strawberry.ID, accept: bool) -> CollaborationRequestType:
        user = signed_in_user(info)
        found = request_get_for_user(user, id_to_pk(id, CollaborationRequestNotFound))
        collaboration_request_answer(actor=user, request=found, accept=accept)
        return request_get_for_user(user, found.pk)  # type: ignore[return-value]
