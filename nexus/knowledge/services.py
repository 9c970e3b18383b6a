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
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from nexus.audit.services import audit_record
from nexus.core.errors import InvalidInput, field_errors
from nexus.core.markdown import RenderedMarkdown, markdown_render
from nexus.knowledge.caching import entries_changed, vocabulary_changed
from nexus.knowledge.diffing import UNKNOWN, merge_set, merge_three_way, merge_value
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
    PROPOSAL_CLOSED,
    EditProposal,
    Entry,
    EntryKind,
    EntryStatus,
    Hub,
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
    can_revise_proposal,
    can_view_entry,
    require,
)
from nexus.notifications.services import event_publish
from nexus.search.services import search_index_entry, search_index_hub, search_index_vocabulary

SIMPLE_FIELDS = ("kind", "status", "week", "project", "verified_with", "review_by")
VOCABULARY_FIELDS = ("topics", "technologies", "tags")
ENTRY_FIELDS = (*CONTENT_FIELDS, *SIMPLE_FIELDS, *VOCABULARY_FIELDS)
# An entry's details: everything but its content that a write changes. Each revision
# snapshots them in Revision.meta and any change of one records a revision, so the version
# moves and a write based on an older revision is seen to be stale: its details then merge
# three ways (_merge_meta) instead of overwriting newer ones.
#
# Status is one of them, though publishing has its own service: the editor sends the
# status it loaded with every save, so if publishing moved no version an editor opened
# before "Publish" would be current and its save would silently unpublish (and the other
# way round). As a detail it merges like the rest: a stale save that left status alone
# keeps the newer one. Restoring a revision or merging a proposal changes content only and
# never touches status (or any detail).
META_FIELDS = (*SIMPLE_FIELDS, *VOCABULARY_FIELDS)
CHALLENGE_FIELDS = ("problem", "solution", "outcome")
MAX_TAGS = 10
# A lost slug race is retried with a fresh slug; more losses in a row than this mean
# something other than a race, so the write is refused instead of looping.
SLUG_ATTEMPTS = 5
# Links to entry pages look like /h/<username>/<slug>/ (see knowledge/urls.py).
# Links into more hubs than this are checked for the first ones only (a warning, not a rule).
MAX_LINKED_HUBS = 50
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
    search_index_hub(hub)
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
        search_index_hub(hub)
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
    warnings += [
        ContentWarning("link_to_missing_entry", f"No entry lives at {link}.")
        for link in _links_to_missing_entries(rendered.links)
    ]
    return warnings


def _links_to_missing_entries(links: list[str]) -> list[str]:
    """The links to entry pages that lead nowhere, found with one query however many there are."""
    wanted: dict[str, tuple[str, str]] = {}
    for link in links:
        match = ENTRY_LINK.match(link)
        if match:
            wanted[link] = (match["username"].lower(), match["slug"])
    slugs_by_hub: dict[str, set[str]] = {}
    for username, slug in wanted.values():
        slugs_by_hub.setdefault(username, set()).add(slug)
    if not slugs_by_hub:
        return []
    # One condition per hub, not per link: SQLite refuses expressions nested 1,000 deep.
    hubs = sorted(slugs_by_hub)[:MAX_LINKED_HUBS]
    query = Q()
    for username in hubs:
        query |= Q(hub__owner__username__iexact=username, slug__in=slugs_by_hub[username])
    found = {
        (username.lower(), slug)
        for username, slug in Entry.objects.filter(query).values_list("hub__owner__username", "slug")
    }
    checked = set(hubs)
    return [link for link, pair in wanted.items() if pair[0] in checked and pair not in found]


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
            tag = _tag_name(raw)
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


def _record_revision(entry: Entry, *, author: Any, message: str, meta: dict[str, Any]) -> Revision:
    """The entry's content and details (`meta`, from _entry_meta) as its next revision."""
    entry.version += 1
    return Revision.objects.create(
        entry=entry,
        number=entry.version,
        author=author if getattr(author, "is_authenticated", False) else None,
        # Sent messages were checked by _revision_message; only a message this module
        # composes (a merge quoting a 500-character proposal message) can be longer.
        message=message[:200],
        **{name: getattr(entry, name) for name in CONTENT_FIELDS},
        meta=meta,
    )


def _set_vocabulary(entry: Entry, vocabulary: dict[str, list[Any]]) -> None:
    for name, items in vocabulary.items():
        if name == "tags":
            items = [Tag.objects.get_or_create(name=tag)[0] for tag in items]
        getattr(entry, name).set(items)


def _tag_name(raw: Any) -> str:
    """The name a sent tag is stored under ("" when nothing of it is usable)."""
    return slugify(str(raw))[:40]


def _meta_value(name: str, value: Any, *, check: bool = False) -> Any:
    """A detail as Revision.meta holds it (JSON). With `check` (a sent value) the field's
    own rules apply first, raising ValidationError for a value no entry may have."""
    field: Any = Entry._meta.get_field(name)
    if value is None and name not in ("week", "review_by"):
        value = ""
    value = field.clean(value, None) if check else field.to_python(value)
    return value.isoformat() if isinstance(value, date) else value


def _entry_meta(entry: Entry, vocabulary: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    """The entry's details as a revision snapshots them; `vocabulary` (resolved by
    _vocabulary, not yet saved) overrides the topics, technologies and tags it names."""
    meta = {name: _meta_value(name, getattr(entry, name)) for name in SIMPLE_FIELDS}
    for name in VOCABULARY_FIELDS:
        if vocabulary is not None and name in vocabulary:
            names = [item if isinstance(item, str) else item.slug for item in vocabulary[name]]
        elif entry.pk is None:
            names = []
        else:
            names = list(getattr(entry, name).values_list("name" if name == "tags" else "slug", flat=True))
        meta[name] = sorted(set(names))
    return meta


def _shown(value: Any) -> str:
    """A detail as a conflict shows it, like a text region: lists comma-joined, none empty."""
    if isinstance(value, list | set | frozenset):
        return ", ".join(sorted(value))
    return "" if value is None else str(value)


def _merge_meta(
    base: dict[str, Any], current: dict[str, Any], sent: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Three-way merge of each sent detail: base revision's meta, current, sent. Returns
    the details to write (as _apply_fields takes them) and the conflicts, in the shape
    content conflicts have: one region per field, without a line.

    A single value changed only by the sender is taken, one the sender left as it was
    keeps the newer value, one both changed differently is a conflict. Topics,
    technologies and tags merge as sets: the sender's additions and removals since the
    base apply to the current set. A detail the base does not know (a revision made
    before it was snapshotted) merges only where nothing can be lost: the same value on
    both sides, or a set that keeps every current member; anything else is a conflict.
    """
    write: dict[str, Any] = {}
    conflicts: dict[str, list[dict[str, Any]]] = {}
    for name, raw in sent.items():
        was = base.get(name, UNKNOWN)
        ours = current[name]
        if name in VOCABULARY_FIELDS:
            values = [str(item) for item in raw or []]
            if name == "tags":
                unusable = [value for value in values if not _tag_name(value)]  # left for _vocabulary to refuse
                theirs = frozenset(_tag_name(value) for value in values) - {""}
            else:
                unusable, theirs = [], frozenset(values)
            members, conflict = merge_set(UNKNOWN if was is UNKNOWN else frozenset(was), frozenset(ours), theirs)
            if not conflict:
                write[name] = [*sorted(members), *unusable]
        else:
            try:
                theirs = _meta_value(name, raw, check=True)
            except ValidationError:
                write[name] = raw  # no valid value to merge: _apply_fields refuses it with a message
                continue
            value, conflict = merge_value(was, ours, theirs)
            if not conflict and value != ours:
                write[name] = raw
        if conflict:
            conflicts[name] = [
                {
                    "line": None,
                    "base": None if was is UNKNOWN else _shown(was),
                    "current": _shown(ours),
                    "yours": _shown(theirs),
                }
            ]
    return write, conflicts


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


def _announce(kind: str, *, actor: Any, entry: Entry, title: str, key: str) -> None:
    """Tell who follows the entry's hub, topics or technologies (and the hub's webhooks),
    after this transaction commits."""
    event_publish(
        kind=kind,
        actor=actor,
        followed=[entry.hub, *entry.topics.all(), *entry.technologies.all()],
        title=title,
        url=reverse("knowledge:entry", args=[entry.hub.owner.username, entry.slug]),
        key=key,
        hub=entry.hub,
    )


def _announce_published(entry: Entry, actor: Any) -> None:
    _announce("entry.published", actor=actor, entry=entry, title=entry.title, key=f"entry.published:{entry.pk}")


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
        revision = _record_revision(
            entry, author=actor, message=message or "Created", meta=_entry_meta(entry, vocabulary)
        )
        entry.save(update_fields=["version"])
        _set_vocabulary(entry, vocabulary)
        search_index_entry(entry)
        entries_changed([entry.pk])
        if entry.status == EntryStatus.PUBLISHED:
            _announce_published(entry, actor)
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
    since when they touch different lines or details, and refused with EntryConflict when
    they overlap. Any change of content or details records a revision. `base_content` names
    the base by content when it is no revision (a re-imported file); its details then
    apply as sent, since such a base has no details to merge from."""
    require(can_edit_entry(actor, entry), "You can suggest an edit to this entry, but not change it directly.")
    message = _revision_message(message)
    with transaction.atomic():
        current = Entry.objects.select_for_update().select_related("hub").get(pk=entry.pk)
        sent_content = {name: data[name] for name in CONTENT_FIELDS if name in data}
        # Details not sent (a PATCH without them) are not changed.
        sent_meta = {name: data[name] for name in META_FIELDS if name in data}
        before_content = current.content()
        before_meta = _entry_meta(current)
        merged = False
        conflicts: dict[str, list[dict[str, Any]]] = {}
        stale = base_content is None and base_version != current.version
        if stale:
            base = Revision.objects.filter(entry=current, number=base_version).first()
            if base is None:
                raise InvalidInput(details={"base_revision": [f"Entry {entry.pk} has no revision {base_version}."]})
            base_content = base.content()
            sent_meta, conflicts = _merge_meta(base.meta, before_meta, sent_meta)
        if base_content is not None and (stale or any(base_content[n] != getattr(current, n) for n in sent_content)):
            sent_content, content_conflicts = _merge_onto(current, base_content, sent_content)
            conflicts = {**content_conflicts, **conflicts}
            merged = True
        if conflicts:
            raise EntryConflict(details={"current_revision": current.version, "conflicts": conflicts})
        rest = {name: value for name, value in data.items() if name not in META_FIELDS}
        vocabulary = _apply_fields(current, {**rest, **sent_meta, **sent_content})
        warnings = _render_into(current)
        after_meta = _entry_meta(current, vocabulary)
        revision = None
        content_changed = current.content() != before_content
        if content_changed or after_meta != before_meta:
            revision = _record_revision(
                current,
                author=actor,
                message=message or ("Edited" if content_changed else "Changed details"),
                meta=after_meta,
            )
        first_published = current.status == EntryStatus.PUBLISHED and current.published_at is None
        if first_published:
            current.published_at = timezone.now()
        current.save(
            update_fields=[*CONTENT_FIELDS, *SIMPLE_FIELDS, "html", "toc", "version", "published_at", "updated_at"]
        )
        _set_vocabulary(current, vocabulary)
        search_index_entry(current)
        entries_changed([current.pk])
        if first_published:
            _announce_published(current, actor)
    return EntrySaved(current, revision, warnings, merged)


def _merge_onto(
    current: Entry | Revision, base: dict[str, str], sent: dict[str, str]
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


def _save_details(entry: Entry, changes: dict[str, Any], *, actor: Any, message: str) -> Entry:
    """Write details a service checked (no content) as a new revision, on the locked row,
    and bring `entry` up to date. Nothing changes, nothing is recorded."""
    with transaction.atomic():
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        before = _entry_meta(current)
        for name, value in changes.items():
            setattr(current, name, value)
        first_published = current.status == EntryStatus.PUBLISHED and current.published_at is None
        if first_published:
            current.published_at = timezone.now()
        # Details here are single values: the vocabulary read for `before` still holds.
        after = {**before, **{name: _meta_value(name, getattr(current, name)) for name in SIMPLE_FIELDS}}
        if after != before:
            _record_revision(current, author=actor, message=message, meta=after)
            current.save(update_fields=[*changes, "published_at", "version", "updated_at"])
            search_index_entry(current)
            entries_changed([current.pk])
            if first_published:
                _announce_published(current, actor)
    for name in (*SIMPLE_FIELDS, "published_at", "version", "updated_at"):
        setattr(entry, name, getattr(current, name))
    return entry


def entry_set_status(*, actor: Any, entry: Entry, status: str) -> Entry:
    """Publish or unpublish an entry; a change records a revision (status is a detail
    revisions snapshot, so an editor opened before it is stale: see META_FIELDS)."""
    require(can_edit_hub(actor, entry.hub), "Only the owner of this entry can publish or unpublish it.")
    if status not in EntryStatus.values:
        raise InvalidInput(details={"status": [f"Choose one of: {', '.join(EntryStatus.values)}."]})
    message = "Published" if status == EntryStatus.PUBLISHED else "Unpublished"
    return _save_details(entry, {"status": status}, actor=actor, message=message)


def entry_reverify(*, actor: Any, entry: Entry, review_by: date | None, verified_with: str | None = None) -> Entry:
    """The owner confirms the entry still holds: a new review-by date, optionally new
    versions; a change records a revision (both are details revisions snapshot)."""
    require(can_edit_hub(actor, entry.hub), "Only the owner of this entry can re-verify it.")
    if review_by is not None and review_by <= timezone.localdate():
        raise InvalidInput(details={"review_by": ["The next review date must be in the future."]})
    changes: dict[str, Any] = {"review_by": review_by}
    if verified_with is not None:
        changes["verified_with"] = verified_with.strip()[:120]
    return _save_details(entry, changes, actor=actor, message="Re-verified")


def entry_delete(*, actor: Any, entry: Entry) -> None:
    """Delete an entry with its revisions and proposals."""
    require(can_delete_entry(actor, entry), "Only the owner of this entry or an admin can delete it.")
    with transaction.atomic():
        entries_changed([entry.pk])
        # Proposals first: each protects the revision it is based on from being deleted alone.
        EditProposal.objects.filter(entry=entry).delete()
        audit_record(
            actor=actor, action="entry.delete", target=entry, details={"hub": entry.hub_id, "slug": entry.slug}
        )
        entry.delete()


def revision_restore(*, actor: Any, entry: Entry, number: int) -> EntrySaved:
    """Bring back an old revision's content as a new revision (history is never rewritten).
    Content only: the details (status, week, topics...) stay as they are now, and the new
    revision records them so."""
    old = Revision.objects.filter(entry=entry, number=number).first()
    if old is None:
        raise RevisionNotFound(f"Entry {entry.pk} has no revision {number}.")
    # Based on the current revision, so the old content replaces whatever came since.
    current = Entry.objects.values_list("version", flat=True).get(pk=entry.pk)
    with transaction.atomic():
        saved = entry_update(
            actor=actor, entry=entry, data=old.content(), base_version=current, message=f"Restored revision {number}"
        )
        audit_record(
            actor=actor,
            action="revision.restore",
            target=entry,
            details={"from": number, "to": saved.revision.number if saved.revision else None},
        )
    return saved


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
    _require_content_only(data)
    proposal = EditProposal(entry=entry, author=actor, base_revision=base, message=message.strip(), **base.content())
    for name, value in data.items():
        setattr(proposal, name, value or "")
    _check_proposal(proposal, entry, base)
    with transaction.atomic():
        proposal.save()
        _announce(
            "proposal.opened",
            actor=actor,
            entry=entry,
            title=f"Suggested edit to {entry.title}: {proposal.message}",
            key=f"proposal.opened:{proposal.pk}",
        )
    return proposal


def _require_content_only(data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(CONTENT_FIELDS))
    if unknown:
        raise InvalidInput(details={name: ["A proposal changes only the content fields."] for name in unknown})


def _check_proposal(proposal: EditProposal, entry: Entry, base: Revision) -> None:
    """Refuse a proposal that is invalid, changes nothing, or gives a non-challenge the
    challenge fields; and render it now, so oversized content is refused here, not at merge."""
    errors: dict[str, list[str]] = {}
    try:
        proposal.full_clean(exclude=["entry", "author", "base_revision", "reviewed_by", "merged_revision"])
    except ValidationError as error:
        errors.update(field_errors(error))
    if proposal.content() == base.content():
        errors.setdefault("non_field_errors", []).append("This proposal changes nothing.")
    if entry.kind != EntryKind.CHALLENGE:
        for name in CHALLENGE_FIELDS:
            if getattr(proposal, name):
                errors.setdefault(name, []).append("Only challenges have a problem, solution and outcome.")
    if errors:
        raise InvalidInput(details=errors)
    markdown_render(_document(proposal.content(), entry.kind))


def proposal_update(
    *,
    actor: Any,
    proposal: EditProposal,
    data: dict[str, Any],
    message: str | None = None,
    base_version: int | None = None,
) -> EditProposal:
    """Revise a suggested edit (its author, until it is merged or rejected); it goes back to
    open for review. Naming a newer base revision moves it onto that revision: its changes
    are merged three ways onto it, and changes that overlap are refused unless `data` says
    what they become."""
    require(can_revise_proposal(actor, proposal), "Only the author of a proposal can revise it.")
    _require_content_only(data)
    with transaction.atomic():
        locked = (
            EditProposal.objects.select_for_update().select_related("entry__hub", "base_revision").get(pk=proposal.pk)
        )
        if locked.status in PROPOSAL_CLOSED:
            raise ProposalClosed()
        base = locked.base_revision
        if base_version is not None and base_version < base.number:
            # A form loaded before the proposal moved on: its content predates the move.
            stale = f"This proposal is now based on revision {base.number}; reload it and revise again."
            raise InvalidInput(details={"base_revision": [stale]})
        if base_version is not None and base_version != base.number:
            newer = Revision.objects.filter(entry=locked.entry, number=base_version).first()
            if newer is None:
                entry_id = locked.entry_id
                raise InvalidInput(details={"base_revision": [f"Entry {entry_id} has no revision {base_version}."]})
            # What the proposal changed from its old base, minus what the author now resends.
            changed = {
                name: value
                for name, value in locked.content().items()
                if value != getattr(base, name) and name not in data
            }
            moved, conflicts = _merge_onto(newer, base.content(), changed)
            if conflicts:
                raise ProposalConflict(details={"base_revision": newer.number, "conflicts": conflicts})
            for name, value in {**newer.content(), **moved}.items():
                setattr(locked, name, value)
            locked.base_revision = base = newer
        for name, value in data.items():
            setattr(locked, name, value or "")
        if message is not None:
            locked.message = message.strip()
        _check_proposal(locked, locked.entry, base)
        locked.status = ProposalStatus.OPEN
        locked.save(update_fields=[*CONTENT_FIELDS, "message", "base_revision", "status", "updated_at"])
    return locked


REVIEW_DECISIONS = {
    "approve": ProposalStatus.APPROVED,
    "request-changes": ProposalStatus.CHANGES_REQUESTED,
    "reject": ProposalStatus.REJECTED,
}


def proposal_review(*, actor: Any, proposal: EditProposal, decision: str) -> EditProposal:
    """Approve, request changes on, or reject a proposal. (A review with a comment is the
    community's proposal_review_with_comment: the discussion is community comments.)"""
    require(can_review_proposal(actor, proposal), "Only the entry's owner or a mentor can review this proposal.")
    if decision not in REVIEW_DECISIONS:
        raise InvalidInput(details={"decision": [f"Choose one of: {', '.join(REVIEW_DECISIONS)}."]})
    with transaction.atomic():
        locked = EditProposal.objects.select_for_update().select_related("entry__hub").get(pk=proposal.pk)
        if locked.status in PROPOSAL_CLOSED:
            raise ProposalClosed()
        locked.status = REVIEW_DECISIONS[decision]
        locked.reviewed_by = actor
        locked.save(update_fields=["status", "reviewed_by", "updated_at"])
        if locked.status == ProposalStatus.REJECTED:
            audit_record(actor=actor, action="proposal.reject", target=locked, details={"entry": locked.entry_id})
    return locked


def proposal_merge(*, actor: Any, proposal: EditProposal) -> EntrySaved:
    """Apply a proposal as a new revision credited to its author. If the entry moved on
    since the proposal's base, the changes are merged three ways; overlaps are refused."""
    require(can_review_proposal(actor, proposal), "Only the entry's owner or a mentor can merge this proposal.")
    with transaction.atomic():
        locked = EditProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status in PROPOSAL_CLOSED:
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
        # A proposal changes content only; its revision records the details as they are.
        revision = _record_revision(
            entry,
            author=proposal.author,
            message=f"Merged proposal #{proposal.pk}: {proposal.message}",
            meta=_entry_meta(entry),
        )
        entry.save(update_fields=[*CONTENT_FIELDS, "html", "toc", "version", "updated_at"])
        search_index_entry(entry)
        entries_changed([entry.pk])
        locked.status = ProposalStatus.MERGED
        locked.reviewed_by = actor
        locked.merged_revision = revision
        locked.save(update_fields=["status", "reviewed_by", "merged_revision", "updated_at"])
        audit_record(
            actor=actor,
            action="proposal.merge",
            target=locked,
            details={"entry": entry.pk, "revision": revision.number, "three_way": moved_on},
        )
        _announce(
            "proposal.merged",
            actor=actor,
            entry=entry,
            title=f"Edit merged into {entry.title}: {proposal.message}",
            key=f"proposal.merged:{proposal.pk}",
        )
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
        search_index_vocabulary(item)
        vocabulary_changed()
    return item
