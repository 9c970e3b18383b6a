"""Writes to the search index. Knowledge services call these inside their own
transaction, so an entry is searchable (or gone) as soon as its write commits."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from nexus.core.rows import ModelColumns
from nexus.knowledge.models import Entry, EntryStatus, Hub, Technology, Topic, Visibility
from nexus.search.caching import search_vocabulary_changed
from nexus.search.documents import code_terms, entry_text, slugs_field, vocabulary_words
from nexus.search.models import SearchDocument, SearchTerm, Target, ZeroResultQuery
from nexus.search.query import CONTROL

REINDEX_BATCH = 500


def _entry_document(entry: Entry) -> tuple[SearchDocument, set[str]]:
    """The document of an entry whose hub, owner and vocabulary are loaded (or loadable)."""
    topics = list(entry.topics.all())
    technologies = list(entry.technologies.all())
    tags = [tag.name for tag in entry.tags.all()]
    names = [t.name for t in topics] + [t.name for t in technologies]
    names += [alias for t in technologies for alias in t.aliases or []] + tags
    text = entry_text(
        kind=entry.kind,
        title=entry.title,
        summary=entry.summary,
        body=entry.body,
        problem=entry.problem,
        solution=entry.solution,
        outcome=entry.outcome,
        vocabulary=names,
    )
    hub = entry.hub
    document = SearchDocument(
        key=f"entry:{entry.pk}",
        target=Target.ENTRY,
        entry_id=entry.pk,
        title=text.title,
        summary=text.summary,
        body=text.body,
        code=text.code,
        terms=text.terms,
        status=entry.status,
        visibility=hub.visibility,
        owner_id=hub.owner_id,
        kind=entry.kind,
        author=hub.owner.username.lower(),
        week=entry.week,
        topics=slugs_field(t.slug for t in topics),
        technologies=slugs_field(t.slug for t in technologies),
        published_at=entry.published_at,
    )
    return document, vocabulary_words(text.title, text.summary, text.body, text.code)


def _hub_document(hub: Hub) -> tuple[SearchDocument, set[str]]:
    owner = hub.owner
    name = getattr(getattr(owner, "profile", None), "name", "") or owner.username
    summary = f"{name} {owner.username} {hub.cohort}"
    document = SearchDocument(
        key=f"hub:{hub.pk}",
        target=Target.HUB,
        hub_id=hub.pk,
        title=hub.title,
        summary=summary,
        body=hub.intro,
        terms=code_terms(hub.title, summary, hub.intro),
        status=EntryStatus.PUBLISHED,
        visibility=hub.visibility,
        owner_id=owner.pk,
        author=owner.username.lower(),
    )
    return document, vocabulary_words(hub.title, hub.intro, name)


def _vocabulary_document(item: Topic | Technology) -> tuple[SearchDocument, set[str]]:
    if isinstance(item, Topic):
        target, extra, key = Target.TOPIC, item.description, {"topic_id": item.pk}
    else:
        target, extra, key = Target.TECHNOLOGY, " ".join(item.aliases or []), {"technology_id": item.pk}
    summary = f"{item.slug} {extra}"
    document = SearchDocument(
        key=f"{target}:{item.pk}",
        target=target,
        title=item.name,
        summary=summary,
        terms=code_terms(item.name, summary),
        status=EntryStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
        **key,
    )
    return document, vocabulary_words(item.name, extra)


UPDATE_FIELDS = [f.name for f in SearchDocument._meta.concrete_fields if f.name not in ("id", "key")]


def _save(documents: list[tuple[SearchDocument, set[str]]]) -> None:
    """Insert or replace documents by key, and remember their words for typo suggestions."""
    if not documents:
        return
    with transaction.atomic():
        SearchDocument.objects.bulk_create(
            [document for document, _ in documents],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=UPDATE_FIELDS,
        )
        words = set().union(*(words for _, words in documents))
        _remember_words(words)


def _remember_words(words: set[str]) -> None:
    if words:
        SearchTerm.objects.bulk_create([SearchTerm(term=word) for word in words], ignore_conflicts=True)


def search_index_entry(entry: Entry) -> None:
    """Index (or re-index) one entry, in the caller's transaction."""
    _save([_entry_document(entry)])


def search_index_entries(entries: Iterable[Entry]) -> int:
    """Index many entries (hub, owner and vocabulary prefetched by the caller)."""
    documents = [_entry_document(entry) for entry in entries]
    _save(documents)
    return len(documents)


def search_remove_entry(entry_id: int) -> None:
    """Drop an entry's document (deleting the entry does it too, by cascade)."""
    SearchDocument.objects.filter(key=f"entry:{entry_id}").delete()


def search_index_hub(hub: Hub) -> None:
    """Index a hub, and carry its visibility to its entries' documents."""
    with transaction.atomic():
        _save([_hub_document(hub)])
        SearchDocument.objects.filter(target=Target.ENTRY, owner_id=hub.owner_id).exclude(
            visibility=hub.visibility
        ).update(visibility=hub.visibility)


def search_index_vocabulary(item: Topic | Technology) -> None:
    """Index a topic or technology."""
    _save([_vocabulary_document(item)])
    search_vocabulary_changed()


def _entries_for_index() -> Any:
    return Entry.objects.select_related("hub__owner__profile").prefetch_related("topics", "technologies", "tags")


def search_reindex_batches() -> Iterator[int]:
    """Rebuild every document, one batch per step (yields how many each indexed): hubs,
    topics and technologies, then entries. Documents of things that no longer exist go."""
    with transaction.atomic():
        SearchDocument.objects.exclude(target=Target.ENTRY).delete()
        hubs = [_hub_document(hub) for hub in Hub.objects.select_related("owner__profile")]
        items: list[Topic | Technology] = [*Topic.objects.all(), *Technology.objects.all()]
        vocabulary = [_vocabulary_document(item) for item in items]
        _save(hubs + vocabulary)
    yield len(hubs) + len(vocabulary)
    last = 0
    while True:
        with transaction.atomic():
            batch = list(_entries_for_index().filter(pk__gt=last).order_by("pk")[:REINDEX_BATCH])
            if not batch:
                break
            SearchDocument.objects.filter(target=Target.ENTRY, entry_id__gt=last, entry_id__lte=batch[-1].pk).delete()
            search_index_entries(batch)
        last = batch[-1].pk
        yield len(batch)


def search_reindex_total() -> int:
    """How many things a reindex indexes (for its progress bar)."""
    return Entry.objects.count() + Hub.objects.count() + Topic.objects.count() + Technology.objects.count()


def search_record_zero_result(query: str) -> None:
    """Count a query that found nothing (normalised: trimmed, lowercased, spaces collapsed)."""
    # Control characters (a NUL, which PostgreSQL refuses) are never part of what was meant.
    text = " ".join(CONTROL.sub(" ", query).lower().split())[:200]
    if not text:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_zero_result_upsert_sql(), [text, now, now])


@functools.cache
def _zero_result_upsert_sql() -> str:
    """One statement that counts a query, inserted or incremented (PostgreSQL and SQLite
    both read ON CONFLICT): a search that found nothing pays one round trip for it, where
    an UPDATE, then an INSERT in a transaction cost three and a commit."""
    columns = ModelColumns(ZeroResultQuery, "z")
    table = connection.ops.quote_name(ZeroResultQuery._meta.db_table)  # INSERT takes no alias
    query, count, first_seen, last_seen = map(columns.column, ("query", "count", "first_seen", "last_seen"))
    return (
        f"INSERT INTO {table} ({query}, {count}, {first_seen}, {last_seen}) VALUES (%s, 1, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({query}) DO UPDATE SET {count} = {table}.{count} + 1, {last_seen} = excluded.{last_seen}"
    )
