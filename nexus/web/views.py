"""The page shell: home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nexus.accounts.roles import user_roles
from nexus.accounts.selectors import user_list_public


def home(request: HttpRequest) -> HttpResponse:
    """What Nexus is, who is in the cohort, and where the APIs live."""
    members = [(member, sorted(user_roles(member))) for member in user_list_public()[:12]]
    return render(request, "web/home.html", {"members": members})
