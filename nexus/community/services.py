"""Writes of the community: comments on entries and in proposals' discussions (with history
and soft delete), reviews that comment, reactions, bookmarks, questions, answers, votes,
acceptance and promotion into an entry, projects, announcements, collaboration requests and
teams. Each service checks its permission, validates, owns its transaction, and renders
Markdown once, at write time."""

from __future__ import annotations

import logging
import time
import zoneinfo
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from nexus.accounts.models import Track
from nexus.community.caching import discussion_changed
from nexus.community.errors import (
    AlreadyAnnounced,
    AlreadyPromoted,
    AnswerNotAccepted,
    CommentConflict,
    CommentDeleted,
    CommentNotFound,
    NotAnnounced,
    NotAnOpenChallenge,
    PostingTooFast,
    RequestClosed,
    RequestExists,
)
from nexus.community.models import (
    Announcement,
    Answer,
    AnswerVote,
    Bookmark,
    CollaborationRequest,
    Comment,
    CommentRevision,
    Project,
    Question,
    Reaction,
    ReactionKind,
    RequestStatus,
    Team,
)
from nexus.community.permissions import (
    can_accept_answer,
    can_add_project,
    can_answer_question,
    can_answer_request,
    can_ask_from_entry,
    can_ask_question,
    can_change_announcement,
    can_comment_on_entry,
    can_comment_on_proposal,
    can_delete_comment,
    can_edit_comment,
    can_promote_question,
    can_vote_answer,
)
from nexus.community.selectors import comment_page_number
from nexus.core.cache import cache_key
from nexus.core.errors import InvalidInput, NexusError, PermissionDenied, field_errors
from nexus.core.markdown import markdown_render
from nexus.knowledge.errors import EntryNotFound, ProposalNotFound
from nexus.knowledge.models import EditProposal, Entry, EntryKind, EntryStatus, Technology, Topic
from nexus.knowledge.permissions import can_view_entry, can_view_proposal, require
from nexus.knowledge.services import entry_create, hub_ensure, proposal_review
from nexus.notifications.services import event_publish

logger = logging.getLogger(__name__)

# A comment or answer is a few paragraphs; a whole document belongs in an entry.
MAX_POST_CHARS = 20_000
MAX_TITLE = 200
MAX_VOCABULARY = 10
POSTS_CACHE_SCOPE = "community.posts"


class PostTooLarge(NexusError):
    code = "post_too_large"
    status = 413
    message = "This text is too long."

    def __init__(self, size: int, what: str = "comment") -> None:
        super().__init__(
            f"This {what} is {size:,} characters; the limit is {MAX_POST_CHARS:,}. "
            "Write an entry for something this long and link it here.",
            details={"body": [f"At most {MAX_POST_CHARS:,} characters."], "size": size, "max": MAX_POST_CHARS},
        )


# --- Shared checks -----------------------------------------------------------------------


def _post_allowed(actor: Any) -> None:
    """Counts one comment or answer against the actor's budget per minute; refuses with 429
    past it. Decided here, so REST, GraphQL and the pages share one counter (in the cache:
    Redis across replicas). A cache outage lets posts through rather than blocking everyone."""
    limit = int(getattr(settings, "NEXUS_COMMUNITY_POSTS_PER_MINUTE", 30))
    now = time.time()
    window = int(now // 60)
    key = cache_key(POSTS_CACHE_SCOPE, actor.pk, window)
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    except Exception:
        logger.warning("Cache unavailable: posting limit not applied", exc_info=True)
        return
    if count > limit:
        raise PostingTooFast(retry_after=max(1, 60 - int(now % 60)), limit=limit)


def _body(body: str, what: str) -> tuple[str, str]:
    """A post's Markdown (one line ending) and its sanitised HTML; empty, oversized or too
    complex text is refused with a 4xx before anything is written."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InvalidInput(details={"body": ["Null characters are not allowed."]})
    if not text.strip():
        raise InvalidInput(f"A {what} needs some text.", details={"body": [f"A {what} needs some text."]})
    if len(text) > MAX_POST_CHARS:
        raise PostTooLarge(len(text), what)
    return text, markdown_render(text).html


def _vocabulary(data: dict[str, Any]) -> dict[str, list[Any]]:
    """Topic and technology slugs resolved to rows; unknown ones are refused by name."""
    resolved: dict[str, list[Any]] = {}
    errors: dict[str, list[str]] = {}
    for name, model in (("topics", Topic), ("technologies", Technology)):
        if name not in data:
            continue
        slugs = list(dict.fromkeys(str(slug) for slug in data[name] or []))
        if len(slugs) > MAX_VOCABULARY:
            errors[name] = [f"At most {MAX_VOCABULARY}."]
            continue
        shaped = [slug for slug in slugs if slug_re.match(slug)]
        found = {item.slug: item for item in model.objects.filter(slug__in=shaped)}  # type: ignore[attr-defined]
        missing = [slug if slug in shaped else repr(slug) for slug in slugs if slug not in found]
        if missing:
            errors[name] = [f"Unknown {'topic' if name == 'topics' else 'technology'}: {', '.join(missing)}."]
        resolved[name] = [found[slug] for slug in slugs if slug in found]
    if errors:
        raise InvalidInput(details=errors)
    return resolved


def _notify(
    *, kind: str, actor: Any, followed: list[Model | None], title: str, url: str, key: str, **extra: Any
) -> None:
    """Tell followers and @mentioned users (notifications app), inside the caller's transaction."""
    event_publish(
        kind=kind,
        actor=actor,
        followed=[item for item in followed if item is not None],
        title=title,
        url=url,
        key=key,
        **extra,
    )


def entry_url(entry: Entry) -> str:
    return f"/h/{entry.hub.owner.username}/{entry.slug}/"


def proposal_url(proposal_id: int) -> str:
    """A proposal's review page, from its id alone (a comment knows only that)."""
    return f"/proposals/{proposal_id}/"


def comment_url(comment: Comment) -> str:
    """Where a comment is read: in its proposal's discussion, or under its entry."""
    if comment.proposal_id is not None:
        return f"{proposal_url(comment.proposal_id)}#comment-{comment.pk}"
    page = comment_page_number(comment)
    return f"{entry_url(comment.entry)}{f'?comments={page}' if page > 1 else ''}#comment-{comment.pk}"


def question_url(question: Question) -> str:
    return f"/questions/{question.pk}/"


# --- Comments ----------------------------------------------------------------------------


def _comment_checked(
    *, actor: Any, entry: Entry, proposal: EditProposal | None, body: str, parent: Comment | None
) -> Comment:
    """A new comment in one thread (an entry's own, or a proposal's), checked and counted
    against the actor's posting budget; the caller saves it with its thread's side effects."""
    if parent is not None:
        in_thread = parent.entry_id == entry.pk and parent.proposal_id == (proposal.pk if proposal else None)
        if not in_thread:
            where = "on this entry" if proposal is None else "in this proposal's discussion"
            raise CommentNotFound(f"That comment is not {where}.")
        if parent.is_deleted:
            raise CommentDeleted()
    text, html = _body(body, "comment")
    _post_allowed(actor)
    return Comment(entry=entry, proposal=proposal, parent=parent, author=actor, body=text, html=html)


def comment_post(*, actor: Any, entry: Entry, body: str, parent: Comment | None = None) -> Comment:
    """Comment on an entry the actor may see, or reply to a comment on it."""
    if not can_view_entry(actor, entry):
        raise EntryNotFound()
    require(can_comment_on_entry(actor, entry), "Sign in to join the discussion.")
    comment = _comment_checked(actor=actor, entry=entry, proposal=None, body=body, parent=parent)
    with transaction.atomic():
        comment.save()
        discussion_changed(entry.pk)
        _notify(
            kind="comment.posted",
            actor=actor,
            followed=[entry.hub, *entry.topics.all(), *entry.technologies.all()],
            title=f"{actor.username} commented on {entry.title}",
            url=comment_url(comment),
            key=f"comment.posted:{comment.pk}",
            mention_text=comment.body,
            hub=entry.hub,
            audience=entry,
        )
    return comment


def comment_post_on_proposal(
    *, actor: Any, proposal: EditProposal, body: str, parent: Comment | None = None
) -> Comment:
    """Comment in a proposal's discussion (its author and reviewers), or reply to a comment
    in it. The discussion is private to them: it is not announced to the entry's followers;
    the proposal's author, the entry's owner and whoever commented before are told, and so
    are @mentioned users who may see the proposal (mentors); nobody else."""
    if not can_view_proposal(actor, proposal):
        raise ProposalNotFound()
    require(can_comment_on_proposal(actor, proposal), "Only the proposal's author and its reviewers can comment on it.")
    entry = proposal.entry
    comment = _comment_checked(actor=actor, entry=entry, proposal=proposal, body=body, parent=parent)
    with transaction.atomic():
        comment.save()
        earlier = Comment.objects.filter(proposal=proposal).exclude(pk=comment.pk).values_list("author", flat=True)
        _notify(
            kind="comment.posted",
            actor=actor,
            followed=[],
            title=f"{actor.username} commented on the suggested edit to {entry.title}",
            url=comment_url(comment),
            key=f"comment.posted:{comment.pk}",
            mention_text=comment.body,
            hub=entry.hub,
            participant_ids=[proposal.author_id, entry.hub.owner_id, *earlier],
            audience=proposal,
        )
    return comment


def proposal_review_with_comment(
    *, actor: Any, proposal: EditProposal, decision: str, comment: str = ""
) -> EditProposal:
    """Approve, request changes on, or reject a proposal and, with a comment, say why in its
    discussion: one transaction, so a refused comment (too long, posting too fast) leaves the
    proposal as it was."""
    with transaction.atomic():
        reviewed = proposal_review(actor=actor, proposal=proposal, decision=decision)
        if comment.strip():
            comment_post_on_proposal(actor=actor, proposal=reviewed, body=comment)
    return reviewed


def _thread_changed(comment: Comment) -> None:
    """An entry's thread is cached (templatetags); a proposal's discussion is not."""
    if comment.proposal_id is None:
        discussion_changed(comment.entry_id)


def comment_edit(*, actor: Any, comment: Comment, body: str, base_version: int | None = None) -> Comment:
    """Change a comment's text; the previous text is kept as a revision. `base_version`
    (the version the editor loaded) turns a lost update into a 409."""
    require(can_edit_comment(actor, comment), "Only the author of this comment can edit it.")
    text, html = _body(body, "comment")
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.is_deleted:
            raise CommentDeleted()
        if base_version is not None and base_version != current.version:
            raise CommentConflict(details={"current_version": current.version})
        if current.body == text:
            return current
        CommentRevision.objects.create(comment=current, number=current.version, body=current.body, editor=actor)
        current.body, current.html = text, html
        current.version += 1
        current.edited_at = timezone.now()
        current.save(update_fields=["body", "html", "version", "edited_at", "updated_at"])
        _thread_changed(current)
    return current


def comment_delete(*, actor: Any, comment: Comment) -> Comment:
    """Soft delete: the text and its history go, the place in the thread stays (with its
    replies) as a "comment deleted" placeholder."""
    require(can_delete_comment(actor, comment), "Only the author, the entry's owner or a mentor can delete this.")
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.is_deleted:
            return current
        current.body, current.html = "", ""
        current.deleted_at = timezone.now()
        current.save(update_fields=["body", "html", "deleted_at", "updated_at"])
        current.revisions.all().delete()
        Reaction.objects.filter(comment=current).delete()
        _thread_changed(current)
    return current


# --- Reactions and bookmarks -------------------------------------------------------------


def _target_fields(target: Entry | Comment | Answer) -> dict[str, Any]:
    if isinstance(target, Entry):
        return {"entry": target}
    if isinstance(target, Comment):
        return {"comment": target}
    return {"answer": target}


def reaction_set(*, actor: Any, target: Entry | Comment | Answer, kind: str, active: bool = True) -> bool:
    """Add (or with active=False remove) the actor's reaction of `kind`; idempotent, so a
    double click or two racing clicks count once. Returns whether the reaction exists now.
    The caller found `target` through a selector (what the actor may not see is not found)."""
    require(actor.is_authenticated, "Sign in to react.")
    if kind not in ReactionKind.values:
        raise InvalidInput(details={"kind": [f"Choose one of: {', '.join(ReactionKind.values)}."]})
    if isinstance(target, Comment) and target.is_deleted:
        raise CommentDeleted()
    fields = _target_fields(target)
    with transaction.atomic():
        # Counts on an entry page are part of its cached discussion; answers have no cache.
        if isinstance(target, Entry):
            discussion_changed(target.pk)
        elif isinstance(target, Comment):
            _thread_changed(target)
        if not active:
            Reaction.objects.filter(user=actor, kind=kind, **fields).delete()
            return False
        try:
            with transaction.atomic():  # a savepoint: losing the race undoes only this insert
                Reaction.objects.create(user=actor, kind=kind, **fields)
        except IntegrityError:
            if not Reaction.objects.filter(user=actor, kind=kind, **fields).exists():
                raise
    return True


def bookmark_set(
    *, actor: Any, entry: Entry | None = None, question: Question | None = None, active: bool = True
) -> bool:
    """Bookmark (or with active=False forget) an entry or a question; idempotent."""
    require(actor.is_authenticated, "Sign in to bookmark.")
    if (entry is None) == (question is None):
        raise InvalidInput(details={"target": ["Bookmark one entry or one question."]})
    with transaction.atomic():
        if not active:
            Bookmark.objects.filter(user=actor, entry=entry, question=question).delete()
            return False
        try:
            with transaction.atomic():
                Bookmark.objects.create(user=actor, entry=entry, question=question)
        except IntegrityError:
            if not Bookmark.objects.filter(user=actor, entry=entry, question=question).exists():
                raise
    return True


# --- Questions and answers ---------------------------------------------------------------


def _question_fields(data: dict[str, Any]) -> tuple[str, str, str, dict[str, list[Any]]]:
    unknown = sorted(set(data) - {"title", "body", "topics", "technologies"})
    if unknown:
        raise InvalidInput(details={name: ["This question field does not exist."] for name in unknown})
    title = str(data.get("title") or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["A question needs a title."]
    elif len(title) > MAX_TITLE:
        errors["title"] = [f"At most {MAX_TITLE} characters."]
    elif "\x00" in title:
        errors["title"] = ["Null characters are not allowed."]
    if errors:
        raise InvalidInput(details=errors)
    text, html = _body(str(data.get("body") or ""), "question")
    return title, text, html, _vocabulary(data)


def question_ask(*, actor: Any, data: dict[str, Any], source_entry: Entry | None = None) -> Question:
    """Ask a question (title, Markdown body, topics and technologies by slug)."""
    require(can_ask_question(actor), "Sign in to ask a question.")
    title, text, html, vocabulary = _question_fields(data)
    _post_allowed(actor)
    question = Question(author=actor, title=title, body=text, html=html, source_entry=source_entry)
    with transaction.atomic():
        question.save()
        if source_entry is not None:
            discussion_changed(source_entry.pk)
        for name, items in vocabulary.items():
            getattr(question, name).set(items)
        _notify(
            kind="question.asked",
            actor=actor,
            followed=[*vocabulary.get("topics", []), *vocabulary.get("technologies", [])],
            title=f"{actor.username} asked: {title}",
            url=question_url(question),
            key=f"question.asked:{question.pk}",
            mention_text=text,
        )
    return question


def question_ask_from_entry(*, actor: Any, entry: Entry) -> Question:
    """Turn an open challenge (one without a solution, e.g. from an imported README) into a
    question with its problem, topics and technologies; asking twice answers the same one."""
    if not can_view_entry(actor, entry):
        raise EntryNotFound()
    require(can_ask_from_entry(actor, entry), "Only the owner of this challenge can ask about it.")
    if entry.kind != EntryKind.CHALLENGE or entry.solution.strip():
        raise NotAnOpenChallenge()
    existing = Question.objects.filter(source_entry=entry, author=actor).first()
    if existing is not None:
        return existing
    body = entry.problem.strip() or entry.body.strip() or entry.summary.strip() or entry.title
    body += f"\n\n*Asked from the challenge [{entry.title}]({entry_url(entry)}).*"
    data = {
        "title": entry.title[:MAX_TITLE],
        "body": body,
        "topics": list(entry.topics.values_list("slug", flat=True)),
        "technologies": list(entry.technologies.values_list("slug", flat=True)),
    }
    return question_ask(actor=actor, data=data, source_entry=entry)


def answer_post(*, actor: Any, question: Question, body: str) -> Answer:
    """Answer a question (Markdown); @mentions in it notify."""
    require(can_answer_question(actor, question), "Sign in to answer.")
    text, html = _body(body, "answer")
    _post_allowed(actor)
    answer = Answer(question=question, author=actor, body=text, html=html)
    with transaction.atomic():
        answer.save()
        _notify(
            kind="answer.posted",
            actor=actor,
            followed=[question],
            title=f"{actor.username} answered: {question.title}",
            url=f"{question_url(question)}#answer-{answer.pk}",
            key=f"answer.posted:{answer.pk}",
            mention_text=text,
        )
    return answer


def answer_vote(*, actor: Any, answer: Answer, value: int) -> int:
    """Vote an answer up (1) or down (-1), or take the vote back (0); one vote per user.
    Returns the actor's vote now."""
    require(actor.is_authenticated, "Sign in to vote.")
    if value not in (-1, 0, 1):
        raise InvalidInput(details={"value": ["Vote 1 (up), -1 (down) or 0 (take it back)."]})
    require(can_vote_answer(actor, answer), "You cannot vote on your own answer.")
    with transaction.atomic():
        if value == 0:
            AnswerVote.objects.filter(answer=answer, user=actor).delete()
            return 0
        if AnswerVote.objects.filter(answer=answer, user=actor).update(value=value):
            return value
        try:
            with transaction.atomic():
                AnswerVote.objects.create(answer=answer, user=actor, value=value)
        except IntegrityError:
            # A racing vote of the same user got there first: this one is the later click.
            AnswerVote.objects.filter(answer=answer, user=actor).update(value=value)
    return value


def answer_accept(*, actor: Any, answer: Answer) -> Question:
    """The asker (or a mentor) accepts one answer; accepting another replaces it."""
    question = answer.question
    require(
        can_accept_answer(actor, question),
        "Only the person who asked this question (or a mentor) can accept an answer to it.",
    )
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.accepted_answer_id == answer.pk:
            return locked
        locked.accepted_answer = answer
        locked.save(update_fields=["accepted_answer", "updated_at"])
        if locked.source_entry_id is not None:  # its page says whether the question is answered
            discussion_changed(locked.source_entry_id)
        _notify(
            kind="answer.accepted",
            actor=actor,
            followed=[locked],
            title=f"An answer to {locked.title!r} was accepted",
            url=f"{question_url(locked)}#answer-{answer.pk}",
            key=f"answer.accepted:{locked.pk}:{answer.pk}",
        )
    return locked


def question_promote(*, actor: Any, question: Question) -> Entry:
    """Turn a question and its accepted answer into a published challenge entry in the
    asker's hub (problem = question, solution = answer), crediting the answerer and linking
    the two both ways (Question.promoted_entry; the entry page shows "from this question")."""
    require(can_promote_question(actor, question), "Only the person who asked can turn this into an entry.")
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.promoted_entry_id is not None:
            raise AlreadyPromoted(details={"entry": locked.promoted_entry_id})
        if locked.accepted_answer_id is None:
            raise AnswerNotAccepted()
        answer = Answer.objects.select_related("author__profile").get(pk=locked.accepted_answer_id)
        answerer = answer.author
        credit = (
            f"\n\n*Answer by [{answerer.profile.name}](/u/{answerer.username}/), "
            f"from the question [{locked.title}]({question_url(locked)}).*"
        )
        data = {
            "kind": EntryKind.CHALLENGE,
            "title": locked.title,
            "summary": f"Asked by {locked.author.username}, answered by {answerer.username}."[:500],
            "problem": locked.body,
            "solution": answer.body + credit,
            "status": EntryStatus.PUBLISHED,
            "topics": list(locked.topics.values_list("slug", flat=True)),
            "technologies": list(locked.technologies.values_list("slug", flat=True)),
        }
        saved = entry_create(
            actor=actor,
            hub=hub_ensure(locked.author),
            data=data,
            message=f"From question #{locked.pk}, answered by @{answerer.username}",
        )
        locked.promoted_entry = saved.entry
        locked.save(update_fields=["promoted_entry", "updated_at"])
        discussion_changed(saved.entry.pk)
    question.promoted_entry = saved.entry
    return saved.entry


# --- Projects, announcements, requests, teams ---------------------------------------------


def project_add(*, actor: Any, data: dict[str, Any]) -> Project:
    """A mentor adds a project to the board (capstones are seeded by a migration)."""
    require(can_add_project(actor), "Only mentors and admins add projects to the board.")
    unknown = sorted(set(data) - {"title", "description"})
    if unknown:
        raise InvalidInput(details={name: ["This project field does not exist."] for name in unknown})
    title = str(data.get("title") or "").strip()
    project = Project(
        title=title, slug=slugify(title)[:120], description=str(data.get("description") or ""), created_by=actor
    )
    try:
        project.full_clean()
    except ValidationError as error:
        raise InvalidInput(details=field_errors(error)) from error
    if not project.slug:
        raise InvalidInput(details={"title": ["A project needs a title with some letters or digits."]})
    with transaction.atomic():
        project.save()
    return project


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _utc_offset_minutes(name: str) -> int:
    offset = datetime.now(UTC).astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


ANNOUNCEMENT_FIELDS = {"track", "stack", "timezone", "note", "repository_url", "api_docs_url"}


def announcement_save(*, actor: Any, project: Project, data: dict[str, Any]) -> Announcement:
    """Announce what you build on a project (or change your announcement): track, stack
    (technology slugs), IANA time zone, a note, your repository and API docs links."""
    require(actor.is_authenticated, "Sign in to announce a project.")
    unknown = sorted(set(data) - ANNOUNCEMENT_FIELDS)
    if unknown:
        raise InvalidInput(details={name: ["This announcement field does not exist."] for name in unknown})
    announcement = Announcement.objects.filter(project=project, user=actor).first()
    created = announcement is None
    if announcement is None:
        announcement = Announcement(project=project, user=actor, track=actor.profile.track, timezone="UTC")
    errors: dict[str, list[str]] = {}
    for name in ("track", "timezone", "note", "repository_url", "api_docs_url"):
        if name in data:
            setattr(announcement, name, str(data[name] or "").strip())
    if announcement.track not in Track.values:
        errors["track"] = [f"Choose one of: {', '.join(Track.values)}."]
    if announcement.timezone not in _zone_names():
        errors["timezone"] = ["Name an IANA time zone, e.g. Europe/Lisbon, America/Bogota or UTC."]
    try:
        announcement.full_clean(exclude=["project", "user", "team", "track", "timezone"], validate_unique=False)
    except ValidationError as error:
        # URLField's own validator and ours (http and https only) can say the same thing twice.
        errors.update({name: list(dict.fromkeys(messages)) for name, messages in field_errors(error).items()})
    stack: list[Any] | None = None
    if "stack" in data:
        try:
            stack = _vocabulary({"technologies": data["stack"]})["technologies"]
        except InvalidInput as error:
            errors["stack"] = error.details["technologies"]
    if errors:
        raise InvalidInput(details=errors)
    announcement.utc_offset_minutes = _utc_offset_minutes(announcement.timezone)
    with transaction.atomic():
        if created:
            try:
                with transaction.atomic():
                    announcement.save()
            except IntegrityError:
                raise AlreadyAnnounced() from None
        else:
            announcement.save(update_fields=[*(ANNOUNCEMENT_FIELDS - {"stack"}), "utc_offset_minutes", "updated_at"])
        if stack is not None:
            announcement.stack.set(stack)
    return announcement


def announcement_withdraw(*, actor: Any, announcement: Announcement) -> None:
    """Take an announcement back (leaving its team and its requests)."""
    require(can_change_announcement(actor, announcement), "Only its author can withdraw this announcement.")
    with transaction.atomic():
        announcement.delete()


def collaboration_request_send(*, actor: Any, recipient: Announcement, message: str = "") -> CollaborationRequest:
    """Ask a learner who builds the same project to build it together."""
    require(actor.is_authenticated, "Sign in to ask someone to collaborate.")
    if recipient.user_id == actor.pk:
        raise InvalidInput(details={"recipient": ["That is your own announcement."]})
    sender = Announcement.objects.filter(project_id=recipient.project_id, user=actor).first()
    if sender is None:
        raise NotAnnounced()
    if sender.team_id is not None and sender.team_id == recipient.team_id:
        raise InvalidInput(details={"recipient": ["You are already in the same team."]})
    text = (message or "").strip()
    if len(text) > 1000 or "\x00" in text:
        raise InvalidInput(details={"message": ["At most 1,000 characters, no null characters."]})
    request = CollaborationRequest(sender=sender, recipient=recipient, message=text)
    with transaction.atomic():
        if CollaborationRequest.objects.filter(
            sender__in=[sender, recipient], recipient__in=[sender, recipient], status=RequestStatus.PENDING
        ).exists():
            raise RequestExists()
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            raise RequestExists() from None
    return request


def collaboration_request_answer(*, actor: Any, request: CollaborationRequest, accept: bool) -> CollaborationRequest:
    """The learner asked accepts (both join one team) or declines."""
    if not can_answer_request(actor, request):
        raise PermissionDenied("Only the learner you asked can answer this request.")
    with transaction.atomic():
        locked = CollaborationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.PENDING:
            raise RequestClosed()
        locked.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at", "updated_at"])
        if accept:
            _team_up(locked.sender_id, locked.recipient_id)
    request.status, request.responded_at = locked.status, locked.responded_at
    return locked


def _team_up(*announcement_ids: int) -> Team:
    """Put announcements in one team: an existing team of one of them, or a new one; two
    teams meeting merge into the older."""
    members = list(Announcement.objects.select_for_update().filter(pk__in=announcement_ids).order_by("pk"))
    team_ids = sorted({member.team_id for member in members if member.team_id is not None})
    team = Team.objects.get(pk=team_ids[0]) if team_ids else Team.objects.create(project_id=members[0].project_id)
    Announcement.objects.filter(pk__in=announcement_ids).update(team=team)
    if len(team_ids) > 1:
        Announcement.objects.filter(team_id__in=team_ids[1:]).update(team=team)
        Team.objects.filter(pk__in=team_ids[1:]).delete()
    return team
