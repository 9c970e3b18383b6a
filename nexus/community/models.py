"""Discussion around entries (threaded comments, reactions, bookmarks), questions and
answers, and the projects board with its announcements, collaboration requests and teams."""

from __future__ import annotations

from django.core.validators import ProhibitNullCharactersValidator, URLValidator
from django.db import models
from django.db.models import Q

from nexus.accounts.models import Track, User
from nexus.core.models import TimeStampedModel
from nexus.knowledge.models import EditProposal, Entry, Technology, Topic

no_nul = ProhibitNullCharactersValidator()


# --- Comments ----------------------------------------------------------------------------


class Comment(TimeStampedModel):
    """A comment on an entry, or a reply to one. Deleting keeps the row (a placeholder in the
    thread) so that its replies stay readable where they were.

    With `proposal` set, the comment belongs to the discussion of that suggested edit (and
    `entry` is the proposal's entry): it is seen by whoever may see the proposal, never in the
    entry's own thread."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="comments")
    proposal = models.ForeignKey(
        EditProposal, null=True, blank=True, on_delete=models.CASCADE, related_name="discussion"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(validators=[no_nul])
    html = models.TextField(editable=False)
    # Number of the current revision: 1 until the first edit.
    version = models.PositiveIntegerField(default=1, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["entry", "created_at"], name="comment_entry_created_idx"),
            models.Index(fields=["proposal", "created_at"], name="comment_proposal_created_idx"),
        ]

    def __str__(self) -> str:
        if self.proposal_id is not None:
            return f"Comment #{self.pk} on proposal {self.proposal_id}"
        return f"Comment #{self.pk} on entry {self.entry_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentRevision(models.Model):
    """An earlier text of a comment, kept when it is edited (or deleted)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    editor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["comment", "number"], name="comment_revision_unique")]

    def __str__(self) -> str:
        return f"Comment {self.comment_id} r{self.number}"


# --- Questions and answers ---------------------------------------------------------------


class Question(TimeStampedModel):
    """A learner asks; others answer; the asker or a mentor accepts one answer."""

    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="questions")
    title = models.CharField(max_length=200, validators=[no_nul])
    body = models.TextField(validators=[no_nul])
    html = models.TextField(editable=False)
    topics = models.ManyToManyField(Topic, blank=True, related_name="questions")
    technologies = models.ManyToManyField(Technology, blank=True, related_name="questions")
    accepted_answer = models.OneToOneField(
        "Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_for"
    )
    # The open challenge this question was asked from, and the entry it became: links both ways.
    source_entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions_asked"
    )
    promoted_entry = models.OneToOneField(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="promoted_from"
    )

    class Meta:
        indexes = [models.Index(fields=["-id"], name="question_newest_idx")]

    def __str__(self) -> str:
        return self.title


class Answer(TimeStampedModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(validators=[no_nul])
    html = models.TextField(editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Answer #{self.pk} to question {self.question_id}"


class AnswerVote(models.Model):
    """One vote per user and answer: +1 or -1. A score is the sum, never a stored counter."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "user"], name="answer_vote_once"),
            models.CheckConstraint(condition=Q(value__in=[-1, 1]), name="answer_vote_up_or_down"),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d} on answer {self.answer_id}"


# --- Reactions and bookmarks -------------------------------------------------------------


class ReactionKind(models.TextChoices):
    HELPFUL = "helpful", "Helpful"
    INSIGHTFUL = "insightful", "Insightful"
    THANKS = "thanks", "Thanks"


def _exactly_one(*fields: str) -> Q:
    """The condition that exactly one of the nullable foreign keys `fields` is set."""
    condition = Q()
    for chosen in fields:
        branch = Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                branch &= Q(**{f"{other}__isnull": True})
        condition |= branch
    return condition


class Reaction(models.Model):
    """One user's reaction of one kind to one entry, comment or answer. Counts are computed
    from these rows (one grouped query per page), so they cannot drift; the unique
    constraints make a double click (or two racing ones) count once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ReactionKind.choices)
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_exactly_one("entry", "comment", "answer"), name="reaction_one_target"),
            *(
                models.UniqueConstraint(
                    fields=["user", target, "kind"],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"reaction_once_per_{target}",
                )
                for target in ("entry", "comment", "answer")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="bookmarks")
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_exactly_one("entry", "question"), name="bookmark_one_target"),
            *(
                models.UniqueConstraint(
                    fields=["user", target], condition=Q(**{f"{target}__isnull": False}), name=f"bookmark_once_{target}"
                )
                for target in ("entry", "question")
            ),
        ]

    def __str__(self) -> str:
        return f"Bookmark of {self.user_id}"


# --- Projects and collaborators ----------------------------------------------------------


class Project(TimeStampedModel):
    """A project learners build: the program's capstones (seeded) and any a mentor adds."""

    title = models.CharField(max_length=120, unique=True, validators=[no_nul])
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, validators=[no_nul])
    is_capstone = models.BooleanField(default=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-is_capstone", "title"]

    def __str__(self) -> str:
        return self.title


class Team(TimeStampedModel):
    """Learners building one project together; formed when a collaboration request is accepted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="teams")

    def __str__(self) -> str:
        return f"Team #{self.pk} on {self.project_id}"


class Announcement(TimeStampedModel):
    """A learner says what they build on a project: their track, stack and time zone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="announcements")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="announcements")
    track = models.CharField(max_length=16, choices=Track.choices)
    stack = models.ManyToManyField(Technology, blank=True, related_name="announcements")
    timezone = models.CharField(max_length=64, help_text="An IANA time zone, e.g. Europe/Lisbon")
    # The zone's offset from UTC when announced, in minutes: what ranking by time zone compares.
    utc_offset_minutes = models.SmallIntegerField(default=0, editable=False)
    note = models.CharField(max_length=500, blank=True, validators=[no_nul])
    repository_url = models.URLField(max_length=300, blank=True, validators=[URLValidator(schemes=["http", "https"])])
    # What the backend side publishes for the frontend side (Swagger UI, ReDoc, GraphiQL...).
    api_docs_url = models.URLField(max_length=300, blank=True, validators=[URLValidator(schemes=["http", "https"])])
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="announcement_once_per_project")]
        indexes = [models.Index(fields=["project", "track"], name="announcement_project_track_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.project_id}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class CollaborationRequest(TimeStampedModel):
    """One learner asks another (on the same project) to build it together."""

    sender = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="requests_sent")
    recipient = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="requests_received")
    message = models.CharField(max_length=1000, blank=True, validators=[no_nul])
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "recipient"],
                condition=Q(status="pending"),
                name="collaboration_request_pending_once",
            ),
            models.CheckConstraint(condition=~Q(sender=models.F("recipient")), name="collaboration_not_self"),
        ]

    def __str__(self) -> str:
        return f"Request {self.sender_id} -> {self.recipient_id} ({self.status})"
