"""A synthetic corpus for benchmarks: N entries in hubs of made-up learners, with varied
kinds, weeks, topics, technologies, prose with a realistic long tail of words, and fenced
code full of the tokens people search for. Deterministic (seeded), and written in bulk:
rows go straight into the tables (the services would take an hour for 100,000 entries),
and their search documents are built by the same code that indexes a single write.

The word COMMON_TERM appears in about 40% of entries, so the bench has a frequent term
to measure; MARKER_TITLES are a few entries with known titles the judged queries name."""

from __future__ import annotations

import html
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from nexus.accounts.models import Profile, User
from nexus.knowledge.models import Entry, EntryKind, EntryStatus, Hub, Technology, Topic
from nexus.search.backends import search_backend
from nexus.search.documents import code_terms, slugs_field, vocabulary_words
from nexus.search.models import SearchDocument, SearchTerm, Target

CORPUS_PREFIX = "corpus-"
ENTRIES_PER_HUB = 200
BATCH = 1_000
BULK_LOAD_FROM = 10_000  # entries: from here, indexes are built after the load
SEED = 20_26
COMMON_TERM = "workflow"
COMMON_SHARE = 0.4

MARKER_TITLES = (
    "Sharded counters with Redis hashes",
    "Flaky pytest fixtures and transaction rollbacks",
    "Backpressure in a Celery chord",
    "Partial indexes for soft-deleted rows",
    "Rotating JWT refresh tokens safely",
)

WORDS = [
    "query",
    "queries",
    "cache",
    "caching",
    "index",
    "indexes",
    "database",
    "table",
    "row",
    "column",
    "join",
    "transaction",
    "lock",
    "deadlock",
    "retry",
    "timeout",
    "worker",
    "broker",
    "queue",
    "message",
    "consumer",
    "producer",
    "serializer",
    "view",
    "viewset",
    "router",
    "endpoint",
    "pagination",
    "cursor",
    "offset",
    "filter",
    "ordering",
    "schema",
    "migration",
    "model",
    "field",
    "constraint",
    "foreign",
    "key",
    "request",
    "response",
    "header",
    "status",
    "error",
    "exception",
    "handler",
    "middleware",
    "session",
    "token",
    "login",
    "permission",
    "test",
    "fixture",
    "mock",
    "assertion",
    "coverage",
    "benchmark",
    "profile",
    "latency",
    "throughput",
    "memory",
    "cpu",
    "container",
    "image",
    "deploy",
    "pipeline",
    "build",
    "release",
    "rollback",
    "config",
    "environment",
    "secret",
    "variable",
    "logging",
    "metrics",
    "trace",
    "graph",
    "resolver",
    "mutation",
    "subscription",
    "frontend",
    "client",
    "browser",
    "template",
    "form",
    "validation",
    "upload",
    "payment",
    "order",
    "cart",
    "product",
    "inventory",
    "user",
    "profile",
    "follower",
    "feed",
    "post",
    "comment",
    "vote",
    "poll",
    "movie",
    "recommendation",
    "genre",
    "rating",
    "search",
    "ranking",
    "snippet",
    "highlight",
    "typo",
    "phrase",
    "token",
    "stemming",
]
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mo",
    "ne",
    "sa",
    "lu",
    "vi",
    "de",
    "pa",
    "zo",
    "qui",
    "fen",
    "dor",
    "bal",
    "tru",
    "wex",
    "yon",
    "gim",
    "hap",
    "cel",
    "ost",
    "ur",
    "ib",
    "ax",
]
CODE_LINES = (
    "movies = Movie.objects.select_related('director').prefetch_related('genres')",
    "from django.db.models import F, Q, Prefetch",
    "Order.objects.filter(pk=order.pk).update(total=F('total') + amount)",
    "with transaction.atomic():\n    payment.save(update_fields=['status'])",
    "@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True)",
    "pytest --reuse-db -x -k test_checkout",
    "def test_list_is_not_n_plus_1(django_assert_num_queries):",
    "cache.get_or_set(f'feed:{user.pk}', build_feed, timeout=60)",
    "redis.Redis.from_url(settings.REDIS_URL).incr('votes:42')",
    "class MovieSerializer(serializers.ModelSerializer):",
    "docker compose up --build web worker",
    "SELECT id FROM orders WHERE status = 'paid' ORDER BY created_at DESC LIMIT 20;",
    "CREATE INDEX CONCURRENTLY orders_paid_idx ON orders (created_at) WHERE status = 'paid';",
    "celery -A nexus worker --beat --loglevel=INFO",
    "Product.objects.bulk_create(products, batch_size=500)",
    "user, created = User.objects.get_or_create(email=email)",
)
PLAIN_TYPES = frozenset(
    {"CharField", "TextField", "SlugField", "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"}
    | {"BigIntegerField", "ForeignKey", "BooleanField"}
)
KINDS = [k for k in EntryKind.values if k != EntryKind.WEEKLY_HIGHLIGHT]


@dataclass
class _Vocabulary:
    topics: list[Topic]
    technologies: list[Technology]
    long_tail: list[str]
    common_weights: list[float]
    tail_weights: list[float]


def _long_tail(rng: random.Random, size: int = 20_000) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


def _cumulative(size: int, offset: float) -> list[float]:
    """Zipf-like cumulative weights: a few words are common, most are rare."""
    total, weights = 0.0, []
    for rank in range(size):
        total += 1.0 / (rank + offset)
        weights.append(total)
    return weights


def _sentence(rng: random.Random, vocabulary: _Vocabulary, words: int) -> str:
    common = rng.choices(WORDS, cum_weights=vocabulary.common_weights, k=words)
    rare = rng.choices(vocabulary.long_tail, cum_weights=vocabulary.tail_weights, k=words)
    picked = [c if rng.random() < 0.7 else r for c, r in zip(common, rare, strict=True)]
    return " ".join(picked).capitalize() + "."


def _hubs(count: int, start: int) -> list[Hub]:
    """Corpus learners numbered start..start+count-1, with profiles and public hubs."""
    names = [f"{CORPUS_PREFIX}{number:05d}" for number in range(start, start + count)]
    User.objects.bulk_create([User(username=name, email=f"{name}@corpus.nexus.invalid") for name in names])
    users = list(User.objects.filter(username__in=names))
    Profile.objects.bulk_create(
        [Profile(user=user, display_name=f"Learner {user.username[-5:]}") for user in users], ignore_conflicts=True
    )
    Hub.objects.bulk_create([Hub(owner=user, title=f"{user.username}'s Project Nexus") for user in users])
    hubs = list(Hub.objects.filter(owner__in=users).select_related("owner"))
    SearchDocument.objects.bulk_create(
        [
            SearchDocument(
                key=f"hub:{hub.pk}",
                target=Target.HUB,
                hub=hub,
                title=hub.title,
                summary=hub.owner.username,
                status=EntryStatus.PUBLISHED,
                visibility=hub.visibility,
                owner_id=hub.owner_id,
                author=hub.owner.username,
            )
            for hub in hubs
        ]
    )
    return sorted(hubs, key=lambda hub: hub.owner.username)


def corpus_existing() -> int:
    """How many corpus entries there are already."""
    return Entry.objects.filter(hub__owner__username__startswith=CORPUS_PREFIX).count()


class _Pools:
    """Paragraphs, headings, titles and code blocks the entries are composed of, each
    analysed once (their search fields and words), so 100,000 entries cost no more
    analysis than a few thousand parts."""

    def __init__(self, rng: random.Random, vocabulary: _Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.paragraphs = [_sentence(rng, vocabulary, rng.randint(12, 30)) for _ in range(3_000)]
        self.paragraphs += [f"The {COMMON_TERM} we settled on is simple."]
        self.headings = [_sentence(rng, vocabulary, 3)[:-1] for _ in range(500)]
        self.titles = [_sentence(rng, vocabulary, rng.randint(3, 6))[:-1] for _ in range(5_000)]
        self.summaries = [_sentence(rng, vocabulary, rng.randint(6, 14))[:500] for _ in range(3_000)]
        self.outcomes = [_sentence(rng, vocabulary, 10) for _ in range(500)]
        self._terms: dict[str, list[str]] = {}

    def terms(self, part: str) -> list[str]:
        found = self._terms.get(part)
        if found is None:
            found = self._terms[part] = code_terms(part).split()
        return found

    def words(self) -> set[str]:
        parts = [*self.paragraphs, *self.headings, *self.titles, *self.summaries, *self.outcomes, *CODE_LINES]
        parts += MARKER_TITLES
        # Part by part: vocabulary_words stops at a document's worth of words.
        return set().union(*(vocabulary_words(part) for part in parts))


def _compose(rng: random.Random, number: int, pools: _Pools) -> tuple[dict[str, Any], dict[str, Any]]:
    """One entry's fields, and its search document's fields: the same analysis as
    documents.entry_text, done part by part (tests hold the two equal)."""
    vocabulary = pools.vocabulary
    kind = EntryKind.WEEKLY_HIGHLIGHT if number % 10 == 9 else rng.choice(KINDS)
    marker = number // 997 if number % 997 == 0 and number // 997 < len(MARKER_TITLES) else None
    technologies = rng.sample(vocabulary.technologies, rng.randint(1, 3))
    topics = rng.sample(vocabulary.topics, rng.randint(0, 2))
    title_part = MARKER_TITLES[marker] if marker is not None else rng.choice(pools.titles)
    title = title_part if marker is not None else f"{title_part} with {technologies[0].name}"
    paragraphs = rng.sample(pools.paragraphs[:-1], rng.randint(2, 5))
    if rng.random() < COMMON_SHARE:
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), pools.paragraphs[-1])
    heading = rng.choice(pools.headings)
    code = "\n".join(rng.sample(CODE_LINES, rng.randint(1, 3)))
    summary = rng.choice(pools.summaries)
    body = "\n\n".join([f"## {heading}", *paragraphs[:2], f"```python\n{code}\n```", *paragraphs[2:]])
    entry: dict[str, Any] = {
        "kind": kind,
        "title": title[:200],
        "summary": summary,
        "body": body,
        "problem": "",
        "solution": "",
        "outcome": "",
        "week": rng.randint(1, 12) if kind == EntryKind.WEEKLY_HIGHLIGHT or rng.random() < 0.5 else None,
        "topics": topics,
        "technologies": technologies,
    }
    prose = paragraphs
    if kind == EntryKind.CHALLENGE:
        outcome = rng.choice(pools.outcomes)
        entry |= {"body": "", "problem": paragraphs[0], "solution": body, "outcome": outcome}
        prose = [paragraphs[0], *paragraphs, outcome]
    # As services._entry_document names them: in the vocabulary's order, aliases after.
    ordered_topics = sorted(topics, key=lambda t: t.name)
    ordered_technologies = sorted(technologies, key=lambda t: t.name)
    names = [t.name for t in ordered_topics] + [t.name for t in ordered_technologies]
    names += [alias for t in ordered_technologies for alias in t.aliases or []]
    terms: dict[str, None] = {}
    for part in (title_part, technologies[0].name, summary, heading, *names, *prose, code):
        terms.update(dict.fromkeys(pools.terms(part)))
    document = {
        "title": entry["title"],
        "summary": "\n".join([summary, heading, " ".join(names)]),
        "body": "\n\n".join(prose),
        "code": code,
        "terms": " ".join(terms),
    }
    return entry, document


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT rows in one executemany: the ORM's bulk_create spends more time preparing
    100,000 rows than the database spends storing them. Fields a row leaves out get
    their model default, so a field added later needs no change here."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields if f.attname not in rows[0]}
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = f.get_db_prep_save(now, connection)
    # Text, numbers and keys go to the driver as they are; dates and JSON need their field.
    plain = {f.attname for f in fields if f.get_internal_type() in PLAIN_TYPES}
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(str(model._meta.db_table))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    values = [
        [
            defaults[f.attname]
            if f.attname not in row
            else row[f.attname]
            if f.attname in plain
            else f.get_db_prep_save(row[f.attname], connection)
            for f in fields
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def corpus_build(total: int, *, seed: int = SEED) -> Iterator[int]:
    """Make the corpus `total` entries big (what exists is kept); yields entries written
    per batch, each batch one transaction."""
    existing = corpus_existing()
    tail = _long_tail(random.Random(seed))  # noqa: S311
    vocabulary = _Vocabulary(
        list(Topic.objects.all()),
        list(Technology.objects.all()),
        tail,
        _cumulative(len(WORDS), 3.0),
        _cumulative(len(tail), 10.0),
    )
    pools = _Pools(random.Random(seed + 1), vocabulary)  # noqa: S311
    SearchTerm.objects.bulk_create([SearchTerm(term=w) for w in pools.words()], ignore_conflicts=True)
    hubs_have = User.objects.filter(username__startswith=CORPUS_PREFIX).count()
    backend = search_backend()
    bulk = total - existing >= BULK_LOAD_FROM
    if bulk:
        backend.bulk_load_begin()
    try:
        yield from _batches(existing, total, seed, pools, hubs_have)
    finally:
        if bulk:
            backend.bulk_load_end()
    backend.optimize()


def _batches(existing: int, total: int, seed: int, pools: _Pools, hubs_have: int) -> Iterator[int]:
    now = timezone.now()
    through_topics, through_technologies = Entry.topics.through, Entry.technologies.through
    for start in range(existing, total, BATCH):
        numbers = range(start, min(start + BATCH, total))
        rng = random.Random(seed * 1_000_003 + start)  # noqa: S311
        with transaction.atomic():
            needed = numbers[-1] // ENTRIES_PER_HUB + 1
            if needed > hubs_have:
                _hubs(needed - hubs_have, hubs_have)
                hubs_have = needed
            first, last = numbers[0] // ENTRIES_PER_HUB, numbers[-1] // ENTRIES_PER_HUB
            names = [f"{CORPUS_PREFIX}{n:05d}" for n in range(first, last + 1)]
            hubs = {
                hub.owner.username: hub for hub in Hub.objects.filter(owner__username__in=names).select_related("owner")
            }
            made = [(number, *_compose(rng, number, pools)) for number in numbers]
            rows = []
            for number, entry, _ in made:
                hub = hubs[f"{CORPUS_PREFIX}{number // ENTRIES_PER_HUB:05d}"]
                markdown = entry["body"] or entry["solution"]
                rows.append(
                    {
                        **{k: v for k, v in entry.items() if k not in ("topics", "technologies")},
                        "hub_id": hub.pk,
                        "slug": f"entry-{number}",
                        # Not rendered (a benchmark corpus): the text, escaped, is enough to show.
                        "html": f"<pre>{html.escape(markdown)}</pre>",
                        "toc": [],
                        "status": EntryStatus.PUBLISHED,
                        "published_at": now - timedelta(minutes=total - number),
                    }
                )
            _insert(Entry, rows)
            ids = dict(
                Entry.objects.filter(hub__in=hubs.values(), slug__in=[row["slug"] for row in rows]).values_list(
                    "slug", "pk"
                )
            )
            topic_rows, technology_rows, documents = [], [], []
            for (number, entry, document), row in zip(made, rows, strict=True):
                pk = ids[row["slug"]]
                hub = hubs[f"{CORPUS_PREFIX}{number // ENTRIES_PER_HUB:05d}"]
                topic_rows += [{"entry_id": pk, "topic_id": t.pk} for t in entry["topics"]]
                technology_rows += [{"entry_id": pk, "technology_id": t.pk} for t in entry["technologies"]]
                documents.append(
                    {
                        **document,
                        "key": f"entry:{pk}",
                        "target": Target.ENTRY,
                        "entry_id": pk,
                        "status": EntryStatus.PUBLISHED,
                        "visibility": hub.visibility,
                        "owner_id": hub.owner_id,
                        "kind": entry["kind"],
                        "author": hub.owner.username,
                        "week": entry["week"],
                        "topics": slugs_field(t.slug for t in entry["topics"]),
                        "technologies": slugs_field(t.slug for t in entry["technologies"]),
                        "published_at": row["published_at"],
                    }
                )
            if topic_rows:
                _insert(through_topics, topic_rows)
            _insert(through_technologies, technology_rows)
            _insert(SearchDocument, documents)
        yield len(rows)
