from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils import timezone

from nexus.accounts.models import User
from nexus.core.models import TimeStampedModel

no_nul = ProhibitNullCharactersValidator()

# The fields a revision snapshots and a proposal changes: what "the content" of an entry is.
CONTENT_FIELDS = ("title", "summary", "body", "problem", "solution", "outcome")


class HasContent:
    """Entries, revisions and proposals each hold a whole copy of an entry's content."""

    def content(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in CONTENT_FIELDS}


class Visibility(models.TextChoices):
    PUBLIC = "public", "Anyone"
    COHORT = "cohort", "Signed-in members"
    PRIVATE = "private", "Only me (and admins)"


class Hub(TimeStampedModel):
    """A learner's Project Nexus: their README.md as a living set of entries."""

    owner = models.OneToOneField(User, on_delete=models.CASCADE, related_name="hub")
    title = models.CharField(max_length=120, validators=[no_nul])
    intro = models.TextField(blank=True, validators=[no_nul])
    intro_html = models.TextField(blank=True, editable=False)
    cohort = models.CharField(max_length=60, blank=True, validators=[no_nul])
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)

    def __str__(self) -> str:
        return self.title


class Topic(models.Model):
    """A subject shared across hubs (Caching, Message Queues...); curated by mentors."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Technology(models.Model):
    """A tool or language (Django, Redis...); aliases let imports and search find it."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, e.g. DRF for Django REST Framework")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "technologies"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free label any author adds."""

    name = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    TECHNOLOGY = "technology", "Technology"
    CONCEPT = "concept", "Concept"
    CHALLENGE = "challenge", "Challenge"
    BEST_PRACTICE = "best-practice", "Best practice"
    TAKEAWAY = "takeaway", "Takeaway"
    WEEKLY_HIGHLIGHT = "weekly-highlight", "Weekly highlight"
    NOTE = "note", "Note"


class EntryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Entry(HasContent, TimeStampedModel):
    """One piece of knowledge in a hub. Its content is versioned by Revision; `version` is
    the number of the current revision and guards against lost updates."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    title = models.CharField(max_length=200, validators=[no_nul])
    slug = models.SlugField(max_length=220)
    summary = models.CharField(max_length=500, blank=True, validators=[no_nul])
    body = models.TextField(blank=True, validators=[no_nul])
    # A challenge's three parts; empty for other kinds.
    problem = models.TextField(blank=True, validators=[no_nul])
    solution = models.TextField(blank=True, validators=[no_nul])
    outcome = models.TextField(blank=True, validators=[no_nul])
    # Rendered once per write, never per request.
    html = models.TextField(blank=True, editable=False)
    toc = models.JSONField(default=list, blank=True, editable=False)

    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    project = models.CharField(max_length=120, blank=True, validators=[no_nul])
    verified_with = models.CharField(
        max_length=120, blank=True, validators=[no_nul], help_text="e.g. Django 5.2, DRF 3.16"
    )
    review_by = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    topics = models.ManyToManyField(Topic, blank=True, related_name="entries")
    technologies = models.ManyToManyField(Technology, blank=True, related_name="entries")
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")

    class Meta:
        verbose_name_plural = "entries"
        constraints = [models.UniqueConstraint(fields=["hub", "slug"], name="entry_slug_unique_in_hub")]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="entry_published_idx"),
            models.Index(fields=["hub", "kind", "status"], name="entry_hub_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_stale(self) -> bool:
        """Past its review-by date: the owner should check it still holds."""
        return self.review_by is not None and self.review_by < timezone.localdate()


class Revision(HasContent, models.Model):
    """An immutable snapshot of an entry's content and details; numbered 1, 2, 3... per entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=200, blank=True, validators=[no_nul])
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    problem = models.TextField(blank=True)
    solution = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    # The entry's details at this revision (services.META_FIELDS: kind, status, week,
    # project, verified_with, review_by as an ISO date, and the sorted slugs of its topics
    # and technologies and names of its tags): the base a stale write's details merge from.
    # A key that is missing means "not known" (see services._merge_meta).
    meta = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id} r{self.number}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", "Open"
    CHANGES_REQUESTED = "changes-requested", "Changes requested"
    APPROVED = "approved", "Approved"
    MERGED = "merged", "Merged"
    REJECTED = "rejected", "Rejected"


# A merged or rejected proposal is over: it takes no review, no merge and no new content.
PROPOSAL_CLOSED = (ProposalStatus.MERGED, ProposalStatus.REJECTED)


class EditProposal(HasContent, TimeStampedModel):
    """A suggested edit to someone else's entry, made against a base revision."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="proposals")
    base_revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    message = models.CharField(max_length=500, validators=[no_nul], help_text="What and why")
    title = models.CharField(max_length=200, validators=[no_nul])
    summary = models.CharField(max_length=500, blank=True, validators=[no_nul])
    body = models.TextField(blank=True, validators=[no_nul])
    problem = models.TextField(blank=True, validators=[no_nul])
    solution = models.TextField(blank=True, validators=[no_nul])
    outcome = models.TextField(blank=True, validators=[no_nul])
    status = models.CharField(max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    merged_revision = models.ForeignKey(Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["entry", "status"], name="proposal_entry_status_idx")]

    def __str__(self) -> str:
        return f"Proposal #{self.pk} on {self.entry_id}"
