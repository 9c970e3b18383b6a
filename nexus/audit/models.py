"""The audit trail: one append-only row per privileged action (who, what, target, when, from where)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditAppendOnly(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # Bulk changes bypass save(); the trail refuses them too. (Deleting a user still nulls
    # `actor` through Django's plain base manager, which is what SET_NULL needs.)
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnly("Audit events are append-only; they cannot be updated.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AuditAppendOnly("Audit events are append-only; they cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what to which object, when and from where. Never updated, never deleted."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's name as it was: the row still says who acted after the account is gone.
    # Empty with no actor: the operator at the command line or the system itself.
    actor_repr = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=100, db_index=True, help_text='What happened, e.g. "proposal.merge".')
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField(max_length=64, blank=True, default="")
    # What the target was called at the time, so the row survives the target's deletion.
    target_repr = models.CharField(max_length=255, blank=True, default="")
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Anonymised like the traffic log (IPv4 /24, IPv6 /48); empty outside a request.
    ip = models.CharField(max_length=64, blank=True, default="")
    request_id = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_repr or 'system'} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditAppendOnly("Audit events are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AuditAppendOnly("Audit events are append-only; they cannot be deleted.")

    @property
    def target_label(self) -> str:
        """`app.model` of the target, or empty."""
        if self.target_type_id is None:
            return ""
        target_type = ContentType.objects.get_for_id(self.target_type_id)
        return f"{target_type.app_label}.{target_type.model}"
