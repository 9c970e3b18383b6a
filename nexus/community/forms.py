"""Forms of the community pages. They only parse what a browser sends into the shapes the
services take; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from nexus.accounts.models import Track
from nexus.knowledge.selectors import technology_list, topic_list

MAX_ID = 2**62


def _markdown(rows: int, help_text: str = "Markdown. @username mentions notify.") -> forms.CharField:
    # Kept exactly as typed: leading spaces matter in Markdown; the service checks the size.
    return forms.CharField(strip=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


class CommentForm(forms.Form):
    body = _markdown(4)
    body.label = "Your comment"
    parent = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    decision = forms.CharField(max_length=40)
    comment = _markdown(3, "Optional: why. Added to the discussion.")
    comment.required = False
    comment.label = "Comment"


class CommentEditForm(forms.Form):
    body = _markdown(4)
    base_version = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class QuestionForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="One sentence a search would find.")
    body = _markdown(10, "What you tried, what happened, what you expected. Markdown.")
    body.label = "Details"
    topics = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    technologies = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.slug, t.name) for t in topic_list()]  # type: ignore[attr-defined]
        self.fields["technologies"].choices = [(t.slug, t.name) for t in technology_list()]  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    body = _markdown(6)
    body.label = "Your answer"


class AnnouncementForm(forms.Form):
    track = forms.ChoiceField(choices=Track.choices)
    stack = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    timezone = forms.CharField(max_length=64, help_text="An IANA time zone, e.g. Europe/Lisbon or Africa/Nairobi.")
    note = forms.CharField(max_length=500, required=False, help_text="What you build, and what you look for.")
    repository_url = forms.CharField(max_length=300, required=False, label="Repository URL")
    api_docs_url = forms.CharField(
        max_length=300,
        required=False,
        label="API docs URL",
        help_text="Backend side: where the frontend reads your API.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stack"].choices = [(t.slug, t.name) for t in technology_list()]  # type: ignore[attr-defined]


class CollaborationRequestForm(forms.Form):
    message = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
