"""Give one entry a long discussion (for `make bench`): comments from the demo cohort,
written through the comment service, until the entry has `--comments` of them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from nexus.accounts.models import User
from nexus.community.models import Comment
from nexus.community.services import comment_post
from nexus.knowledge.models import Entry


class Command(BaseCommand):
    help = "Add comments to an entry (by hub owner and slug) until it has --comments of them; idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("owner")
        parser.add_argument("slug")
        parser.add_argument("--comments", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        entry = (
            Entry.objects.select_related("hub__owner")
            .filter(hub__owner__username=options["owner"], slug=options["slug"])
            .first()
        )
        if entry is None:
            raise CommandError(f"No entry /h/{options['owner']}/{options['slug']}/.")
        people = list(User.objects.filter(is_active=True).order_by("pk")[:20])
        have = Comment.objects.filter(entry=entry, proposal__isnull=True).count()
        parent = None
        # A bench thread is written faster than any person posts: the spam limit stands aside.
        with override_settings(NEXUS_COMMUNITY_POSTS_PER_MINUTE=10**9):
            for number in range(have, options["comments"]):
                text = f"Comment {number + 1}: a **thought** about this entry, with a [link](https://example.org/{number})."
                comment = comment_post(
                    actor=people[number % len(people)], entry=entry, body=text, parent=parent if number % 3 else None
                )
                parent = comment
        self.stdout.write(f"/h/{entry.hub.owner.username}/{entry.slug}/ has {max(have, options['comments'])} comments.")
