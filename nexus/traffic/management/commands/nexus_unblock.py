"""`manage.py nexus_unblock NETWORK`: lift the rule for exactly this address or range."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nexus.core.errors import NexusError
from nexus.traffic.services import ip_rule_delete


class Command(BaseCommand):
    help = "Unblock an address or CIDR range blocked by a rule (the rule's exact network)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("network", help="The rule's address or CIDR range")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rule = ip_rule_delete(actor=None, network=options["network"])
        except NexusError as error:
            problems = "; ".join(m for messages in error.details.values() for m in messages)
            raise CommandError(problems or error.message) from error
        self.stdout.write(f"Unblocked {rule.network}.")
