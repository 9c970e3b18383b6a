"""Side effects of account changes, applied by the outbox after the write commits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from nexus.accounts.models import User
from nexus.core.outbox import outbox_handler


@outbox_handler("accounts.welcome_email")
def send_welcome_email(payload: dict[str, Any]) -> None:
    """Greet a new member and tell them where to start."""
    user = User.objects.select_related("profile").filter(pk=payload["user_id"]).first()
    if user is None or not user.email:
        return  # the account is gone: nothing to send
    body = render_to_string("accounts/email/welcome.txt", {"user": user})
    send_mail("Welcome to Nexus", body, settings.DEFAULT_FROM_EMAIL, [user.email])
