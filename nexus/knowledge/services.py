"""Writes to hubs, entries, revisions and proposals. Each service checks its permission,
validates, owns its transaction, and renders Markdown once, at write time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from nexus.core.errors import InvalidInput, field_errors
from nexus.core.markdown import RenderedMarkdown, markdown_render
from nexus.knowledge.caching import entries_changed, vocabulary_changed
from nexus.knowledge.diffing import merge_three_way
from nexus.knowledge.errors import (
    EntryConflict,
    EntryNotFound,
    OwnEntryProposal,
    ProposalClosed,
    ProposalConflict,
    RevisionNotFound,
    TechnologyNotFound,
    TopicNotFound,
)
from nexus.knowledge.models import (
    CONTENT_FIELDS,
    EditProposal,
    Entry,
    EntryKind,
    EntryStatus,
    Hub,
    ProposalComment,
    ProposalStatus,
    Revision,
    Tag,
    Technology,
    Topic,
)
from nexus.knowledge.permissions import (
    can_curate_vocabulary,
    can_delete_entry,
    can_edit_entry,
    can_edit_hub,
    can_propose_edit,
    can_review_proposal,
    can_view_entry,
    require,
)

SIMPLE_FIELDS = ("kind", "status", "week", "project", "verified_with", "review_by")
VOCABULARY_FIELDS = ("topics", "technologies", "tags")
ENTRY_FIELDS = (*CONTENT_FIELDS, *SIMPLE_FIELDS, *VOCABULARY_FIELDS)
CHALLENGE_FIELDS = ("problem", "solution", "outcome")
MAX_TAGS = 10
# A lost slug race is retried with a fresh slug; more losses in a row than this mean
# something other than a race, so the write is refused instead of looping.
SLUG_ATTEMPTS = 5
# Links to entry pages look like /h/<username>/<slug>/ (see knowledge/urls.py).
ENTRY_LINK = re.compile(r"^/h/(?P<username>[\w.@+-]+)/(?P<slug>[-\w]+)/?$")


@dataclass(frozen=True)
class ContentWarning:
    """Something worth fixing that does not stop the save."""

    code: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class EntrySaved:
    entry: Entry
    revision: Revision | None
    warnings: list[ContentWarning] = field(default_factory=list)
    merged: bool = False  # a stale write whose changes were merged with the newer ones


# --- Hubs ---------------------------------------------------------------------------------


def hub_ensure(owner: Any) -> Hub:
    """The owner's hub, created on first use."""
    hub = Hub.objects.filter(owner=owner).first()
    if hub is not None:
        return hub
    name = getattr(getattr(owner, "profile", None), "name", owner.username)
    cohort = getattr(getattr(owner, "profile", None), "cohort", "")
    hub, _ = Hub.objects.get_or_create(owner=owner, defaults={"title": f"{name}'s Project Nexus", "cohort": cohort})
    return hub


def hub_update(*, actor: Any, hub: Hub, data: dict[str, Any]) -> Hub:
    """Change a hub's title, intro, cohort or visibility."""
    require(can_edit_hub(actor, hub), "Only the owner of this hub or an admin can change it.")
    allowed = {"title", "intro", "cohort", "visibility"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput(details={name: ["This hub field does not exist."] for name in unknown})
    for name, value in data.items():
        setattr(hub, name, value)
    try:
        hub.full_clean(exclude=["owner"])
    except ValidationError as error:
        raise InvalidInput(details=field_errors(error)) from error
    if "intro" in data:
        hub.intro_html = markdown_render(hub.intro).html
    with transaction.atomic():
        hub.save(update_fields=[*data, *(["intro_html"] if "intro" in data else []), "updated_at"])
        if "visibility" in data:
            entries_changed(hub.entries.values_list("pk", flat=True))
    return hub


# --- Entries ------------------------------------------------------------------------------


def _document(content: dict[str, str], kind: str) -> str:
    """The Markdown a page shows: a challenge's parts under their own headings, then the body."""
    if kind != EntryKind.CHALLENGE:
        return content["body"]
    parts = [
        f"## {heading}\n\n{content[name].strip()}\n"
        for heading, name in (("Problem", "problem"), ("Solution", "solution"), ("Outcome", "outcome"))
        if content[name].strip()
    ]
    return "\n".join([*parts, content["body"]])


def _content_warnings(rendered: RenderedMarkdown) -> list[ContentWarning]:
    warnings = [
        ContentWarning(
            "image_without_alt", "This image has no alt text; describe it for readers who cannot see it.", line
        )
        for line in rendered.images_without_alt
    ]
    previous = None
    for heading in rendered.headings:
        if previous is not None and heading.level > previous + 1:
            warnings.append(
                ContentWarning(
                    "heading_level_skipped",
                    f"Heading {heading.text!r} jumps from level {previous} to {heading.level}.",
                    heading.line,
                )
            )
        previous = heading.level
    warnings += [
        ContentWarning("code_without_language", "Name the language of this code block so it is highlighted.", line)
        for line in rendered.fences_without_language
    ]
    for link in rendered.links:
        match = ENTRY_LINK.match(link)
        if (
            match
            and not Entry.objects.filter(hub__owner__username__iexact=match["username"], slug=match["slug"]).exists()
        ):
            warnings.append(ContentWarning("link_to_missing_entry", f"No entry lives at {link}."))
    return warnings


def _render_into(entry: Entry) -> list[ContentWarning]:
    rendered = markdown_render(_document({name: getattr(entry, name) for name in CONTENT_FIELDS}, entry.kind))
    entry.html = rendered.html
    entry.toc = [{"level": h.level, "text": h.text, "anchor": h.anchor} for h in rendered.toc]
    return _content_warnings(rendered)


def _unique_slug(hub: Hub, title: str) -> str:
    base = (slugify(title) or "entry")[:200].strip("-") or "entry"
    taken = set(Entry.objects.filter(hub=hub, slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _vocabulary(data: dict[str, Any]) -> tuple[dict[str, list[Any]], dict[str, list[str]]]:
    """Resolve topic and technology slugs and tag names; unknown topics are errors."""
    resolved: dict[str, list[Any]] = {}
    errors: dict[str, list[str]] = {}
    for name, model in (("topics", Topic), ("technologies", Technology)):
        if name not in data:
            continue
        slugs = [str(slug) for slug in data[name] or []]
        # Only slug-shaped values can name a topic or technology; anything else (a NUL byte,
        # which PostgreSQL refuses in a query) is unknown without asking the database.
        shaped = [slug for slug in slugs if slug_re.match(slug)]
        found = {item.slug: item for item in model.objects.filter(slug__in=shaped)}  # type: ignore[attr-defined]
        missing = [slug if slug in shaped else repr(slug) for slug in slugs if slug not in found]
        if missing:
            errors[name] = [f"Unknown {name[:-1] if name == 'topics' else 'technology'}: {', '.join(missing)}."]
        resolved[name] = list(found.values())
    if "tags" in data:
        names = []
        for raw in data["tags"] or []:
            tag = slugify(str(raw))[:40]
            if not tag:
                errors.setdefault("tags", []).append(f"{raw!r} is not a usable tag.")
            elif tag not in names:
                names.append(tag)
        if len(names) > MAX_TAGS:
            errors.setdefault("tags", []).append(f"At most {MAX_TAGS} tags.")
        resolved["tags"] = names  # created inside the write's transaction
    return resolved, errors


ONE_LINE_FIELDS = ("title", "summary")


def _apply_fields(entry: Entry, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Set and validate the sent fields on `entry` (not saved); returns resolved vocabulary."""
    unknown = sorted(set(data) - set(ENTRY_FIELDS))
    if unknown:
        raise InvalidInput(details={name: ["This entry field does not exist."] for name in unknown})
    for name in (*CONTENT_FIELDS, *SIMPLE_FIELDS):
        if name in data:
            value = data[name]
            if name in CONTENT_FIELDS:
                # One line ending everywhere, so a Windows-saved edit does not differ on every line.
                value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
                if name in ONE_LINE_FIELDS:
                    # Spaces around a title or summary are never meant, and would make two
                    # titles that read the same differ.
                    value = value.strip()
            setattr(entry, name, value if value is not None or name in ("week", "review_by") else "")
    vocabulary, errors = _vocabulary(data)
    try:
        entry.full_clean(exclude=["hub", "slug", *VOCABULARY_FIELDS], validate_unique=False)
    except ValidationError as error:
        errors.update(field_errors(error))
    if entry.kind != EntryKind.CHALLENGE and any(getattr(entry, name) for name in CHALLENGE_FIELDS):
        errors.setdefault("kind", []).append("Problem, solution and outcome belong to challenges.")
    if entry.kind == EntryKind.WEEKLY_HIGHLIGHT and entry.week is None:
        errors.setdefault("week", []).append("A weekly highlight needs its week number (1 to 52).")
    if not entry.title.strip():
        errors.setdefault("title", []).append("An entry needs a title.")
    if errors:
        raise InvalidInput(details=errors)
    return vocabulary


def _revision_message(message: str) -> str:
    """A revision message a caller sent, checked by the model field's own rules. Refused
    rather than cut: an API caller should learn their text did not fit."""
    try:
        return str(Revision._meta.get_field("message").clean(message, None))
    except ValidationError as error:
        raise InvalidInput(details={"message": list(error.messages)}) from error


def _record_revision(entry: Entry, *, author: Any, message: str) -> Revision:
    entry.version += 1
    return Revision.objects.create(
        entry=entry,
        number=entry.version,
        author=author if getattr(author, "is_authenticated", False) else None,
        # Sent messages were checked by _revision_message; only a message this module
        # composes (a merge quoting a 500-character proposal message) can be longer.
        message=message[:200],
        **{name: getattr(entry, name) for name in CONTENT_FIELDS},
    )


def _set_vocabulary(entry: Entry, vocabulary: dict[str, list[Any]]) -> None:
    for name, items in vocabulary.items():
        if name == "tags":
            items = [Tag.objects.get_or_create(name=tag)[0] for tag in items]
        getattr(entry, name).set(items)


def _save_with_unique_slug(entry: Entry) -> None:
    """Insert a new entry under a slug free in its hub. Another write with the same title
    can take the slug between choosing and inserting it; the loser picks again."""
    for _attempt in range(SLUG_ATTEMPTS):
        entry.slug = _unique_slug(entry.hub, entry.title)
        try:
            with transaction.atomic():  # a savepoint: a lost race undoes only this insert
                entry.save()
        except IntegrityError:
            if not Entry.objects.filter(hub=entry.hub, slug=entry.slug).exists():
                raise  # some other constraint: a bug, not a race
            continue
        return
    raise InvalidInput(
        "Other entries with this title were being saved at the same moment; please save again.",
        details={"title": ["No free address (slug) for this title right now; please save again."]},
    )


def entry_create(*, actor: Any, hub: Hub, data: dict[str, Any], message: str = "") -> EntrySaved:
    """Write a new entry (revision 1) in a hub the actor owns (or, for admins, any hub)."""
    require(can_edit_hub(actor, hub), "Only the owner of this hub can add entries to it.")
    message = _revision_message(message)
    entry = Entry(hub=hub, kind=data.get("kind") or "", title="")
    vocabulary = _apply_fields(entry, data)
    warnings = _render_into(entry)
    with transaction.atomic():
        if entry.status == EntryStatus.PUBLISHED:
            entry.published_at = timezone.now()
        _save_with_unique_slug(entry)
        revision = _record_revision(entry, author=actor, message=message or "Created")
        entry.save(update_fields=["version"])
        _set_vocabulary(entry, vocabulary)
        entries_changed([entry.pk])
    return EntrySaved(entry, revision, warnings)


def entry_update(
    *,
    actor: Any,
    entry: Entry,
    data: dict[str, Any],
    base_version: int,
    message: str = "",
    base_content: dict[str, str] | None = None,
) -> EntrySaved:
    """Change an entry. A write based on an older revision is merged with the changes made
    since when they touch different lines, and refused with EntryConflict when they overlap.
    `base_content` names the base by content when it is no revision (a re-imported file)."""
    require(can_edit_entry(actor, entry), "You can suggest an edit to this entry, but not change it directly.")
    message = _revision_message(message)
    with transaction.atomic():
        current = Entry.objects.select_for_update().select_related("hub").get(pk=entry.pk)
        sent_content = {name: data[name] for name in CONTENT_FIELDS if name in data}
        merged = False
        stale = base_content is None and base_version != current.version
        if stale:
            base = Revision.objects.filter(entry=current, number=base_version).first()
            if base is None:
                raise InvalidInput(details={"base_revision": [f"Entry {entry.pk} has no revision {base_version}."]})
            base_content = base.content()
        if base_content is not None and (stale or any(base_content[n] != getattr(current, n) for n in sent_content)):
            sent_content, conflicts = _merge_onto(current, base_content, sent_content)
            if conflicts:
                raise EntryConflict(details={"current_revision": current.version, "conflicts": conflicts})
            merged = True
        before = {name: getattr(current, name) for name in CONTENT_FIELDS}
        vocabulary = _apply_fields(current, {**data, **sent_content})
        warnings = _render_into(current)
        revision = None
        if any(getattr(current, name) != value for name, value in before.items()):
            revision = _record_revision(current, author=actor, message=message or "Edited")
        if current.status == EntryStatus.PUBLISHED and current.published_at is None:
            current.published_at = timezone.now()
        current.save(
            update_fields=[*CONTENT_FIELDS, *SIMPLE_FIELDS, "html", "toc", "version", "published_at", "updated_at"]
        )
        _set_vocabulary(current, vocabulary)
        entries_changed([current.pk])
    return EntrySaved(current, revision, warnings, merged)


def _merge_onto(
    current: Entry, base: dict[str, str], sent: dict[str, str]
) -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
    """Three-way merge of each sent content field: base revision, current, sent."""
    merged: dict[str, str] = {}
    conflicts: dict[str, list[dict[str, Any]]] = {}
    for name, theirs in sent.items():
        result = merge_three_way(base[name], getattr(current, name), theirs)
        if result.clean:
            merged[name] = result.text
        else:
            conflicts[name] = [
                {"line": c.start_line, "base": c.base, "current": c.ours, "yours": c.theirs} for c in result.conflicts
            ]
    return merged, conflicts


def entry_set_status(*, actor: Any, entry: Entry, status: str) -> Entry:
    """Publish or unpublish an entry (no new revision: the content did not change)."""
    require(can_edit_hub(actor, entry.hub), "Only the owner of this entry can publish or unpublish it.")
    if status not in EntryStatus.values:
        raise InvalidInput(details={"status": [f"Choose one of: {', '.join(EntryStatus.values)}."]})
    entry.status = status
    if status == EntryStatus.PUBLISHED and entry.published_at is None:
        entry.published_at = timezone.now()
    with transaction.atomic():
        entry.save(update_fields=["status", "published_at", "updated_at"])
        entries_changed([entry.pk])
    return entry


def entry_reverify(*, actor: Any, entry: Entry, review_by: date | None, verified_with: str | None = None) -> Entry:
    """The owner confirms the entry still holds: a new review-by date, optionally new versions."""
    require(can_edit_hub(actor, entry.hub), "Only the owner of this entry can re-verify it.")
    if review_by is not None and review_by <= timezone.localdate():
        raise InvalidInput(details={"review_by": ["The next review date must be in the future."]})
    entry.review_by = review_by
    fields = ["review_by", "updated_at"]
    if verified_with is not None:
        entry.verified_with = verified_with.strip()[:120]
        fields.append("verified_with")
    with transaction.atomic():
        entry.save(update_fields=fields)
        entries_changed([entry.pk])
    return entry


def entry_delete(*, actor: Any, entry: Entry) -> None:
    """Delete an entry with its revisions and proposals."""
    require(can_delete_entry(actor, entry), "Only the owner of this entry or an admin can delete it.")
    with transaction.atomic():
        entries_changed([entry.pk])
        entry.delete()


def revision_restore(*, actor: Any, entry: Entry, number: int) -> EntrySaved:
    """Bring back an old revision's content as a new revision (history is never rewritten)."""
    old = Revision.objects.filter(entry=entry, number=number).first()
    if old is None:
        raise RevisionNotFound(f"Entry {entry.pk} has no revision {number}.")
    # Based on the current revision, so the old content replaces whatever came since.
    current = Entry.objects.values_list("version", flat=True).get(pk=entry.pk)
    return entry_update(
        actor=actor, entry=entry, data=old.content(), base_version=current, message=f"Restored revision {number}"
    )


# --- Proposals ----------------------------------------------------------------------------


def proposal_create(*, actor: Any, entry: Entry, data: dict[str, Any], base_version: int, message: str) -> EditProposal:
    """Suggest a change to someone else's entry, against the revision the author read."""
    if not can_view_entry(actor, entry):
        raise EntryNotFound()
    if entry.hub.owner_id == getattr(actor, "pk", None):
        raise OwnEntryProposal()
    require(can_propose_edit(actor, entry), "Sign in to suggest an edit.")
    base = Revision.objects.filter(entry=entry, number=base_version).first()
    if base is None:
        raise InvalidInput(details={"base_revision": [f"Entry {entry.pk} has no revision {base_version}."]})
    unknown = sorted(set(data) - set(CONTENT_FIELDS))
    if unknown:
        raise InvalidInput(details={name: ["A proposal changes only the content fields."] for name in unknown})
    proposal = EditProposal(entry=entry, author=actor, base_revision=base, message=message.strip(), **base.content())
    for name, value in data.items():
        setattr(proposal, name, value or "")
    errors: dict[str, list[str]] = {}
    try:
        proposal.full_clean(exclude=["entry", "author", "base_revision", "reviewed_by", "merged_revision"])
    except ValidationError as error:
        errors.update(field_errors(error))
    if proposal.content() == base.content():
        errors.setdefault("non_field_errors", []).append("This proposal changes nothing.")
    if entry.kind != EntryKind.CHALLENGE and any(getattr(proposal, name) for name in CHALLENGE_FIELDS):
        for name in CHALLENGE_FIELDS:
            if getattr(proposal, name):
                errors.setdefault(name, []).append("Only challenges have a problem, solution and outcome.")
    if errors:
        raise InvalidInput(details=errors)
    markdown_render(_document(proposal.content(), entry.kind))  # refuses oversized content now, not at merge
    with transaction.atomic():
        proposal.save()
    return proposal


def proposal_comment(*, actor: Any, proposal: EditProposal, body: str) -> ProposalComment:
    """Discuss a proposal; its author and reviewers may comment."""
    require(
        actor.is_authenticated and (proposal.author_id == actor.pk or can_review_proposal(actor, proposal)),
        "Only the proposal's author and its reviewers can comment on it.",
    )
    if not body.strip():
        raise InvalidInput(details={"body": ["A comment needs some text."]})
    comment = ProposalComment(proposal=proposal, author=actor, body=body, html=markdown_render(body).html)
    try:
        comment.full_clean(exclude=["proposal", "author"])
    except ValidationError as error:
        raise InvalidInput(details=field_errors(error)) from error
    with transaction.atomic():
        comment.save()
    return comment


REVIEW_DECISIONS = {
    "approve": ProposalStatus.APPROVED,
    "request-changes": ProposalStatus.CHANGES_REQUESTED,
    "reject": ProposalStatus.REJECTED,
}


def proposal_review(*, actor: Any, proposal: EditProposal, decision: str, comment: str = "") -> EditProposal:
    """Approve, request changes on, or reject a proposal (with an optional comment)."""
    require(can_review_proposal(actor, proposal), "Only the entry's owner or a mentor can review this proposal.")
    if decision not in REVIEW_DECISIONS:
        raise InvalidInput(details={"decision": [f"Choose one of: {', '.join(REVIEW_DECISIONS)}."]})
    with transaction.atomic():
        locked = EditProposal.objects.select_for_update().select_related("entry__hub").get(pk=proposal.pk)
        if locked.status in (ProposalStatus.MERGED, ProposalStatus.REJECTED):
            raise ProposalClosed()
        if comment.strip():
            proposal_comment(actor=actor, proposal=locked, body=comment)
        locked.status = REVIEW_DECISIONS[decision]
        locked.reviewed_by = actor
        locked.save(update_fields=["status", "reviewed_by", "updated_at"])
    return locked


def proposal_merge(*, actor: Any, proposal: EditProposal) -> EntrySaved:
    """Apply a proposal as a new revision credited to its author. If the entry moved on
    since the proposal's base, the changes are merged three ways; overlaps are refused."""
    require(can_review_proposal(actor, proposal), "Only the entry's owner or a mentor can merge this proposal.")
    with transaction.atomic():
        locked = EditProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status in (ProposalStatus.MERGED, ProposalStatus.REJECTED):
            raise ProposalClosed()
        entry = Entry.objects.select_for_update().select_related("hub").get(pk=proposal.entry_id)
        moved_on = entry.version != proposal.base_revision.number
        changed = {
            name: value for name, value in proposal.content().items() if value != getattr(proposal.base_revision, name)
        }
        content, conflicts = _merge_onto(entry, proposal.base_revision.content(), changed)
        if conflicts:
            raise ProposalConflict(details={"current_revision": entry.version, "conflicts": conflicts})
        for name, value in content.items():
            setattr(entry, name, value)
        warnings = _render_into(entry)
        revision = _record_revision(
            entry, author=proposal.author, message=f"Merged proposal #{proposal.pk}: {proposal.message}"
        )
        entry.save(update_fields=[*CONTENT_FIELDS, "html", "toc", "version", "updated_at"])
        entries_changed([entry.pk])
        locked.status = ProposalStatus.MERGED
        locked.reviewed_by = actor
        locked.merged_revision = revision
        locked.save(update_fields=["status", "reviewed_by", "merged_revision", "updated_at"])
    proposal.status, proposal.merged_revision = locked.status, revision
    return EntrySaved(entry, revision, warnings, merged=moved_on)


# --- Vocabulary ---------------------------------------------------------------------------


def vocabulary_save(*, actor: Any, kind: str, slug: str | None, data: dict[str, Any]) -> Topic | Technology:
    """Create (slug None) or change a topic or technology; mentors and admins curate them."""
    require(can_curate_vocabulary(actor), "Only mentors and admins curate topics and technologies.")
    model: Any = {"topic": Topic, "technology": Technology}[kind]
    if slug is None:
        item = model(name=str(data.get("name", "")).strip())
        item.slug = slugify(item.name)[:60]
    else:
        found = model.objects.filter(slug=slug).first()
        if found is None:
            raise (TopicNotFound if kind == "topic" else TechnologyNotFound)(f"No {kind} is called {slug!r}.")
        item = found
    for name, value in data.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    if isinstance(item, Technology):
        item.aliases = [str(alias).strip() for alias in item.aliases or [] if str(alias).strip()]
    try:
        item.full_clean()
    except ValidationError as error:
        raise InvalidInput(details=field_errors(error)) from error
    with transaction.atomic():
        item.save()
        vocabulary_changed()
    return item
