"""Forms of the notification pages: they parse what a browser sends into the shapes the
services take; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from nexus.notifications.models import WEBHOOK_EVENT_KINDS, EmailFrequency, EventKind, WebhookFormat


class PreferenceForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label="E-mail me", choices=EmailFrequency.choices, widget=forms.RadioSelect, initial=EmailFrequency.DAILY
    )


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100)
    format = forms.ChoiceField(choices=WebhookFormat.choices, initial=WebhookFormat.JSON)
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(kind, EventKind(kind).label) for kind in WEBHOOK_EVENT_KINDS],
        widget=forms.CheckboxSelectMultiple,
        initial=list(WEBHOOK_EVENT_KINDS),
    )
    scope = forms.ChoiceField(label="Events of", choices=[("hub", "My hub")], initial="hub")

    def __init__(self, *args: Any, site_wide: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if site_wide:
            scope: Any = self.fields["scope"]
            scope.choices = [("hub", "My hub"), ("site", "The whole site (public hubs)")]

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("name", "format", "url", "events")}


class WebhookStateForm(forms.Form):
    is_active = forms.BooleanField(required=False, label="Active")
