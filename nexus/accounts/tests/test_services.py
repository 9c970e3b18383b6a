"""Account rules at the service level: registration, profile permissions, roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from nexus.accounts.errors import RegistrationInvalid
from nexus.accounts.models import Profile, User
from nexus.accounts.roles import Role, user_roles
from nexus.accounts.services import profile_update, role_grant, role_revoke, user_register
from nexus.core.errors import InvalidInput, PermissionDenied
from nexus.core.models import OutboxMessage

pytestmark = pytest.mark.django_db

GOOD = {"username": "ada", "email": "ada@example.org", "password": "a long enough password"}


def test_register_creates_user_profile_and_queues_the_welcome_email() -> None:
    user = user_register(**GOOD, display_name=" Ada ", track="frontend", cohort="2026-autumn")
    assert user.check_password(GOOD["password"])
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.track, profile.cohort) == ("Ada", "frontend", "2026-autumn")
    message = OutboxMessage.objects.get()
    assert (message.topic, message.payload) == ("accounts.welcome_email", {"user_id": user.pk})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "ADA"}, "username"),  # taken, case-insensitively
        ({"email": "Ada@Example.org"}, "email"),
        ({"username": "bad name!"}, "username"),
        ({"email": ""}, "email"),
        ({"password": "12345678"}, "password"),
        ({"track": "design"}, "track"),
        ({"display_name": "nul\x00byte"}, "display_name"),
    ],
)
def test_register_refuses_bad_input_and_creates_nothing(changes: dict[str, str], field: str) -> None:
    user_register(**GOOD)
    with pytest.raises(RegistrationInvalid) as caught:
        user_register(**{**GOOD, "username": "grace", "email": "grace@example.org", **changes})
    assert caught.value.code == "invalid"
    assert field in caught.value.details
    assert User.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_welcome_email_is_sent_once_after_commit(settings: Any) -> None:
    settings.NEXUS_TASKS_MODE = "inline"
    user_register(**GOOD)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert "Welcome to Nexus" in mail.outbox[0].subject


# --- Profile permission matrix ------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "allowed"),
    [("owner", True), ("admin_user", True), ("mentor", False), ("outsider", False)],
)
def test_who_may_edit_a_profile(request: Any, owner: Any, actor_name: str, allowed: bool) -> None:
    actor = request.getfixturevalue(actor_name)
    if allowed:
        profile_update(actor=actor, user=owner, data={"bio": "Edited."})
        assert Profile.objects.get(user=owner).bio == "Edited."
    else:
        with pytest.raises(PermissionDenied):
            profile_update(actor=actor, user=owner, data={"bio": "Edited."})
        assert Profile.objects.get(user=owner).bio == ""


def test_anonymous_may_not_edit_a_profile(owner: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        profile_update(actor=AnonymousUser(), user=owner, data={"bio": "x"})


@pytest.mark.parametrize(
    "data",
    [{"github": "@octo"}, {"discord": "Has Spaces"}, {"track": "ops"}, {"bio": "x" * 2001}, {"password": "x"}],
)
def test_invalid_profile_changes_are_refused_whole(owner: Any, data: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        profile_update(actor=owner, user=owner, data={"cohort": "changed", **data})
    assert set(caught.value.details) == set(data)
    assert Profile.objects.get(user=owner).cohort == ""


def test_only_admins_and_the_command_line_manage_roles(owner: Any, mentor: Any, admin_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        role_grant(actor=mentor, user=owner, role=Role.MENTOR)
    assert user_roles(User.objects.get(pk=owner.pk)) == frozenset()

    role_grant(actor=admin_user, user=owner, role=Role.MENTOR)
    assert user_roles(User.objects.get(pk=owner.pk)) == {Role.MENTOR}
    role_revoke(actor=None, user=owner, role=Role.MENTOR)
    assert user_roles(User.objects.get(pk=owner.pk)) == frozenset()


def test_superusers_are_admins_and_get_a_profile() -> None:
    user = User.objects.create_superuser("root", "root@example.org", "a long enough password")
    assert user_roles(user) == {Role.ADMIN}
    assert Profile.objects.filter(user=user).exists()
