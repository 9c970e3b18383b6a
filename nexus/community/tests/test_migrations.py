"""Data migrations run for real, back to the schema before them and forward again: community
0004 moves knowledge's old proposal comments into community comments (and knowledge 0005 drops
their table); notifications 0003 encrypts webhook secrets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from nexus.community.models import Comment
from nexus.community.selectors import comment_list_for_entry, comment_list_for_proposal
from nexus.knowledge.services import proposal_create
from nexus.knowledge.tests.factories import make_entry
from nexus.notifications.models import Webhook

# Migrations change the schema: no test transaction around them.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("community", "0003_comment_proposal"), ("knowledge", "0004_revision_meta")]


def migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    """Migrate to `targets` (default: the latest); the apps of the state reached."""
    executor = MigrationExecutor(connection)  # a fresh graph: what is applied changed
    plan = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(plan)
    return executor.loader.project_state(plan).apps


def test_proposal_comments_are_copied_with_their_author_text_and_times(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body="Cache reads.\n")
    proposal = proposal_create(actor=member, entry=entry, data={"body": "Clearer.\n"}, base_version=1, message="m")
    written = timezone.now() - timedelta(days=3)
    try:
        old = migrate(BEFORE).get_model("knowledge", "ProposalComment")
        for number, author in enumerate((owner, member)):
            row = old.objects.create(
                proposal_id=proposal.pk, author_id=author.pk, body=f"Old **{number}**", html=f"<p>{number}</p>"
            )
            old.objects.filter(pk=row.pk).update(
                created_at=written + timedelta(minutes=number), updated_at=written + timedelta(hours=number)
            )
    finally:
        migrate()

    copied = list(comment_list_for_proposal(proposal))
    assert [(c.author_id, c.body, c.html, c.entry_id, c.parent_id) for c in copied] == [
        (owner.pk, "Old **0**", "<p>0</p>", entry.pk, None),
        (member.pk, "Old **1**", "<p>1</p>", entry.pk, None),
    ]
    assert [(c.created_at, c.updated_at) for c in copied] == [
        (written, written),
        (written + timedelta(minutes=1), written + timedelta(hours=1)),
    ]
    assert list(comment_list_for_entry(entry)) == []

    # Backwards, the discussion goes back to the old table (times kept), and forward again.
    try:
        old = migrate(BEFORE).get_model("knowledge", "ProposalComment")
        assert list(old.objects.order_by("id").values_list("body", "created_at")) == [
            ("Old **0**", written),
            ("Old **1**", written + timedelta(minutes=1)),
        ]
        assert not Comment.objects.filter(proposal__isnull=False).exists()
    finally:
        migrate()
    assert Comment.objects.filter(proposal=proposal).count() == 2


def test_webhook_secrets_are_encrypted_in_place_and_back(owner: Any) -> None:
    """notifications 0003: a secret stored in clear before it is encrypted after, and the
    reverse migration restores the clear text."""
    before = [("notifications", "0002_notification_reason_participant")]
    try:
        old = migrate(before).get_model("notifications", "Webhook")
        old.objects.create(owner_id=owner.pk, name="Old", url="https://example.org/h", secret="plain-secret", events=[])
        migrate()
        assert Webhook.objects.get().secret == "plain-secret"
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM notifications_webhook")
            assert "plain-secret" not in cursor.fetchone()[0]
        old = migrate(before).get_model("notifications", "Webhook")
        assert list(old.objects.values_list("secret", flat=True)) == ["plain-secret"]
    finally:
        migrate()
    assert Webhook.objects.get().secret == "plain-secret"
