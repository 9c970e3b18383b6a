"""`manage.py nexus_export --hub USERNAME [-o FILE]`: a hub as README.md."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from nexus.accounts.models import User
from nexus.core.errors import NexusError
from nexus.interchange.services import readme_export
from nexus.knowledge.selectors import hub_get_for_user


class Command(BaseCommand):
    help = (
        "Write a learner's hub as README.md in the program's outline (to stdout, or a file with -o). "
        "Importing it again gives the same entries."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--hub", required=True, metavar="USERNAME")
        parser.add_argument("-o", "--output", metavar="FILE", help="Write here instead of stdout.")
        parser.add_argument(
            "--public", action="store_true", help="Only what anonymous visitors see (no drafts, no private hub)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = User.objects.filter(username__iexact=options["hub"]).first()
        viewer: Any = AnonymousUser() if options["public"] or owner is None else owner
        try:
            hub = hub_get_for_user(viewer, options["hub"])
            text = readme_export(actor=viewer, hub=hub)
        except NexusError as error:
            raise CommandError(error.message) from error
        if options["output"]:
            target = Path(options["output"])
            try:
                target.write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot write {target}: {error.strerror}.") from error
            self.stdout.write(f"Wrote {target} ({len(text.encode()):,} bytes).")
        else:
            self.stdout.write(text, ending="")
