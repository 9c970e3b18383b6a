"""`manage.py nexus_block NETWORK --reason ... [--hours N]`: block an address or range."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from nexus.core.errors import NexusError
from nexus.traffic.services import ip_rule_save


class Command(BaseCommand):
    help = "Block an IPv4/IPv6 address or CIDR range (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/48)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("network", help="An address or CIDR range")
        parser.add_argument("--reason", required=True, help="Why; shown to other admins")
        parser.add_argument("--hours", type=int, default=None, help="Expire after this many hours (default: never)")

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["hours"]
        if hours is not None and hours <= 0:
            raise CommandError("--hours must be a positive number of hours.")
        expires = timezone.now() + timedelta(hours=hours) if hours else None
        try:
            saved = ip_rule_save(actor=None, network=options["network"], reason=options["reason"], expires_at=expires)
        except NexusError as error:
            problems = "; ".join(m for messages in error.details.values() for m in messages)
            raise CommandError(problems or error.message) from error
        verb = "Blocked" if saved.created else "Updated the rule for"
        until = f" until {expires:%Y-%m-%d %H:%M} UTC" if expires else ""
        self.stdout.write(f"{verb} {saved.rule.network}{until}.")
