"""`manage.py nexus_site OUT_DIR [--hub USERNAME ...] [--cohort NAME]`: the static site."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nexus.core.errors import NexusError
from nexus.interchange.site import site_export


class Command(BaseCommand):
    help = (
        "Export what anonymous visitors may read (published entries of public hubs) as a static site "
        "that works from file:// with no server. Re-running writes only the files that changed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("out_dir", metavar="OUT_DIR", help="A new or empty folder, or one a previous run wrote.")
        parser.add_argument(
            "--hub", action="append", dest="hubs", metavar="USERNAME", help="Only this learner's hub (repeatable)."
        )
        parser.add_argument("--cohort", metavar="NAME", help="Only the hubs of this cohort.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = site_export(options["out_dir"], hubs=options["hubs"], cohort=options["cohort"])
        except NexusError as error:
            raise CommandError(error.message) from error
        self.stdout.write(report.summary())
