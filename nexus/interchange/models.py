from django.db import models

from nexus.accounts.models import User
from nexus.core.models import TimeStampedModel
from nexus.knowledge.models import Entry, Hub


class ImportSource(TimeStampedModel):
    """A README imported into a hub, kept whole as it was read (after repair): whatever the
    importer could not type is never lost, and a re-import knows what it did last time."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="import_sources")
    name = models.CharField(max_length=200, help_text="The file name, e.g. README.md")
    text = models.TextField()
    digest = models.CharField(max_length=64, help_text="sha256 of the text")
    imported_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "name"], name="import_source_unique_in_hub")]

    def __str__(self) -> str:
        return f"{self.name} in {self.hub}"


class ImportedEntry(models.Model):
    """Which entry a part of a README became: its key (the matching form of its title) is
    how a re-import finds it again."""

    source = models.ForeignKey(ImportSource, on_delete=models.CASCADE, related_name="imported")
    key = models.CharField(max_length=300)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, help_text="The kind chosen at import, kept for the next one")
    # What the file said last time: the base of a three-way merge when the file changes and
    # the entry was edited in Nexus meanwhile, and why an unchanged file changes nothing.
    content = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="imported_entry_key_unique")]

    def __str__(self) -> str:
        return self.key
