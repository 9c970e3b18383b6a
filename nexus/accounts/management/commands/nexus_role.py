"""Grant or revoke a role from the command line: `manage.py nexus_role alice --grant mentor`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexus.accounts.models import User
from nexus.accounts.roles import Role, user_roles
from nexus.accounts.services import role_grant, role_revoke

ROLE_NAMES = [role.value for role in Role]


class Command(BaseCommand):
    help = "Grant or revoke the mentor or admin role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--grant", choices=ROLE_NAMES)
        action.add_argument("--revoke", choices=ROLE_NAMES)

    def handle(self, *args: Any, username: str, grant: str | None, revoke: str | None, **options: Any) -> None:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if grant:
            role_grant(actor=None, user=user, role=Role(grant))
        else:
            role_revoke(actor=None, user=user, role=Role(str(revoke)))
        roles = ", ".join(sorted(user_roles(user))) or "none"
        self.stdout.write(f"{user.username}: roles now {roles}.")
