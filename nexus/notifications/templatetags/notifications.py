"""Template tags for the header's unread count and the follow button other apps include."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from nexus.notifications.selectors import UNREAD_COUNT_CAP, follow_exists, notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> str:
    """The signed-in user's unread count as the header shows it ("" for none, "99+" past the cap)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    count = notification_unread_count(user)
    if count == 0:
        return ""
    return f"{UNREAD_COUNT_CAP}+" if count > UNREAD_COUNT_CAP else str(count)


@register.simple_tag(takes_context=True)
def is_following(context: dict[str, Any], target: Model) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and follow_exists(user, target)


@register.filter
def follow_label(target: Model) -> str:
    """The "app_label.model" a follow form posts."""
    return target._meta.label_lower
