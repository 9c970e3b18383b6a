"""Send the digests of the period that just ended by hand (beat does it on schedule)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nexus.notifications.digests import DIGEST_FREQUENCIES, digest_period, digests_send


class Command(BaseCommand):
    help = "Queue the daily or weekly digest of the last whole period for every subscriber not yet sent it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("frequency", choices=[str(frequency) for frequency in DIGEST_FREQUENCIES])

    def handle(self, *args: Any, frequency: str, **options: Any) -> None:
        start, end = digest_period(frequency)
        queued = digests_send(frequency=frequency)
        self.stdout.write(f"{queued} {frequency} digest(s) queued for {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC).")
