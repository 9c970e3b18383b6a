"""Reads of hubs, entries, revisions and proposals: each returns only what the viewer may
see, with a query shape whose cost does not grow with the number of rows returned."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from nexus.accounts.models import Profile, User
from nexus.accounts.roles import Role, user_has_role
from nexus.core.rows import ModelColumns, fetch_one, is_storable_key, json_rows, json_rows_subquery, placeholders
from nexus.knowledge.errors import (
    EntryNotFound,
    HubNotFound,
    ProposalNotFound,
    RevisionNotFound,
    TechnologyNotFound,
    TopicNotFound,
)
from nexus.knowledge.models import (
    PROPOSAL_CLOSED,
    EditProposal,
    Entry,
    EntryKind,
    EntryStatus,
    Hub,
    Revision,
    Tag,
    Technology,
    Topic,
    Visibility,
)
from nexus.knowledge.permissions import can_view_entry, can_view_hub, can_view_proposal, entry_visible


def _visible_hubs_q(user: Any, prefix: str = "") -> Q:
    """The condition on Hub (under `prefix`) matching hubs the user may see."""
    if user.is_authenticated and user_has_role(user, Role.ADMIN):
        return Q()
    public = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if not user.is_authenticated:
        return public
    return public | Q(**{f"{prefix}visibility": Visibility.COHORT}) | Q(**{f"{prefix}owner": user})


def hub_list_visible_to(user: Any) -> QuerySet[Hub]:
    """Hubs the user may see, with their owner and profile, newest first."""
    return Hub.objects.filter(_visible_hubs_q(user)).select_related("owner__profile").order_by("-id")


def hub_get_for_user(user: Any, username: str) -> Hub:
    """The hub of `username`, or HubNotFound when it does not exist or may not be seen."""
    if "\x00" in username:  # PostgreSQL refuses NUL in a query; no username has one
        raise HubNotFound(f"{username!r} has no hub you can see.")
    hub = (
        Hub.objects.select_related("owner__profile")
        .alias(owner_username=Lower("owner__username"))
        .filter(owner_username=username.lower(), owner__is_active=True)
        .first()
    )
    if hub is None or not can_view_hub(user, hub):
        raise HubNotFound(f"{username!r} has no hub you can see.")
    return hub


def entry_list_visible_to(user: Any, *, vocabulary: bool = True) -> QuerySet[Entry]:
    """Entries the user may see (published in visible hubs, plus their own drafts), with
    hub, author and vocabulary loaded in a fixed number of queries, newest first. With
    `vocabulary=False` the caller loads it on the rows it keeps (entries_load_vocabulary:
    one query where the prefetch spends three)."""
    visible = Q(status=EntryStatus.PUBLISHED) & _visible_hubs_q(user, "hub__")
    if user.is_authenticated:
        visible |= Q(hub__owner=user)
        if user_has_role(user, Role.ADMIN):
            visible = Q()
    entries = Entry.objects.filter(visible).select_related("hub__owner__profile")
    if vocabulary:
        entries = entries.prefetch_related(
            Prefetch("topics", queryset=Topic.objects.only("id", "name", "slug")),
            Prefetch("technologies", queryset=Technology.objects.only("id", "name", "slug")),
            Prefetch("tags", queryset=Tag.objects.only("id", "name")),
        )
    return entries.defer("body", "problem", "solution", "outcome", "html").order_by("-id")


def entry_list_audience(user: Any) -> str:
    """Who sees exactly the entries `user` sees in any list (entry_list_visible_to), as a
    cache key's part: "anyone" for every anonymous reader, "admins" for every admin, and
    for a member themselves alone (their own drafts and private hub are theirs)."""
    if not user.is_authenticated:
        return "anyone"
    if user_has_role(user, Role.ADMIN):
        return "admins"
    return f"member:{user.pk}"


# What a list of entries shows (the REST EntryOutput): of the entry, no long text and no
# table of contents; of its hub, owner and profile, only the owner's names. A row then
# carries 22 columns instead of 46 (no password hash, no hub intro, no profile bio), and
# 2 timestamps to parse instead of 8: a page of 20 loads in three quarters of the time.
SUMMARY_FIELDS = (
    *("id", "hub_id", "kind", "title", "slug", "summary", "status", "week", "project", "verified_with"),
    *("review_by", "version", "created_at", "published_at", "updated_at"),  # created_at: an ordering
    *("hub__id", "hub__owner_id", "hub__owner__id", "hub__owner__username", "hub__owner__is_active"),
    *("hub__owner__profile__user_id", "hub__owner__profile__display_name"),
)


def entry_summaries_visible_to(user: Any) -> QuerySet[Entry]:
    """entry_list_visible_to(user), loading only SUMMARY_FIELDS, vocabulary left to the
    caller (entries_load_vocabulary on the rows it keeps). Any other field read from these
    rows costs a query per row: a list that needs more asks entry_list_visible_to."""
    return entry_list_visible_to(user, vocabulary=False).only(*SUMMARY_FIELDS)


def entry_list_for_hub_page(user: Any, hub: Hub) -> QuerySet[Entry]:
    """A hub's entries the user may see, with what the hub page shows of each: everything
    but the long body (a challenge shows its problem and solution)."""
    return entry_list_visible_to(user).filter(hub=hub).defer(None).defer("body", "outcome", "html")


# An entry's detail: the entry, its hub, the hub's owner and the owner's profile, as
# select_related("hub__owner__profile") would load them, from a statement written once.
_ENTRY, _HUB = ModelColumns(Entry, "e"), ModelColumns(Hub, "h")
_OWNER, _PROFILE = ModelColumns(User, "u"), ModelColumns(Profile, "p")


# The vocabulary of an entry lives in three tables: one UNION reads them for a list of
# entries, three JSON aggregates inside the detail statement for one.
_VOCABULARY = {"topics": Topic, "technologies": Technology, "tags": Tag}


@functools.cache
def _vocabulary_sources() -> dict[str, tuple[str, str, str]]:
    """Per field: the id, name and slug (a tag's name) columns of its rows, the FROM and
    JOIN that find them up to the condition on the link's entry column, and that column
    (every name from the models)."""
    quote = connection.ops.quote_name
    sources = {}
    for field, model in _VOCABULARY.items():
        relation: Any = Entry._meta.get_field(field)  # a ManyToManyField
        table, links = quote(model._meta.db_table), quote(relation.remote_field.through._meta.db_table)
        entry_column, item_column = quote(relation.m2m_column_name()), quote(relation.m2m_reverse_name())
        slug = "slug" if model is not Tag else "name"
        sources[field] = (
            f"v.id, v.name, v.{slug}",
            f"{table} v JOIN {links} l ON l.{item_column} = v.id WHERE l.{entry_column}",
            entry_column,
        )
    return sources


@functools.cache
def _vocabulary_union_sql(fields: tuple[str, ...]) -> str:
    """SELECT field, entry id, id, name, slug of the vocabulary rows (of `fields`) of the
    entries in %(ids)s. Written once, not built per request: composing the same UNION with
    the ORM costs more than running it."""
    sources = _vocabulary_sources()
    return " UNION ALL ".join(
        f"SELECT '{field}', l.{entry_column}, {columns} FROM {source} IN %(ids)s"  # noqa: S608
        for field, (columns, source, entry_column) in ((field, sources[field]) for field in fields)
    )


def _vocabulary_item(field: str, pk: int, name: str, slug: str) -> Any:
    model = _VOCABULARY[field]
    if model is Tag:
        return Tag.from_db(connection.alias, ["id", "name"], [pk, name])
    return model.from_db(connection.alias, ["id", "name", "slug"], [pk, name, slug])


def _vocabulary_attach(
    entries: list[Entry], loaded: dict[tuple[str, int], list[Any]], fields: tuple[str, ...]
) -> list[Entry]:
    """Store each entry's loaded vocabulary as prefetch_related would: `entry.topics.all()`
    and the rest then read it. The rows carry id, name and slug (tags: id and name); any
    other field loads on access, as with `.only()`."""
    lookups = _relation_lookups()
    for entry in entries:
        cache = entry.__dict__.setdefault("_prefetched_objects_cache", {})
        for field in fields:
            model = _VOCABULARY[field]
            # What prefetch_related itself stores: the relation's queryset (its filter
            # deferred, as the related manager leaves it) with its rows filled in. Built
            # without the manager, which costs ten times the queryset (60 of them a page).
            related: Any = QuerySet(model=model, using=entry._state.db, hints={"instance": entry})
            related._deferred_filter = (False, (), {lookups[field]: entry.pk})
            related._result_cache = sorted(loaded.get((field, entry.pk), []), key=lambda item: item.name)
            related._prefetch_done = True
            cache[field] = related
    return entries


@functools.cache
def _relation_lookups() -> dict[str, str]:
    """Per vocabulary field, the lookup its related manager filters by (`entries__id`)."""
    probe = Entry(pk=0)
    return {field: next(iter(getattr(probe, field).core_filters)) for field in _VOCABULARY}


def entry_vocabulary(entry: Entry, field: str) -> Any:
    """An entry's topics, technologies or tags as they were loaded with it, else queried.
    Read from the prefetch cache: `entry.topics` builds a related manager on every access
    (16 us; three an entry, sixty a page)."""
    prefetched = getattr(entry, "_prefetched_objects_cache", {})
    return prefetched[field] if field in prefetched else getattr(entry, field).all()


def entries_load_vocabulary(entries: list[Entry], fields: tuple[str, ...] = tuple(_VOCABULARY)) -> list[Entry]:
    """Load the topics, technologies and tags (or those of `fields`) of `entries` with one
    query, a UNION of the three, where prefetch_related spends one each."""
    if not entries or not fields:
        return entries
    ids = [entry.pk for entry in entries]
    sql = _vocabulary_union_sql(fields).replace("%(ids)s", placeholders(len(ids)))
    loaded: dict[tuple[str, int], list[Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids * len(fields))
        for field, entry_id, pk, name, slug in cursor.fetchall():
            loaded.setdefault((field, entry_id), []).append(_vocabulary_item(field, pk, name, slug))
    return _vocabulary_attach(entries, loaded, fields)


# What the UNION reads of each vocabulary row (see _vocabulary_item).
_UNION_FIELDS = {"topics": {"id", "name", "slug"}, "technologies": {"id", "name", "slug"}, "tags": {"id", "name"}}


def _lookup_name(lookup: str | Prefetch) -> str:
    return lookup if isinstance(lookup, str) else lookup.prefetch_to


def _union_loads(lookup: str | Prefetch) -> bool:
    """Whether the UNION loads what this prefetch would: the whole relation, in its default
    order, with no field beyond id, name and slug. A prefetch that asks for more (a topic's
    description, a filter, a nested prefetch) stays a prefetch."""
    name = _lookup_name(lookup)
    if name not in _UNION_FIELDS:
        return False
    model = _VOCABULARY[name]
    related = None if isinstance(lookup, str) else lookup.queryset
    if isinstance(lookup, Prefetch) and (lookup.to_attr or lookup.prefetch_through != name):
        return False
    if related is None:
        return {field.attname for field in model._meta.concrete_fields} <= _UNION_FIELDS[name]
    query = related.query
    nested = related._prefetch_related_lookups  # type: ignore[attr-defined]
    if related.model is not model or nested or query.where or query.annotations:
        return False
    if query.select_related or query.is_sliced or query.distinct or query.extra or query.order_by:
        return False
    names, deferred = query.deferred_loading
    loaded = {field.attname for field in model._meta.concrete_fields}
    loaded = loaded - set(names) if deferred else set(names) | {"id"}
    return loaded <= _UNION_FIELDS[name]


def entries_with_vocabulary(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """`entries` evaluated, its topics, technologies and tags read by one UNION in place of
    the prefetches it was given for them (one query and no related managers, where three
    prefetches cost a quarter of a GraphQL list). Prefetches the UNION cannot stand in for
    are left to run."""
    lookups: tuple[str | Prefetch, ...] = entries._prefetch_related_lookups  # type: ignore[attr-defined]
    names = dict.fromkeys(_lookup_name(lookup) for lookup in lookups)
    replaced = tuple(
        name for name in names if all(_union_loads(lookup) for lookup in lookups if _lookup_name(lookup) == name)
    )
    if not replaced or entries._result_cache is not None:
        return entries
    kept = [lookup for lookup in lookups if _lookup_name(lookup) not in replaced]
    narrowed = entries.prefetch_related(None).prefetch_related(*kept)
    narrowed._result_cache = entries_load_vocabulary(list(narrowed), replaced)
    return narrowed


@functools.cache
def _entry_detail_sql() -> str:
    """SELECT an entry with its hub, owner and profile, and its vocabulary as three JSON
    arrays; the caller appends the WHERE."""
    columns = ", ".join(part.sql for part in (_ENTRY, _HUB, _OWNER, _PROFILE))
    vocabulary = ", ".join(
        json_rows_subquery(columns, f"{source} = e.id", order="v.name")
        for columns, source, _ in _vocabulary_sources().values()
    )
    return (
        f"SELECT {columns}, {vocabulary} FROM {_ENTRY.table} "  # noqa: S608 (every name comes from the models)
        f"JOIN {_HUB.table} ON h.id = e.{_ENTRY.column('hub')} "
        f"JOIN {_OWNER.table} ON u.id = h.{_HUB.column('owner')} "
        f"LEFT JOIN {_PROFILE.table} ON p.{_PROFILE.column('user')} = u.id WHERE "
    )


def _entry_detail(where: str, params: list[Any]) -> Entry | None:
    """The entry the condition finds, with its hub, owner and profile cached on it and its
    vocabulary loaded: one query, not composed per request."""
    row = fetch_one(_entry_detail_sql() + where, params)
    if row is None:
        return None
    entry, hub, owner = _ENTRY.load(row), _HUB.load(row, _ENTRY.width), _OWNER.load(row, _ENTRY.width + _HUB.width)
    models_width = _ENTRY.width + _HUB.width + _OWNER.width
    profile = _PROFILE.load(row, models_width)
    Entry._meta.get_field("hub").set_cached_value(entry, hub)  # type: ignore[union-attr]
    Hub._meta.get_field("owner").set_cached_value(hub, owner)  # type: ignore[union-attr]
    User._meta.get_field("profile").set_cached_value(owner, profile)  # type: ignore[union-attr]
    if profile is not None:
        Profile._meta.get_field("user").set_cached_value(profile, owner)  # type: ignore[union-attr]
    arrays = row[models_width + _PROFILE.width :]
    loaded = {
        (field, entry.pk): [_vocabulary_item(field, *item) for item in json_rows(value)]
        for field, value in zip(_VOCABULARY, arrays, strict=True)
    }
    return _vocabulary_attach([entry], loaded, tuple(_VOCABULARY))[0]


def entry_get_for_user(user: Any, entry_id: int) -> Entry:
    """One entry with everything its page shows, or EntryNotFound (drafts of others too)."""
    entry = _entry_detail("e.id = %s", [entry_id]) if is_storable_key(entry_id) else None
    if entry is None or not can_view_entry(user, entry):
        raise EntryNotFound()
    return entry


@functools.cache
def _by_slug_sql() -> str:
    return (
        f"LOWER(u.{_OWNER.column('username')}) = %s AND u.{_OWNER.column('is_active')} = %s "
        f"AND e.{_ENTRY.column('slug')} = %s"
    )


def entry_get_by_slug(user: Any, username: str, slug: str) -> Entry:
    """The entry at /h/<username>/<slug>/: one lookup by the owner's username (any case,
    active accounts only, as hub_get_for_user) and the slug; HubNotFound when the hub
    is what the user may not see, else EntryNotFound."""
    if "\x00" in slug:  # PostgreSQL refuses NUL in a query; no slug has one
        raise EntryNotFound()
    if "\x00" in username:
        hub_get_for_user(user, username)  # refuses it as it refuses any other unknown hub
    entry = _entry_detail(_by_slug_sql(), [username.lower(), True, slug])
    if entry is None:
        hub_get_for_user(user, username)  # raises HubNotFound when that is the reason
        raise EntryNotFound()
    if not can_view_hub(user, entry.hub):
        raise HubNotFound(f"{username!r} has no hub you can see.")
    if not can_view_entry(user, entry):
        raise EntryNotFound()
    return entry


@dataclass(frozen=True, slots=True)
class EntryCard:
    """What a search result or a link shows of an entry: plain values, not a model
    (building Entry, Hub, User and Profile instances for a page of results cost more than
    the query that read them)."""

    id: int
    kind: str
    title: str
    slug: str
    summary: str
    status: str
    week: int | None
    published_at: datetime | None
    hub_username: str  # the username of the hub's owner
    display_name: str

    @property
    def pk(self) -> int:
        return self.id

    @property
    def author_name(self) -> str:
        """As Profile.name: the display name, else the username."""
        return self.display_name or self.hub_username

    @property
    def kind_label(self) -> str:
        return str(EntryKind(self.kind).label) if self.kind in EntryKind.values else self.kind


@functools.cache
def _entry_cards_sql() -> str:
    """SELECT the EntryCard columns and the entry's access (status, hub visibility and
    owner) of the entries in %(ids)s. Written once from the models' table and column
    names: composing it with the ORM cost more per search than running it."""
    fields = ("id", "kind", "title", "slug", "summary", "status", "week", "published_at")
    card = ", ".join(f"e.{_ENTRY.column(name)}" for name in fields)
    return (
        f"SELECT {card}, u.{_OWNER.column('username')}, p.{_PROFILE.column('display_name')}, "  # noqa: S608
        f"h.{_HUB.column('visibility')}, h.{_HUB.column('owner')} FROM {_ENTRY.table} "
        f"JOIN {_HUB.table} ON h.id = e.{_ENTRY.column('hub')} JOIN {_OWNER.table} ON u.id = h.{_HUB.column('owner')} "
        f"LEFT JOIN {_PROFILE.table} ON p.{_PROFILE.column('user')} = u.id WHERE e.id IN %(ids)s"
    )


def entry_cards_visible_to(user: Any, entry_ids: list[int]) -> dict[int, EntryCard]:
    """The entries of `entry_ids` the user may see, as EntryCards by id: one query, and
    each row decided by the permission rule (entry_visible) every other read uses."""
    if not entry_ids:
        return {}
    sql = _entry_cards_sql().replace("%(ids)s", placeholders(len(entry_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, entry_ids)
        rows = cursor.fetchall()
    cards = {}
    for pk, kind, title, slug, summary, status, week, published_at, username, display_name, visibility, owner in rows:
        if not entry_visible(user, status=status, visibility=visibility, owner_id=owner):
            continue
        published_at = _ENTRY.convert("published_at", published_at)
        cards[pk] = EntryCard(pk, kind, title, slug, summary, status, week, published_at, username, display_name or "")
    return cards


def revision_list(entry: Entry) -> QuerySet[Revision]:
    """The entry's revisions, newest first (the caller already may see the entry)."""
    return entry.revisions.select_related("author__profile").defer("body", "problem", "solution", "outcome")


def revision_get(entry: Entry, number: int) -> Revision:
    revision = entry.revisions.select_related("author").filter(number=number).first()
    if revision is None:
        raise RevisionNotFound(f"Entry {entry.pk} has no revision {number}.")
    return revision


def proposal_list_visible_to(user: Any) -> QuerySet[EditProposal]:
    """Proposals the user may see: their own, and those they may review."""
    if not user.is_authenticated:
        return EditProposal.objects.none()
    proposals = EditProposal.objects.select_related(
        "entry__hub__owner__profile", "author__profile", "base_revision"
    ).order_by("-id")
    if user_has_role(user, Role.ADMIN):
        return proposals
    published_visible = Q(entry__status=EntryStatus.PUBLISHED) & _visible_hubs_q(user, "entry__hub__")
    mine = Q(author=user) | Q(entry__hub__owner=user)
    if user_has_role(user, Role.MENTOR):
        return proposals.filter(mine | published_visible)
    return proposals.filter(mine & (published_visible | Q(entry__hub__owner=user)))


def proposal_list_open_on(user: Any, entry: Entry, limit: int = 20) -> list[EditProposal]:
    """The newest open proposals on `entry` that the user may see, for its page."""
    if not user.is_authenticated:
        return []  # as proposal_list_visible_to, without composing a query that finds nothing
    return list(proposal_list_visible_to(user).filter(entry=entry).exclude(status__in=PROPOSAL_CLOSED)[:limit])


def proposal_get_for_user(user: Any, proposal_id: int) -> EditProposal:
    proposal = (
        EditProposal.objects.select_related("entry__hub__owner__profile", "author__profile", "base_revision")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not can_view_proposal(user, proposal):
        raise ProposalNotFound()
    return proposal


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.order_by("name")


def topic_get(slug: str) -> Topic:
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise TopicNotFound(f"No topic is called {slug!r}.")
    return topic


def technology_list() -> QuerySet[Technology]:
    return Technology.objects.order_by("name")


def technology_get(slug: str) -> Technology:
    technology = Technology.objects.filter(slug=slug).first()
    if technology is None:
        raise TechnologyNotFound(f"No technology is called {slug!r}.")
    return technology


def tag_list(prefix: str = "") -> QuerySet[Tag]:
    """Tags by name; `prefix` narrows them for a tag field's suggestions."""
    tags = Tag.objects.order_by("name")
    return tags.filter(name__startswith=prefix.strip().lower()) if prefix.strip() else tags
