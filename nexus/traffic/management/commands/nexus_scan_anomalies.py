"""`manage.py nexus_scan_anomalies`: flag unusual addresses now (beat runs it hourly)."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from nexus.traffic.anomalies import anomaly_scan
from nexus.traffic.logbuffer import log_buffer_flush


class Command(BaseCommand):
    help = "Scan the request log of the hour that ended (or, with --current, the hour so far) for anomalies."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--current", action="store_true", help="Scan the current hour up to now")

    def handle(self, *args: Any, **options: Any) -> None:
        log_buffer_flush()
        end = timezone.now().replace(minute=0, second=0, microsecond=0)
        if options["current"]:
            end = end + timedelta(hours=1)
        flags = anomaly_scan(window_end=end)
        for flag in flags:
            self.stdout.write(f"{flag.kind}: {flag.network} ({flag.reason})")
        self.stdout.write(f"{len(flags)} new flag(s).")
