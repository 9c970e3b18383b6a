"""The permission matrix, at the service and selector level."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.core.errors import PermissionDenied
from nexus.knowledge.errors import EntryNotFound, HubNotFound
from nexus.knowledge.models import Entry, Visibility
from nexus.knowledge.selectors import (
    entry_cards_visible_to,
    entry_get_by_slug,
    entry_get_for_user,
    entry_list_visible_to,
    hub_get_for_user,
)
from nexus.knowledge.services import entry_delete, entry_update, hub_ensure, hub_update
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

CAST = ["anonymous", "owner", "member", "mentor", "admin_user"]


@pytest.fixture
def who(request: Any, owner: Any, member: Any, mentor: Any, admin_user: Any) -> Any:
    def get(name: str) -> Any:
        return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.mark.parametrize(
    ("viewer", "sees_published", "sees_draft"),
    [
        ("anonymous", True, False),
        ("owner", True, True),
        ("member", True, False),
        ("mentor", True, False),
        ("admin_user", True, True),
    ],
)
def test_who_sees_what(who: Any, owner: Any, viewer: str, sees_published: bool, sees_draft: bool) -> None:
    published = make_entry(owner, title="Out")
    draft = make_entry(owner, title="Not yet", status="draft")
    user = who(viewer)
    visible = set(entry_list_visible_to(user).values_list("title", flat=True))
    assert ("Out" in visible, "Not yet" in visible) == (sees_published, sees_draft)
    # The plain-values reader (search results) decides by the same rule.
    cards = entry_cards_visible_to(user, [published.pk, draft.pk])
    assert {card.title for card in cards.values()} == visible
    if not sees_draft:
        with pytest.raises(EntryNotFound):  # a draft is "not found", never "forbidden"
            entry_get_for_user(user, draft.pk)
    assert entry_get_for_user(user, published.pk) == published


@pytest.mark.parametrize(
    ("actor", "may_edit", "may_delete"),
    [("owner", True, True), ("member", False, False), ("mentor", True, False), ("admin_user", True, True)],
)
def test_who_edits_and_deletes(who: Any, owner: Any, actor: str, may_edit: bool, may_delete: bool) -> None:
    entry = make_entry(owner, body="before\n")
    user = who(actor)
    if may_edit:
        entry_update(actor=user, entry=entry, data={"body": "after\n"}, base_version=1)
    else:
        with pytest.raises(PermissionDenied):
            entry_update(actor=user, entry=entry, data={"body": "after\n"}, base_version=1)
    entry.refresh_from_db()
    assert (entry.body == "after\n") == may_edit
    if may_delete:
        entry_delete(actor=user, entry=entry)
    else:
        with pytest.raises(PermissionDenied):
            entry_delete(actor=user, entry=entry)
    assert type(entry).objects.filter(pk=entry.pk).exists() != may_delete


def test_anonymous_cannot_edit(owner: Any) -> None:
    entry = make_entry(owner)
    with pytest.raises(PermissionDenied):
        entry_update(actor=AnonymousUser(), entry=entry, data={"body": "x"}, base_version=1)


@pytest.mark.parametrize(
    ("visibility", "anonymous_sees", "member_sees"),
    [(Visibility.PUBLIC, True, True), (Visibility.COHORT, False, True), (Visibility.PRIVATE, False, False)],
)
def test_hub_visibility(owner: Any, member: Any, visibility: str, anonymous_sees: bool, member_sees: bool) -> None:
    entry = make_entry(owner)
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": visibility})
    for user, sees in ((AnonymousUser(), anonymous_sees), (member, member_sees)):
        assert entry_list_visible_to(user).filter(pk=entry.pk).exists() == sees
        assert (entry.pk in entry_cards_visible_to(user, [entry.pk])) == sees
        if not sees:
            with pytest.raises(HubNotFound):
                hub_get_for_user(user, "owner")
    assert entry_list_visible_to(owner).filter(pk=entry.pk).exists()


def test_only_the_owner_changes_the_hub(owner: Any, mentor: Any) -> None:
    with pytest.raises(PermissionDenied):
        hub_update(actor=mentor, hub=hub_ensure(owner), data={"title": "Taken over"})
    assert hub_ensure(owner).title == "Olive Owner's Project Nexus"


def test_an_entry_card_holds_what_the_models_hold(owner: Any) -> None:
    owner.profile.display_name = "Ada O."
    owner.profile.save()
    entry = make_entry(owner, title="Cards", summary="What a result shows.", week=3)
    card = entry_cards_visible_to(owner, [entry.pk, 10**9])[entry.pk]
    entry.refresh_from_db()
    assert (card.id, card.kind, card.title, card.slug, card.summary, card.status, card.week) == (
        entry.pk,
        entry.kind,
        entry.title,
        entry.slug,
        entry.summary,
        entry.status,
        entry.week,
    )
    assert card.published_at == entry.published_at  # an aware datetime on both engines
    assert card.published_at is not None
    assert card.published_at.tzinfo is not None
    assert (card.hub_username, card.author_name, card.kind_label) == ("owner", "Ada O.", entry.get_kind_display())
    assert entry_cards_visible_to(owner, []) == {}


def _fields(instance: Any) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_entry_reads_load_what_select_related_loads(owner: Any, member: Any) -> None:
    """entry_get_for_user and entry_get_by_slug read a statement written once (core/rows.py):
    every field as the ORM converts it (dates, JSON, booleans), related objects cached."""
    entry = make_entry(
        owner,
        title="Rows",
        body="# Rows\n\n## Columns\n\nText.\n",
        week=4,
        review_by=datetime.date(2030, 1, 2),
        topics=["caching"],
        tags=["orm"],
    )
    expected = Entry.objects.select_related("hub__owner__profile").get(pk=entry.pk)
    for loaded in (entry_get_for_user(member, entry.pk), entry_get_by_slug(member, "OWNER", entry.slug)):
        with CaptureQueriesContext(connection) as queries:
            hub, user, profile = loaded.hub, loaded.hub.owner, loaded.hub.owner.profile
            topics, tags = [t.slug for t in loaded.topics.all()], [t.name for t in loaded.tags.all()]
        assert len(queries) == 0
        assert _fields(loaded) == _fields(expected)
        assert _fields(hub) == _fields(expected.hub)
        assert _fields(user) == _fields(expected.hub.owner)
        assert _fields(profile) == _fields(expected.hub.owner.profile)
        assert profile.user is user
        assert (topics, tags) == (["caching"], ["orm"])
        assert loaded.toc == expected.toc
        assert loaded.toc  # JSON decoded, not text
    with pytest.raises(EntryNotFound):
        entry_get_for_user(member, 10**30)  # a URL's digits, past any database integer
    with pytest.raises(EntryNotFound):
        entry_get_by_slug(member, "owner", "no-such-entry")
    with pytest.raises(HubNotFound):
        entry_get_by_slug(member, "nobody", entry.slug)
    with pytest.raises(EntryNotFound):
        entry_get_by_slug(member, "owner", "bad\x00slug")
    with pytest.raises(HubNotFound):
        entry_get_by_slug(member, "own\x00er", entry.slug)
