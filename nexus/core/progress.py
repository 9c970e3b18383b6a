"""Progress of long work (imports, exports, backups, reindexing): a rich progress bar with
counts, rate and time left in a terminal; plain periodic log lines otherwise, so a CI log
or `kubectl logs` shows how far it got without a screenful of escape codes."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Item = TypeVar("Item")
logger = logging.getLogger("nexus.progress")
LOG_EVERY_SECONDS = 5.0


def progress_iter(
    items: Iterable[Item],
    *,
    total: int | None,
    label: str,
    unit: str = "items",
    stream: TextIO | None = None,
) -> Iterator[Item]:
    """Yield `items`, showing progress on `stream` (stderr by default)."""
    stream = stream or sys.stderr
    if stream.isatty():
        yield from _with_bar(items, total=total, label=label, unit=unit, stream=stream)
    else:
        yield from _with_log_lines(items, total=total, label=label, unit=unit)


def _with_bar(items: Iterable[Item], *, total: int | None, label: str, unit: str, stream: TextIO) -> Iterator[Item]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    started = time.monotonic()
    with Progress(*columns, console=Console(file=stream), transient=False) as bar:
        task = bar.add_task(label, total=total, rate="")
        for done, item in enumerate(items, start=1):
            yield item
            rate = done / max(time.monotonic() - started, 1e-9)
            bar.update(task, advance=1, rate=f"{rate:,.0f} {unit}/s")


def _with_log_lines(items: Iterable[Item], *, total: int | None, label: str, unit: str) -> Iterator[Item]:
    started = last = time.monotonic()
    done = 0
    for done, item in enumerate(items, start=1):
        yield item
        now = time.monotonic()
        if now - last >= LOG_EVERY_SECONDS:
            last = now
            logger.info(_line(label, done, total, now - started, unit))
    logger.info(_line(label, done, total, time.monotonic() - started, unit) + " (finished)")


def _line(label: str, done: int, total: int | None, elapsed: float, unit: str) -> str:
    rate = done / max(elapsed, 1e-9)
    if total:
        left = (total - done) / rate if rate else 0.0
        return f"{label}: {done:,}/{total:,} {unit} ({done / total:.0%}), {rate:,.0f}/s, {left:,.0f} s left"
    return f"{label}: {done:,} {unit}, {rate:,.0f}/s"
