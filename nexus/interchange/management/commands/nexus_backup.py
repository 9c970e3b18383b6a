"""`manage.py nexus_backup OUT_FILE`: the whole instance as one versioned JSON archive."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nexus.audit.services import audit_record
from nexus.core.errors import NexusError
from nexus.interchange.backup import instance_backup


class Command(BaseCommand):
    help = (
        "Back up the whole instance (users, hubs, entries with all revisions, proposals and every other app's rows) "
        "to one versioned JSON archive, gzip-compressed when OUT_FILE ends in .gz. The file holds password hashes: "
        "keep it as you keep secrets."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "out_file", metavar="OUT_FILE", help="e.g. nexus-2026-05-01.json.gz (replaced when it exists)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = instance_backup(options["out_file"])
        except NexusError as error:
            raise CommandError(error.message) from error
        # The operator at the command line: no account, no address.
        audit_record(
            actor=None, action="backup.create", target=str(options["out_file"]), details={"counts": report.counts}
        )
        self.stdout.write(report.summary())
