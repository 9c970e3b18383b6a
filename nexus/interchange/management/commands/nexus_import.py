"""`manage.py nexus_import PATH... --hub USERNAME`: import README files, or folders of them,
into a learner's hub (each file is its own transaction; a re-run changes nothing)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nexus.accounts.models import User
from nexus.core.errors import NexusError
from nexus.core.progress import progress_iter
from nexus.interchange.services import ImportReport, readme_import, readme_source
from nexus.knowledge.models import EntryStatus
from nexus.knowledge.services import hub_ensure

README_SUFFIXES = (".md", ".markdown")


def readme_files(paths: list[str]) -> list[tuple[Path, str]]:
    """Each file to import with the name it is remembered by (its path within a folder)."""
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in README_SUFFIXES)
            found += [(p, p.relative_to(path).as_posix()) for p in inside]
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise CommandError(f"{raw}: no such file or folder.")
    if not found:
        raise CommandError(f"No Markdown files ({', '.join(README_SUFFIXES)}) in {', '.join(paths)}.")
    return found


class Command(BaseCommand):
    help = "Import README.md files (or folders of them) into a learner's hub; --dry-run previews."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="A README file or a folder of .md files.")
        parser.add_argument("--hub", required=True, metavar="USERNAME", help="The learner whose hub receives them.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")
        parser.add_argument(
            "--status", choices=EntryStatus.values, default=EntryStatus.PUBLISHED, help="The status of new entries."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = User.objects.filter(username__iexact=options["hub"], is_active=True).first()
        if owner is None:
            raise CommandError(f"No active user is called {options['hub']!r}.")
        hub = hub_ensure(owner)
        files = readme_files(options["paths"])
        failed = 0
        for path, name in progress_iter(files, total=len(files), label="Import", unit="files"):
            try:
                with path.open("rb") as handle:
                    data, name = readme_source(upload=handle, name=name)
                report = readme_import(
                    actor=owner,
                    hub=hub,
                    data=data,
                    name=name,
                    dry_run=options["dry_run"],
                    status=options["status"],
                )
            except NexusError as error:
                failed += 1
                self.stderr.write(f"{name}: not imported: {error.message}{_details(error.details)}")
                continue
            self.stdout.write(_summary(report))
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be imported (nothing of them was written).")


def _summary(report: ImportReport) -> str:
    counts, coverage = report.counts, report.plan.coverage
    verb = "would" if report.dry_run else "did"
    line = (
        f"{report.name}: {verb} create {counts['create']}, update {counts['update']}, "
        f"leave {counts['unchanged']} unchanged; coverage {coverage.percent:g}% of {coverage.lines} lines"
    )
    extras = [*report.repairs, *(f"line {line}: {message}" for line, message in report.plan.warnings)]
    if report.missing:
        extras.append("no longer in the file (kept): " + ", ".join(item["title"] for item in report.missing))
    return "\n  ".join([line, *extras])


def _details(details: dict[str, Any]) -> str:
    return "".join(f"\n  {name}: {problems}" for name, problems in details.items())
