"""Who may discuss, ask, answer, accept, promote and team up: the one place that decides.

Reading follows knowledge: a comment, reaction or bookmark on an entry exists only for
those who may see the entry; a comment in a proposal's discussion only for those who may see
the proposal (its author and reviewers), whoever may see the entry. Questions, answers and
the projects board are open to every reader; writing needs an account.
"""

from __future__ import annotations

from typing import Any

from nexus.accounts.roles import Role, user_has_role
from nexus.community.models import Announcement, Answer, CollaborationRequest, Comment, Question
from nexus.knowledge.models import EditProposal, Entry, EntryKind
from nexus.knowledge.permissions import can_edit_hub, can_review_proposal, can_view_entry, can_view_proposal


def _is_admin(user: Any) -> bool:
    return user_has_role(user, Role.ADMIN)


def _is_mentor(user: Any) -> bool:
    return user_has_role(user, Role.MENTOR)


def can_comment_on_entry(user: Any, entry: Entry) -> bool:
    return user.is_authenticated and can_view_entry(user, entry)


def can_comment_on_proposal(user: Any, proposal: EditProposal) -> bool:
    """A proposal is discussed by its author and its reviewers."""
    return user.is_authenticated and (proposal.author_id == user.pk or can_review_proposal(user, proposal))


def can_view_comment(user: Any, comment: Comment) -> bool:
    """A proposal's discussion is as private as the proposal; other comments are as visible
    as their entry."""
    if comment.proposal_id is not None:
        return can_view_proposal(user, comment.proposal)  # type: ignore[arg-type]
    return can_view_entry(user, comment.entry)


def can_edit_comment(user: Any, comment: Comment) -> bool:
    """Only the author edits their words (an admin may delete them, not rewrite them)."""
    return user.is_authenticated and comment.author_id == user.pk


def can_moderate_comments(user: Any, entry: Entry) -> bool:
    """Who may delete anyone's comment on an entry: its owner (their page), mentors and
    admins; on a proposal of the entry they are its reviewers. Decided once per thread, not
    once per comment."""
    if not user.is_authenticated:
        return False
    return entry.hub.owner_id == user.pk or _is_mentor(user) or _is_admin(user)


def can_delete_comment(user: Any, comment: Comment, *, moderator: bool | None = None) -> bool:
    """The author, or whoever moderates the entry's comments (`moderator`, when the caller
    already knows it for the whole thread)."""
    if not user.is_authenticated:
        return False
    if comment.author_id == user.pk:
        return True
    return can_moderate_comments(user, comment.entry) if moderator is None else moderator


def can_ask_question(user: Any) -> bool:
    return bool(user.is_authenticated)


def can_answer_question(user: Any, question: Question) -> bool:
    return bool(user.is_authenticated)


def can_vote_answer(user: Any, answer: Answer) -> bool:
    """Anyone signed in but the answer's author votes."""
    return user.is_authenticated and answer.author_id != user.pk


def can_accept_answer(user: Any, question: Question) -> bool:
    """The asker or a mentor accepts (admins do everything)."""
    if not user.is_authenticated:
        return False
    return question.author_id == user.pk or _is_mentor(user) or _is_admin(user)


def can_promote_question(user: Any, question: Question) -> bool:
    """The entry lands in the asker's hub, so the asker (or an admin) promotes."""
    return user.is_authenticated and (question.author_id == user.pk or _is_admin(user))


def can_ask_from_entry(user: Any, entry: Entry) -> bool:
    """The owner of an open challenge turns it into a question."""
    return entry.kind == EntryKind.CHALLENGE and can_edit_hub(user, entry.hub)


def can_add_project(user: Any) -> bool:
    return user.is_authenticated and (_is_mentor(user) or _is_admin(user))


def can_change_announcement(user: Any, announcement: Announcement) -> bool:
    return user.is_authenticated and (announcement.user_id == user.pk or _is_admin(user))


def can_answer_request(user: Any, request: CollaborationRequest) -> bool:
    """Only the learner asked answers a request."""
    return user.is_authenticated and request.recipient.user_id == user.pk


def can_view_request(user: Any, request: CollaborationRequest) -> bool:
    if not user.is_authenticated:
        return False
    return user.pk in (request.sender.user_id, request.recipient.user_id) or _is_admin(user)
