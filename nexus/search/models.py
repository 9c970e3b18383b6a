"""What search reads: one document per searchable thing, the words it knows for typo
suggestions, and the queries that found nothing.

The full-text index itself lives beside SearchDocument and is kept by the database in the
same statement as the row (migrations 0002): a generated, weighted tsvector with GIN
indexes on PostgreSQL, an external-content FTS5 table maintained by triggers on SQLite.
"""

from django.conf import settings
from django.db import models

from nexus.knowledge.models import Entry, Hub, Technology, Topic


class Target(models.TextChoices):
    ENTRY = "entry", "Entry"
    HUB = "hub", "Hub"
    TOPIC = "topic", "Topic"
    TECHNOLOGY = "technology", "Technology"


class SearchDocument(models.Model):
    """The searchable text of one entry, hub, topic or technology, with copies of the
    details filters, facets and access need, so a search reads one table."""

    key = models.CharField(max_length=40, unique=True)  # "entry:12": what an upsert finds
    target = models.CharField(max_length=12, choices=Target.choices)
    # Deleting the thing deletes its document (and the database drops it from the index).
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    hub = models.ForeignKey(Hub, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    technology = models.ForeignKey(Technology, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    # Weighted fields: title A, summary and headings B, prose C, code D; `terms` holds the
    # joined forms of code tokens (select_related -> selectrelated) the parts miss.
    title = models.TextField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    code = models.TextField(blank=True)
    terms = models.TextField(blank=True)

    # Access, as knowledge decides it (selectors.entry_list_visible_to): status of the
    # entry, visibility and owner of its hub. Topics and technologies are public and published.
    status = models.CharField(max_length=10)
    visibility = models.CharField(max_length=10)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Filters and facets (entries only).
    kind = models.CharField(max_length=20, blank=True)
    author = models.CharField(max_length=150, blank=True)  # the owner's username, lowercased
    week = models.PositiveSmallIntegerField(null=True, blank=True)
    topics = models.TextField(blank=True)  # " caching performance ": slugs between spaces
    technologies = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner"], name="search_doc_owner_idx"),
            models.Index(fields=["target", "status", "-published_at"], name="search_doc_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class SearchTerm(models.Model):
    """A word some document contains: what a typo is corrected towards (pg_trgm on
    PostgreSQL, an FTS5 trigram table on SQLite)."""

    term = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.term


class ZeroResultQuery(models.Model):
    """A query that found nothing: what the cohort looks for and does not find."""

    query = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["-last_seen"], name="search_zero_recent_idx")]

    def __str__(self) -> str:
        return self.query
