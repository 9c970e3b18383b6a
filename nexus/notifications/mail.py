"""E-mails of notifications and digests: absolute links, and a one-click unsubscribe link
(a signed token that works without signing in) with RFC 8058 List-Unsubscribe headers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

UNSUBSCRIBE_SALT = "nexus.notifications.unsubscribe"


def absolute_url(path: str) -> str:
    """A site path as a link that works from a mail client or a chat message."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.NEXUS_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def unsubscribe_token(user: Any) -> str:
    """A token naming the user; signed, so nobody can unsubscribe someone else."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_user_id(token: str) -> int | None:
    """The user a token names, or None when it was not signed by us."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user_id = value.get("u") if isinstance(value, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe_url(user: Any) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user)]))


def notification_mail(*, user: Any, subject: str, body: str) -> EmailMultiAlternatives:
    """A mail to `user` that carries the headers mail clients show an Unsubscribe button for."""
    link = unsubscribe_url(user)
    # A title someone typed may hold line breaks, which a mail header must not.
    subject = " ".join(subject.split())[:200]
    text = f"{body.rstrip()}\n\n--\nStop these e-mails with one click: {link}\n"
    return EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            # RFC 8058: the client POSTs "List-Unsubscribe=One-Click" to the link.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


# The outbox topic of one notification's instant e-mail (handled in effects.py).
EMAIL_TOPIC = "notifications.email"
