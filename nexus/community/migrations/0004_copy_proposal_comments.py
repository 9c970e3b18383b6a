"""Proposal comments become community comments: every knowledge.ProposalComment is copied
into community.Comment (on the proposal's entry, with `proposal` set), keeping its author,
text, rendered HTML and times. knowledge 0005 then drops the old table."""

from typing import Any

from django.db import migrations

BATCH = 500


def copy_proposal_comments(apps: Any, schema_editor: Any) -> None:
    ProposalComment = apps.get_model("knowledge", "ProposalComment")
    Comment = apps.get_model("community", "Comment")
    database = schema_editor.connection.alias
    old = ProposalComment.objects.using(database).select_related("proposal").order_by("created_at", "id")
    batch: list[Any] = []
    for row in old.iterator(chunk_size=BATCH):
        batch.append(
            Comment(
                entry_id=row.proposal.entry_id,
                proposal_id=row.proposal_id,
                author_id=row.author_id,
                body=row.body,
                html=row.html,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
        if len(batch) >= BATCH:
            _save(Comment, database, batch)
            batch = []
    _save(Comment, database, batch)


def _save(model: Any, database: str, rows: list[Any]) -> None:
    """Insert the rows, then put back their times: auto_now(_add) overwrites them on insert,
    bulk_update writes the values as they are."""
    if not rows:
        return
    times = [(row.created_at, row.updated_at) for row in rows]
    created = model.objects.using(database).bulk_create(rows)
    if any(row.pk is None for row in created):  # a backend that does not return ids
        raise RuntimeError("bulk_create returned no ids; cannot restore the comments' times")
    for row, (created_at, updated_at) in zip(created, times, strict=True):
        row.created_at, row.updated_at = created_at, updated_at
    model.objects.using(database).bulk_update(created, ["created_at", "updated_at"])


def move_back(apps: Any, schema_editor: Any) -> None:
    """Backwards (knowledge 0005 reversed first, so the old table is back and empty): each
    proposal comment still standing goes back to it, flat (the old model had no replies),
    and the community rows go."""
    ProposalComment = apps.get_model("knowledge", "ProposalComment")
    Comment = apps.get_model("community", "Comment")
    database = schema_editor.connection.alias
    copies = Comment.objects.using(database).filter(proposal__isnull=False)
    standing = copies.filter(deleted_at__isnull=True).order_by("created_at", "id")
    fields = ("proposal_id", "author_id", "body", "html", "created_at", "updated_at")
    rows = [ProposalComment(**{name: getattr(row, name) for name in fields}) for row in standing]
    _save(ProposalComment, database, rows)
    copies.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_comment_proposal"),
        ("knowledge", "0004_revision_meta"),
    ]

    operations = [migrations.RunPython(copy_proposal_comments, move_back)]
