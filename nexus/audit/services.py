"""Writes to the audit trail: the one way every app records a privileged action."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from nexus.audit.context import audit_address
from nexus.audit.models import AuditEvent
from nexus.core.request_id import current_request_id

_REPR_LENGTH = AuditEvent._meta.get_field("target_repr").max_length or 255


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event (call it inside the transaction of the action it records)."""
    if not action or len(action) > 100:
        raise ValueError("An audit action is a short dotted name such as 'proposal.merge'.")
    event = AuditEvent(action=action, details=details or {}, ip=audit_address())
    if actor is not None and getattr(actor, "is_authenticated", False):
        event.actor = actor
        event.actor_repr = actor.get_username()[:150]
    if isinstance(target, models.Model):
        event.target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        event.target_id = str(target.pk or "")
        event.target_repr = str(target)[:_REPR_LENGTH]
    elif target is not None:
        # Something without a row of its own (a backup file, an address range).
        event.target_repr = str(target)[:_REPR_LENGTH]
    request_id = current_request_id()
    event.request_id = "" if request_id == "-" else request_id
    event.save(force_insert=True)
    return event
