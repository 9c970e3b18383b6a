"""Load the demo cohort (idempotent): `make run` calls it on every start."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from nexus.accounts.models import User
from nexus.accounts.roles import Role
from nexus.accounts.services import profile_update, role_grant, user_register
from nexus.web.demo import DEMO_COHORT, DEMO_PASSWORD, DEMO_PEOPLE


class Command(BaseCommand):
    help = "Create the demo cohort of learners and mentors (skips people who already exist)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        for username, name, track, roles, github, discord, bio in DEMO_PEOPLE:
            if User.objects.filter(username__iexact=username).exists():
                continue
            with transaction.atomic():
                user = user_register(
                    username=username,
                    email=f"{username}@demo.nexus.invalid",
                    password=DEMO_PASSWORD,
                    display_name=name,
                    track=track,
                    cohort=DEMO_COHORT,
                )
                profile_update(actor=user, user=user, data={"bio": bio, "github": github, "discord": discord})
                for role in roles:
                    role_grant(actor=None, user=user, role=Role(role))
            created += 1
        total = len(DEMO_PEOPLE)
        self.stdout.write(
            f"Demo cohort: {created} created, {total - created} already there. "
            f"Log in as any of them (e.g. 'amara', mentor 'grace') with the password '{DEMO_PASSWORD}'."
        )
