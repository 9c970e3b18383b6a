"""`make bench`, D1: the static-site export against `mkdocs build` on the same Markdown.

Creates a throwaway SQLite database (the embedded default, in a temporary folder) holding
1,000 published entries in 20 public hubs, exports it with `manage.py nexus_site`, writes
the same entries' Markdown into an mkdocs project (Material theme, a nav of every hub and
entry, code highlighting) and times `mkdocs build` on it. Then adds entries up to 10,000
(200 hubs of the same size) and exports again, for the 10k/1k time ratio.

Both tools run as separate processes, timed from start to exit, one after the other on
the same machine. The 10k/1k ratio uses the export's own time (the command reports it),
which leaves out Django's start-up, so the ratio is not flattered by a fixed cost.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SMALL = int(os.environ.get("BENCH_SITE_ENTRIES", "1000"))
LARGE = int(os.environ.get("BENCH_SITE_ENTRIES_LARGE", "10000"))
PER_HUB = 50
TARGET_RATIO = 5.0
TARGET_SCALING = 12.0
WORK = Path(tempfile.mkdtemp(prefix="nexus-bench-site-"))

ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "MEMCACHED_URL", "CELERY_"))
}
ENV.update(
    DJANGO_SETTINGS_MODULE="nexus.settings.base",
    NEXUS_VAR_DIR=str(WORK / "var"),
    LOG_LEVEL="WARNING",
)
os.environ.clear()
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from nexus.accounts.models import Profile, User  # noqa: E402
from nexus.core.markdown import markdown_render  # noqa: E402
from nexus.knowledge.models import Entry, EntryKind, EntryStatus, Hub, Technology, Topic  # noqa: E402

KINDS = [kind.value for kind in EntryKind]
TOPICS = [
    "Caching", "Message Queues", "REST APIs", "GraphQL", "Testing", "Security", "Performance",
    "Database Design", "CI/CD", "Asynchronous Programming", "Observability", "Deployment",
]  # fmt: skip
TECHNOLOGIES = [
    "Django", "Django REST Framework", "PostgreSQL", "Redis", "Celery", "RabbitMQ", "Docker",
    "GraphQL", "GitHub Actions", "Nginx", "pytest", "Gunicorn", "Kubernetes", "Memcached", "SQLite",
]  # fmt: skip
WORDS = [
    "cache",
    "queue",
    "worker",
    "index",
    "query",
    "request",
    "response",
    "token",
    "schema",
    "migration",
    "fixture",
    "retry",
    "backoff",
    "latency",
    "throughput",
    "replica",
    "transaction",
    "isolation",
    "deadlock",
    "serializer",
    "viewset",
    "router",
    "middleware",
    "signal",
    "broker",
    "consumer",
    "producer",
    "partition",
    "shard",
    "timeout",
]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def sentence(rng: random.Random, words: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def entry_markdown(rng: random.Random, number: int) -> tuple[str, str]:
    """(title, body): a learner's note of a few KB with headings, lists, code and a table."""
    topic = rng.choice(WORDS)
    title = f"{topic.capitalize()} notes {number}"
    body = f"""## What I learned

{sentence(rng)} {sentence(rng)} It is **important** to measure `{topic}` before changing it,
and to read [the docs](https://docs.djangoproject.com/en/5.2/) twice.

- {sentence(rng, 8)}
- {sentence(rng, 9)}
- {sentence(rng, 7)}

## How I used it

```python
def {topic}_view(request, pk):
    # fetch once, cache the result for five minutes
    item = cache.get_or_set(f"{topic}:{{pk}}", lambda: Item.objects.get(pk=pk), 300)
    return JsonResponse({{"id": item.pk, "name": item.name}})
```

| Setting | Value | Why |
|---|---|---|
| timeout | {rng.randint(1, 60)} s | {sentence(rng, 5)} |
| retries | {rng.randint(1, 9)} | {sentence(rng, 5)} |

### Pitfalls

1. {sentence(rng, 10)}
2. {sentence(rng, 11)}

> {sentence(rng, 12)}

{sentence(rng, 20)} {sentence(rng, 18)}
"""
    return title, body


def seed(first: int, last: int, topics: list[Topic], technologies: list[Technology]) -> list[tuple[str, str, str]]:
    """Entries number first..last-1 in hubs of PER_HUB; returns (username, slug, markdown) of each."""
    rng = random.Random(first)  # noqa: S311 - repeatable filler text, not secrets
    documents: list[tuple[str, str, str]] = []
    now = timezone.now()
    with transaction.atomic():
        for hub_number in range(first // PER_HUB, last // PER_HUB):
            username = f"learner{hub_number:04d}"
            user = User.objects.create(username=username, email=f"{username}@bench.invalid")
            Profile.objects.create(user=user, display_name=f"Learner {hub_number}", cohort="bench")
            intro = f"I am learner {hub_number}. {sentence(rng)}"
            hub = Hub.objects.create(
                owner=user, title=f"Learner {hub_number}'s Project Nexus", cohort="bench",
                intro=intro, intro_html=markdown_render(intro).html,
            )  # fmt: skip
            entries = []
            for number in range(hub_number * PER_HUB, (hub_number + 1) * PER_HUB):
                title, body = entry_markdown(rng, number)
                kind = KINDS[number % len(KINDS)]
                rendered = markdown_render(body)
                entries.append(
                    Entry(
                        hub=hub,
                        kind=kind,
                        title=title,
                        slug=slugify(title),
                        summary=sentence(rng, 10),
                        body=body,
                        html=rendered.html,
                        toc=[{"level": h.level, "text": h.text, "anchor": h.anchor} for h in rendered.toc],
                        status=EntryStatus.PUBLISHED,
                        published_at=now - timedelta(minutes=number),
                        version=1,
                        week=(number % 52) + 1 if kind == EntryKind.WEEKLY_HIGHLIGHT else None,
                    )
                )
                documents.append((username, slugify(title), f"# {title}\n\n{body}"))
            Entry.objects.bulk_create(entries)
            saved = Entry.objects.filter(hub=hub).order_by("pk")
            Entry.topics.through.objects.bulk_create(
                Entry.topics.through(entry_id=entry.pk, topic_id=rng.choice(topics).pk) for entry in saved
            )
            Entry.technologies.through.objects.bulk_create(
                Entry.technologies.through(entry_id=entry.pk, technology_id=technology.pk)
                for entry in saved
                for technology in rng.sample(technologies, 2)
            )
    return documents


def vocabulary(model: type[Topic] | type[Technology], names: list[str]) -> list[Any]:
    """The named topics or technologies: those the migrations curated, plus the missing ones."""
    known = {item.slug: item for item in model.objects.all()}
    for name in names:
        if slugify(name) not in known and not model.objects.filter(name=name).exists():
            known[slugify(name)] = model.objects.create(name=name, slug=slugify(name))
    return list(known.values())


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return seconds, result.stdout


def nexus_export(out: Path) -> tuple[float, float, int]:
    """(wall seconds, the export's own seconds, HTML pages) of one full export into out."""
    wall, output = timed([sys.executable, "manage.py", "nexus_site", str(out)], ROOT)
    match = re.search(r"([\d,]+) pages .* in ([\d.]+) s", output)
    if not match:
        sys.exit(f"could not read nexus_site's report: {output}")
    return wall, float(match.group(2)), int(match.group(1).replace(",", ""))


def mkdocs_project(documents: list[tuple[str, str, str]]) -> tuple[Path, int]:
    """The same Markdown as an mkdocs project: one page per entry, one per hub, an index."""
    project = WORK / "mkdocs"
    docs = project / "docs"
    by_hub: dict[str, list[tuple[str, str]]] = {}
    for username, slug, markdown in documents:
        (docs / username).mkdir(parents=True, exist_ok=True)
        (docs / username / f"{slug}.md").write_text(markdown, encoding="utf-8")
        by_hub.setdefault(username, []).append((slug, markdown.split("\n", 1)[0][2:]))
    nav = ["  - Home: index.md"]
    for username, entries in by_hub.items():
        links = "\n".join(f"- [{title}]({slug}.md)" for slug, title in entries)
        (docs / username / "index.md").write_text(f"# {username}\n\n{links}\n", encoding="utf-8")
        nav.append(f"  - {username}:")
        nav.append(f"    - {username}/index.md")
        nav += [f'    - "{title}": {username}/{slug}.md' for slug, title in entries]
    hubs = "\n".join(f"- [{username}]({username}/index.md)" for username in by_hub)
    (docs / "index.md").write_text(f"# Nexus\n\n{hubs}\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Nexus bench\ntheme:\n  name: material\n"
        "markdown_extensions:\n  - toc:\n      permalink: true\n  - tables\n"
        "  - pymdownx.highlight\n  - pymdownx.superfences\n"
        "nav:\n" + "\n".join(nav) + "\n",
        encoding="utf-8",
    )
    return project, len(documents) + len(by_hub) + 1


def main() -> int:
    print(f"D1 static export: nexus_site vs mkdocs build (Material), throwaway SQLite in {WORK}\n", flush=True)
    call_command("migrate", "--noinput", verbosity=0)
    topics = vocabulary(Topic, TOPICS)
    technologies = vocabulary(Technology, TECHNOLOGIES)
    documents = seed(0, SMALL, topics, technologies)

    wall_small, export_small, pages_small = nexus_export(WORK / "site-small")
    project, mkdocs_pages = mkdocs_project(documents)
    mkdocs = str(Path(sys.executable).parent / "mkdocs")
    mkdocs_wall, _ = timed([mkdocs, "build", "--quiet", "--site-dir", str(WORK / "mkdocs-site")], project)
    rerun_wall, _, _ = nexus_export(WORK / "site-small")

    seed(SMALL, LARGE, topics, technologies)
    _, export_large, pages_large = nexus_export(WORK / "site-large")

    nexus_rate = pages_small / wall_small
    mkdocs_rate = mkdocs_pages / mkdocs_wall
    ratio = nexus_rate / mkdocs_rate
    scaling = export_large / export_small
    print(f"{'run':44} {'pages':>7} {'seconds':>8} {'pages/s':>9}")
    print(f"{f'mkdocs build, Material ({SMALL:,} entries)':44} {mkdocs_pages:7,} {mkdocs_wall:8.2f} {mkdocs_rate:9.0f}")
    print(f"{f'nexus_site ({SMALL:,} entries, process)':44} {pages_small:7,} {wall_small:8.2f} {nexus_rate:9.0f}")
    print(f"{f'nexus_site ({SMALL:,} entries, export only)':44} {pages_small:7,} {export_small:8.2f} "
          f"{pages_small / export_small:9.0f}")  # fmt: skip
    print(f"{f'nexus_site ({SMALL:,} entries, re-run, no change)':44} {pages_small:7,} {rerun_wall:8.2f}")
    print(f"{f'nexus_site ({LARGE:,} entries, export only)':44} {pages_large:7,} {export_large:8.2f} "
          f"{pages_large / export_large:9.0f}")  # fmt: skip
    verdict = "ok" if ratio >= TARGET_RATIO else "MISSED"
    print(f"\nD1: nexus pages/s / mkdocs pages/s = {ratio:.1f} x  {verdict} (target >= {TARGET_RATIO:.0f} x)")
    verdict = "ok" if scaling <= TARGET_SCALING * LARGE / 10_000 * 1_000 / SMALL else "MISSED"
    print(
        f"D1: {LARGE:,} / {SMALL:,} entries, export time = {scaling:.1f} x  {verdict} (target <= {TARGET_SCALING:.0f})"
    )
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
