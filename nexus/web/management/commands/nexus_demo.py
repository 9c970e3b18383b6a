"""Load the demo cohort (idempotent): `make run` calls it on every start."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from nexus.accounts.models import User
from nexus.accounts.roles import Role
from nexus.accounts.services import profile_update, role_grant, user_register
from nexus.community.demo import community_demo_load
from nexus.knowledge.models import Entry
from nexus.knowledge.services import entry_create, entry_update, hub_ensure, hub_update, proposal_create
from nexus.notifications.demo import notifications_demo_load
from nexus.search.demo import DEMO_USERNAME as DEMO_SEARCH_LEARNER
from nexus.search.demo import search_demo_load
from nexus.traffic.demo import traffic_demo_load
from nexus.web.demo import DEMO_COHORT, DEMO_PASSWORD, DEMO_PEOPLE
from nexus.web.demo_entries import DEMO_ENTRIES, DEMO_PROPOSALS


class Command(BaseCommand):
    help = (
        "Create the demo cohort of learners and mentors with their hubs, edited entries and suggested edits "
        "(skips what already exists)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        people = sum(self._person(*person) for person in DEMO_PEOPLE)
        hubs = sum(self._hub(username, entries) for username, entries in DEMO_ENTRIES.items())
        proposals = sum(self._proposal(*proposal) for proposal in DEMO_PROPOSALS)
        community = community_demo_load()
        searchable = search_demo_load()
        # Last: it announces the newest entries of followed hubs, so every entry is there first
        # (else a second load finds newer ones and announces them too).
        notified = notifications_demo_load()
        traffic = traffic_demo_load()
        self.stdout.write(
            f"Demo cohort: {people} people and {hubs} hubs created, {proposals} suggested edits opened "
            f"({len(DEMO_PEOPLE)} people in all). "
            f"Notifications: {notified['follows']} follows, {notified['events']} demo events, "
            f"{notified['webhooks']} webhook created. "
            f"Community: {community['comments']} comments, {community['questions']} questions, "
            f"{community['announcements']} project announcements, {community['teams']} teams. "
            f"Search: {searchable['entries']} code-heavy demo entries by {DEMO_SEARCH_LEARNER!r}. "
            f"Traffic: {traffic['requests']} demo requests over two weeks, {traffic['flags']} flagged address. "
            f"Log in as any of them (e.g. 'amara', mentor 'grace') with the password '{DEMO_PASSWORD}'."
        )

    def _person(
        self, username: str, name: str, track: str, roles: tuple[str, ...], github: str, discord: str, bio: str
    ) -> bool:
        if User.objects.filter(username__iexact=username).exists():
            return False
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
        return True

    def _hub(self, username: str, entries: list[tuple[str, str, dict[str, Any]]]) -> bool:
        owner = User.objects.select_related("profile").get(username=username)
        hub = hub_ensure(owner)
        if hub.entries.exists():
            return False
        with transaction.atomic():
            hub_update(
                actor=owner,
                hub=hub,
                data={"intro": f"What I learned in the backend program, kept up to date by {owner.profile.name}."},
            )
            for kind, title, fields in entries:
                fields = dict(fields)
                revisions: list[dict[str, str]] = fields.pop("revisions", [])
                entry = entry_create(
                    actor=owner, hub=hub, data={"kind": kind, "title": title, "status": "published", **fields}
                ).entry
                for revision in revisions:
                    changes = dict(revision)
                    message = changes.pop("message")
                    entry = entry_update(
                        actor=owner, entry=entry, data=changes, base_version=entry.version, message=message
                    ).entry
        return True

    def _proposal(self, proposer: str, owner: str, title: str, changes: dict[str, str], message: str) -> bool:
        # One per (entry, proposer), ever: once reviewed, merged or rejected it is not made again.
        entry = Entry.objects.select_related("hub").filter(hub__owner__username=owner, title=title).first()
        author = User.objects.get(username=proposer)
        if entry is None or entry.proposals.filter(author=author).exists():
            return False
        proposal_create(actor=author, entry=entry, data=changes, base_version=entry.version, message=message)
        return True
