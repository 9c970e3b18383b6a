"""The privileged services of the other apps leave one audit event each, in their own
transaction: role changes, merges, rejections, deletions, restores, README imports and
exports, backups and restores of the instance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from nexus.accounts.roles import Role
from nexus.accounts.services import role_grant, role_revoke
from nexus.audit.models import AuditEvent
from nexus.core.errors import PermissionDenied
from nexus.interchange.services import readme_export, readme_import
from nexus.knowledge.services import (
    entry_delete,
    entry_update,
    hub_ensure,
    proposal_create,
    proposal_merge,
    proposal_review,
    revision_restore,
)
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db


def trail() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("action", "actor_repr", "target_repr"))


def test_role_changes_are_audited_once_per_change(admin_user: Any, member: Any) -> None:
    role_grant(actor=admin_user, user=member, role=Role.MENTOR)
    role_grant(actor=admin_user, user=member, role=Role.MENTOR)  # idempotent: nothing changed
    role_revoke(actor=None, user=member, role=Role.MENTOR)
    role_revoke(actor=None, user=member, role=Role.MENTOR)
    assert trail() == [("role.grant", "admin", "member"), ("role.revoke", "", "member")]
    assert AuditEvent.objects.first().details == {"role": "mentor"}  # type: ignore[union-attr]


def test_a_refused_role_change_leaves_no_event(member: Any, outsider: Any) -> None:
    with pytest.raises(PermissionDenied):
        role_grant(actor=member, user=outsider, role=Role.ADMIN)
    assert trail() == []


def test_merge_reject_delete_and_restore_are_audited(owner: Any, member: Any, mentor: Any) -> None:
    entry = make_entry(owner, title="Caching notes", body="One.\n")
    merged = proposal_create(actor=member, entry=entry, data={"body": "Two.\n"}, base_version=1, message="m")
    proposal_merge(actor=owner, proposal=merged)
    rejected = proposal_create(actor=member, entry=entry, data={"body": "Three.\n"}, base_version=2, message="m")
    proposal_review(actor=mentor, proposal=rejected, decision="request-changes")  # not privileged
    proposal_review(actor=mentor, proposal=rejected, decision="reject")
    entry_update(actor=owner, entry=entry, data={"body": "Four.\n"}, base_version=2)
    revision_restore(actor=owner, entry=entry, number=1)
    entry_id = entry.pk
    entry_delete(actor=owner, entry=entry)
    assert trail() == [
        ("proposal.merge", "owner", f"Proposal #{merged.pk} on {entry_id}"),
        ("proposal.reject", "mentor", f"Proposal #{rejected.pk} on {entry_id}"),
        ("revision.restore", "owner", "Caching notes"),
        ("entry.delete", "owner", "Caching notes"),
    ]
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].details == {"entry": entry_id, "revision": 2, "three_way": False}
    assert events[2].details == {"from": 1, "to": 4}
    assert (events[3].target_label, events[3].target_id) == ("knowledge.entry", str(entry_id))


def test_readme_import_commits_and_exports_are_audited_and_previews_are_not(owner: Any) -> None:
    hub = hub_ensure(owner)
    readme = b"# Notes\n\n## Docker\n\nContainers.\n"
    readme_import(actor=owner, hub=hub, data=readme, dry_run=True)
    assert trail() == []
    readme_import(actor=owner, hub=hub, data=readme, dry_run=False)
    readme_export(actor=owner, hub=hub)
    assert [action for action, _, _ in trail()] == ["readme.import", "readme.export"]
    assert AuditEvent.objects.get(action="readme.import").details["name"] == "README.md"


def test_backup_and_restore_commands_are_audited(owner: Any, tmp_path: Path) -> None:
    archive = tmp_path / "nexus.json"
    call_command("nexus_backup", str(archive), stdout=open("/dev/null", "w"))  # noqa: SIM115
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_repr) == ("backup.create", None, str(archive))
    assert event.details["counts"]["accounts.user"] == 1
