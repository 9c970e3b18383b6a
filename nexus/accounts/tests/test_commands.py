from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from nexus.accounts.models import User
from nexus.accounts.roles import Role, user_roles
from nexus.web.demo import DEMO_PEOPLE

pytestmark = pytest.mark.django_db


def test_demo_cohort_loads_once() -> None:
    out = StringIO()
    call_command("nexus_demo", stdout=out)
    assert f"{len(DEMO_PEOPLE)} people and 7 hubs created" in out.getvalue()
    call_command("nexus_demo", stdout=out)
    assert User.objects.count() == len(DEMO_PEOPLE)
    grace = User.objects.get(username="grace")
    assert user_roles(grace) == {Role.MENTOR}
    assert grace.profile.bio.startswith("Mentor for the backend track")
    assert grace.check_password("nexus-demo-2026")


def test_role_command_grants_and_revokes(owner: Any) -> None:
    out = StringIO()
    call_command("nexus_role", "OWNER", "--grant", "mentor", stdout=out)
    assert out.getvalue().strip() == "owner: roles now mentor."
    call_command("nexus_role", "owner", "--revoke", "mentor", stdout=out)
    assert user_roles(User.objects.get(pk=owner.pk)) == frozenset()


def test_role_command_names_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="No user is called 'ghost'"):
        call_command("nexus_role", "ghost", "--grant", "mentor")
