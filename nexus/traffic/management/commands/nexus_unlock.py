"""`manage.py nexus_unlock [--user NAME] [--address IP]`: lift a sign-in lockout."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nexus.core.errors import NexusError
from nexus.traffic.services import login_unlock_record


class Command(BaseCommand):
    help = "Lift the sign-in lockout of an account and/or an address."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", help="Username")
        parser.add_argument("--address", help="IPv4 or IPv6 address")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["user"] and not options["address"]:
            raise CommandError("Give --user, --address or both.")
        try:
            login_unlock_record(actor=None, username=options["user"], address=options["address"])
        except NexusError as error:
            raise CommandError(error.message) from error
        self.stdout.write("Unlocked.")
