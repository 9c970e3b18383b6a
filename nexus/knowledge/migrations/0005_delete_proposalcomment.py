"""Proposal comments live in the community now (community.Comment with `proposal` set):
community 0004 copied them, so the old table goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0004_revision_meta"),
        ("community", "0004_copy_proposal_comments"),
    ]

    operations = [migrations.DeleteModel(name="ProposalComment")]
