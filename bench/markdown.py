"""`make bench`, M1: pathological Markdown is bounded in time (DESIGN.md section 7, issue 3).

Renders each hostile shape at the size limit (256 KB: `[` and `![` runs, unclosed links,
emphasis runs, long and wide tables, one-line headings, `<` soup, backticks, reference
definitions, e-mail addresses, ampersands...) through `markdown_render`, each after a normal
document of the same size in the same round, so a noisy neighbour slows both alike. Prints,
for each shape, whether it rendered or was refused (MarkdownTooComplex), its wall and CPU
seconds and its ratio to the normal document; then the normal documents' own throughput as
the baseline, and the verdict: every hostile shape renders within a second or is refused
(soon after the budget is spent). The verdict reads the rendering thread's CPU time, as the
budget does: on a shared machine the wall time beside it also counts the neighbours' turns.

BENCH_MARKDOWN_UNBOUNDED=1 also renders each shape with no budget, to show what the budget
saves (that takes minutes).
"""

from __future__ import annotations

import gc
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nexus.core import markdown  # noqa: E402
from nexus.core.markdown import MARKDOWN_MAX_BYTES, MarkdownRefused, markdown_render  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_MARKDOWN_ROUNDS", "1"))
PASSES = int(os.environ.get("BENCH_MARKDOWN_PASSES", "3"))  # of each normal document
UNBOUNDED = os.environ.get("BENCH_MARKDOWN_UNBOUNDED") == "1"
TARGET = 1.0  # seconds for a hostile shape that renders (issue 3)
# A refusal comes once the budget is spent, plus the step in progress (a garbage collection
# of the tokens so far, say) and the unwinding: allowed this much beyond the budget.
REFUSAL_SLACK = 0.5
SIZE = MARKDOWN_MAX_BYTES


def fill(unit: str, size: int = SIZE) -> str:
    """`unit` repeated to exactly `size` bytes (units are ASCII unless said otherwise)."""
    text = unit * (size // len(unit.encode()) + 1)
    return text.encode()[:size].decode(errors="ignore")


def table(head: str, rule: str, row: str) -> str:
    return head + rule + fill(row, SIZE - len(head) - len(rule))


def nested(make_line: Callable[[int], str]) -> str:
    lines, size, i = [], 0, 0
    while size < SIZE:
        line = make_line(i)
        lines.append(line)
        size += len(line.encode())
        i += 1
    return "".join(lines).encode()[:SIZE].decode(errors="ignore")


# name -> source; every one at the size limit. Times before the budget (markdown-it-py 4.3,
# 2 cores): most took 3-10 s, `![` and `- [ ]` 10-15 s.
HOSTILE: dict[str, Callable[[], str]] = {
    "[ x N": lambda: fill("["),
    "![ x N": lambda: fill("!["),
    "[a]( x N": lambda: fill("[a]("),
    "[]( x N": lambda: fill("[]("),
    "![]( x N": lambda: fill("![]("),
    "[a][ x N": lambda: fill("[a]["),
    "[a](b ' x N": lambda: fill("[a](b '"),
    "](  x N": lambda: fill("]("),
    "*a  x N": lambda: fill("*a "),
    "**a  x N": lambda: fill("**a "),
    "a**  x N": lambda: fill("a** "),
    "_a* x N": lambda: fill("_a* "),
    "~~a  x N": lambda: fill("~~a "),
    "> quotes, nested": lambda: nested(lambda i: "> " * (i % 50) + "a\n"),
    "- lists, nested": lambda: nested(lambda i: "  " * (i % 60) + "- a\n"),
    "- [ ] tasks": lambda: fill("- [ ] a\n"),
    "table, 25k rows": lambda: table("| a | b |\n", "|---|---|\n", "| x | y |\n"),
    "table, 2000 columns": lambda: table("|" + "a|" * 2000 + "\n", "|" + "-|" * 2000 + "\n", "|" + "x|" * 2000 + "\n"),
    "# headings, 65k": lambda: fill("# a\n"),
    "setext headings": lambda: fill("a\n=\n"),
    "*** rules": lambda: fill("***\n"),
    "< soup": lambda: fill("<"),
    "<a  soup": lambda: fill("<a "),
    "`a backticks": lambda: fill("`a"),
    "[a]: /u definitions": lambda: fill("[a]: /u\n"),
    "[a] references": lambda: "[a]: /u\n\n" + fill("[a] ", SIZE - 9),
    "http:// links": lambda: fill("http://a "),
    "<http:// autolinks": lambda: fill("<http://"),
    "e-mail addresses": lambda: fill("a@b.co "),
    "\\ escapes": lambda: fill("\\"),
    "&# entities": lambda: fill("&#"),
    "& ampersands": lambda: fill("&"),
    "<div> & raw ampersands": lambda: "<div>\n" + fill("& ", SIZE - 6),
    "a\\n lines": lambda: fill("a\n"),
    "``` fences": lambda: fill("```\n"),
}


# --- normal documents (our own text) ------------------------------------------------------

WORDS = [
    *("cache", "queue", "worker", "index", "query", "model", "view", "serializer", "token", "session"),
    *("migration", "schema", "request", "response", "retry", "timeout", "replica", "broker", "channel"),
    *("signal", "fixture", "factory"),
]


def guide(rng: random.Random) -> str:
    """A long guide: sections of prose with links, emphasis and code, lists, fences, tables."""
    parts, size, n = [], 0, 0
    while size < SIZE:
        n += 1
        words = " ".join(rng.choice(WORDS) for _ in range(40))
        part = (
            f"## Section {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}\n\n"
            f"The **{rng.choice(WORDS)}** talks to the `{rng.choice(WORDS)}` through "
            f"[the docs](https://docs.example.org/{n}) and [entry {n}](/h/amara/e/{n}/). {words}.\n\n"
            f"- {rng.choice(WORDS)} first\n- then *{rng.choice(WORDS)}*\n- [x] done\n\n"
            f"```python\ndef handle_{n}(request):\n    return cache.get('{rng.choice(WORDS)}')\n```\n\n"
            f"| setting | value |\n|---|---:|\n| {rng.choice(WORDS)} | {n} |\n\n"
            f"> Note: {words[:80]}.\n\n"
        )
        parts.append(part)
        size += len(part)
    return "".join(parts).encode()[:SIZE].decode(errors="ignore")


def data_table(rng: random.Random) -> str:
    """A table of words, six columns, the kind learners paste from a spreadsheet."""
    head = "| " + " | ".join(f"column {i}" for i in range(6)) + " |\n|" + "---|" * 6 + "\n"
    rows = [head]
    size = len(head)
    while size < SIZE:
        row = (
            "| " + " | ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))) for _ in range(6)) + " |\n"
        )
        rows.append(row)
        size += len(row)
    return "".join(rows).encode()[:SIZE].decode(errors="ignore")


def repeated(texts: list[str]) -> str:
    joined = "\n\n".join(texts)
    return (joined * (SIZE // max(1, len(joined.encode())) + 1)).encode()[:SIZE].decode(errors="ignore")


def normal_documents() -> dict[str, str]:
    rng = random.Random(3)  # noqa: S311 - sample text, not secrets
    docs = {"long guide": guide(rng), "data table, 6 columns": data_table(rng)}
    ours = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    docs["project docs"] = repeated([path.read_text(encoding="utf-8") for path in ours if path.is_file()])
    samples = ROOT.parent / "shared" / "samples" / "readmes"
    if samples.is_dir():
        docs["cohort READMEs"] = repeated([path.read_text(encoding="utf-8") for path in sorted(samples.glob("*.md"))])
    return docs


# --- measuring --------------------------------------------------------------------------


@dataclass
class Timing:
    wall: float
    cpu: float
    outcome: str  # "rendered" or the refusal's code


def measure(source: str) -> Timing:
    gc.collect()
    wall, cpu = time.perf_counter(), time.thread_time()
    try:
        rendered = markdown_render(source)
    except MarkdownRefused as refused:
        outcome = refused.code
    else:
        outcome = "rendered"
        del rendered  # freeing the result is part of a request's time
    return Timing(time.perf_counter() - wall, time.thread_time() - cpu, outcome)


def unbounded(source: str) -> float:
    budget = markdown.MARKDOWN_BUDGET_SECONDS
    markdown.MARKDOWN_BUDGET_SECONDS = math.inf
    try:
        return measure(source).wall
    finally:
        markdown.MARKDOWN_BUDGET_SECONDS = budget


def main() -> int:
    budget = markdown.MARKDOWN_BUDGET_SECONDS
    normal = normal_documents()
    baseline_name = "long guide"
    baseline_doc = normal[baseline_name]
    measure(baseline_doc)  # warm the lexers and caches

    print(f"M1: hostile Markdown at {SIZE:,} bytes, budget {budget} s CPU, {ROUNDS} round(s)")
    header = f"{'shape':26s} {'outcome':22s} {'wall s':>7s} {'cpu s':>7s} {'x normal':>9s}"
    print(header + (f" {'no budget s':>12s}" if UNBOUNDED else ""))
    results: dict[str, Timing] = {}
    for name, make in HOSTILE.items():
        source = make()
        assert len(source.encode()) <= SIZE, name
        worst: Timing | None = None
        ratios = []
        for _ in range(ROUNDS):
            base = measure(baseline_doc)  # the baseline beside it, in the same round
            timing = measure(source)
            ratios.append(timing.wall / base.wall)
            if worst is None or timing.wall > worst.wall:
                worst = timing
        assert worst is not None
        results[name] = worst
        line = f"{name:26s} {worst.outcome:22s} {worst.wall:7.2f} {worst.cpu:7.2f} {statistics.median(ratios):8.1f}x"
        if UNBOUNDED:
            line += f" {unbounded(source):12.2f}"
        print(line, flush=True)

    print()
    print(f"baseline: normal documents at {SIZE:,} bytes, median of {PASSES} passes")
    print(f"{'document':26s} {'outcome':22s} {'wall s':>7s} {'cpu s':>7s} {'KB/s':>9s}")
    normal_refused = []
    for name, source in normal.items():
        timings = [measure(source) for _ in range(PASSES)]
        wall = statistics.median(t.wall for t in timings)
        cpu = statistics.median(t.cpu for t in timings)
        outcomes = {t.outcome for t in timings}
        outcome = "rendered" if outcomes == {"rendered"} else ",".join(sorted(outcomes))
        if outcome != "rendered":
            normal_refused.append(name)
        kbs = len(source.encode()) / 1024 / wall
        print(f"{name:26s} {outcome:22s} {wall:7.2f} {cpu:7.2f} {kbs:9.0f}", flush=True)

    rendered = {name: t for name, t in results.items() if t.outcome == "rendered"}
    refused = {name: t for name, t in results.items() if t.outcome != "rendered"}
    print()
    worst_render = max(rendered.items(), key=lambda item: item[1].cpu, default=None)
    slowest_refusal = max(refused.items(), key=lambda item: item[1].cpu, default=None)
    render_ok = worst_render is None or worst_render[1].cpu <= TARGET
    refusal_ok = slowest_refusal is None or slowest_refusal[1].cpu <= budget + REFUSAL_SLACK
    ok = render_ok and refusal_ok
    render_text = f"{worst_render[1].cpu:.2f} s ({worst_render[0]})" if worst_render else "none rendered"
    refusal_text = f"{slowest_refusal[1].cpu:.2f} s ({slowest_refusal[0]})" if slowest_refusal else "none refused"
    print(
        f"M1: worst hostile render {render_text}, {len(refused)} of {len(results)} refused, "
        f"slowest refusal {refusal_text}  {'ok' if ok else 'MISSED'} "
        f"(target <= {TARGET:g} s or refused within {budget + REFUSAL_SLACK:g} s; CPU seconds)"
    )
    print(
        f"M1 baseline: {len(normal) - len(normal_refused)} of {len(normal)} normal documents rendered"
        + (f"; refused: {', '.join(normal_refused)}  MISSED" if normal_refused else "  ok")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
