"""The page shell: home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nexus.accounts.roles import user_roles
from nexus.accounts.selectors import user_list_public
from nexus.knowledge.selectors import hub_list_visible_to


def home(request: HttpRequest) -> HttpResponse:
    """What Nexus is, who is in the cohort, and where the APIs live."""
    members = list(user_list_public()[:12])
    # One query for which of them have a hub this visitor may open.
    with_hub = set(hub_list_visible_to(request.user).filter(owner__in=members).values_list("owner_id", flat=True))
    cards = [(member, sorted(user_roles(member)), member.pk in with_hub) for member in members]
    return render(request, "web/home.html", {"members": cards})
