"""Account pages through the Django test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from nexus.accounts.models import Profile, User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "ada",
    "email": "ada@example.org",
    "password": "a long enough password",
    "display_name": "Ada L.",
    "track": "full-stack",
    "cohort": "2026-autumn",
}


def test_signup_logs_in_and_opens_the_profile_editor() -> None:
    client = Client()
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    assert b"Your profile" in page.content
    assert Profile.objects.get(user__username="ada").track == "full-stack"


def test_signup_errors_are_shown_on_their_fields() -> None:
    Client().post("/accounts/signup/", SIGNUP)
    response = Client().post("/accounts/signup/", {**SIGNUP, "email": "other@example.org", "password": "123"})
    assert response.status_code == 400
    assert response.context["form"].errors["username"] == ["This username is taken."]
    assert "password" in response.context["form"].errors
    assert User.objects.count() == 1


def test_login_and_logout(owner: Any) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "owner", "password": "a long enough password"})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "owner"
    assert client.post("/accounts/logout/").status_code == 302
    assert not client.get("/").context["user"].is_authenticated


def test_wrong_password_stays_on_the_login_page(owner: Any) -> None:
    response = Client().post("/accounts/login/", {"username": "owner", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_profile_editor_requires_login() -> None:
    response = Client().get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_editing_the_profile_shows_it_publicly(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    form = {
        "display_name": "Olive O.",
        "track": "backend",
        "cohort": "c1",
        "bio": "Hi!",
        "github": "olive",
        "discord": "",
    }
    response = client.post("/accounts/profile/", form)
    assert response.status_code == 302
    assert response["Location"] == "/u/owner/"
    page = Client().get("/u/owner/")
    assert b"Olive O." in page.content
    assert b"https://github.com/olive" in page.content


def test_invalid_profile_edit_is_400_and_changes_nothing(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    response = client.post("/accounts/profile/", {"display_name": "x", "track": "backend", "github": "@no"})
    assert response.status_code == 400
    assert "github" in response.context["form"].errors
    assert Profile.objects.get(user=owner).display_name == "Olive Owner"


def test_home_lists_members_with_their_roles(owner: Any, member: Any, mentor: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 200
    assert b"Olive Owner" in response.content
    assert b"@member" in response.content
    assert b'<span class="badge role">Mentor</span>' in response.content


def test_unknown_profile_is_a_404_page() -> None:
    response = Client().get("/u/ghost/")
    assert response.status_code == 404
    assert b"No member is called" in response.content


def test_home_costs_the_same_queries_for_few_and_many_members(owner: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from nexus.accounts.tests.factories import UserFactory
    from nexus.knowledge.services import hub_ensure

    def queries() -> int:
        Client().get("/")  # warm the roles map
        with CaptureQueriesContext(connection) as captured:
            assert Client().get("/").status_code == 200
        return len(captured)

    hub_ensure(owner)
    few = queries()
    for user in UserFactory.create_batch(11):
        hub_ensure(user)
    assert queries() == few
