"""The request log (raw rows, kept N days), its daily aggregates (kept), IP rules and
anomaly flags. No full client address is stored anywhere: see traffic/addresses.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RequestLog(models.Model):
    """One request. Written in batches by the middleware; deleted after the retention
    period, once rolled up into DailyAggregate."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=8)
    # The route name (e.g. "knowledge:entry-detail") rather than the path; the raw path,
    # cut short, only when no route matched (probes for /.env and friends).
    route = models.CharField(max_length=200, blank=True, default="")
    path = models.CharField(max_length=200, blank=True, default="")
    status = models.PositiveSmallIntegerField()
    duration_ms = models.FloatField()
    # A plain id, not a foreign key: deleting an account never waits on the log.
    user_id = models.PositiveBigIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, default="")
    network = models.CharField(max_length=49, help_text="IPv4 /24 or IPv6 /48 the request came from.")
    address_hash = models.CharField(max_length=32, help_text="Keyed hash of the address; the key changes daily.")
    blocked = models.BooleanField(default=False)
    login_failed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["address_hash", "created_at"], name="traffic_log_address_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.route or self.path} {self.status}"


class Dimension(models.TextChoices):
    TOTAL = "total", "All requests"
    STATUS = "status", "Status class"
    ROUTE = "route", "Route"
    COUNTRY = "country", "Country"
    BLOCKED = "blocked", "Blocked network"


class DailyAggregate(models.Model):
    """Requests of one day along one dimension (all, status class, route, country,
    blocked network): counts and durations, kept after the raw rows are gone."""

    day = models.DateField()
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    key = models.CharField(max_length=200, blank=True, default="")
    requests = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0, help_text="Answers with a 4xx or 5xx status.")
    visitors = models.PositiveIntegerField(default=0, help_text="Distinct address hashes that day.")
    duration_total_ms = models.FloatField(default=0)
    duration_max_ms = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "dimension", "key"], name="traffic_daily_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}: {self.requests}"

    @property
    def duration_avg_ms(self) -> float:
        return self.duration_total_ms / self.requests if self.requests else 0.0


class IpRule(models.Model):
    """Block a single address or a CIDR range (IPv4 or IPv6), until it expires if it does."""

    class Source(models.TextChoices):
        MANUAL = "manual", "An admin"
        ANOMALY = "anomaly", "Anomaly detection"

    network = models.CharField(max_length=49, unique=True, help_text="An address or CIDR range, normalised.")
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.network

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class FlagKind(models.TextChoices):
    VOLUME = "volume", "Volume far above its usual rate"
    ERRORS = "errors", "Many 401/403/404 answers"
    PROBING = "probing", "Probing sensitive paths"
    FAILED_LOGINS = "failed_logins", "Many failed sign-ins"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISMISSED = "dismissed", "Dismissed"
    BLOCKED = "blocked", "Blocked"


class AnomalyFlag(models.Model):
    """An address that behaved unusually in one hour, with the reason and the evidence."""

    created_at = models.DateTimeField(default=timezone.now)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    network = models.CharField(max_length=49)
    address_hash = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=FlagKind.choices)
    reason = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rule = models.ForeignKey(IpRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags")

    class Meta:
        constraints = [
            # A scan run twice over the same hour flags an address once per reason.
            models.UniqueConstraint(fields=["address_hash", "kind", "window_start"], name="traffic_flag_once")
        ]
        indexes = [models.Index(fields=["status", "-id"], name="traffic_flag_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} from {self.network}"
