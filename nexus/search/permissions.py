"""Who may see what search records about the cohort."""

from __future__ import annotations

from typing import Any

from nexus.accounts.roles import Role, user_has_role


def can_view_zero_results(user: Any) -> bool:
    """Mentors and admins see the queries that found nothing (no one's name is kept)."""
    return user.is_authenticated and (user_has_role(user, Role.MENTOR) or user_has_role(user, Role.ADMIN))
