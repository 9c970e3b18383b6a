"""Relevance on the demo corpus, on whichever backend the column runs: MRR@10 >= 0.8 over
the judged queries, and typo queries found within the top 10 at least 80% of the time."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from nexus.search.relevance import judgements_load, relevance_evaluate


def test_the_judged_set_is_big_and_varied() -> None:
    judged = judgements_load("demo") + judgements_load("synthetic")
    assert len(judged) >= 60
    assert {j["class"] for j in judged} == {"known-item", "code-token", "typo", "filter"}


@pytest.mark.django_db
def test_relevance_on_the_demo_corpus() -> None:
    call_command("nexus_demo", stdout=StringIO())
    figures = relevance_evaluate("demo")
    report = {name: (round(f.mrr, 3), round(f.recall, 3), f.misses) for name, f in figures.items()}
    assert figures["all"].mrr >= 0.8, report
    assert figures["typo"].recall >= 0.8, report
    for name in ("known-item", "code-token", "filter"):
        assert figures[name].mrr >= 0.7, report
