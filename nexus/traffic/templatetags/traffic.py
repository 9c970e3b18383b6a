from typing import Any

from django import template

from nexus.traffic.permissions import can_view_traffic

register = template.Library()


@register.filter
def may_view_traffic(user: Any) -> bool:
    """For the nav: whether to show the traffic dashboard link."""
    return bool(getattr(user, "is_authenticated", False)) and can_view_traffic(user)
