"""`manage.py nexus_restore IN_FILE`: an archive of nexus_backup into an empty database."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nexus.audit.services import audit_record
from nexus.core.errors import NexusError
from nexus.interchange.backup import instance_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by nexus_backup into an empty database (new and migrated, or emptied with "
        "flush), in one transaction, checking every model's row count and checksum; any failure changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("in_file", metavar="IN_FILE", help="An archive nexus_backup wrote (.json or .json.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = instance_restore(options["in_file"])
        except NexusError as error:
            raise CommandError(error.message) from error
        # The operator at the command line: no account, no address.
        audit_record(
            actor=None, action="backup.restore", target=str(options["in_file"]), details={"counts": report.counts}
        )
        self.stdout.write(report.summary())
