"""Demo follows, notifications and one switched-off webhook for `manage.py nexus_demo`
(idempotent: what exists is left alone). Text we wrote."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from nexus.accounts.models import User
from nexus.knowledge.models import Entry, EntryStatus, Hub, Technology, Topic
from nexus.notifications.models import Webhook
from nexus.notifications.services import event_publish, follow_create, preference_set, webhook_create

# (follower, what: "hub" / "topic" / "technology", whose hub or which slug)
DEMO_FOLLOWS = [
    ("tomas", "hub", "amara"),
    ("lucia", "topic", "rest-apis"),
    ("lucia", "technology", "django"),
    ("amara", "topic", "performance"),
    ("kenji", "hub", "priya"),
    ("priya", "hub", "kenji"),
]
# (who, how notifications are mailed)
DEMO_PREFERENCES = [("tomas", "weekly"), ("kenji", "instant"), ("lucia", "daily")]
# (actor, owner of the entry it is about, comment text with @mentions)
DEMO_MENTIONS = [
    ("priya", "amara", "@amara your prefetch trick took my job board list from 41 queries to 3. @kenji look at this."),
    ("tomas", "amara", "@amara could the list endpoint send a next cursor? My infinite scroll would love it."),
]
DEMO_WEBHOOK = {
    "name": "Study group Discord",
    "format": "discord",
    "url": "https://discord.com/api/webhooks/0/nexus-demo-example",
    "events": ["entry.published", "proposal.opened", "proposal.merged"],
    "is_active": False,
}


def _target(kind: str, name: str) -> Any:
    if kind == "hub":
        return Hub.objects.filter(owner__username=name).first()
    model: Any = Topic if kind == "topic" else Technology
    return model.objects.filter(slug=name).first()


def notifications_demo_load() -> dict[str, int]:
    """Follows, a few notifications (new entries in followed hubs, mentions) and one webhook."""
    people = {
        user.username: user for user in User.objects.filter(username__in={p for p, *_ in DEMO_FOLLOWS} | {"amara"})
    }
    follows = 0
    for follower, kind, name in DEMO_FOLLOWS:
        target = _target(kind, name)
        if follower in people and target is not None:
            follow_create(actor=people[follower], target=target)
            follows += 1
    for username, frequency in DEMO_PREFERENCES:
        if username in people:
            preference_set(actor=people[username], email_frequency=frequency)
    events = 0
    with transaction.atomic():
        # The demo's entries were published before anyone followed: announce the newest of
        # each followed hub again, under demo keys, so followers' inboxes have something.
        for _follower, kind, name in DEMO_FOLLOWS:
            if kind != "hub":
                continue
            for entry in (
                Entry.objects.filter(hub__owner__username=name, status=EntryStatus.PUBLISHED)
                .select_related("hub__owner")
                .order_by("-published_at", "-pk")[:2]
            ):
                event_publish(
                    kind="entry.published",
                    actor=entry.hub.owner,
                    followed=[entry.hub],
                    title=entry.title,
                    url=reverse("knowledge:entry", args=[entry.hub.owner.username, entry.slug]),
                    key=f"demo:entry.published:{entry.pk}",
                    hub=entry.hub,
                )
                events += 1
        for actor, owner, text in DEMO_MENTIONS:
            author = User.objects.filter(username=actor).first()
            discussed = (
                Entry.objects.filter(hub__owner__username=owner, status=EntryStatus.PUBLISHED).order_by("pk").first()
            )
            if author is None or discussed is None:
                continue
            event_publish(
                kind="comment.posted",
                actor=author,
                followed=[],
                title=f"{actor} commented on {discussed.title}",
                url=reverse("knowledge:entry", args=[owner, discussed.slug]),
                key=f"demo:mention:{actor}:{discussed.pk}",
                mention_text=text,
                hub=discussed.hub,
            )
            events += 1
    webhooks = 0
    amara = people.get("amara")
    hub = Hub.objects.filter(owner=amara).first() if amara is not None else None
    if (
        amara is not None
        and hub is not None
        and not Webhook.objects.filter(hub=hub, name=DEMO_WEBHOOK["name"]).exists()
    ):
        # Switched off, to an example address: the page shows one without posting anywhere.
        webhook_create(actor=amara, hub=hub, data=dict(DEMO_WEBHOOK))
        webhooks = 1
    return {"follows": follows, "events": events, "webhooks": webhooks}
