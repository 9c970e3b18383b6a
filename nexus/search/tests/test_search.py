"""The search core on whichever database the column runs: the same tests, both backends."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from nexus.knowledge.models import EntryKind, EntryStatus, Visibility
from nexus.knowledge.services import entry_delete, entry_set_status, entry_update, hub_ensure, hub_update
from nexus.knowledge.tests.factories import make_entry
from nexus.search.errors import SearchQueryEmpty, SearchQueryTooLong
from nexus.search.models import SearchDocument, Target
from nexus.search.selectors import entry_related, search

pytestmark = pytest.mark.django_db

ANON = AnonymousUser()


def titles(results: Any) -> list[str]:
    return [hit.object.title for hit in results.hits if hit.target == Target.ENTRY]


CODE_BODY = (
    "Use it on foreign keys.\n\n```python\nfrom django.db.models import Prefetch\n"
    "movies = Movie.objects.select_related('director').prefetch_related('genres')\n```\n\n"
    "Run the tests with `pytest --reuse-db` to keep the database between runs.\n"
)


def test_an_entry_is_found_as_soon_as_it_is_written(owner: Any) -> None:
    make_entry(owner, title="Cache invalidation with versioned keys", body="Bump the version on every write.\n")
    assert titles(search(ANON, "invalidation")) == ["Cache invalidation with versioned keys"]
    assert titles(search(ANON, "versioned")) == ["Cache invalidation with versioned keys"]


def test_code_tokens_are_found_by_their_pieces(owner: Any) -> None:
    make_entry(owner, title="Loading related rows", body=CODE_BODY)
    make_entry(owner, title="Unrelated", body="Selecting a related topic for the week.\n")
    for query in ("select_related", "prefetch_related", "django.db.models", "--reuse-db", "Prefetch"):
        assert titles(search(ANON, query))[0] == "Loading related rows", query
    assert titles(search(ANON, "selectrelated")) == ["Loading related rows"]


def test_n_plus_one_is_findable(owner: Any) -> None:
    make_entry(owner, title="Fifty movies, fifty-one queries", body="The classic N+1 problem.\n")
    assert titles(search(ANON, "N+1")) == ["Fifty movies, fifty-one queries"]


def test_a_code_token_is_found_wherever_the_document_holds_it(owner: Any) -> None:
    # PostgreSQL finds a code token's matches by its joined form: headings, vocabulary
    # names, hub intros and the seeded topics must hold it as the body does.
    make_entry(owner, title="Heading only", body="## When select_related helps\n\nAlways.\n")
    make_entry(owner, title="Vocabulary only", body="Plain words.\n", tags=["ci-cd"])
    hub_update(actor=owner, hub=hub_ensure(owner), data={"intro": "I keep notes on the N+1 trap here."})
    assert titles(search(ANON, "select_related")) == ["Heading only"]
    assert titles(search(ANON, "ci-cd")) == ["Vocabulary only"]
    found = {(hit.target, getattr(hit.object, "title", None) or hit.object.name) for hit in search(ANON, "N+1").hits}
    assert (Target.HUB, hub_ensure(owner).title) in found
    assert (Target.TOPIC, "GraphQL") in found  # its seeded description names "the N+1 problem"


def test_every_document_holds_the_joined_form_of_its_code_tokens(owner: Any) -> None:
    from nexus.search.documents import code_terms

    make_entry(owner, title="A select_related story", summary="About --reuse-db.", body=CODE_BODY, tags=["N+1"])
    hub_update(actor=owner, hub=hub_ensure(owner), data={"intro": "Notes on django.db.models."})
    documents = list(SearchDocument.objects.all())
    assert {document.target for document in documents} >= {Target.ENTRY, Target.HUB, Target.TOPIC, Target.TECHNOLOGY}
    for document in documents:
        expected = code_terms(document.title, document.summary, document.body, document.code)
        assert set(document.terms.split()) == set(expected.split()), document.key


def test_phrases_exclusions_and_or(owner: Any) -> None:
    make_entry(owner, title="Redis as a cache", body="Keys expire after a while.\n")
    make_entry(owner, title="Redis as a broker", body="Celery sends tasks through it.\n")
    make_entry(owner, title="RabbitMQ as a broker", body="Durable queues.\n")
    assert set(titles(search(ANON, '"as a broker"'))) == {"Redis as a broker", "RabbitMQ as a broker"}
    make_entry(owner, title="Redis tips", body="It can be a broker too.\n")  # excluded by its body
    assert titles(search(ANON, "redis -broker")) == ["Redis as a cache"]
    assert set(titles(search(ANON, "cache OR durable"))) == {"Redis as a cache", "RabbitMQ as a broker"}


def test_filters(owner: Any, member: Any) -> None:
    make_entry(owner, title="Celery retries", kind=EntryKind.CHALLENGE, problem="Lost tasks.", week=3)
    make_entry(owner, title="Celery basics", kind=EntryKind.CONCEPT, body="Workers and queues.\n", week=4)
    make_entry(member, title="Celery beat", kind=EntryKind.CONCEPT, body="Schedules.\n", technologies=["celery"])
    assert titles(search(ANON, "celery kind:challenge")) == ["Celery retries"]
    assert titles(search(ANON, "celery week:4")) == ["Celery basics"]
    assert titles(search(ANON, "celery author:member")) == ["Celery beat"]
    assert titles(search(ANON, "tech:celery")) == ["Celery beat"]
    assert titles(search(ANON, "kind:concept")) == ["Celery beat", "Celery basics"]


def test_facets_count_the_candidates(owner: Any) -> None:
    make_entry(owner, title="Queue one", kind=EntryKind.CONCEPT, body="queue\n", topics=["message-queues"])
    make_entry(owner, title="Queue two", kind=EntryKind.CHALLENGE, problem="queue", topics=["message-queues"])
    results = search(ANON, "queue")
    facets = {name: {(f.value, f.count) for f in values} for name, values in results.facets.items()}
    assert facets["kind"] == {("concept", 1), ("challenge", 1)}
    assert facets["topic"] == {("message-queues", 2)}
    assert facets["author"] == {("owner", 2)}
    # The topic "Message queues" matches too: the total counts every target, facets only entries.
    assert results.total == 3
    assert results.total_label == "3"
    assert not results.capped


def test_drafts_of_others_never_leak(owner: Any, member: Any, mentor: Any, admin_user: Any) -> None:
    make_entry(owner, title="Secret draft about sharding", status=EntryStatus.DRAFT)
    for user in (ANON, member, mentor):
        assert titles(search(user, "sharding")) == [], user
        assert titles(search(user, "sharding status:draft")) == [], user
    assert titles(search(owner, "sharding")) == ["Secret draft about sharding"]
    assert titles(search(owner, "status:draft")) == ["Secret draft about sharding"]
    assert titles(search(admin_user, "sharding")) == ["Secret draft about sharding"]
    assert titles(search(admin_user, "status:draft")) == []  # status:draft is one's own drafts


def test_hub_visibility_is_respected_and_follows_changes(owner: Any, member: Any) -> None:
    make_entry(owner, title="Cohort notes on pagination")
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": Visibility.COHORT})
    assert titles(search(ANON, "pagination")) == []
    assert titles(search(member, "pagination")) == ["Cohort notes on pagination"]
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": Visibility.PRIVATE})
    assert titles(search(member, "pagination")) == []
    assert titles(search(owner, "pagination")) == ["Cohort notes on pagination"]


def test_updates_unpublishing_and_deletes_reach_the_index(owner: Any) -> None:
    entry = make_entry(owner, title="Throttling", body="Tokens in a bucket.\n")
    entry = entry_update(
        actor=owner, entry=entry, data={"body": "A sliding window.\n"}, base_version=entry.version
    ).entry
    assert titles(search(ANON, "sliding")) == ["Throttling"]
    assert titles(search(ANON, "bucket")) == []
    entry_set_status(actor=owner, entry=entry, status=EntryStatus.DRAFT)
    assert titles(search(ANON, "sliding")) == []
    entry_delete(actor=owner, entry=entry)
    assert titles(search(owner, "sliding")) == []
    assert not SearchDocument.objects.filter(key=f"entry:{entry.pk}").exists()


def test_hubs_topics_and_technologies_are_searchable(owner: Any) -> None:
    make_entry(owner, title="Anything")
    targets = {(hit.target, hit.url) for hit in search(ANON, "caching").hits}
    assert (Target.TOPIC, "/topics/caching/") in targets
    assert (Target.TECHNOLOGY, "/technologies/redis/") in {(h.target, h.url) for h in search(ANON, "redis").hits}
    assert (Target.HUB, "/h/owner/") in {(h.target, h.url) for h in search(ANON, "olive").hits}


def test_typo_finds_the_entry_and_suggests(owner: Any) -> None:
    make_entry(owner, title="Idempotency keys for payments", body="Charge once, however often it is retried.\n")
    results = search(ANON, "idempotensy")
    assert titles(results) == ["Idempotency keys for payments"]
    assert results.did_you_mean == "idempotency"
    assert search(ANON, "idempotency").did_you_mean is None


def test_typo_candidates_come_from_a_trigram_index_the_planner_can_use() -> None:
    """PostgreSQL's planner never used a GIN trigram index for `term % word` (it scanned
    every term instead); the vocabulary's index is GiST (migration 0003)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite reads typos from its FTS5 trigram table")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_term_trgm'")
        (definition,) = cursor.fetchone()
    assert "USING gist (term gist_trgm_ops)" in definition


def test_snippets_are_highlighted_and_escaped(owner: Any) -> None:
    make_entry(
        owner, title="Escaping <b>output</b>", body="Templates escape <script>alert(1)</script> markup by default.\n"
    )
    hit = search(ANON, "escape").hits[0]
    assert "<mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html
    assert "&lt;b&gt;" in hit.title_html


@pytest.mark.parametrize(
    "query",
    ['&|!:*()"NEAR', "a\x00b", "NEAR(a b)", "foo:bar baz", 'x" OR OR -', "-only", "kind:nope week:99", "*", "((("],
)
def test_syntax_soup_degrades_never_fails(owner: Any, query: str) -> None:
    make_entry(owner, title="Near the end")
    try:
        results = search(ANON, query)
    except SearchQueryEmpty:
        return
    assert isinstance(results.hits, list)


def test_degraded_query_says_why(owner: Any) -> None:
    make_entry(owner, title="Bar charts")
    results = search(ANON, "foo:bar charts")
    assert results.degraded
    assert "foo: is not a filter" in results.messages[0]
    assert titles(results) == ["Bar charts"]


def test_empty_and_oversized_queries_are_refused() -> None:
    with pytest.raises(SearchQueryEmpty):
        search(ANON, "   ")
    with pytest.raises(SearchQueryTooLong):
        search(ANON, "x" * 10_000)


def test_page_far_beyond_the_end_is_empty(owner: Any) -> None:
    make_entry(owner, title="Only one")
    results = search(ANON, "only", page=10**9)
    assert results.hits == []
    assert not results.has_next


def test_related_entries(owner: Any, member: Any) -> None:
    entry = make_entry(owner, title="Caching the recommendations", technologies=["redis"])
    make_entry(member, title="Redis caching for a poll", technologies=["redis"])
    make_entry(member, title="Unrelated", body="Nothing alike.\n")
    make_entry(member, title="Draft caching", status=EntryStatus.DRAFT)
    assert [e.title for e in entry_related(ANON, entry)] == ["Redis caching for a poll"]


def test_marked_html_escapes_and_marks_only_what_the_engine_marked() -> None:
    from nexus.search.backends.base import MARK_END, MARK_START, SearchBackend, marked_html

    assert marked_html(f"a {MARK_START}<b>{MARK_END}  &\n c") == "a <mark>&lt;b&gt;</mark> &amp; c"
    assert marked_html(f"{MARK_START}x{MARK_END} y {MARK_END}") == "<mark>x</mark> y "  # a stray mark goes
    passage = SearchBackend._passage(["", "&" * 400])  # no hit: the start, cut before escaping
    assert passage == "&amp;" * 300
