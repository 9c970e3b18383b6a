"""`make bench`, I1: README import, parse only (no database), against a bare markdown-it parse.

The corpus is the five real READMEs in ../shared/samples/readmes (when that folder is
beside the project) plus a few hundred generated here in the shapes README-FORMATS.md
describes: the canonical outline, hybrids with a capstone app's README, app-only files,
plain-text title lines, two documents pasted one after the other; emoji with ZWJ and
variation selectors, traps (fenced `# comments`, unfenced GraphQL, merge markers, headings
in list items, unclosed fences), the six families of challenge / solution pairs; mojibake,
UTF-16 in both byte orders, BOMs and CRLF line ends. The generator's text is ours.

Times `readme_read` (decode, repair, plan: what an import does before the database) over
the corpus in several passes, alternating with passes of a bare
`MarkdownIt("commonmark").parse` of the same decoded texts, so a noisy neighbour slows both
alike. Prints the median pass of each (READMEs/s, MB/s, from CPU time: the wall clock
would count other processes on a shared machine; it is printed too), their ratio, the
slowest file and the verdict against DESIGN.md section 6.
"""

from __future__ import annotations

import atexit
import codecs
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GENERATED = int(os.environ.get("BENCH_READMES", "300"))
PASSES = int(os.environ.get("BENCH_README_PASSES", "5"))
TARGET = 200.0  # READMEs/s, DESIGN.md section 6, I1
SAMPLES = ROOT.parent / "shared" / "samples" / "readmes"

ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "MEMCACHED_URL", "CELERY_"))
}
VAR_DIR = tempfile.mkdtemp(prefix="nexus-bench-readme-")  # settings want one; nothing is written to a database
atexit.register(shutil.rmtree, VAR_DIR, ignore_errors=True)
ENV.update(DJANGO_SETTINGS_MODULE="nexus.settings.base", NEXUS_VAR_DIR=VAR_DIR, LOG_LEVEL="WARNING")
os.environ.clear()
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

import ftfy.bad_codecs  # noqa: E402, F401 - registers "sloppy-windows-1252", to make mojibake the way Windows does
from markdown_it import MarkdownIt  # noqa: E402

from nexus.core.errors import NexusError  # noqa: E402
from nexus.interchange.readme.decoding import readme_decode  # noqa: E402
from nexus.interchange.services import readme_read  # noqa: E402

# --- the generator's vocabulary (our own text) ---------------------------------------------

TECHNOLOGIES = [
    ("Python", "the language behind every service I wrote this term"),
    ("Django", "models, migrations, the admin and class-based views"),
    ("Django REST Framework", "serializers, viewsets and permission classes for the API"),
    ("GraphQL", "one endpoint, typed schema, clients ask for the fields they need"),
    ("PostgreSQL", "the relational store, with indexes I finally understand"),
    ("Redis", "a cache in front of the slow pages and a home for rate-limit counters"),
    ("Celery", "background jobs for e-mail, thumbnails and nightly reports"),
    ("RabbitMQ", "the broker that hands Celery its work"),
    ("Docker", "the same image on my laptop, in CI and on the server"),
    ("GitHub Actions", "lint, type-check and test on every push"),
    ("Nginx", "the reverse proxy that serves static files and terminates TLS"),
    ("pytest", "fixtures and parametrised tests instead of copy-pasted cases"),
    ("Gunicorn", "the WSGI server, two sync workers per core"),
    ("Swagger / OpenAPI", "documentation generated from the code, never out of date"),
    ("JWT", "short-lived access tokens and rotating refresh tokens"),
]
CONCEPTS = [
    ("Database Design", "normal forms first, then denormalise only where a query proves it"),
    ("Asynchronous Programming", "push slow work out of the request and report progress"),
    ("Caching Strategies", "cache-aside with versioned keys, so writes invalidate cleanly"),
    ("Authentication & Authorization", "who you are is one question, what you may do another"),
    ("API Versioning", "a path prefix and a deprecation window announced in advance"),
    ("Rate Limiting", "a token bucket per client, with Retry-After on a 429"),
    ("Message Queues", "acknowledge late, make tasks idempotent, expect redelivery"),
    ("Indexing", "an index per hot filter, checked with EXPLAIN ANALYZE"),
    ("Observability", "structured logs, a request id and a few honest metrics"),
]
CHALLENGES = [
    ("Slow feed page", "the feed ran one query per post author", "select_related on the author and a covering index"),
    ("Flaky tests", "tests passed alone and failed in the full run", "reset the cache between tests and fixed seeds"),
    ("CORS errors", "the React client could not call the API", "django-cors-headers with an explicit allow list"),
    ("Huge Docker images", "the image weighed almost two gigabytes", "a slim base and a multi-stage build"),
    ("Lost background jobs", "jobs vanished when a worker restarted", "acks_late and a visibility timeout"),
    ("Token expiry", "users were logged out every hour", "refresh token rotation with a blacklist"),
    ("Migration conflicts", "two branches added migrations with the same number", "squashed and rebased"),
    ("N+1 queries in GraphQL", "nested fields multiplied the queries", "a dataloader per request"),
    ("Secrets in the repo", "an API key was committed by mistake", "rotated it and moved settings to env vars"),
    ("Timeouts on uploads", "large CSV uploads hit the proxy timeout", "streamed the file and parsed it in Celery"),
    ("Cache stampede", "every worker rebuilt the same cold key at once", "a short lock and early refresh"),
    ("Time zones", "reports were off by a day for some users", "stored UTC and converted at the edge"),
]
PRACTICES = [
    ("Small pull requests", "they get reviewed the same day and revert cleanly"),
    ("Tests first for bugs", "a failing test proves the bug before the fix"),
    ("Settings from the environment", "one image, many deployments"),
    ("Meaningful commit messages", "the why, not the what"),
    ("Code review checklists", "security, queries, error paths, docs"),
    ("Pin dependencies", "a lock file and a weekly update job"),
]
TAKEAWAYS = [
    "Reading the error message twice saves an hour of guessing.",
    "Measure before optimising: the slow part was never where I thought.",
    "Asking in the cohort channel early beats struggling alone late.",
    "Documentation is part of the feature, not an afterthought.",
    "A boring, well-tested design beats a clever one every time.",
    "Pairing on a bug teaches more than reading about it.",
]
FEATURES = [
    "Sign-up, log-in and password reset",
    "Search with filters and pagination",
    "Role-based permissions for admins and members",
    "E-mail notifications sent in the background",
    "An OpenAPI page for frontend developers",
    "Rate limiting per user and per IP",
]
ENDPOINTS = [
    ("GET", "/api/v1/items/", "list items, 20 per page"),
    ("POST", "/api/v1/items/", "create an item"),
    ("GET", "/api/v1/items/{id}/", "one item"),
    ("PATCH", "/api/v1/items/{id}/", "update an item"),
    ("DELETE", "/api/v1/items/{id}/", "delete an item"),
    ("POST", "/api/v1/auth/token/", "obtain a JWT pair"),
]
EN_DASH = "\u2013"  # the dash learners put between a name and its description
EMOJI = ["🚀", "🛠️", "👩🏽‍💻", "🧑‍💻", "📚", "⚙️", "💡", "✨", "🔑", "🧗", "🤝", "📈", "🗃️"]
FRENCH = (
    "## Ce que j'ai appris\n\nLes files de messages m'ont appris la patience : une tâche peut être "
    "rejouée, donc elle doit être idempotente.\n"
)


@dataclass
class Readme:
    name: str
    shape: str
    data: bytes


class Writer:
    """One generated README, built section by section in a chosen shape."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parts: list[str] = []

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def heading(self, level: int, text: str) -> str:
        rng = self.rng
        if self.chance(0.5):
            text = f"{rng.choice(EMOJI)} {text}"
        if self.chance(0.15):
            text = f"**{text}**"
        if self.chance(0.15):
            text += ":"
        hashes = "#" * level
        return f"{hashes}{'  ' if self.chance(0.1) else ' '}{text}"

    def add(self, *blocks: str) -> None:
        self.parts.extend(blocks)

    def text(self) -> str:
        return "\n\n".join(part.strip("\n") for part in self.parts) + "\n"

    # --- sections --------------------------------------------------------------------------

    def preamble(self) -> None:
        if self.chance(0.3):
            self.add(
                '<div align="center">\n  <img src="docs/banner.png" alt="banner" width="600">\n</div>',
                "[![CI](https://example.test/ci.svg)](https://example.test/ci) "
                "[![Coverage](https://example.test/cov.svg)](https://example.test/cov)",
            )
        if self.chance(0.1):
            self.add("<!-- keep this file up to date at the end of every week -->")

    def title(self, name: str) -> None:
        self.add(self.heading(1, f"{name}'s Project Nexus"))
        self.add(
            f"A record of what I learned in the backend engineering program, by {name}. "
            "It collects the tools, the ideas and the mistakes worth remembering."
        )

    def overview(self) -> None:
        self.add(self.heading(2, self.rng.choice(["Program Overview", "Overview", "About the Program"])))
        self.add(
            "Sixteen weeks of building backend services: relational data, APIs, background work, "
            "deployment and the habits that keep a codebase healthy. Each week ended with a project "
            "reviewed by a mentor."
        )

    def technologies(self, level: int = 2) -> None:
        rng = self.rng
        heading = rng.choice(
            ["Key Technologies Covered", "Technology Stack", "Technologies & Tools", "The Tech Stack I Used Daily"]
        )
        self.add(self.heading(level, heading))
        items = rng.sample(TECHNOLOGIES, rng.randint(4, 9))
        style = rng.choice(["bold-dash", "colon", "pandoc", "middle-dot", "table", "bare"])
        if style == "table":
            rows = "\n".join(f"| {name} | {what} |" for name, what in items)
            self.add(f"| Technology | What I used it for |\n|---|---|\n{rows}")
        elif style == "bare":
            self.add("\n".join(f"- {name}" for name, _ in items))
        else:
            marker, form = {
                "bold-dash": ("- ", "**{n}** " + EN_DASH + " {w}"),
                "colon": ("* ", "{n}: {w}"),
                "pandoc": ("-   ", "{n} - {w}"),
                "middle-dot": ("· ", "**{n}** — {w}"),
            }[style]
            lines = [marker + form.format(n=name, w=what) + ("  " if self.chance(0.3) else "") for name, what in items]
            self.add("\n".join(lines))

    def concepts(self, level: int = 2) -> None:
        rng = self.rng
        self.add(self.heading(level, rng.choice(["Important Backend Concepts", "Key Concepts", "Fundamentals"])))
        items = rng.sample(CONCEPTS, rng.randint(3, 6))
        if self.chance(0.5):
            for number, (name, what) in enumerate(items, start=1):
                self.add(self.heading(level + 1, f"{number}. **{name}**" if self.chance(0.5) else name))
                self.add(f"{what.capitalize()}. I practised it in the weekly project and wrote down the trade-offs.")
        else:
            self.add("\n".join(f"- **{name}** {EN_DASH} {what}" for name, what in items))

    def learnings(self) -> None:
        self.add(self.heading(2, self.rng.choice(["Major Learnings", "What I Learnt", "Learnings"])))
        self.technologies(level=3)
        self.concepts(level=3)

    def challenges(self, family: int | None = None) -> None:
        rng = self.rng
        heading = rng.choice(
            [
                "Challenges Faced and Solutions Implemented",
                "Challenges & Solutions",
                "Some Real Problems I Had to Solve",
            ]
        )
        if self.chance(0.05):
            self.add(f"- ## {heading}")  # a heading inside a list item
        else:
            self.add(self.heading(2, heading))
        items = rng.sample(CHALLENGES, rng.randint(2, 6))
        family = family or rng.randint(1, 6)
        if family == 1:
            if self.chance(0.5):
                rows = "\n".join(f"| **{t}** | {s} |" for t, _, s in items)
                self.add(f"| Challenge | Solution |\n|---|---|\n{rows}")
            else:
                rows = "\n".join(f"| {t} | {p} | {s} |" for t, p, s in items)
                self.add(f"| 🧗 Challenge | Description | Solution Implemented |\n|---|---|---|\n{rows}")
        elif family == 2:
            for number, (title, problem, solution) in enumerate(items, start=1):
                form = rng.choice(["Challenge {n}: {t}", "{n}. {t}", "{n}. **{t}**"])
                self.add(self.heading(3, form.format(n=number, t=title)))
                self.add(f"**Problem**: {problem.capitalize()}.", f"**Solution**: {solution.capitalize()}.")
                if self.chance(0.3):
                    self.add("```python\nqueryset = Post.objects.select_related('author')\n```")
        elif family == 3:
            lines = []
            for title, problem, solution in items:
                if self.chance(0.5):
                    lines.append(f"- **Challenge:** {problem.capitalize()}  \n  **Solution:** {solution}")
                else:
                    lines.append(f"- *Problem*: {problem}\\\n  *Fix*: {solution}")
                if self.chance(0.2):
                    lines[-1] = f"1. **{title}**\n   - Issue: {problem}\n   - **Key Fix:** {solution}"
            self.add("\n".join(lines))
        elif family == 4:
            for _, problem, solution in items:
                self.add(f"Challenge: {problem.capitalize()}\nSolution: {solution}\nTools: the docs and a debugger")
        elif family == 5:
            self.add("\n".join(f"- **{t}:** {s.capitalize()}" for t, _, s in items))
        else:
            for title, problem, solution in items:
                self.add(self.heading(3, title), f"{problem.capitalize()}.")
                if self.chance(0.7):
                    self.add(f"To overcome this, I used {solution}.")

    def practices(self) -> None:
        rng = self.rng
        self.add(self.heading(2, rng.choice(["Best Practices & Takeaways", "Best Practices", "Personal Insights"])))
        items = rng.sample(PRACTICES, rng.randint(3, 5))
        if self.chance(0.4):
            self.add("\n".join(f"✅ **{name}** {what}.  " for name, what in items))
        else:
            self.add("\n".join(f"- **{name}** {EN_DASH} {what}" for name, what in items))
        if self.chance(0.6):
            self.add(self.heading(3, rng.choice(["Personal Takeaways", "Looking Back", "What I'd Do Differently"])))
            self.add(" ".join(rng.sample(TAKEAWAYS, 3)))

    def weeks(self) -> None:
        self.add(self.heading(2, "Week-by-Week Highlights"))
        for week in range(1, self.rng.randint(3, 8)):
            self.add(self.heading(3, f"Week {week}"), f"Built the week {week} project and {self.rng.choice(TAKEAWAYS)}")

    def next_steps(self) -> None:
        self.add(self.heading(2, "Next Steps"))
        self.add(
            "- [ ] Learn Kubernetes basics\n- [ ] Contribute to an open-source Django package\n"
            "- [x] Finish the capstone"
        )

    def collaboration(self) -> None:
        self.add(self.heading(2, "Collaboration"))
        self.add(
            "I worked with frontend learners, who used my endpoints, and with other backend learners, "
            "who reviewed my code. We met in the #project-nexus channel on Discord.\n\n"
            "Author: [Your Name](https://github.com/your-username)"
        )

    def app(self, level: int = 2) -> None:
        rng = self.rng
        self.add(self.heading(level, "Features"), "\n".join(f"- {f}" for f in rng.sample(FEATURES, 4)))
        self.add(self.heading(level, "Setup"))
        fence = rng.choice(["```bash", "``` bash", "```bash Copy code"])
        self.add(
            f"{fence}\n# clone and enter the project\ngit clone https://github.com/your-username/app.git\n"
            "cd app\n# install the dependencies\npip install -r requirements.txt\npython manage.py migrate\n```"
        )
        self.add(self.heading(level, "API Endpoints"))
        rows = "\n".join(f"| `{m}` | `{p}` | {w} |" for m, p, w in rng.sample(ENDPOINTS, 4))
        self.add(f"| Method | Path | What it does |\n|---|---|---|\n{rows}")
        if self.chance(0.3):
            self.add(
                "Example query:",
                "query {\n# the first ten items\n  items(first: 10) { id name }\n}",  # unfenced GraphQL
            )
        if self.chance(0.3):
            self.add("```mermaid\ngraph TD\n  Client --> API\n  API --> Database\n  API --> Queue\n```")
        if self.chance(0.6):
            self.add(
                self.heading(level, "Project Structure"),
                "```\napp/\n├── config/          # settings, urls, wsgi\n├── items/           # models, "
                "serializers, views\n│   └── tests/\n├── requirements.txt\n└── manage.py\n```",
            )
        if self.chance(0.6):
            self.add(
                self.heading(level, "Environment Variables"),
                "| Name | Example | Meaning |\n|---|---|---|\n| `SECRET_KEY` | `change-me` | signs sessions |\n"
                "| `DATABASE_URL` | `postgres://app@localhost/app` | where the data lives |\n"
                "| `REDIS_URL` | `redis://localhost:6379/0` | the cache and the broker |",
            )
        if self.chance(0.6):
            self.add(
                self.heading(level, "Running the Tests"),
                "```bash\n# the whole suite, with coverage\npytest --cov=items\n```",
                "The CI workflow runs the same command on every pull request; a red build blocks the merge.",
            )
        if self.chance(0.4):
            self.add(
                self.heading(level, "Deployment"),
                "The API runs in Docker behind Nginx. Migrations run in a release step before the new "
                "containers take traffic, and static files are collected into the image at build time.",
            )

    def traps(self) -> None:
        if self.chance(0.15):
            self.add("#NoSpaceHere is how I tag my notes.")
        if self.chance(0.1):
            self.add("This line was left by an unresolved merge\n=======")
        if self.chance(0.1):
            self.add(FRENCH)
        if self.chance(0.1):
            self.add("Sure! Here is a cleaner version of your README:")
        if self.chance(0.08):
            self.add(self.heading(2, "Notes"), "```python\nprint('this fence is never closed')\n# not a heading")
        if self.chance(0.1):
            self.add("Key\u2011takeaway: a non\u2011breaking hyphen still reads as a hyphen.")


def generate(number: int) -> Readme:
    rng = random.Random(number)  # noqa: S311 - repeatable filler text, not secrets
    writer = Writer(rng)
    name = rng.choice(["Amara", "Kofi", "Lena", "Tariq", "Mei", "Joseph", "Ines", "Ravi"])
    shape = rng.choices(
        ["canonical", "hybrid", "two documents", "app only", "plain text", "weekly"],
        weights=[40, 25, 5, 15, 10, 5],
    )[0]
    writer.preamble()
    if shape == "plain text":
        writer.add(f"{name}'s Learning Notes", "What I picked up in the backend program, in plain text.")
        writer.add("Key Technologies", "\n".join(f"- {n}: {w}" for n, w in rng.sample(TECHNOLOGIES, 5)))
        writer.add("Challenges")
        for _, problem, solution in rng.sample(CHALLENGES, 3):
            writer.add(f"Challenge: {problem}\nSolution: {solution}")
        writer.add("Concepts", "\n".join(f"- {n}: {w}" for n, w in rng.sample(CONCEPTS, 4)))
        writer.add("Best Practices", "\n".join(f"✅ {n}: {w}." for n, w in rng.sample(PRACTICES, 3)))
        writer.add("Takeaways\n---", " ".join(rng.sample(TAKEAWAYS, 3)))
        writer.add("Collaboration", "I paired with two frontend learners; we met on Discord every Thursday.")
    elif shape == "app only":
        writer.add(writer.heading(1, rng.choice(["Library API", "Movie Recommender", "Job Board Backend"])))
        writer.add("A Django REST API built as the capstone project of the program.")
        writer.app()
        writer.add(writer.heading(2, "Tech Stack"), "\n".join(f"- {n}" for n, _ in rng.sample(TECHNOLOGIES, 5)))
        writer.traps()
    else:
        if writer.chance(0.05):
            writer.overview()  # an H2 before the H1
        writer.title(name)
        writer.overview()
        if writer.chance(0.6):
            writer.learnings()
        else:
            writer.technologies()
            writer.concepts()
        writer.challenges()
        writer.practices()
        if shape == "weekly":
            writer.weeks()
        writer.traps()
        if writer.chance(0.3):
            writer.next_steps()
        writer.collaboration()
        if shape == "hybrid":
            writer.app(level=2)
        elif shape == "two documents":
            writer.add(writer.heading(1, "Capstone: Event Booking API"), "The app I built in the last four weeks.")
            writer.app(level=2)
    text = writer.text()
    data, encoding = encode(rng, text)
    return Readme(f"generated-{number:03d}", f"{shape}, {encoding}", data)


def encode(rng: random.Random, text: str) -> tuple[bytes, str]:
    """The bytes a learner's editor, shell or copy-paste would have saved."""
    roll = rng.random()
    if roll < 0.05:
        return text.encode("utf-8").decode("sloppy-windows-1252").encode("utf-8"), "mojibake (Windows-1252)"
    if roll < 0.10:
        return text.encode("utf-8").decode("mac_roman").encode("utf-8"), "mojibake (Mac Roman)"
    if roll < 0.12:
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "UTF-16 LE with BOM"
    if roll < 0.13:
        return text.encode("utf-16-le"), "UTF-16 LE"
    if roll < 0.14:
        return text.encode("utf-16-be"), "UTF-16 BE"
    if roll < 0.19:
        return codecs.BOM_UTF8 + text.encode("utf-8"), "UTF-8 with BOM"
    if roll < 0.29:
        return text.replace("\n", "\r\n").encode("utf-8"), "UTF-8, CRLF"
    return text.encode("utf-8"), "UTF-8"


def corpus() -> list[Readme]:
    readmes: list[Readme] = []
    if SAMPLES.is_dir():
        readmes += [Readme(path.name, "real sample", path.read_bytes()) for path in sorted(SAMPLES.glob("*.md"))]
    else:
        print(f"note: {SAMPLES} is not beside the project; the five real samples are skipped.\n")
    return readmes + [generate(number) for number in range(GENERATED)]


# --- measuring -------------------------------------------------------------------------------


def timed_pass(function: Callable[[Any], object], inputs: Sequence[Any]) -> tuple[list[float], float]:
    """CPU seconds of each call, in order, and the wall-clock seconds of the whole pass.

    The figures use CPU time: parsing is single-threaded and CPU-bound, and on a shared
    2-core machine the wall clock also counts the time other processes held the core."""
    seconds = []
    clock = time.process_time
    wall = time.perf_counter()
    for item in inputs:
        started = clock()
        function(item)
        seconds.append(clock() - started)
    return seconds, time.perf_counter() - wall


def main() -> int:
    readmes = corpus()
    datas = [readme.data for readme in readmes]
    total_bytes = sum(len(data) for data in datas)
    # Check the corpus once, untimed: every file reads, and its coverage is reported.
    partial = []
    entries = 0
    for readme in readmes:
        _, _, _, plan = readme_read(readme.data)
        entries += len(plan.entries)
        if plan.coverage.percent < 100.0:
            partial.append(f"{readme.name} ({plan.coverage.percent}%)")
    texts = [readme_decode(data).text for data in datas]
    bare = MarkdownIt("commonmark").parse
    samples = sum(readme.shape == "real sample" for readme in readmes)
    print(
        f"I1 README import, parsed without a database: {len(readmes)} READMEs ({samples} real samples, "
        f"{len(readmes) - samples} generated), {total_bytes / 1e6:.2f} MB, {entries:,} planned entries;"
    )
    print(f"{PASSES} alternating passes of each, medians of CPU time reported.\n", flush=True)
    timed_pass(readme_read, datas)  # warm-up: imports, compiled patterns
    timed_pass(bare, texts)
    ours: list[list[float]] = []
    theirs: list[list[float]] = []
    walls: list[float] = []
    for _ in range(PASSES):
        theirs.append(timed_pass(bare, texts)[0])
        per_call, wall = timed_pass(readme_read, datas)
        ours.append(per_call)
        walls.append(wall)
    ours_seconds = statistics.median(sum(run) for run in ours)
    bare_seconds = statistics.median(sum(run) for run in theirs)
    rate, bare_rate = len(readmes) / ours_seconds, len(readmes) / bare_seconds
    ratio = rate / bare_rate
    print(f"{'run':46} {'READMEs/s':>10} {'MB/s':>7} {'ms/README':>10}")
    for label, seconds in (
        ("markdown-it commonmark parse (bare, baseline)", bare_seconds),
        ("readme_read (decode, repair, plan)", ours_seconds),
    ):
        print(
            f"{label:46} {len(readmes) / seconds:10.0f} {total_bytes / seconds / 1e6:7.2f} "
            f"{seconds / len(readmes) * 1000:10.2f}"
        )
    per_file = [statistics.median(run[index] for run in ours) for index in range(len(readmes))]
    by_shape: dict[str, list[int]] = defaultdict(list)
    for index, readme in enumerate(readmes):
        by_shape[readme.shape.split(",")[0]].append(index)
    print(f"\n{'by shape (median pass)':46} {'files':>10} {'KB':>7} {'ms/README':>10} {'READMEs/s':>10}")
    for shape, indexes in sorted(by_shape.items()):
        seconds = sum(per_file[index] for index in indexes)
        kilobytes = sum(len(datas[index]) for index in indexes) / len(indexes) / 1024
        print(
            f"{shape:46} {len(indexes):10} {kilobytes:7.1f} {seconds / len(indexes) * 1000:10.2f} "
            f"{len(indexes) / seconds:10.0f}"
        )
    slowest = max(range(len(readmes)), key=per_file.__getitem__)
    print(
        f"\nslowest file: {readmes[slowest].name} ({readmes[slowest].shape}, {len(datas[slowest]) / 1024:.1f} KB): "
        f"{per_file[slowest] * 1000:.2f} ms"
    )
    if partial:
        print(f"coverage below 100%: {', '.join(partial)}")
    else:
        print(f"coverage: 100% of non-blank lines placed in all {len(readmes)} READMEs")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"wall clock: readme_read at {len(readmes) / statistics.median(walls):.0f} READMEs/s "
        f"(1-minute load average {load:.1f} on {os.cpu_count()} cores)"
    )
    hostile_ok = hostile_files()
    verdict = "ok" if rate >= TARGET else "MISSED"
    print(
        f"\nI1: {rate:.0f} READMEs/s parsed ({ratio:.2f} x a bare markdown-it parse of the same text)  "
        f"{verdict} (target >= {TARGET:.0f} READMEs/s)"
    )
    return 1 if (verdict != "ok" or not hostile_ok) and os.environ.get("BENCH_STRICT") == "1" else 0


# Issue 4's bad input: "within a second per MB". Measured here, never asserted in tests. A
# small file is held to a quarter of a second instead: per MB, its fixed costs would dominate.
HOSTILE = {
    "one 1 MB line": "x" * 1_000_000,
    "10,000 headings": "".join(f"## Heading {n}\n" for n in range(10_000)),
    "1,000 headings with text (the most one reads)": "".join(f"## Heading {n}\n\nA line.\n\n" for n in range(1_000)),
    "lists nested 500 deep": "".join("  " * depth + "- item\n" for depth in range(500)),
    "HTML only": "<div>\n" * 20_000,
    "100,000 backticks": "`" * 100_000,
    "200,000 emphasis markers": "**" * 200_000,
}


def hostile_files() -> bool:
    """Time readme_read on each hostile shape; True when each is within a second per MB
    (or refused, which is an answer too)."""
    print(f"\n{'hostile file (readme_read, CPU)':46} {'MB':>7} {'seconds':>8} {'s/MB':>7}  answer")
    within = True
    for label, text in HOSTILE.items():
        data = text.encode()
        started = time.process_time()
        try:
            readme_read(data)
            answer = "planned"
        except NexusError as error:
            answer = error.code
        seconds = time.process_time() - started
        per_mb = seconds / (len(data) / 1e6)
        within &= per_mb <= 1.0 or seconds <= 0.25
        print(f"{label:46} {len(data) / 1e6:7.2f} {seconds:8.3f} {per_mb:7.2f}  {answer}")
    print(f"I1 bad input: {'ok' if within else 'MISSED'} (target <= 1 s per MB or 0.25 s, each answered)")
    return within


if __name__ == "__main__":
    sys.exit(main())
