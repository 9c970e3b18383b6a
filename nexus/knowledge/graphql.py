"""GraphQL face of the knowledge core: the same reads and writes as REST, through the
same selectors and services."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
import strawberry_django
from django.core.validators import slug_re
from django.db.models import QuerySet
from strawberry import auto
from strawberry.annotation import StrawberryAnnotation
from strawberry.types import Info
from strawberry.types.arguments import StrawberryArgument
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import is_optimized_by_prefetching, mark_optimized_by_prefetching
from strawberry_django.pagination import OffsetPaginationInput

from nexus.accounts.graphql import UserType
from nexus.core.errors import InvalidInput, NotFound
from nexus.graphql.context import signed_in_user
from nexus.graphql.paging import MAX_PAGE, PAGING, id_to_pk, page_slice
from nexus.knowledge import models
from nexus.knowledge.diffing import fields_diff
from nexus.knowledge.errors import EntryNotFound, ProposalNotFound, TechnologyNotFound, TopicNotFound
from nexus.knowledge.filters import EntryFilter
from nexus.knowledge.selectors import (
    entries_with_vocabulary,
    entry_get_for_user,
    entry_list_visible_to,
    entry_vocabulary,
    hub_get_for_user,
    hub_list_visible_to,
    proposal_get_for_user,
    proposal_list_visible_to,
    revision_get,
    tag_list,
    technology_list,
    topic_list,
)
from nexus.knowledge.services import (
    EntrySaved,
    entry_create,
    entry_delete,
    entry_reverify,
    entry_set_status,
    entry_update,
    hub_ensure,
    hub_update,
    proposal_create,
    proposal_merge,
    proposal_update,
    revision_restore,
    vocabulary_save,
)

NESTED_LIMIT = 20  # revisions of an entry, unless the query asks for a `limit`
# The input limits REST's serializers enforce (rest.py), so both faces refuse the same input.
MAX_VERIFIED_WITH = 120
MAX_ALIASES, MAX_ALIAS = 20, 60
NO_NUL = "Null characters are not allowed."
MAX_TAG_PREFIX = 40  # a tag name is at most 40 characters


def _slug(value: str, not_found: type[NotFound]) -> str:
    """A topic or technology slug; one that cannot be a slug (a NUL, a space) names nothing."""
    if not slug_re.match(value):
        raise not_found()
    return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list) and any(_has_nul(item) for item in value)


def _refuse_nul(data: dict[str, Any]) -> None:
    """PostgreSQL cannot store NUL in text, and not every field validates it: refuse it here,
    as REST's serializers do, so it is a 400 and never a database error."""
    details = {name: [NO_NUL] for name, value in data.items() if _has_nul(value)}
    if details:
        raise InvalidInput(details=details)


def _user_field(relation: str) -> Any:
    # User.roles reads is_superuser, which the optimizer does not know to load with a
    # related user: name it, or every user in a list costs a query.
    return strawberry_django.field(only=[f"{relation}__is_superuser"])


@strawberry_django.type(models.Topic, name="Topic")
class TopicType:
    slug: auto
    name: auto
    description: auto


@strawberry_django.type(models.Technology, name="Technology")
class TechnologyType:
    slug: auto
    name: auto
    aliases: list[str]


@strawberry_django.type(models.Revision, name="Revision")
class RevisionType:
    number: auto
    message: auto
    created_at: auto
    title: auto
    summary: auto
    body: auto
    problem: auto
    solution: auto
    outcome: auto
    author: UserType | None = _user_field("author")


@strawberry_django.type(models.Hub, name="Hub")
class HubType:
    title: auto
    intro: auto
    intro_html: auto
    cohort: auto
    visibility: auto
    owner: UserType = _user_field("owner")


@strawberry.type(name="TocItem")
class TocItemType:
    level: int
    text: str
    anchor: str


_LIMIT_ARGUMENT = StrawberryArgument(
    python_name="limit",
    graphql_name=None,
    type_annotation=StrawberryAnnotation(int),
    default=NESTED_LIMIT,
    description=f"How many: clamped to 1..{MAX_PAGE}.",
)


class BoundedListField(StrawberryDjangoField):
    """A nested list with a `limit` argument. Under a list of parents the optimizer prefetches
    every parent's first `limit` rows in one windowed query; under one parent it slices."""

    @property
    def arguments(self) -> list[StrawberryArgument]:
        return [*super().arguments, _LIMIT_ARGUMENT]

    @arguments.setter
    def arguments(self, value: list[StrawberryArgument]) -> None:
        StrawberryDjangoField.arguments.fset(self, [a for a in value if a is not _LIMIT_ARGUMENT])  # type: ignore[attr-defined]

    def get_queryset(self, queryset: QuerySet[Any], info: Info, *, limit: int = NESTED_LIMIT, **kwargs: Any) -> Any:
        if is_optimized_by_prefetching(queryset):  # already windowed by the optimizer's prefetch
            return queryset
        page = OffsetPaginationInput(offset=0, limit=max(1, min(limit, MAX_PAGE)))
        return super().get_queryset(queryset, info, pagination=page, **kwargs)


class EntryListField(StrawberryDjangoField):
    """A list of entries whose topics, technologies and tags are read by one UNION, in place
    of the optimizer's three prefetches where they ask only for what the UNION reads."""

    def get_queryset(self, queryset: QuerySet[Any], info: Info, **kwargs: Any) -> Any:
        entries = entries_with_vocabulary(super().get_queryset(queryset, info, **kwargs))
        # Marked as the optimizer marks its own prefetches: a nested field then reads the
        # rows as loaded instead of re-filtering each entry's queryset (40 filters a page).
        for entry in entries._result_cache or ():
            for related in entry.__dict__.get("_prefetched_objects_cache", {}).values():
                mark_optimized_by_prefetching(related)
        return entries


@strawberry_django.type(models.Entry, name="Entry")
class EntryType:
    id: auto
    kind: auto
    title: auto
    slug: auto
    summary: auto
    body: auto
    problem: auto
    solution: auto
    outcome: auto
    html: auto
    status: auto
    week: auto
    project: auto
    verified_with: auto
    review_by: auto
    version: auto
    published_at: auto
    updated_at: auto
    is_stale: bool
    topics: list[TopicType]
    technologies: list[TechnologyType]
    revisions: list[RevisionType] = strawberry_django.field(field_cls=BoundedListField, description="Newest first.")

    # The optimizer cannot see through this resolver: name the owner's columns a User needs.
    @strawberry_django.field(
        only=[f"hub__owner__{name}" for name in ("username", "date_joined", "is_superuser", "is_active")],
        select_related=["hub__owner__profile"],
    )
    def author(self, root: strawberry.Parent[models.Entry]) -> UserType:  # type: ignore[misc]
        return root.hub.owner  # type: ignore[return-value]

    @strawberry_django.field(prefetch_related=["tags"])
    def tags(self, root: strawberry.Parent[models.Entry]) -> list[str]:  # type: ignore[misc]
        return [tag.name for tag in entry_vocabulary(root, "tags")]

    @strawberry_django.field(only=["toc"])
    def toc(self, root: strawberry.Parent[models.Entry]) -> list[TocItemType]:  # type: ignore[misc]
        return [TocItemType(**item) for item in root.toc]


@strawberry_django.type(models.EditProposal, name="Proposal")
class ProposalType:
    id: auto
    message: auto
    status: auto
    title: auto
    summary: auto
    body: auto
    problem: auto
    solution: auto
    outcome: auto
    created_at: auto
    author: UserType = _user_field("author")
    entry: EntryType

    @strawberry_django.field(select_related=["base_revision"])
    def base_revision(self, root: strawberry.Parent[models.EditProposal]) -> int:  # type: ignore[misc]
        return root.base_revision.number


@strawberry.type(name="ContentWarning")
class ContentWarningType:
    code: str
    message: str
    line: int | None


@strawberry.type(name="EntrySaved")
class EntrySavedType:
    entry: EntryType
    revision: int | None
    merged: bool
    warnings: list[ContentWarningType]

    @staticmethod
    def of(saved: EntrySaved) -> EntrySavedType:
        return EntrySavedType(
            entry=saved.entry,  # type: ignore[arg-type]
            revision=saved.revision.number if saved.revision else None,
            merged=saved.merged,
            warnings=[ContentWarningType(code=w.code, message=w.message, line=w.line) for w in saved.warnings],
        )


@strawberry.type(name="DiffRow", description="One row of a side-by-side diff; the HTML sides are escaped.")
class DiffRowType:
    kind: str
    old_number: int | None
    new_number: int | None
    old_html: str
    new_html: str


@strawberry.type(name="FieldDiff")
class FieldDiffType:
    field: str
    unified: str
    old_html: list[str]
    new_html: list[str]
    rows: list[DiffRowType]


def _field_diffs(old: dict[str, str], new: dict[str, str], old_label: str, new_label: str) -> list[FieldDiffType]:
    """The core's field diffs as GraphQL types (the same labels and rows REST answers)."""
    return [
        FieldDiffType(
            field=diff.field,
            unified=diff.unified,
            old_html=[row.old_html for row in diff.rows],
            new_html=[row.new_html for row in diff.rows],
            rows=[
                DiffRowType(
                    kind=row.kind,
                    old_number=row.old_number,
                    new_number=row.new_number,
                    old_html=row.old_html,
                    new_html=row.new_html,
                )
                for row in diff.rows
            ],
        )
        for diff in fields_diff(old, new, old_label=old_label, new_label=new_label)
    ]


@strawberry.input(description="Entry fields; omitted fields keep their value on update.")
class EntryInput:
    kind: str | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    problem: str | None = strawberry.UNSET
    solution: str | None = strawberry.UNSET
    outcome: str | None = strawberry.UNSET
    status: str | None = strawberry.UNSET
    week: int | None = strawberry.UNSET
    project: str | None = strawberry.UNSET
    verified_with: str | None = strawberry.UNSET
    review_by: datetime.date | None = strawberry.UNSET
    topics: list[str] | None = strawberry.UNSET
    technologies: list[str] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET


@strawberry.input(description="Hub fields; omitted fields keep their value.")
class HubInput:
    title: str | None = strawberry.UNSET
    intro: str | None = strawberry.UNSET
    cohort: str | None = strawberry.UNSET
    visibility: str | None = strawberry.UNSET


@strawberry.input(description="Topic fields; a new topic needs a name, a change sends what changes.")
class TopicInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.input(description="Technology fields; a new technology needs a name, a change sends what changes.")
class TechnologyInput:
    name: str | None = strawberry.UNSET
    aliases: list[str] | None = strawberry.UNSET


def _sent(data: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(data).items() if value is not strawberry.UNSET}


@strawberry.type
class KnowledgeQuery:
    @strawberry_django.field(field_cls=EntryListField, description=f"Entries you may see, newest first. {PAGING}")
    def entries(
        self,
        info: Info,
        kind: str | None = None,
        topic: str | None = None,
        technology: str | None = None,
        tag: str | None = None,
        author: str | None = None,
        status: str | None = None,
        week: int | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[EntryType]:
        page = page_slice(limit, offset)
        filters: dict[str, Any] = {"kind": kind, "topic": topic, "technology": technology, "tag": tag}
        filters |= {"author": author, "status": status, "week": week}
        sent = {name: value for name, value in filters.items() if value is not None}
        visible = entry_list_visible_to(info.context.request.user)
        if not sent:  # building the FilterSet and its form to filter nothing costs 1 ms
            return visible[page]  # type: ignore[return-value]
        entries = EntryFilter(sent, queryset=visible)
        if not entries.is_valid():
            raise InvalidInput(details={name: list(errors) for name, errors in entries.errors.items()})
        return entries.qs[page]  # type: ignore[return-value]

    @strawberry_django.field(description="One entry.")
    def entry(self, info: Info, id: strawberry.ID) -> EntryType:
        return entry_get_for_user(info.context.request.user, id_to_pk(id, EntryNotFound))  # type: ignore[return-value]

    @strawberry_django.field(description=f"Hubs you may see, newest first. {PAGING}")
    def hubs(self, info: Info, limit: int = 20, offset: int = 0) -> list[HubType]:
        page = page_slice(limit, offset)
        return hub_list_visible_to(info.context.request.user)[page]  # type: ignore[return-value]

    @strawberry_django.field(description="A learner's hub.")
    def hub(self, info: Info, username: str) -> HubType:
        return hub_get_for_user(info.context.request.user, username)  # type: ignore[return-value]

    @strawberry_django.field
    def topics(self) -> list[TopicType]:
        return topic_list()  # type: ignore[return-value]

    @strawberry_django.field
    def technologies(self) -> list[TechnologyType]:
        return technology_list()  # type: ignore[return-value]

    @strawberry.field(description=f"Tags in use, by name; `prefix` narrows them. {PAGING}")
    def tags(self, prefix: str = "", limit: int = 100, offset: int = 0) -> list[str]:
        if len(prefix) > MAX_TAG_PREFIX:
            raise InvalidInput(details={"prefix": [f"Ensure this field has no more than {MAX_TAG_PREFIX} characters."]})
        return list(tag_list(prefix).values_list("name", flat=True)[page_slice(limit, offset)])

    @strawberry_django.field(
        description=f"Proposals you made or may review, newest first (sign in); filter by status and entry. {PAGING}"
    )
    def proposals(
        self,
        info: Info,
        status: str | None = None,
        entry_id: strawberry.ID | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[ProposalType]:
        user = signed_in_user(info)
        page = page_slice(limit, offset)
        proposals = proposal_list_visible_to(user)
        if status is not None:
            if status not in models.ProposalStatus.values:
                raise InvalidInput(details={"status": [f"Choose one of: {', '.join(models.ProposalStatus.values)}."]})
            proposals = proposals.filter(status=status)
        if entry_id is not None:
            proposals = proposals.filter(entry_id=entry_get_for_user(user, id_to_pk(entry_id, EntryNotFound)).pk)
        return proposals[page]  # type: ignore[return-value]

    @strawberry_django.field(description="A proposal you made or may review.")
    def proposal(self, info: Info, id: strawberry.ID) -> ProposalType:
        return proposal_get_for_user(info.context.request.user, id_to_pk(id, ProposalNotFound))  # type: ignore[return-value]

    @strawberry.field(description="The change a proposal makes to its base revision, field by field.")
    def proposal_diff(self, info: Info, id: strawberry.ID) -> list[FieldDiffType]:
        proposal = proposal_get_for_user(info.context.request.user, id_to_pk(id, ProposalNotFound))
        base = proposal.base_revision
        return _field_diffs(base.content(), proposal.content(), f"r{base.number}", f"proposal-{proposal.pk}")

    @strawberry_django.field(description="One revision of an entry, with its full content.")
    def revision(self, info: Info, entry_id: strawberry.ID, number: int) -> RevisionType:
        entry = entry_get_for_user(info.context.request.user, id_to_pk(entry_id, EntryNotFound))
        return revision_get(entry, number)  # type: ignore[return-value]

    @strawberry.field(description="What changed between two revisions of an entry, field by field.")
    def revision_diff(
        self, info: Info, entry_id: strawberry.ID, from_revision: int, to_revision: int
    ) -> list[FieldDiffType]:
        entry = entry_get_for_user(info.context.request.user, id_to_pk(entry_id, EntryNotFound))
        old, new = revision_get(entry, from_revision), revision_get(entry, to_revision)
        return _field_diffs(old.content(), new.content(), f"r{old.number}", f"r{new.number}")


@strawberry.type
class KnowledgeMutation:
    @strawberry.mutation(description="Write a new entry in your hub.")
    def create_entry(self, info: Info, input: EntryInput, message: str = "") -> EntrySavedType:
        user = signed_in_user(info)
        return EntrySavedType.of(entry_create(actor=user, hub=hub_ensure(user), data=_sent(input), message=message))

    @strawberry.mutation(description="Change an entry; name the revision you edited (stale writes merge or conflict).")
    def update_entry(
        self, info: Info, id: strawberry.ID, base_revision: int, input: EntryInput, message: str = ""
    ) -> EntrySavedType:
        user = signed_in_user(info)
        entry = entry_get_for_user(user, id_to_pk(id, EntryNotFound))
        return EntrySavedType.of(
            entry_update(actor=user, entry=entry, data=_sent(input), base_version=base_revision, message=message)
        )

    @strawberry.mutation(description="Publish (or, with published: false, unpublish) an entry.")
    def publish_entry(self, info: Info, id: strawberry.ID, published: bool = True) -> EntryType:
        user = signed_in_user(info)
        status = models.EntryStatus.PUBLISHED if published else models.EntryStatus.DRAFT
        return entry_set_status(actor=user, entry=entry_get_for_user(user, id_to_pk(id, EntryNotFound)), status=status)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete an entry with its revisions and proposals; answers its id.")
    def delete_entry(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        user = signed_in_user(info)
        entry = entry_get_for_user(user, id_to_pk(id, EntryNotFound))
        deleted = entry.pk
        entry_delete(actor=user, entry=entry)
        return strawberry.ID(str(deleted))

    @strawberry.mutation(
        description="Confirm an entry still holds: the next review date (null: none), optionally what verified it."
    )
    def reverify_entry(
        self,
        info: Info,
        id: strawberry.ID,
        review_by: datetime.date | None = strawberry.UNSET,
        verified_with: str | None = None,
    ) -> EntryType:
        user = signed_in_user(info)
        entry = entry_get_for_user(user, id_to_pk(id, EntryNotFound))
        details: dict[str, list[str]] = {}
        if review_by is strawberry.UNSET:
            details["review_by"] = ["Required: the next review date, or null for none."]
        if verified_with is not None and len(verified_with) > MAX_VERIFIED_WITH:
            details["verified_with"] = [f"Ensure this field has no more than {MAX_VERIFIED_WITH} characters."]
        if details:
            raise InvalidInput(details=details)
        _refuse_nul({"verified_with": verified_with})
        return entry_reverify(actor=user, entry=entry, review_by=review_by, verified_with=verified_with)  # type: ignore[return-value]

    @strawberry.mutation(description="Bring back an old revision as a new one.")
    def restore_revision(self, info: Info, entry_id: strawberry.ID, number: int) -> EntrySavedType:
        user = signed_in_user(info)
        return EntrySavedType.of(
            revision_restore(
                actor=user, entry=entry_get_for_user(user, id_to_pk(entry_id, EntryNotFound)), number=number
            )
        )

    @strawberry.mutation(description="Change your hub, or (admins) the hub of `username`.")
    def update_hub(self, info: Info, input: HubInput, username: str | None = None) -> HubType:
        user = signed_in_user(info)
        hub = hub_ensure(user) if username is None else hub_get_for_user(user, username)
        return hub_update(actor=user, hub=hub, data=_sent(input))  # type: ignore[return-value]

    @strawberry.mutation(description="Suggest an edit to someone else's entry.")
    def propose_edit(
        self, info: Info, entry_id: strawberry.ID, base_revision: int, message: str, input: EntryInput
    ) -> ProposalType:
        user = signed_in_user(info)
        entry = entry_get_for_user(user, id_to_pk(entry_id, EntryNotFound))
        return proposal_create(  # type: ignore[return-value]
            actor=user, entry=entry, data=_sent(input), base_version=base_revision, message=message
        )

    @strawberry.mutation(
        description=(
            "Revise your proposal; it goes back to open for review. `baseRevision` moves it onto a newer "
            "revision of the entry, merging its changes three ways."
        )
    )
    def update_proposal(
        self,
        info: Info,
        id: strawberry.ID,
        input: EntryInput,
        message: str | None = None,
        base_revision: int | None = None,
    ) -> ProposalType:
        user = signed_in_user(info)
        proposal = proposal_get_for_user(user, id_to_pk(id, ProposalNotFound))
        return proposal_update(  # type: ignore[return-value]
            actor=user, proposal=proposal, data=_sent(input), message=message, base_version=base_revision
        )

    @strawberry.mutation(description="Merge a proposal into its entry as a new revision.")
    def merge_proposal(self, info: Info, id: strawberry.ID) -> EntrySavedType:
        user = signed_in_user(info)
        return EntrySavedType.of(
            proposal_merge(actor=user, proposal=proposal_get_for_user(user, id_to_pk(id, ProposalNotFound)))
        )

    @strawberry.mutation(description="Add a topic (no slug) or change the topic `slug`; mentors and admins.")
    def save_topic(self, info: Info, input: TopicInput, slug: str | None = None) -> TopicType:
        user = signed_in_user(info)
        data = _sent(input)
        _refuse_nul(data)
        found = None if slug is None else _slug(slug, TopicNotFound)
        return vocabulary_save(actor=user, kind="topic", slug=found, data=data)  # type: ignore[return-value]

    @strawberry.mutation(description="Add a technology (no slug) or change the technology `slug`; mentors and admins.")
    def save_technology(self, info: Info, input: TechnologyInput, slug: str | None = None) -> TechnologyType:
        user = signed_in_user(info)
        data = _sent(input)
        aliases = data.get("aliases") or []
        if len(aliases) > MAX_ALIASES or any(len(alias) > MAX_ALIAS for alias in aliases):
            message = f"At most {MAX_ALIASES} aliases of at most {MAX_ALIAS} characters each."
            raise InvalidInput(details={"aliases": [message]})
        _refuse_nul(data)
        found = None if slug is None else _slug(slug, TechnologyNotFound)
        return vocabulary_save(actor=user, kind="technology", slug=found, data=data)  # type: ignore[return-value]
