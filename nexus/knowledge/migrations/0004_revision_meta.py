"""Revisions snapshot an entry's details (kind, status, week, project, verified_with,
review_by, topics, technologies, tags) beside its content, so a stale write's details can
be merged from its base instead of overwriting newer ones.

Before this migration details were not versioned: no revision knows what they were when
it was made. The best we know is the entry's details now, so every existing revision gets
them. For each entry's latest revision that is exact (a change of details did not make a
revision before, so the latest one is what an editor open now is based on). For older
revisions it is an assumption: a stale write from one of them merges its details as if
they had not changed since, which is how every write treated them before (the sent value
wins), never worse.
"""

from typing import Any

from django.db import migrations, models


def entry_meta(entry: Any) -> dict[str, Any]:
    # A frozen copy of services._entry_meta: migrations must not follow later code changes.
    return {
        "kind": entry.kind,
        "status": entry.status,
        "week": entry.week,
        "project": entry.project,
        "verified_with": entry.verified_with,
        "review_by": entry.review_by.isoformat() if entry.review_by else None,
        "topics": sorted(topic.slug for topic in entry.topics.all()),
        "technologies": sorted(technology.slug for technology in entry.technologies.all()),
        "tags": sorted(tag.name for tag in entry.tags.all()),
    }


def fill_meta(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    Entry = apps.get_model("knowledge", "Entry")
    Revision = apps.get_model("knowledge", "Revision")
    entries = Entry.objects.using(alias).prefetch_related("topics", "technologies", "tags").order_by("pk")
    for entry in entries.iterator(chunk_size=500):
        Revision.objects.using(alias).filter(entry_id=entry.pk).update(meta=entry_meta(entry))


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_revision_message_no_nul"),
    ]

    operations = [
        migrations.AddField(
            model_name="revision",
            name="meta",
            field=models.JSONField(blank=True, default=dict),
        ),
        # Backwards, the column goes away with what it held: nothing to undo here.
        migrations.RunPython(fill_meta, migrations.RunPython.noop),
    ]
