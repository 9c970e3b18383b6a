"""Forms of the knowledge pages. They only parse what a browser sends into the shapes the
services take; every rule about entries and proposals lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from nexus.knowledge.models import CONTENT_FIELDS, EditProposal, Entry, EntryKind, EntryStatus
from nexus.knowledge.selectors import technology_list, topic_list

# The largest number a revision or week field parses to; the services decide what is valid.
MAX_NUMBER = 2_147_483_647


def _topic_choices() -> list[tuple[str, str]]:
    return [(topic.slug, topic.name) for topic in topic_list()]


def _technology_choices() -> list[tuple[str, str]]:
    return [(technology.slug, technology.name) for technology in technology_list()]


def _text(label: str = "", *, help_text: str = "", rows: int = 6) -> forms.CharField:
    """A Markdown field kept exactly as typed (leading spaces matter in Markdown)."""
    return forms.CharField(
        label=label or None,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ContentFields(forms.Form):
    """The versioned content of an entry: what revisions snapshot and proposals change."""

    title = forms.CharField(max_length=200)
    summary = forms.CharField(max_length=500, required=False, help_text="One or two sentences for lists and search.")
    body = _text(help_text="Markdown: GitHub-flavoured, with fenced code and ```mermaid diagrams.", rows=16)
    # A challenge's three parts; the editor groups them under one note (other kinds leave them empty).
    problem = _text(rows=4)
    solution = _text(rows=4)
    outcome = _text(rows=3)

    def content(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in CONTENT_FIELDS if name in self.fields}


class EntryForm(ContentFields):
    """The editor: a new entry, or a new revision of one (with the revision it started from)."""

    kind = forms.ChoiceField(choices=EntryKind.choices, initial=EntryKind.CONCEPT)
    status = forms.ChoiceField(
        choices=EntryStatus.choices, initial=EntryStatus.DRAFT, help_text="Drafts are seen only by you."
    )
    week = forms.IntegerField(required=False, max_value=MAX_NUMBER, help_text="Programme week, 1 to 52.")
    project = forms.CharField(max_length=120, required=False)
    verified_with = forms.CharField(max_length=120, required=False, help_text="e.g. Django 5.2, DRF 3.16")
    review_by = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When to check this still holds.",
    )
    topics = forms.MultipleChoiceField(choices=_topic_choices, required=False, widget=forms.CheckboxSelectMultiple)
    technologies = forms.MultipleChoiceField(
        choices=_technology_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(max_length=500, required=False, help_text="Comma-separated, e.g. n-plus-one, orm")
    message = forms.CharField(
        label="Revision message", max_length=200, required=False, help_text="What changed, in a few words."
    )
    base_revision = forms.IntegerField(min_value=1, max_value=MAX_NUMBER, widget=forms.HiddenInput)

    field_order = [
        "kind",
        "title",
        "summary",
        "body",
        "problem",
        "solution",
        "outcome",
        "status",
        "week",
        "project",
        "verified_with",
        "review_by",
        "topics",
        "technologies",
        "tags",
        "message",
        "base_revision",
    ]

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["base_revision"]
        # The live preview: htmx posts the form to /preview/ as the author types.
        self.fields["body"].widget.attrs.update(
            {
                "hx-post": reverse("knowledge:preview"),
                "hx-trigger": "load, keyup changed delay:400ms",
                "hx-target": "#preview",
            }
        )

    @classmethod
    def initial_from(cls, entry: Entry) -> dict[str, Any]:
        """The editor's starting values: the entry as it is now."""
        return {
            **{name: getattr(entry, name) for name in CONTENT_FIELDS},
            **{name: getattr(entry, name) for name in ("kind", "status", "week", "project", "verified_with")},
            "review_by": entry.review_by,
            "topics": [topic.slug for topic in entry.topics.all()],
            "technologies": [technology.slug for technology in entry.technologies.all()],
            "tags": ", ".join(tag.name for tag in entry.tags.all()),
            "base_revision": entry.version,
        }

    def entry_data(self) -> dict[str, Any]:
        """The fields as entry_create and entry_update take them."""
        data = {name: self.cleaned_data[name] for name in self.fields if name not in ("message", "base_revision")}
        data["tags"] = [tag.strip() for tag in data["tags"].split(",") if tag.strip()]
        return data


class ProposalForm(ContentFields):
    """A suggested edit: the content fields, what and why, and the revision it is based on."""

    message = forms.CharField(
        label="What and why", max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text="Shown to reviewers."
    )
    base_revision = forms.IntegerField(min_value=1, max_value=MAX_NUMBER, widget=forms.HiddenInput)

    def __init__(self, *args: Any, challenge: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not challenge:
            for name in ("problem", "solution", "outcome"):
                del self.fields[name]

    @classmethod
    def initial_from(cls, entry: Entry) -> dict[str, Any]:
        return {**{name: getattr(entry, name) for name in CONTENT_FIELDS}, "base_revision": entry.version}

    @classmethod
    def initial_from_proposal(cls, proposal: EditProposal) -> dict[str, Any]:
        """A revision of the proposal starts from what it suggests now, on the same base."""
        return {
            **proposal.content(),
            "message": proposal.message,
            "base_revision": proposal.base_revision.number,
        }


class ReverifyForm(forms.Form):
    review_by = forms.DateField(label="Next review", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    verified_with = forms.CharField(max_length=120, required=False, help_text="e.g. Django 5.2, DRF 3.16")


class RevisionPairForm(forms.Form):
    """?from=N&to=M on the diff page."""

    from_ = forms.IntegerField(min_value=1, max_value=MAX_NUMBER)
    to = forms.IntegerField(min_value=1, max_value=MAX_NUMBER)

    def __init__(self, data: Any, **kwargs: Any) -> None:
        super().__init__({"from_": data.get("from"), "to": data.get("to")}, **kwargs)


class HistoryPageForm(forms.Form):
    """?before=N on the history page: the revisions older than N."""

    before = forms.IntegerField(min_value=1, max_value=MAX_NUMBER, required=False)


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, strip=False)
