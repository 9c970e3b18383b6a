"""The REST face of accounts, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import bearer
from nexus.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def register(api_client: Any, **changes: Any) -> Any:
    body = {"username": "ada", "email": "ada@example.org", "password": "a long enough password", **changes}
    return api_client.post("/api/v1/auth/register", body, format="json")


def test_register_returns_the_user_and_a_working_token_pair(api_client: Any) -> None:
    response = register(api_client, track="frontend", display_name="Ada")
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["username"] == "ada"
    assert body["user"]["email"] == "ada@example.org"
    assert body["user"]["profile"] == {
        "display_name": "Ada",
        "track": "frontend",
        "cohort": "",
        "bio": "",
        "github": "",
        "discord": "",
    }
    assert body["user"]["roles"] == []
    me = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['tokens']['access']}")
    assert me.status_code == 200
    assert me.json()["username"] == "ada"


def test_register_with_a_taken_username_is_400_with_the_field(api_client: Any) -> None:
    register(api_client)
    response = register(api_client, username="ADA", email="other@example.org")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"username": ["This username is taken."]}


def test_token_obtain_refresh_rotates_and_blacklists(api_client: Any, owner: Any) -> None:
    pair = api_client.post(
        "/api/v1/auth/token", {"username": "owner", "password": "a long enough password"}, format="json"
    ).json()
    rotated = api_client.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != pair["refresh"]

    reused = api_client.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "token_not_valid"

    verified = api_client.post("/api/v1/auth/token/verify", {"token": rotated.json()["access"]}, format="json")
    assert verified.status_code == 200


def test_wrong_password_is_401_in_the_error_format(api_client: Any, owner: Any) -> None:
    response = api_client.post("/api/v1/auth/token", {"username": "owner", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "no_active_account"


def test_logout_blacklists_the_refresh_token(api_client: Any, owner: Any) -> None:
    pair = api_client.post(
        "/api/v1/auth/token", {"username": "owner", "password": "a long enough password"}, format="json"
    ).json()
    assert api_client.post("/api/v1/auth/logout", {"refresh": pair["refresh"]}, format="json").status_code == 204
    after = api_client.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert after.status_code == 401
    again = api_client.post("/api/v1/auth/logout", {"refresh": pair["refresh"]}, format="json")
    assert again.status_code == 401


def test_me_requires_authentication(api_client: Any) -> None:
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_patch_updates_only_the_fields_sent(api_client: Any, owner: Any) -> None:
    response = api_client.patch(
        "/api/v1/me", {"bio": "Caching nerd.", "github": "olive-o"}, format="json", **bearer(owner)
    )
    assert response.status_code == 200
    assert response.json()["profile"]["bio"] == "Caching nerd."
    assert response.json()["profile"]["github"] == "olive-o"
    assert response.json()["profile"]["display_name"] == "Olive Owner"


def test_me_patch_with_an_invalid_handle_is_400_and_changes_nothing(api_client: Any, owner: Any) -> None:
    response = api_client.patch("/api/v1/me", {"bio": "new", "github": "-bad-"}, format="json", **bearer(owner))
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["github"]
    assert api_client.get("/api/v1/me", **bearer(owner)).json()["profile"]["bio"] == ""


def test_public_profile_hides_the_email(api_client: Any, mentor: Any) -> None:
    response = api_client.get("/api/v1/users/MENTOR")
    assert response.status_code == 200
    assert response.json()["username"] == "mentor"
    assert response.json()["roles"] == ["mentor"]
    assert "email" not in response.json()


def test_inactive_members_are_not_found(api_client: Any) -> None:
    UserFactory(username="gone", is_active=False)
    response = api_client.get("/api/v1/users/gone")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "user_not_found"


def test_list_filters_by_track(api_client: Any, owner: Any, member: Any) -> None:
    response = api_client.get("/api/v1/users", {"track": "frontend"})
    assert [user["username"] for user in response.json()["results"]] == ["member"]
    bad = api_client.get("/api/v1/users", {"track": "design"})
    assert bad.status_code == 400


def count_queries(api_client: Any, path: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(path, params)
    assert response.status_code == 200
    return len(queries)


def test_user_list_query_count_does_not_grow_with_page_size(api_client: Any, mentor: Any) -> None:
    UserFactory.create_batch(110, roles=["mentor"])
    assert count_queries(api_client, "/api/v1/users", page_size=5) == 2  # + who holds roles, then cached
    small = count_queries(api_client, "/api/v1/users", page_size=10)
    large = count_queries(api_client, "/api/v1/users", page_size=100)
    assert small == large == 1
    assert all(user["roles"] == ["mentor"] for user in api_client.get("/api/v1/users").json()["results"])


def test_profile_detail_is_one_query(api_client: Any, owner: Any) -> None:
    count_queries(api_client, "/api/v1/users/owner")  # warms the role holders
    assert count_queries(api_client, "/api/v1/users/owner") == 1  # member joined with profile


def test_the_public_read_loads_the_member_and_profile_the_orm_loads(owner: Any) -> None:
    from nexus.accounts.errors import UserNotFound
    from nexus.accounts.models import Profile, User
    from nexus.accounts.selectors import user_get_public

    def fields(instance: Any) -> dict[str, Any]:
        return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}

    loaded = user_get_public("OWNER")
    expected = User.objects.select_related("profile").get(pk=owner.pk)
    with CaptureQueriesContext(connection) as queries:
        profile = loaded.profile
    assert len(queries) == 0
    assert (fields(loaded), fields(profile)) == (fields(expected), fields(expected.profile))
    Profile.objects.filter(user=owner).delete()  # a member without a profile is not public
    with pytest.raises(UserNotFound):
        user_get_public("owner")


def test_a_member_list_reads_who_holds_roles_once_per_request(api_client: Any, monkeypatch: Any) -> None:
    from nexus.accounts import roles
    from nexus.accounts.tests.factories import UserFactory

    UserFactory.create_batch(6)
    reads: list[str] = []
    real = roles.cache_get_or_compute

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(roles, "cache_get_or_compute", counted)
    assert len(api_client.get("/api/v1/users", {"page_size": 20}).json()["results"]) >= 6
    assert reads == [roles.ROLES_CACHE_SCOPE]


def test_granting_a_role_shows_at_once(api_client: Any, owner: Any, admin_user: Any) -> None:
    from nexus.accounts.roles import Role
    from nexus.accounts.services import role_grant

    assert api_client.get("/api/v1/users/owner").json()["roles"] == []
    role_grant(actor=admin_user, user=owner, role=Role.MENTOR)
    assert api_client.get("/api/v1/users/owner").json()["roles"] == ["mentor"]


def test_a_nul_byte_in_a_username_is_404_not_500(api_client: Any) -> None:
    response = api_client.get("/api/v1/users/a%00b")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "user_not_found"
    assert api_client.get("/api/v1/hubs/a%00b").status_code == 404
