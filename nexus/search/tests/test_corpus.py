"""The synthetic corpus: its documents are what the indexer would write, and the commands run."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from nexus.knowledge.models import Entry
from nexus.search.corpus import COMMON_TERM, MARKER_TITLES, corpus_build
from nexus.search.models import SearchDocument
from nexus.search.selectors import search
from nexus.search.services import _entry_document

pytestmark = pytest.mark.django_db


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def test_corpus_documents_match_the_indexer() -> None:
    assert sum(corpus_build(60)) == 60
    entries = Entry.objects.select_related("hub__owner__profile").prefetch_related("topics", "technologies", "tags")
    assert entries.count() == 60
    for entry in entries:
        stored = SearchDocument.objects.get(key=f"entry:{entry.pk}")
        built, _ = _entry_document(entry)
        for name in ("title", "summary", "body", "code"):
            assert words(getattr(stored, name)) == words(getattr(built, name)), (entry.kind, name)
        assert set(stored.terms.split()) == set(built.terms.split())
        assert (stored.topics, stored.technologies, stored.kind, stored.week) == (
            built.topics,
            built.technologies,
            built.kind,
            built.week,
        )


def test_corpus_is_searchable_and_grows_idempotently(api_client: Any) -> None:
    out = StringIO()
    call_command("nexus_fake_corpus", "30", stdout=out, stderr=StringIO())
    call_command("nexus_fake_corpus", "40", stdout=out, stderr=StringIO())
    assert Entry.objects.count() == 40
    assert "10 entries written, 40 in all" in out.getvalue()
    data = api_client.get("/api/v1/search", {"q": COMMON_TERM}).json()
    assert 0 < data["total"] < 40
    assert search(AnonymousUser(), MARKER_TITLES[0]).hits[0].object.title == MARKER_TITLES[0]


def test_reindex_rebuilds_the_same_index(owner: Any) -> None:
    from nexus.knowledge.tests.factories import make_entry

    make_entry(owner, title="Reindexed entry", body="Some text.\n")
    SearchDocument.objects.filter(target="entry").update(title="stale")
    out = StringIO()
    call_command("nexus_reindex", stdout=out, stderr=StringIO())
    assert "Reindexed" in out.getvalue()
    assert SearchDocument.objects.get(target="entry").title == "Reindexed entry"
