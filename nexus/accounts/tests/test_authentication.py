"""Bearer tokens name a live, active account: the fast user lookup keeps every check of
simplejwt's own (unknown user, inactive user, a claim that is not an id), on REST and
GraphQL alike, and reads the user in one query."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken

from conftest import bearer
from nexus.accounts.selectors import user_by_id

pytestmark = pytest.mark.django_db


def _token_for(user_id: Any) -> dict[str, str]:
    token = AccessToken()
    token["user_id"] = user_id
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_token_signs_in_its_user_with_one_query(api_client: Any, owner: Any) -> None:
    api_client.get("/api/v1/me", **bearer(owner))  # warm: URL conf, schema
    headers = bearer(owner)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/me", **headers)
    assert response.status_code == 200
    assert response.json()["username"] == "owner"
    assert len([q for q in queries if '"accounts_user"' in q["sql"] and "WHERE u." in q["sql"]]) == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("deleted", "user_not_found"),
        ("deactivated", "user_inactive"),
    ],
)
def test_a_token_of_a_gone_or_inactive_account_is_401(api_client: Any, member: Any, change: str, code: str) -> None:
    headers = bearer(member)
    if change == "deleted":
        member.delete()
    else:
        member.is_active = False
        member.save(update_fields=["is_active"])
    response = api_client.get("/api/v1/entries", **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    graphql = Client().post(
        "/graphql/", json.dumps({"query": "{ me { username } }"}), content_type="application/json", **headers
    )
    assert graphql.status_code == 401


@pytest.mark.parametrize("claim", ["not-a-number", None, 10**30, "1; DROP TABLE accounts_user"])
def test_a_signed_token_with_a_claim_that_names_nobody_is_401(api_client: Any, claim: Any) -> None:
    response = api_client.get("/api/v1/entries", **_token_for(claim))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "user_not_found"


def test_user_by_id_loads_the_whole_account(owner: Any) -> None:
    loaded = user_by_id(owner.pk)
    assert loaded is not None
    assert (loaded.pk, loaded.username, loaded.is_active, loaded.date_joined) == (
        owner.pk,
        owner.username,
        True,
        owner.date_joined,
    )
    assert loaded.check_password("a long enough password")
    assert user_by_id(10**9) is None
    assert user_by_id("x") is None


def test_a_remembered_token_still_expires_and_a_changed_one_is_verified_afresh(api_client: Any, owner: Any) -> None:
    import time
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import RefreshToken

    from nexus.accounts.authentication import _verified

    token = RefreshToken.for_user(owner).access_token
    token.set_exp(lifetime=timedelta(seconds=1))
    raw = str(token)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert api_client.get("/api/v1/me", **headers).status_code == 200
    assert raw.encode() in _verified
    assert api_client.get("/api/v1/me", **headers).status_code == 200  # from the memo
    tampered = raw[:-2] + ("A" if raw[-2] != "A" else "B") + raw[-1]
    refused = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {tampered}")
    assert refused.status_code == 401
    assert tampered.encode() not in _verified
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert api_client.get("/api/v1/me", **headers).status_code == 401  # the user is read every time
    owner.is_active = True
    owner.save(update_fields=["is_active"])
    time.sleep(1.1)
    expired = api_client.get("/api/v1/me", **headers)
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "token_not_valid"
    assert raw.encode() not in _verified
