"""REST face of the community: comments, reactions, bookmarks, questions, answers, votes,
accepting and promoting, projects, announcements, matches, collaboration requests, teams."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import Track
from nexus.api.pagination import NexusCursorPagination
from nexus.api.serializers import ErrorOutput, InputSerializer
from nexus.community.errors import AnnouncementNotFound
from nexus.community.models import (
    Announcement,
    Answer,
    Bookmark,
    CollaborationRequest,
    Comment,
    Project,
    Question,
    ReactionKind,
    RequestStatus,
)
from nexus.community.selectors import (
    REACTION_TARGETS,
    announcement_get,
    announcement_list,
    announcement_of,
    answer_get,
    answer_list,
    answer_score,
    bookmark_list_for_user,
    comment_get_for_user,
    comment_list_for_entry,
    comment_list_for_proposal,
    comment_revision_list,
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
    votes_of_user,
)
from nexus.community.services import (
    MAX_POST_CHARS,
    announcement_save,
    announcement_withdraw,
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
from nexus.knowledge.rest import ProposalOutput, VocabularyOutput
from nexus.knowledge.selectors import proposal_get_for_user
from nexus.knowledge.services import REVIEW_DECISIONS

ERRORS = {code: OpenApiResponse(ErrorOutput) for code in (400, 401, 403, 404, 409, 413, 429)}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


# --- Output -------------------------------------------------------------------------------


class PersonOutput(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField(source="profile.name")


class ReactionCountsOutput(serializers.Serializer):
    helpful = serializers.IntegerField()
    insightful = serializers.IntegerField()
    thanks = serializers.IntegerField()


class ReactionsMixin(serializers.Serializer):
    """Adds `reactions` (counts) and `my_reactions` from the maps a list view computed once."""

    reactions = serializers.SerializerMethodField()
    my_reactions = serializers.SerializerMethodField()

    @extend_schema_field(ReactionCountsOutput)
    def get_reactions(self, obj: Any) -> dict[str, int]:
        return self.context.get("counts", {}).get(obj.pk, dict.fromkeys(ReactionKind.values, 0))

    def get_my_reactions(self, obj: Any) -> list[str]:
        return sorted(self.context.get("mine", {}).get(obj.pk, set()))


class CommentOutput(ReactionsMixin):
    id = serializers.IntegerField()
    entry = serializers.IntegerField(source="entry_id")
    proposal = serializers.IntegerField(
        source="proposal_id", allow_null=True, help_text="Set on a comment in a proposal's discussion"
    )
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    html = serializers.CharField()
    version = serializers.IntegerField(help_text="Send it back as base_version when you edit.")
    deleted = serializers.BooleanField(source="is_deleted")
    edited_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    @extend_schema_field(PersonOutput(allow_null=True))
    def get_author(self, comment: Comment) -> dict[str, Any] | None:
        # A deleted comment keeps its place in the thread, not who wrote it.
        return None if comment.is_deleted else PersonOutput(comment.author).data


class CommentRevisionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    body = serializers.CharField()
    editor = serializers.CharField(source="editor.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class ReactionStateOutput(serializers.Serializer):
    target = serializers.ChoiceField(choices=REACTION_TARGETS)
    id = serializers.IntegerField()
    reactions = ReactionCountsOutput()
    my_reactions = serializers.ListField(child=serializers.CharField())


class QuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = PersonOutput()
    topics = VocabularyOutput(many=True)
    technologies = VocabularyOutput(many=True)
    answer_count = serializers.IntegerField()
    accepted_answer = serializers.IntegerField(source="accepted_answer_id", allow_null=True)
    promoted_entry = serializers.IntegerField(source="promoted_entry_id", allow_null=True)
    source_entry = serializers.IntegerField(source="source_entry_id", allow_null=True)
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, question: Question) -> str:
        return f"/questions/{question.pk}/"


class QuestionDetailOutput(QuestionOutput):
    body = serializers.CharField()
    html = serializers.CharField()
    answer_count = serializers.SerializerMethodField()  # type: ignore[assignment]
    promoted_entry_url = serializers.SerializerMethodField()

    def get_answer_count(self, question: Question) -> int:
        return int(getattr(question, "answer_count", None) or question.answers.count())

    def get_promoted_entry_url(self, question: Question) -> str | None:
        entry = question.promoted_entry
        return None if entry is None else f"/h/{entry.hub.owner.username}/{entry.slug}/"


class AnswerOutput(ReactionsMixin):
    id = serializers.IntegerField()
    question = serializers.IntegerField(source="question_id")
    author = PersonOutput()
    body = serializers.CharField()
    html = serializers.CharField()
    score = serializers.IntegerField()
    accepted = serializers.SerializerMethodField()
    my_vote = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_accepted(self, answer: Answer) -> bool:
        return bool(self.context.get("accepted_id") == answer.pk or getattr(answer, "is_accepted", 0))

    def get_my_vote(self, answer: Answer) -> int:
        return int(self.context.get("votes", {}).get(answer.pk, 0))


class VoteOutput(serializers.Serializer):
    answer = serializers.IntegerField()
    my_vote = serializers.IntegerField()
    score = serializers.IntegerField()


class BookmarkOutput(serializers.Serializer):
    id = serializers.IntegerField()
    entry = serializers.IntegerField(source="entry_id", allow_null=True)
    question = serializers.IntegerField(source="question_id", allow_null=True)
    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_title(self, bookmark: Bookmark) -> str:
        return bookmark.entry.title if bookmark.entry else bookmark.question.title  # type: ignore[union-attr]

    def get_url(self, bookmark: Bookmark) -> str:
        if bookmark.entry:
            return f"/h/{bookmark.entry.hub.owner.username}/{bookmark.entry.slug}/"
        return f"/questions/{bookmark.question_id}/"


class ProjectOutput(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    is_capstone = serializers.BooleanField()
    announcement_count = serializers.IntegerField(default=0)


class AnnouncementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.CharField(source="project.slug")
    user = PersonOutput()
    cohort = serializers.CharField(source="user.profile.cohort")
    track = serializers.ChoiceField(choices=Track.choices)
    stack = VocabularyOutput(many=True)
    timezone = serializers.CharField()
    utc_offset_minutes = serializers.IntegerField()
    note = serializers.CharField()
    repository_url = serializers.CharField()
    api_docs_url = serializers.CharField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    hub_url = serializers.SerializerMethodField()

    def get_hub_url(self, announcement: Announcement) -> str:
        return f"/h/{announcement.user.username}/"


class MatchOutput(AnnouncementOutput):
    shared_stack = serializers.IntegerField(help_text="Technologies in both stacks")
    same_cohort = serializers.BooleanField()
    tz_gap_minutes = serializers.IntegerField(help_text="How far apart the time zones are")


class CollaborationRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.CharField(source="sender.project.slug")
    sender = AnnouncementOutput()
    recipient = AnnouncementOutput()
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    created_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField(allow_null=True)


class TeamOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = ProjectOutput()
    members = AnnouncementOutput(many=True, source="members.all")
    api_docs = serializers.SerializerMethodField(help_text="The API docs links the backend side publishes")

    def get_api_docs(self, team: Any) -> list[str]:
        return [m.api_docs_url for m in team.members.all() if m.api_docs_url and m.track != Track.FRONTEND]


# --- Input --------------------------------------------------------------------------------


class EntryCommentInput(InputSerializer):
    body = serializers.CharField(trim_whitespace=False, help_text=f"Markdown, at most {MAX_POST_CHARS} characters")
    parent = serializers.IntegerField(  # type: ignore[assignment]
        min_value=1, required=False, allow_null=True, help_text="The comment replied to"
    )


class ReviewInput(InputSerializer):
    decision = serializers.ChoiceField(choices=sorted(REVIEW_DECISIONS))
    comment = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="Said in the proposal's discussion"
    )


class CommentEditInput(InputSerializer):
    body = serializers.CharField(trim_whitespace=False)
    base_version = serializers.IntegerField(min_value=1, required=False, help_text="The version you edited")


class ReactionInput(InputSerializer):
    target = serializers.ChoiceField(choices=REACTION_TARGETS)
    id = serializers.IntegerField(min_value=1, max_value=2**62)
    kind = serializers.ChoiceField(choices=ReactionKind.choices)


class BookmarkInput(InputSerializer):
    entry = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    question = serializers.IntegerField(min_value=1, max_value=2**62, required=False)


class QuestionInput(InputSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(trim_whitespace=False)
    topics = serializers.ListField(child=serializers.SlugField(), required=False, max_length=10)
    technologies = serializers.ListField(child=serializers.SlugField(), required=False, max_length=10)


class AnswerInput(InputSerializer):
    body = serializers.CharField(trim_whitespace=False)


class VoteInput(InputSerializer):
    value = serializers.ChoiceField(choices=[-1, 0, 1], help_text="1 up, -1 down, 0 takes your vote back")


class ProjectInput(InputSerializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)


class AnnouncementInput(InputSerializer):
    track = serializers.ChoiceField(choices=Track.choices, required=False)
    stack = serializers.ListField(child=serializers.SlugField(), required=False, max_length=20)
    timezone = serializers.CharField(max_length=64, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    repository_url = serializers.CharField(max_length=300, required=False, allow_blank=True)
    api_docs_url = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CollaborationRequestInput(InputSerializer):
    announcement = serializers.IntegerField(min_value=1, max_value=2**62, help_text="Whom you ask: their announcement")
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True)


def _valid(serializer_class: type[InputSerializer], request: Request) -> dict[str, Any]:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# --- Comments -----------------------------------------------------------------------------


class CommentPagination(NexusCursorPagination):
    ordering = "id"  # a thread reads oldest first
    page_size = 50


def _comment_context(request: Request, comments: list[Comment]) -> dict[str, Any]:
    ids = [comment.pk for comment in comments]
    return {"counts": reaction_counts("comment", ids), "mine": reactions_of_user(request.user, "comment", ids)}


class ThreadListApi(ListAPIView):
    """One thread's comments a page at a time, each with its reaction counts and yours (two
    queries for the page); `thread` says which thread the URL names."""

    serializer_class = CommentOutput
    pagination_class = CommentPagination

    def thread(self) -> QuerySet[Comment]:
        """The comments of the thread the URL names, for the caller (404 when unseen); each
        list view below says which thread that is."""
        raise NotImplementedError("a thread list view names its thread")

    def get_queryset(self) -> QuerySet[Comment]:
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return self.thread()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        data = CommentOutput(page, many=True, context=_comment_context(request, page)).data
        return self.get_paginated_response(data)


class EntryCommentListApi(ThreadListApi):
    """An entry's comments, oldest first (`parent` says which comment each replies to).
    POST comments (or, with `parent`, replies); 100 a minute is spam: 429."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def thread(self) -> QuerySet[Comment]:
        return comment_list_for_entry(entry_visible(self.request.user, self.kwargs["entry_id"]))

    @extend_schema(
        operation_id="entry_comments_create",
        request=EntryCommentInput,
        responses={201: CommentOutput, **_errors(400, 401, 404, 413, 429)},
    )
    def post(self, request: Request, entry_id: int) -> Response:
        fields = _valid(EntryCommentInput, request)
        entry = entry_visible(request.user, entry_id)
        parent = None
        if fields.get("parent"):
            parent = comment_get_for_user(request.user, fields["parent"])
        comment = comment_post(actor=request.user, entry=entry, body=fields["body"], parent=parent)
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class ProposalCommentListApi(ThreadListApi):
    """A proposal's discussion (its author and reviewers only), oldest first, threaded like an
    entry's (`parent`). POST comments (or, with `parent`, replies)."""

    permission_classes = [IsAuthenticated]

    def thread(self) -> QuerySet[Comment]:
        return comment_list_for_proposal(proposal_get_for_user(self.request.user, self.kwargs["proposal_id"]))

    @extend_schema(
        operation_id="proposals_comments_create",
        request=EntryCommentInput,
        responses={201: CommentOutput, **_errors(400, 401, 403, 404, 413, 429)},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        fields = _valid(EntryCommentInput, request)
        proposal = proposal_get_for_user(request.user, proposal_id)
        parent = comment_get_for_user(request.user, fields["parent"]) if fields.get("parent") else None
        comment = comment_post_on_proposal(actor=request.user, proposal=proposal, body=fields["body"], parent=parent)
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class ProposalReviewApi(APIView):
    """Approve, request changes on, or reject a proposal; `comment` says why in its discussion."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReviewInput, responses={200: ProposalOutput, **_errors(400, 403, 404, 413, 429)})
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = proposal_get_for_user(request.user, proposal_id)
        fields = _valid(ReviewInput, request)
        reviewed = proposal_review_with_comment(actor=request.user, proposal=proposal, **fields)
        return Response(ProposalOutput(reviewed).data)


class CommentDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: CommentOutput, 404: ERRORS[404]})
    def get(self, request: Request, comment_id: int) -> Response:
        comment = comment_get_for_user(request.user, comment_id)
        return Response(CommentOutput(comment, context=_comment_context(request, [comment])).data)

    @extend_schema(request=CommentEditInput, responses={200: CommentOutput, **_errors(400, 403, 404, 409, 413)})
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = comment_get_for_user(request.user, comment_id)
        fields = _valid(CommentEditInput, request)
        edited = comment_edit(
            actor=request.user, comment=comment, body=fields["body"], base_version=fields.get("base_version")
        )
        return Response(CommentOutput(edited).data)

    @extend_schema(
        responses={200: CommentOutput, **_errors(403, 404)}, summary="Soft delete: the placeholder stays in the thread"
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = comment_get_for_user(request.user, comment_id)
        return Response(CommentOutput(comment_delete(actor=request.user, comment=comment)).data)


class CommentRevisionListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: CommentRevisionOutput(many=True), 404: ERRORS[404]})
    def get(self, request: Request, comment_id: int) -> Response:
        """A comment's earlier texts, newest first."""
        comment = comment_get_for_user(request.user, comment_id)
        return Response(CommentRevisionOutput(comment_revision_list(comment)[:100], many=True).data)


# --- Reactions and bookmarks --------------------------------------------------------------


def reaction_target(user: Any, target: str, target_id: int) -> Any:
    """The entry, comment or answer a reaction names, found as the user may see it."""
    if target == "entry":
        return entry_visible(user, target_id)
    if target == "comment":
        return comment_get_for_user(user, target_id)
    return answer_get(target_id)


def reaction_state(user: Any, target: str, target_id: int) -> dict[str, Any]:
    return {
        "target": target,
        "id": target_id,
        "reactions": reaction_counts(target, [target_id])[target_id],
        "my_reactions": sorted(reactions_of_user(user, target, [target_id])[target_id]),
    }


class ReactionApi(APIView):
    """React to an entry, comment or answer (helpful, insightful, thanks); DELETE takes it
    back. Both are idempotent: a double click counts once."""

    permission_classes = [IsAuthenticated]

    def _set(self, request: Request, active: bool) -> Response:
        fields = _valid(ReactionInput, request)
        target = reaction_target(request.user, fields["target"], fields["id"])
        reaction_set(actor=request.user, target=target, kind=fields["kind"], active=active)
        return Response(ReactionStateOutput(reaction_state(request.user, fields["target"], target.pk)).data)

    @extend_schema(request=ReactionInput, responses={200: ReactionStateOutput, **_errors(400, 401, 404)})
    def post(self, request: Request) -> Response:
        return self._set(request, True)

    @extend_schema(request=ReactionInput, responses={200: ReactionStateOutput, **_errors(400, 401, 404)})
    def delete(self, request: Request) -> Response:
        return self._set(request, False)


class BookmarkListApi(ListAPIView):
    """Your bookmarks, newest first. POST bookmarks an entry or a question; DELETE forgets it."""

    permission_classes = [IsAuthenticated]
    serializer_class = BookmarkOutput

    def get_queryset(self) -> QuerySet[Bookmark]:
        return bookmark_list_for_user(self.request.user)

    def _set(self, request: Request, active: bool) -> Response:
        fields = _valid(BookmarkInput, request)
        if ("entry" in fields) == ("question" in fields):
            raise InvalidInput(details={"entry": ["Send an entry or a question (one of them)."]})
        entry = entry_visible(request.user, fields["entry"]) if "entry" in fields else None
        question = question_get(fields["question"]) if "question" in fields else None
        saved = bookmark_set(actor=request.user, entry=entry, question=question, active=active)
        return Response({"bookmarked": saved})

    @extend_schema(
        operation_id="bookmarks_create",
        request=BookmarkInput,
        responses={200: OpenApiResponse(description='{"bookmarked": true}'), **_errors(400, 401, 404)},
    )
    def post(self, request: Request) -> Response:
        return self._set(request, True)

    @extend_schema(
        operation_id="bookmarks_destroy",
        request=BookmarkInput,
        responses={200: OpenApiResponse(description='{"bookmarked": false}'), **_errors(400, 401, 404)},
    )
    def delete(self, request: Request) -> Response:
        return self._set(request, False)


# --- Questions and answers ----------------------------------------------------------------


def _boolean(value: str | None, name: str) -> bool | None:
    if value in (None, ""):
        return None
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise InvalidInput(details={name: ["Send true or false."]})


class QuestionListApi(ListAPIView):
    """Questions, newest first; filter by topic, technology and answered (true/false).
    POST asks one."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = QuestionOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("topic", str, description="Topic slug"),
            OpenApiParameter("technology", str, description="Technology slug"),
            OpenApiParameter(
                "answered", bool, description="Only questions with (true) or without (false) an accepted answer"
            ),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Question]:
        params = self.request.query_params
        return question_list(
            topic=params.get("topic") or None,
            technology=params.get("technology") or None,
            answered=_boolean(params.get("answered"), "answered"),
        )

    @extend_schema(
        operation_id="questions_create",
        request=QuestionInput,
        responses={201: QuestionDetailOutput, **_errors(400, 401, 413, 429)},
    )
    def post(self, request: Request) -> Response:
        question = question_ask(actor=request.user, data=_valid(QuestionInput, request))
        return Response(QuestionDetailOutput(question_get(question.pk)).data, status=status.HTTP_201_CREATED)


class QuestionDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: QuestionDetailOutput, 404: ERRORS[404]})
    def get(self, request: Request, question_id: int) -> Response:
        return Response(QuestionDetailOutput(question_get(question_id)).data)


class QuestionFromEntryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: QuestionDetailOutput, **_errors(400, 403, 404)},
        summary="Turn your open challenge (no solution yet) into a question",
    )
    def post(self, request: Request, entry_id: int) -> Response:
        entry = entry_visible(request.user, entry_id)
        question = question_ask_from_entry(actor=request.user, entry=entry)
        return Response(QuestionDetailOutput(question_get(question.pk)).data, status=status.HTTP_201_CREATED)


class AnswerPagination(NexusCursorPagination):
    ordering = "id"


class QuestionAnswerListApi(ListAPIView):
    """A question's answers, oldest first, with score, whether accepted and your vote. POST answers."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = AnswerOutput
    pagination_class = AnswerPagination

    def get_queryset(self) -> QuerySet[Answer]:
        if getattr(self, "swagger_fake_view", False):
            return Answer.objects.none()
        return answer_list(question_get(self.kwargs["question_id"])).order_by("id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        ids = [answer.pk for answer in page]
        context = {
            "counts": reaction_counts("answer", ids),
            "mine": reactions_of_user(request.user, "answer", ids),
            "votes": votes_of_user(request.user, ids),
        }
        return self.get_paginated_response(AnswerOutput(page, many=True, context=context).data)

    @extend_schema(
        operation_id="question_answers_create",
        request=AnswerInput,
        responses={201: AnswerOutput, **_errors(400, 401, 404, 413, 429)},
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = question_get(question_id)
        answer = answer_post(actor=request.user, question=question, body=_valid(AnswerInput, request)["body"])
        answer.score = 0  # type: ignore[attr-defined]
        return Response(AnswerOutput(answer).data, status=status.HTTP_201_CREATED)


class AnswerVoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=VoteInput, responses={200: VoteOutput, **_errors(400, 401, 403, 404)})
    def post(self, request: Request, answer_id: int) -> Response:
        answer = answer_get(answer_id)
        vote = answer_vote(actor=request.user, answer=answer, value=int(_valid(VoteInput, request)["value"]))
        return Response({"answer": answer.pk, "my_vote": vote, "score": answer_score(answer)})


class AnswerAcceptApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: QuestionDetailOutput, **_errors(401, 403, 404)},
        summary="Accept an answer to your question (or, as a mentor, to any)",
    )
    def post(self, request: Request, answer_id: int) -> Response:
        question = answer_accept(actor=request.user, answer=answer_get(answer_id))
        return Response(QuestionDetailOutput(question_get(question.pk)).data)


class QuestionPromoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: QuestionDetailOutput, **_errors(400, 401, 403, 404, 409)},
        summary="Turn the question and its accepted answer into a challenge entry in your hub",
    )
    def post(self, request: Request, question_id: int) -> Response:
        question_promote(actor=request.user, question=question_get(question_id))
        return Response(QuestionDetailOutput(question_get(question_id)).data, status=status.HTTP_201_CREATED)


# --- Projects -----------------------------------------------------------------------------


class ProjectListApi(ListAPIView):
    """The projects board: capstones first. Mentors POST new projects."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = ProjectOutput
    pagination_class = None  # a short curated list

    def get_queryset(self) -> QuerySet[Project]:
        return project_list()

    @extend_schema(
        operation_id="projects_create", request=ProjectInput, responses={201: ProjectOutput, **_errors(400, 403)}
    )
    def post(self, request: Request) -> Response:
        project = project_add(actor=request.user, data=_valid(ProjectInput, request))
        return Response(ProjectOutput(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProjectOutput, 404: ERRORS[404]})
    def get(self, request: Request, slug: str) -> Response:
        return Response(ProjectOutput(project_get(slug)).data)


class ProjectAnnouncementListApi(ListAPIView):
    """Who builds this project, newest first. POST announces yours (or changes it)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = AnnouncementOutput

    def get_queryset(self) -> QuerySet[Announcement]:
        if getattr(self, "swagger_fake_view", False):
            return Announcement.objects.none()
        return announcement_list(project_get(self.kwargs["slug"]))

    @extend_schema(
        operation_id="project_announcements_create",
        request=AnnouncementInput,
        responses={200: AnnouncementOutput, **_errors(400, 401, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        project = project_get(slug)
        saved = announcement_save(actor=request.user, project=project, data=_valid(AnnouncementInput, request))
        return Response(AnnouncementOutput(announcement_get(saved.pk)).data)


class AnnouncementDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: AnnouncementOutput, 404: ERRORS[404]})
    def get(self, request: Request, announcement_id: int) -> Response:
        return Response(AnnouncementOutput(announcement_get(announcement_id)).data)

    @extend_schema(responses={204: None, **_errors(403, 404)})
    def delete(self, request: Request, announcement_id: int) -> Response:
        announcement_withdraw(actor=request.user, announcement=announcement_get(announcement_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectMatchListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: MatchOutput(many=True), **_errors(400, 401, 404)},
        summary="Suggested collaborators for you on this project: the other track, best match first",
    )
    def get(self, request: Request, slug: str) -> Response:
        mine = announcement_of(request.user, project_get(slug))
        if mine is None:
            raise AnnouncementNotFound("Announce this project first: matches are for learners who build it.")
        return Response(MatchOutput(match_list(mine), many=True).data)


# --- Collaboration requests and teams -----------------------------------------------------


class CollaborationRequestListApi(ListAPIView):
    """Requests you received (box=received, the default) or sent (box=sent); POST asks a learner."""

    permission_classes = [IsAuthenticated]
    serializer_class = CollaborationRequestOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("box", str, enum=["received", "sent"]),
            OpenApiParameter("status", str, enum=RequestStatus.values),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CollaborationRequest]:
        params = self.request.query_params
        box = params.get("box") or "received"
        state = params.get("status") or None
        if box not in ("received", "sent"):
            raise InvalidInput(details={"box": ["Choose received or sent."]})
        if state is not None and state not in RequestStatus.values:
            raise InvalidInput(details={"status": [f"Choose one of: {', '.join(RequestStatus.values)}."]})
        return request_list_for_user(self.request.user, box=box, status=state)

    @extend_schema(
        operation_id="collaboration_requests_create",
        request=CollaborationRequestInput,
        responses={201: CollaborationRequestOutput, **_errors(400, 401, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        fields = _valid(CollaborationRequestInput, request)
        recipient = announcement_get(fields["announcement"])
        sent = collaboration_request_send(actor=request.user, recipient=recipient, message=fields.get("message", ""))
        return Response(
            CollaborationRequestOutput(request_get_for_user(request.user, sent.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CollaborationRequestAnswerApi(APIView):
    permission_classes = [IsAuthenticated]
    accept = True

    @extend_schema(request=None, responses={200: CollaborationRequestOutput, **_errors(400, 403, 404)})
    def post(self, request: Request, request_id: int) -> Response:
        found = request_get_for_user(request.user, request_id)
        collaboration_request_answer(actor=request.user, request=found, accept=self.accept)
        return Response(CollaborationRequestOutput(request_get_for_user(request.user, request_id)).data)


class CollaborationRequestAcceptApi(CollaborationRequestAnswerApi):
    accept = True


class CollaborationRequestDeclineApi(CollaborationRequestAnswerApi):
    accept = False


class TeamDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: TeamOutput, 404: ERRORS[404]})
    def get(self, request: Request, team_id: int) -> Response:
        """A team: its project, its members with their hubs, and the backend side's API docs."""
        return Response(TeamOutput(team_get(team_id)).data)


api_urlpatterns = [
    path("entries/<int:entry_id>/comments", EntryCommentListApi.as_view(), name="entry-comments"),
    path("entries/<int:entry_id>/question", QuestionFromEntryApi.as_view(), name="entry-question"),
    path("proposals/<int:proposal_id>/comments", ProposalCommentListApi.as_view(), name="proposal-comments"),
    path("proposals/<int:proposal_id>/review", ProposalReviewApi.as_view(), name="proposal-review"),
    path("comments/<int:comment_id>", CommentDetailApi.as_view(), name="comment-detail"),
    path("comments/<int:comment_id>/revisions", CommentRevisionListApi.as_view(), name="comment-revisions"),
    path("reactions", ReactionApi.as_view(), name="reactions"),
    path("bookmarks", BookmarkListApi.as_view(), name="bookmark-list"),
    path("questions", QuestionListApi.as_view(), name="question-list"),
    path("questions/<int:question_id>", QuestionDetailApi.as_view(), name="question-detail"),
    path("questions/<int:question_id>/answers", QuestionAnswerListApi.as_view(), name="question-answers"),
    path("questions/<int:question_id>/promote", QuestionPromoteApi.as_view(), name="question-promote"),
    path("answers/<int:answer_id>/vote", AnswerVoteApi.as_view(), name="answer-vote"),
    path("answers/<int:answer_id>/accept", AnswerAcceptApi.as_view(), name="answer-accept"),
    path("projects", ProjectListApi.as_view(), name="project-list"),
    path("projects/<slug:slug>", ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<slug:slug>/announcements", ProjectAnnouncementListApi.as_view(), name="project-announcements"),
    path("projects/<slug:slug>/matches", ProjectMatchListApi.as_view(), name="project-matches"),
    path("announcements/<int:announcement_id>", AnnouncementDetailApi.as_view(), name="announcement-detail"),
    path("collaboration-requests", CollaborationRequestListApi.as_view(), name="collaboration-request-list"),
    path(
        "collaboration-requests/<int:request_id>/accept",
        CollaborationRequestAcceptApi.as_view(),
        name="collaboration-request-accept",
    ),
    path(
        "collaboration-requests/<int:request_id>/decline",
        CollaborationRequestDeclineApi.as_view(),
        name="collaboration-request-decline",
    ),
    path("teams/<int:team_id>", TeamDetailApi.as_view(), name="team-detail"),
]
