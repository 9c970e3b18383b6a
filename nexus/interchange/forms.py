"""The import page's form: it only parses what a browser sends (a file or pasted text, the
kinds chosen in the preview) into what readme_import takes; the rules live in the service."""

from __future__ import annotations

from typing import Any

from django import forms

from nexus.interchange.services import readme_source
from nexus.knowledge.models import EntryKind, EntryStatus

KIND_FIELD_PREFIX = "kind:"


class ReadmeImportForm(forms.Form):
    file = forms.FileField(required=False, label="README file", help_text="A README.md (UTF-8, UTF-16 or legacy).")
    text = forms.CharField(
        required=False,
        strip=False,
        label="Or paste it",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    name = forms.CharField(
        max_length=200,
        required=False,
        help_text="Importing a file of the same name again updates the entries it made.",
    )
    status = forms.ChoiceField(
        choices=EntryStatus.choices,
        initial=EntryStatus.PUBLISHED,
        help_text="New entries start as this; a re-import never changes an entry's status.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("file") and not cleaned.get("text", "").strip():
            raise forms.ValidationError("Choose a README file or paste its text.")
        return cleaned

    def readme(self) -> tuple[bytes, str]:
        """The README's bytes and name."""
        data = self.cleaned_data
        return readme_source(upload=data.get("file"), text=data.get("text"), name=data.get("name", ""))

    def chosen_kinds(self) -> dict[str, str]:
        """The kinds picked in a preview, by entry key (the select boxes are `kind:<key>`)."""
        return {
            name.removeprefix(KIND_FIELD_PREFIX): value
            for name, value in self.data.items()
            if name.startswith(KIND_FIELD_PREFIX) and value in EntryKind.values
        }
