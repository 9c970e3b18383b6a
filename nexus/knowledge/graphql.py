"""GraphQL face of the knowledge core: the same reads and writes as REST, through the
same selectors and services."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
import strawberry_django
from strawberry import auto
from strawberry.types import Info

from nexus.accounts.graphql import UserType
from nexus.core.errors import InvalidInput, NotFound
from nexus.graphql.context import signed_in_user
from nexus.knowledge import models
from nexus.knowledge.diffing import diff_side_by_side, diff_unified
from nexus.knowledge.errors import EntryNotFound, ProposalNotFound
from nexus.knowledge.filters import EntryFilter
from nexus.knowledge.selectors import (
    entry_get_for_user,
    entry_list_visible_to,
    hub_get_for_user,
    proposal_get_for_user,
    revision_get,
    technology_list,
    topic_list,
)
from nexus.knowledge.services import (
    EntrySaved,
    entry_create,
    entry_set_status,
    entry_update,
    hub_ensure,
    proposal_create,
    proposal_merge,
    proposal_review,
    revision_restore,
)

MAX_PAGE = 100
# Primary keys are 64-bit: 18 ASCII digits always fit one (19 may not); ids never grow that long.
MAX_ID_DIGITS = 18


def _pk(value: strawberry.ID, not_found: type[NotFound]) -> int:
    """The primary key a GraphQL ID names. An ID is any string to GraphQL; one that cannot be
    a key ("abc", "²", 40 digits) names nothing, so it is the same "not found" as a missing row."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS):
        raise not_found()
    return int(text)


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
    author: UserType | None


@strawberry_django.type(models.Hub, name="Hub")
class HubType:
    title: auto
    intro: auto
    intro_html: auto
    cohort: auto
    visibility: auto
    owner: UserType


@strawberry.type(name="TocItem")
class TocItemType:
    level: int
    text: str
    anchor: str


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
    revisions: list[RevisionType]

    # The optimizer cannot see through this resolver: name the owner's columns a User needs.
    @strawberry_django.field(
        only=[f"hub__owner__{name}" for name in ("username", "date_joined", "is_superuser", "is_active")],
        select_related=["hub__owner__profile"],
    )
    def author(self, root: strawberry.Parent[models.Entry]) -> UserType:  # type: ignore[misc]
        return root.hub.owner  # type: ignore[return-value]

    @strawberry_django.field(prefetch_related=["tags"])
    def tags(self, root: strawberry.Parent[models.Entry]) -> list[str]:  # type: ignore[misc]
        return [tag.name for tag in root.tags.all()]

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
    created_at: auto
    author: UserType
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


@strawberry.type(name="FieldDiff")
class FieldDiffType:
    field: str
    unified: str
    old_html: list[str]
    new_html: list[str]


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


def _sent(data: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(data).items() if value is not strawberry.UNSET}


@strawberry.type
class KnowledgeQuery:
    @strawberry_django.field(description="Entries you may see, newest first (at most 100 per call).")
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
        filters: dict[str, Any] = {"kind": kind, "topic": topic, "technology": technology, "tag": tag}
        filters |= {"author": author, "status": status, "week": week}
        entries = EntryFilter(
            {name: value for name, value in filters.items() if value is not None},
            queryset=entry_list_visible_to(info.context.request.user),
        )
        if not entries.is_valid():
            raise InvalidInput(details={name: list(errors) for name, errors in entries.errors.items()})
        limit = max(1, min(limit, MAX_PAGE))
        return entries.qs[max(0, offset) : max(0, offset) + limit]  # type: ignore[return-value]

    @strawberry_django.field(description="One entry.")
    def entry(self, info: Info, id: strawberry.ID) -> EntryType:
        return entry_get_for_user(info.context.request.user, _pk(id, EntryNotFound))  # type: ignore[return-value]

    @strawberry_django.field(description="A learner's hub.")
    def hub(self, info: Info, username: str) -> HubType:
        return hub_get_for_user(info.context.request.user, username)  # type: ignore[return-value]

    @strawberry_django.field
    def topics(self) -> list[TopicType]:
        return topic_list()  # type: ignore[return-value]

    @strawberry_django.field
    def technologies(self) -> list[TechnologyType]:
        return technology_list()  # type: ignore[return-value]

    @strawberry_django.field(description="A proposal you made or may review.")
    def proposal(self, info: Info, id: strawberry.ID) -> ProposalType:
        return proposal_get_for_user(info.context.request.user, _pk(id, ProposalNotFound))  # type: ignore[return-value]

    @strawberry.field(description="What changed between two revisions of an entry, field by field.")
    def revision_diff(
        self, info: Info, entry_id: strawberry.ID, from_revision: int, to_revision: int
    ) -> list[FieldDiffType]:
        entry = entry_get_for_user(info.context.request.user, _pk(entry_id, EntryNotFound))
        old, new = revision_get(entry, from_revision).content(), revision_get(entry, to_revision).content()
        diffs = []
        for name in models.CONTENT_FIELDS:
            if old[name] == new[name]:
                continue
            rows = diff_side_by_side(old[name], new[name])
            diffs.append(
                FieldDiffType(
                    field=name,
                    unified=diff_unified(
                        old[name], new[name], old_label=f"r{from_revision}", new_label=f"r{to_revision}"
                    ),
                    old_html=[row.old_html for row in rows],
                    new_html=[row.new_html for row in rows],
                )
            )
        return diffs


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
        entry = entry_get_for_user(user, _pk(id, EntryNotFound))
        return EntrySavedType.of(
            entry_update(actor=user, entry=entry, data=_sent(input), base_version=base_revision, message=message)
        )

    @strawberry.mutation(description="Publish (or, with published: false, unpublish) an entry.")
    def publish_entry(self, info: Info, id: strawberry.ID, published: bool = True) -> EntryType:
        user = signed_in_user(info)
        status = models.EntryStatus.PUBLISHED if published else models.EntryStatus.DRAFT
        return entry_set_status(actor=user, entry=entry_get_for_user(user, _pk(id, EntryNotFound)), status=status)  # type: ignore[return-value]

    @strawberry.mutation(description="Bring back an old revision as a new one.")
    def restore_revision(self, info: Info, entry_id: strawberry.ID, number: int) -> EntrySavedType:
        user = signed_in_user(info)
        return EntrySavedType.of(
            revision_restore(actor=user, entry=entry_get_for_user(user, _pk(entry_id, EntryNotFound)), number=number)
        )

    @strawberry.mutation(description="Suggest an edit to someone else's entry.")
    def propose_edit(
        self, info: Info, entry_id: strawberry.ID, base_revision: int, message: str, input: EntryInput
    ) -> ProposalType:
        user = signed_in_user(info)
        entry = entry_get_for_user(user, _pk(entry_id, EntryNotFound))
        return proposal_create(  # type: ignore[return-value]
            actor=user, entry=entry, data=_sent(input), base_version=base_revision, message=message
        )

    @strawberry.mutation(description="Approve, request changes on, or reject a proposal.")
    def review_proposal(self, info: Info, id: strawberry.ID, decision: str, comment: str = "") -> ProposalType:
        user = signed_in_user(info)
        proposal = proposal_get_for_user(user, _pk(id, ProposalNotFound))
        return proposal_review(actor=user, proposal=proposal, decision=decision, comment=comment)  # type: ignore[return-value]

    @strawberry.mutation(description="Merge a proposal into its entry as a new revision.")
    def merge_proposal(self, info: Info, id: strawberry.ID) -> EntrySavedType:
        user = signed_in_user(info)
        return EntrySavedType.of(
            proposal_merge(actor=user, proposal=proposal_get_for_user(user, _pk(id, ProposalNotFound)))
        )
