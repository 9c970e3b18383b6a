"""Shows a service's NexusError on a Django form, field by field."""

from __future__ import annotations

from django import forms

from nexus.core.errors import NexusError


def form_add_error_details(form: forms.BaseForm, error: NexusError) -> None:
    """Attach each field message from `error.details` to the form (others as non-field)."""
    if not error.details:
        form.add_error(None, error.message)
    for field, messages in error.details.items():
        target = field if field in form.fields else None
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(target, str(message))
