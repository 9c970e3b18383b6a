"""Who may see and change hubs, entries and proposals: the one place that decides.

Anonymous visitors read published entries of public hubs. The owner does everything in
their hub. Mentors edit any entry they can see and review proposals. Admins do
everything. Nobody else sees a draft: to them it does not exist.
"""

from __future__ import annotations

from typing import Any

from nexus.accounts.roles import Role, user_has_role
from nexus.core.errors import PermissionDenied
from nexus.knowledge.models import EditProposal, Entry, EntryStatus, Hub, Visibility


def _is_admin(user: Any) -> bool:
    return user_has_role(user, Role.ADMIN)


def _is_mentor(user: Any) -> bool:
    return user_has_role(user, Role.MENTOR)


def hub_visible(user: Any, *, visibility: str, owner_id: int) -> bool:
    """The rule of can_view_hub on plain values (readers that load rows, not models)."""
    if visibility == Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if visibility == Visibility.COHORT:
        return True
    return owner_id == user.pk or _is_admin(user)


def entry_visible(user: Any, *, status: str, visibility: str, owner_id: int) -> bool:
    """The rule of can_view_entry on plain values: the entry's status, its hub's
    visibility and owner."""
    if not hub_visible(user, visibility=visibility, owner_id=owner_id):
        return False
    if status == EntryStatus.PUBLISHED:
        return True
    return user.is_authenticated and (owner_id == user.pk or _is_admin(user))


def can_view_hub(user: Any, hub: Hub) -> bool:
    return hub_visible(user, visibility=hub.visibility, owner_id=hub.owner_id)


def can_view_entry(user: Any, entry: Entry) -> bool:
    hub = entry.hub
    return entry_visible(user, status=entry.status, visibility=hub.visibility, owner_id=hub.owner_id)


def can_edit_hub(user: Any, hub: Hub) -> bool:
    return user.is_authenticated and (hub.owner_id == user.pk or _is_admin(user))


def can_edit_entry(user: Any, entry: Entry) -> bool:
    if not (user.is_authenticated and can_view_entry(user, entry)):
        return False
    return entry.hub.owner_id == user.pk or _is_mentor(user) or _is_admin(user)


def can_delete_entry(user: Any, entry: Entry) -> bool:
    return can_edit_hub(user, entry.hub)


def can_propose_edit(user: Any, entry: Entry) -> bool:
    return user.is_authenticated and entry.hub.owner_id != user.pk and can_view_entry(user, entry)


def can_view_proposal(user: Any, proposal: EditProposal) -> bool:
    if not can_view_entry(user, proposal.entry):
        return False
    return proposal.author_id == user.pk or can_review_proposal(user, proposal)


def can_review_proposal(user: Any, proposal: EditProposal) -> bool:
    """The entry's owner and mentors review; admins do everything."""
    if not user.is_authenticated:
        return False
    return proposal.entry.hub.owner_id == user.pk or _is_mentor(user) or _is_admin(user)


def can_revise_proposal(user: Any, proposal: EditProposal) -> bool:
    """A proposal is its author's to revise (reviewers comment or request changes)."""
    return user.is_authenticated and proposal.author_id == user.pk


def can_curate_vocabulary(user: Any) -> bool:
    """Topics and technologies are curated by mentors and admins."""
    return user.is_authenticated and (_is_mentor(user) or _is_admin(user))


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
