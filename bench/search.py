"""`make bench`: search on a synthetic corpus (DESIGN.md S1, S2), on both backends.

For SQLite FTS5 and for PostgreSQL (when it answers) in turn: a fresh database, the demo
cohort plus `nexus_fake_corpus N` (BENCH_SEARCH_ENTRIES, default 100,000), then in one
process, alternating so a noisy neighbour slows both sides alike:
- S1: the search endpoint (GET /api/v1/search through Django, DRF and the serializers)
  against the raw SQL of the same query: every statement the endpoint sent for it (the
  candidates, the page's highlights, its entry cards, a typo lookup), recorded once and run
  directly on the cursor, so the difference is what Django, DRF and Nexus's Python add.
  The candidate statement alone is printed beside it;
- S2: p95 of the endpoint over single-term queries, one of them a term in ~40% of entries;
- PostgreSQL p50 against SQLite FTS5 p50 on the same corpus and queries (<= 3x);
- relevance: MRR@10 per query class of the judged set (and typo recall@10).
Prints the figures, the ratios and pass/fail against the targets.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/markdown.py would shadow the markdown package DRF imports.
sys.path[:] = [str(ROOT), *(entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench")]

from tools.services_probe import answers  # noqa: E402

ENTRIES = int(os.environ.get("BENCH_SEARCH_ENTRIES", "100000"))
REPEAT = int(os.environ.get("BENCH_SEARCH_REPEAT", "15"))
PG_URL = os.environ.get("BENCH_SEARCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nexus_bench_search")
S1_SLACK_MS = 3.0
S2_P95_MS = 100.0
PG_VS_SQLITE = 3.0
MRR_TARGET, TYPO_RECALL_TARGET = 0.8, 0.8

# Single terms: the ~40% term, very common prose words, technologies, code tokens, a rare word.
SINGLE_TERMS = [
    "workflow",
    "query",
    "cache",
    "django",
    "redis",
    "select_related",
    "--reuse-db",
    "N+1",
    "deploy",
    "kariwex",
]
# Multi-word and filtered queries people type.
PHRASES = [
    "caching strategies",
    '"cache invalidation"',
    "celery retry backoff",
    "kind:challenge celery",
    "tech:redis counters",
    "django.db.models F",
    "transaction atomic -rollback",
    "workflow OR pipeline",
    "sharded counters redis hashes",
    "week:3 background task",
]


def bench_env(database_url: str | None, var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="nexus.settings.base",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver,127.0.0.1",
        NEXUS_VAR_DIR=var_dir,
        THROTTLE_ENABLED="false",
        NEXUS_LOG_REQUESTS="false",
        LOG_LEVEL="WARNING",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(label: str, env: dict[str, str]) -> float:
    """Migrate, load the demo and the corpus; the seconds the corpus took."""
    print(f"== {label}: migrate, demo, corpus of {ENTRIES:,} entries", flush=True)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "nexus_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    # The demo judgements are judged against the demo cohort alone: on the synthetic
    # corpus, thousands of its entries hold the same code tokens and are relevant too.
    RELEVANCE["demo"] = run_child(env, "--relevance")["demo"]
    started = time.monotonic()
    subprocess.run([*manage, "nexus_fake_corpus", str(ENTRIES)], cwd=ROOT, env=env, check=True)
    seconds = time.monotonic() - started
    print(f"   corpus written in {seconds:.0f} s ({ENTRIES / max(seconds, 1e-9):,.0f} entries/s)", flush=True)
    return seconds


def measure() -> dict[str, Any]:
    """In the child process (settings from the environment): timings and relevance."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from nexus.search.backends import search_backend
    from nexus.search.backends.base import CANDIDATE_CAP, Access
    from nexus.search.query import query_parse

    client = Client()
    backend = search_backend()

    def endpoint(q: str) -> float:
        started = time.perf_counter()
        response = client.get("/api/v1/search", {"q": q})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        return elapsed * 1000

    def sent(q: str) -> list[tuple[str, Any, bool]]:
        """The statements the endpoint sends for `q` (its caches warm), in order."""
        statements = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append((sql, params, many))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            endpoint(q)
        return statements

    def raw(statements: list[tuple[str, Any, bool]]) -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params, many in statements:
                (cursor.executemany if many else cursor.execute)(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    timings: dict[str, dict[str, list[float]]] = {}
    info: dict[str, Any] = {}
    sent_counts: dict[str, int] = {}
    for q in [*SINGLE_TERMS, *PHRASES]:
        endpoint(q)  # warm the caches and the connection
        statements = sent(q)
        candidate = [(*backend.candidates_sql(query_parse(q), Access(user_id=None), CANDIDATE_CAP), False)]
        rows = timings.setdefault(q, {"endpoint": [], "raw": [], "candidates": []})
        for _ in range(REPEAT):
            rows["endpoint"].append(endpoint(q))
            rows["raw"].append(raw(statements))
            rows["candidates"].append(raw(candidate))
        sent_counts[q] = len(statements)
        data = client.get("/api/v1/search", {"q": q}).json()
        info[q] = data["total_label"]
    figures = relevance("synthetic")
    return {
        "vendor": connection.vendor,
        "timings": timings,
        "totals": info,
        "statements": sent_counts,
        "relevance": figures,
    }


def relevance(*corpora: str) -> dict[str, Any]:
    """MRR@10 and recall@10 per class of the judged queries of each corpus."""
    from django.contrib.auth.models import AnonymousUser

    from nexus.search.relevance import relevance_evaluate

    return {
        corpus: {
            name: {"queries": f.queries, "mrr": f.mrr, "recall": f.recall, "misses": f.misses[:5]}
            for name, f in relevance_evaluate(corpus, AnonymousUser()).items()
        }
        for corpus in corpora
    }


RELEVANCE: dict[str, Any] = {}


def run_child(env: dict[str, str], mode: str = "--measure") -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, mode], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"measuring failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def report(result: dict[str, Any], corpus_seconds: float) -> dict[str, float]:
    timings = result["timings"]
    every_endpoint = [t for q in timings for t in timings[q]["endpoint"]]
    every_raw = [t for q in timings for t in timings[q]["raw"]]
    every_candidates = [t for q in timings for t in timings[q]["candidates"]]
    single = [t for q in SINGLE_TERMS for t in timings[q]["endpoint"]]
    e50, r50 = statistics.median(every_endpoint), statistics.median(every_raw)
    s2 = p(single, 0.95)
    print(f"\n-- {result['vendor']} ({ENTRIES:,} entries; corpus built in {corpus_seconds:.0f} s)")
    c50 = statistics.median(every_candidates)
    print(
        f"{'query':34} {'results':>8} {'endpoint p50':>13} {'raw SQL p50':>12} {'statements':>10}"
        f" {'candidates p50':>15} {'p95':>8}"
    )
    for q in timings:
        rows = timings[q]
        print(
            f"{q[:34]:34} {result['totals'][q]:>8} {statistics.median(rows['endpoint']):>10.1f} ms"
            f" {statistics.median(rows['raw']):>9.1f} ms {result['statements'][q]:>10}"
            f" {statistics.median(rows['candidates']):>12.1f} ms {p(rows['endpoint'], 0.95):>5.1f} ms"
        )
    print(
        f"S1 endpoint p50 {e50:.1f} ms vs raw SQL p50 {r50:.1f} ms: +{e50 - r50:.1f} ms "
        f"(target <= +{S1_SLACK_MS:.0f} ms) {verdict(e50 - r50 <= S1_SLACK_MS)}"
    )
    print(f"   (the candidate statement alone: p50 {c50:.1f} ms, the endpoint +{e50 - c50:.1f} ms over it)")
    print(f"S2 single-term p95 {s2:.1f} ms (target <= {S2_P95_MS:.0f} ms) {verdict(s2 <= S2_P95_MS)}")
    for corpus, classes in {**RELEVANCE, **result["relevance"]}.items():
        for name, f in sorted(classes.items()):
            line = f"relevance {corpus:9} {name:10} {f['queries']:3} queries  MRR@10 {f['mrr']:.3f}"
            if name == "typo":
                line += f"  recall@10 {f['recall']:.3f}"
            if name == "all":
                line += f" (target >= {MRR_TARGET}) {verdict(f['mrr'] >= MRR_TARGET)}"
            print(line)
    return {"p50": e50}


def main() -> None:
    if "--measure" in sys.argv:
        print(json.dumps(measure()))
        return
    if "--relevance" in sys.argv:
        import django

        django.setup()
        print(json.dumps(relevance("demo")))
        return
    results: dict[str, dict[str, float]] = {}
    var_dir = tempfile.mkdtemp(prefix="nexus-bench-search-")
    columns: list[tuple[str, str | None]] = [("sqlite", None)]
    if answers(PG_URL):
        columns.append(("postgresql", PG_URL))
    else:
        print("PostgreSQL does not answer: only SQLite FTS5 is measured.")
    for vendor, url in columns:
        env = bench_env(url, var_dir)
        if url:
            create_database(url)
        else:
            env["DATABASE_URL"] = f"sqlite:///{var_dir}/search-bench.sqlite3"
        seconds = prepare(vendor, env)
        results[vendor] = report(run_child(env), seconds)
    if "postgresql" in results:
        ratio = results["postgresql"]["p50"] / results["sqlite"]["p50"]
        print(
            f"\nPostgreSQL p50 / SQLite FTS5 p50 = {ratio:.2f} (target <= {PG_VS_SQLITE:.0f}) "
            f"{verdict(ratio <= PG_VS_SQLITE)}"
        )


if __name__ == "__main__":
    main()
