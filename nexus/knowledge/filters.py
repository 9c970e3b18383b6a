"""The one definition of how entry lists are filtered; REST and GraphQL both use it."""

from __future__ import annotations

import django_filters

from nexus.knowledge.models import Entry, EntryKind, EntryStatus


class EntryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices)
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices)
    week = django_filters.NumberFilter(min_value=1, max_value=52)
    topic = django_filters.CharFilter(field_name="topics__slug")
    technology = django_filters.CharFilter(field_name="technologies__slug")
    tag = django_filters.CharFilter(field_name="tags__name")
    author = django_filters.CharFilter(field_name="hub__owner__username", lookup_expr="iexact")

    class Meta:
        model = Entry
        fields: list[str] = []
