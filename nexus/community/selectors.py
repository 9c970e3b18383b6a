"""Reads of comments, reactions, bookmarks, questions, answers and the projects board: each
returns only what the viewer may see, in a number of queries that does not grow with the
number of rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce, Least

from nexus.accounts.models import Track
from nexus.community.errors import (
    AnnouncementNotFound,
    AnswerNotFound,
    CollaborationRequestNotFound,
    CommentNotFound,
    ProjectNotFound,
    QuestionNotFound,
    TeamNotFound,
)
from nexus.community.models import (
    Announcement,
    Answer,
    AnswerVote,
    Bookmark,
    CollaborationRequest,
    Comment,
    Project,
    Question,
    Reaction,
    ReactionKind,
    RequestStatus,
    Team,
)
from nexus.community.permissions import can_view_comment, can_view_request
from nexus.knowledge.errors import EntryNotFound
from nexus.knowledge.models import EditProposal, Entry, Technology, Topic
from nexus.knowledge.permissions import can_view_entry
from nexus.knowledge.selectors import entry_list_visible_to

REACTION_TARGETS = ("entry", "comment", "answer")
# Learners a track is matched with: the other side of the API, and full-stack with both.
OTHER_TRACKS = {
    Track.BACKEND: (Track.FRONTEND, Track.FULL_STACK),
    Track.FRONTEND: (Track.BACKEND, Track.FULL_STACK),
    Track.FULL_STACK: (Track.BACKEND, Track.FRONTEND),
}
MINUTES_PER_DAY = 24 * 60
MATCH_LIMIT = 20


# --- Comments ----------------------------------------------------------------------------


def _discussion(entry: Entry, proposal: EditProposal | None) -> Q:
    """The comments of one thread: an entry's own (no proposal), or one proposal's (whose
    entry they share)."""
    if proposal is None:
        return Q(entry=entry, proposal__isnull=True)
    return Q(proposal=proposal)


def _comment_list(thread: Q) -> QuerySet[Comment]:
    return Comment.objects.filter(thread).select_related("author__profile").order_by("created_at", "id")


def comment_list_for_entry(entry: Entry) -> QuerySet[Comment]:
    """An entry's comments, oldest first, with their authors (the caller may see the entry);
    the discussions of its proposals are not part of them."""
    return _comment_list(_discussion(entry, None))


def comment_list_for_proposal(proposal: EditProposal) -> QuerySet[Comment]:
    """A proposal's discussion, oldest first, with the authors (the caller may see it)."""
    return _comment_list(Q(proposal=proposal))


@dataclass(frozen=True)
class ThreadItem:
    comment: Comment
    depth: int


MAX_THREAD_DEPTH = 6


def comment_thread(comments: Iterable[Comment]) -> list[ThreadItem]:
    """Comments in reading order: each followed by its replies, depth-first; deeper replies
    than MAX_THREAD_DEPTH are shown at that depth. Built in memory from one query's rows."""
    children: dict[int | None, list[Comment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    ordered: list[ThreadItem] = []
    stack = [(comment, 0) for comment in reversed(children.get(None, []))]
    while stack:
        comment, depth = stack.pop()
        ordered.append(ThreadItem(comment, min(depth, MAX_THREAD_DEPTH)))
        stack.extend((reply, depth + 1) for reply in reversed(children.get(comment.pk, [])))
    return ordered


def comment_tree(comments: Iterable[Comment]) -> list[Comment]:
    """The top-level comments, each with `thread_replies` (its replies, oldest first, each
    with theirs): built in memory from one query's rows, for templates that nest."""
    rows = list(comments)
    children: dict[int | None, list[Comment]] = {}
    for comment in rows:
        children.setdefault(comment.parent_id, []).append(comment)
    for comment in rows:
        comment.thread_replies = children.get(comment.pk, [])  # type: ignore[attr-defined]
    return children.get(None, [])


# An entry's discussion is shown this many top-level comments (with all their replies) at a
# time. Pages are cut at top-level comments, which are only ever added at the end (a deleted
# one stays in the thread as "Comment deleted."), so a comment stays on the page a link
# once named.
THREADS_PER_PAGE = 20


@dataclass(frozen=True)
class ThreadPage:
    """One page of a discussion: its top-level comments (with `thread_replies`), where it
    stands among the pages, and how many comments the pages after it hold."""

    roots: list[Comment]
    number: int
    count: int
    later: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def _shown_in(root: Comment) -> int:
    """The comments a top-level comment's thread shows, deleted ones aside."""
    count, stack = 0, [root]
    while stack:
        comment = stack.pop()
        count += not comment.is_deleted
        stack.extend(comment.thread_replies)  # type: ignore[attr-defined]
    return count


def thread_page(comments: Iterable[Comment], number: int) -> ThreadPage:
    """Page `number` of a discussion (the last one past its end), from one query's rows."""
    paginator = Paginator(comment_tree(comments), THREADS_PER_PAGE)
    page = paginator.get_page(number)
    later = paginator.object_list[page.end_index() :]
    return ThreadPage(
        roots=list(page.object_list),
        number=page.number,
        count=paginator.num_pages,
        later=sum(_shown_in(root) for root in later),
    )


def comment_page_number(comment: Comment) -> int:
    """The page of its entry's discussion that shows `comment` (a proposal's is one page):
    one query for the thread's ids, whatever its length."""
    if comment.proposal_id is not None:
        return 1
    rows = list(
        Comment.objects.filter(entry_id=comment.entry_id, proposal__isnull=True)
        .order_by("created_at", "id")
        .values_list("pk", "parent_id")
    )
    parents = dict(rows)
    root = comment.pk
    while parents.get(root) is not None:
        root = parents[root]
    roots = [pk for pk, parent in rows if parent is None]
    return roots.index(root) // THREADS_PER_PAGE + 1 if root in roots else 1


def comment_get_for_user(user: Any, comment_id: int) -> Comment:
    """One comment, or CommentNotFound when its entry (for a proposal's comment: its
    proposal) may not be seen."""
    comment = (
        Comment.objects.select_related("entry__hub__owner", "author__profile", "proposal").filter(pk=comment_id).first()
    )
    if comment is not None and comment.proposal is not None:
        comment.proposal.entry = comment.entry  # the same row: no second query for it
    if comment is None or not can_view_comment(user, comment):
        raise CommentNotFound()
    return comment


def comment_revision_list(comment: Comment) -> QuerySet[Any]:
    """A comment's earlier texts, newest first."""
    return comment.revisions.select_related("editor").order_by("-number")


# --- Reactions and bookmarks -------------------------------------------------------------


def reaction_counts(target: str, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Reactions per kind for each target id, in one grouped query: {id: {kind: count}}."""
    id_list = list(ids)
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(ReactionKind.values, 0) for pk in id_list}
    if not id_list:
        return counts
    rows = (
        Reaction.objects.filter(**{f"{target}__in": id_list})
        .values_list(f"{target}_id", "kind")
        .annotate(count=Count("id"))
        .order_by()
    )
    for pk, kind, count in rows:
        counts[pk][kind] = count
    return counts


def reactions_of_user(user: Any, target: str, ids: Iterable[int]) -> dict[int, set[str]]:
    """The kinds the user gave each target id, in one query."""
    id_list = list(ids)
    mine: dict[int, set[str]] = {pk: set() for pk in id_list}
    if not id_list or not user.is_authenticated:
        return mine
    for pk, kind in Reaction.objects.filter(user=user, **{f"{target}__in": id_list}).values_list(
        f"{target}_id", "kind"
    ):
        mine[pk].add(kind)
    return mine


def thread_state_of_user(user: Any, entry: Entry, proposal: EditProposal | None = None) -> dict[str, Any]:
    """What is personal in an entry's thread (or, given `proposal`, in that proposal's) for a
    signed-in user, without loading the thread: their reactions per comment and the
    comments they wrote (two queries)."""
    thread = Comment.objects.filter(_discussion(entry, proposal))
    mine: dict[int, list[str]] = {}
    reactions = Reaction.objects.filter(user=user, comment__in=thread.values("pk"))
    for comment_id, kind in reactions.values_list("comment_id", "kind"):
        mine.setdefault(comment_id, []).append(kind)
    own = list(thread.filter(author=user, deleted_at__isnull=True).values_list("pk", flat=True))
    return {"mine": mine, "own": own}


def bookmark_list_for_user(user: Any) -> QuerySet[Bookmark]:
    """The user's bookmarks, newest first, of entries they may still see and questions."""
    if not user.is_authenticated:
        return Bookmark.objects.none()
    visible = entry_list_visible_to(user).values("pk")
    return (
        Bookmark.objects.filter(user=user)
        .filter(Q(entry__isnull=True) | Q(entry__in=visible))
        .select_related("entry__hub__owner", "question")
        .order_by("-id")
    )


def bookmarked(user: Any, *, entry: Entry | None = None, question: Question | None = None) -> bool:
    if not user.is_authenticated:
        return False
    return Bookmark.objects.filter(user=user, entry=entry, question=question).exists()


# --- Questions and answers ---------------------------------------------------------------


def question_list(
    *, topic: str | None = None, technology: str | None = None, answered: bool | None = None
) -> QuerySet[Question]:
    """Questions newest first, with their asker, vocabulary and answer count."""
    answers = Answer.objects.filter(question=OuterRef("pk")).order_by().values("question")
    questions = (
        Question.objects.select_related("author__profile")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.only("id", "name", "slug")),
            Prefetch("technologies", queryset=Technology.objects.only("id", "name", "slug")),
        )
        .annotate(
            answer_count=Coalesce(Subquery(answers.annotate(n=Count("id")).values("n")), Value(0)),
        )
        .defer("body", "html")
        .order_by("-id")
    )
    if topic:
        questions = questions.filter(topics__slug=topic)
    if technology:
        questions = questions.filter(technologies__slug=technology)
    if answered is True:
        questions = questions.filter(accepted_answer__isnull=False)
    elif answered is False:
        questions = questions.filter(accepted_answer__isnull=True)
    return questions


def question_get(question_id: int) -> Question:
    """One question with what its page shows, or QuestionNotFound."""
    question = (
        Question.objects.select_related(
            "author__profile",
            "accepted_answer__author__profile",
            "promoted_entry__hub__owner",
            "source_entry__hub__owner",
        )
        .prefetch_related("topics", "technologies")
        .filter(pk=question_id)
        .first()
    )
    if question is None:
        raise QuestionNotFound()
    return question


# Accepted first, then by score, then oldest first (the annotations of answers_scored).
ANSWER_ORDER = ("-is_accepted", "-score", "created_at", "id")


def answers_scored() -> QuerySet[Answer]:
    """Answers with their author, `score` (the sum of votes) and `is_accepted`."""
    return Answer.objects.select_related("author__profile").annotate(
        score=Coalesce(Sum("votes__value"), Value(0)),
        is_accepted=Exists(Question.objects.filter(accepted_answer=OuterRef("pk"))),
    )


def answer_list(question: Question) -> QuerySet[Answer]:
    """A question's answers: the accepted one first, then by score, then oldest first."""
    return answers_scored().filter(question=question).order_by(*ANSWER_ORDER)


def answer_get(answer_id: int) -> Answer:
    answer = Answer.objects.select_related("question__author", "author__profile").filter(pk=answer_id).first()
    if answer is None:
        raise AnswerNotFound()
    return answer


def answer_score(answer: Answer) -> int:
    return int(answer.votes.aggregate(score=Coalesce(Sum("value"), Value(0)))["score"])


def votes_of_user(user: Any, answer_ids: Iterable[int]) -> dict[int, int]:
    """The user's vote (+1 or -1) on each answer they voted on, in one query."""
    ids = list(answer_ids)
    if not ids or not user.is_authenticated:
        return {}
    return dict(AnswerVote.objects.filter(user=user, answer__in=ids).values_list("answer_id", "value"))


def questions_about_entry(user: Any, entry: Entry) -> dict[str, Any]:
    """The questions linked to an entry: the one it was promoted from, and those asked from it."""
    links = list(
        Question.objects.filter(Q(promoted_entry=entry) | Q(source_entry=entry)).only(
            "id", "title", "promoted_entry_id", "source_entry_id", "accepted_answer_id"
        )
    )
    return {
        "promoted_from": next((q for q in links if q.promoted_entry_id == entry.pk), None),
        "asked_from": [q for q in links if q.source_entry_id == entry.pk],
    }


def entry_for_question(user: Any, entry: Entry | None) -> Entry | None:
    """A linked entry as the viewer may follow it: None when they may not see it."""
    return entry if entry is not None and can_view_entry(user, entry) else None


# --- Projects ----------------------------------------------------------------------------


def project_list() -> QuerySet[Project]:
    """Every project (capstones first) with how many learners announced it."""
    return Project.objects.annotate(announcement_count=Count("announcements")).order_by("-is_capstone", "title")


def project_get(slug: str) -> Project:
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        raise ProjectNotFound(f"No project is called {slug!r}.")
    return project


def _announcements() -> QuerySet[Announcement]:
    return Announcement.objects.select_related("user__profile", "user__hub", "project").prefetch_related(
        Prefetch("stack", queryset=Technology.objects.only("id", "name", "slug"))
    )


def announcement_list(project: Project) -> QuerySet[Announcement]:
    """Who builds a project, newest first, with their profile, hub and stack."""
    return _announcements().filter(project=project).order_by("-id")


def announcement_get(announcement_id: int) -> Announcement:
    announcement = _announcements().filter(pk=announcement_id).first()
    if announcement is None:
        raise AnnouncementNotFound()
    return announcement


def announcement_of(user: Any, project: Project) -> Announcement | None:
    """The user's own announcement on a project, if any."""
    if not user.is_authenticated:
        return None
    return _announcements().filter(project=project, user=user).first()


def announcement_list_for_user(user: Any) -> QuerySet[Announcement]:
    return _announcements().filter(user=user).order_by("-id")


def match_list(announcement: Announcement, *, limit: int = MATCH_LIMIT) -> list[Announcement]:
    """Suggested collaborators for one announcement: learners on the same project from the
    other track, not yet in its team, ranked by shared stack, then same cohort, then the
    nearest time zone. Two queries (the stack, then the ranking) and one prefetch."""
    stack_ids = list(announcement.stack.values_list("id", flat=True))
    cohort = announcement.user.profile.cohort
    shared = Count("stack", filter=Q(stack__in=stack_ids), distinct=True) if stack_ids else Value(0)
    same_cohort = (
        Case(When(user__profile__cohort=cohort, then=Value(1)), default=Value(0), output_field=IntegerField())
        if cohort
        else Value(0)
    )
    gap = Abs(F("utc_offset_minutes") - announcement.utc_offset_minutes)
    candidates = (
        _announcements()
        .filter(project_id=announcement.project_id, track__in=OTHER_TRACKS[Track(announcement.track)])
        .exclude(user_id=announcement.user_id)
        .annotate(
            shared_stack=shared,
            same_cohort=same_cohort,
            # Offsets wrap round the date line: UTC+12 and UTC-11 are an hour apart.
            tz_gap_minutes=Least(gap, MINUTES_PER_DAY - gap),
        )
        .order_by("-shared_stack", "-same_cohort", "tz_gap_minutes", "-id")
    )
    if announcement.team_id is not None:
        candidates = candidates.exclude(team_id=announcement.team_id)
    return list(candidates[:limit])


# --- Collaboration requests and teams ----------------------------------------------------


def _requests() -> QuerySet[CollaborationRequest]:
    return CollaborationRequest.objects.select_related(
        "sender__user__profile", "recipient__user__profile", "sender__project"
    )


def request_list_for_user(
    user: Any, *, box: str = "received", status: str | None = None
) -> QuerySet[CollaborationRequest]:
    """Requests the user received (or sent), newest first."""
    if not user.is_authenticated:
        return CollaborationRequest.objects.none()
    side = "recipient__user" if box == "received" else "sender__user"
    requests = _requests().filter(**{side: user}).order_by("-id")
    return requests.filter(status=status) if status else requests


def request_get_for_user(user: Any, request_id: int) -> CollaborationRequest:
    """A request its sender or recipient may see, or CollaborationRequestNotFound."""
    request = _requests().filter(pk=request_id).first()
    if request is None or not can_view_request(user, request):
        raise CollaborationRequestNotFound()
    return request


def pending_request_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return CollaborationRequest.objects.filter(recipient__user=user, status=RequestStatus.PENDING).count()


def team_get(team_id: int) -> Team:
    """A team with its project and members (their profiles, hubs and stacks) loaded."""
    team = (
        Team.objects.select_related("project")
        .prefetch_related(Prefetch("members", queryset=_announcements().order_by("track", "id")))
        .filter(pk=team_id)
        .first()
    )
    if team is None:
        raise TeamNotFound()
    return team


def team_list_for_project(project: Project) -> QuerySet[Team]:
    return (
        Team.objects.filter(project=project)
        .prefetch_related(Prefetch("members", queryset=_announcements().order_by("track", "id")))
        .order_by("id")
    )


def entry_visible(user: Any, entry_id: int) -> Entry:
    """An entry the user may see (for reactions and bookmarks), or EntryNotFound."""
    entry = Entry.objects.select_related("hub__owner").filter(pk=entry_id).first()
    if entry is None or not can_view_entry(user, entry):
        raise EntryNotFound()
    return entry
