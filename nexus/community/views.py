"""Community pages: the discussion under an entry, questions and answers, the projects
board with suggested collaborators, the requests inbox and team pages. htmx swaps the
small parts (a new comment, an answer, a vote, a reaction); every form also works without it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from nexus.community.errors import CommentDeleted, PostingTooFast
from nexus.community.forms import (
    AnnouncementForm,
    AnswerForm,
    CollaborationRequestForm,
    CommentEditForm,
    CommentForm,
    ProjectForm,
    QuestionForm,
    ReviewForm,
)
from nexus.community.models import Comment
from nexus.community.permissions import (
    can_accept_answer,
    can_add_project,
    can_delete_comment,
    can_edit_comment,
    can_promote_question,
    can_vote_answer,
)
from nexus.community.selectors import (
    REACTION_TARGETS,
    announcement_get,
    announcement_list,
    announcement_of,
    answer_get,
    answer_list,
    answer_score,
    bookmark_list_for_user,
    bookmarked,
    comment_get_for_user,
    entry_for_question,
    entry_visible,
    match_list,
    project_get,
    project_list,
    question_get,
    question_list,
    reaction_counts,
    reactions_of_user,
    request_get_for_user,
    request_list_for_user,
    team_get,
    team_list_for_project,
    votes_of_user,
)
from nexus.community.services import (
    announcement_save,
    answer_accept,
    answer_post,
    answer_vote,
    bookmark_set,
    collaboration_request_answer,
    collaboration_request_send,
    comment_delete,
    comment_edit,
    comment_post,
    comment_post_on_proposal,
    comment_url,
    entry_url,
    project_add,
    proposal_review_with_comment,
    proposal_url,
    question_ask,
    question_ask_from_entry,
    question_promote,
    reaction_set,
)
from nexus.community.threads import entry_thread_more, requested_page
from nexus.core.errors import InvalidInput, NexusError
from nexus.core.forms import form_add_error_details
from nexus.knowledge.selectors import proposal_get_for_user

PAGE_SIZE = 30


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Where a plain (non-htmx) form returns: the page it came from, if it is ours."""
    target = request.POST.get("next") or request.headers.get("Referer") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _page(items: QuerySet[Any], request: HttpRequest) -> tuple[list[Any], int | None]:
    """One page of a newest-first list, continued with ?before=<id> (no COUNT of the table)."""
    before = request.GET.get("before", "")
    if before:
        if not (before.isascii() and before.isdigit() and len(before) <= 18):
            raise InvalidInput(details={"before": ["Use the link at the end of the page."]})
        items = items.filter(pk__lt=int(before))
    rows = list(items[: PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None


def _refused(form: Any, error: NexusError) -> None:
    """A service's refusal on the form: field messages under their fields, others on top."""
    if isinstance(error, PostingTooFast):
        raise error  # answered as 429 with Retry-After, like the APIs
    if error.details and any(name in form.fields for name in error.details):
        form_add_error_details(form, error)
    else:
        form.add_error("body" if "body" in form.fields else None, error.message)


# --- Comments -----------------------------------------------------------------------------


def _comment_context(request: HttpRequest, comment: Comment, depth: int = 0) -> dict[str, Any]:
    """What _comment.html shows of a comment just posted (as the thread's tag sets it)."""
    comment.reaction_counts = reaction_counts("comment", [comment.pk])[comment.pk]  # type: ignore[attr-defined]
    comment.my_reactions = reactions_of_user(request.user, "comment", [comment.pk])[comment.pk]  # type: ignore[attr-defined]
    comment.can_edit = can_edit_comment(request.user, comment)  # type: ignore[attr-defined]
    comment.can_delete = can_delete_comment(request.user, comment)  # type: ignore[attr-defined]
    return {"comment": comment, "depth": depth, "entry": comment.entry}


def _comment_posted(request: HttpRequest, back: str, post: Callable[[str, Comment | None], Comment]) -> HttpResponse:
    """A comment form sent to a thread (an entry's, a proposal's): `post` saves it through
    the thread's service; htmx gets the comment, a plain form a redirect to `back`."""
    form = CommentForm(request.POST)
    if form.is_valid():
        parent_id = form.cleaned_data.get("parent")
        parent = comment_get_for_user(request.user, parent_id) if parent_id else None
        try:
            comment = post(form.cleaned_data["body"], parent)
        except NexusError as error:
            _refused(form, error)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                context = _comment_context(request, comment, 1 if parent else 0)
                return render(request, "community/_comment.html", context, status=201)
            messages.success(request, "Comment posted.")
            return redirect(comment_url(comment))
    errors = " ".join(str(message) for field in form.errors.values() for message in field)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "community/_form_error.html", {"message": errors}, status=400)
    messages.error(request, errors)
    return redirect(back)


@require_GET
def discussion_page(request: HttpRequest, entry_id: int) -> HttpResponse:
    """A later page of an entry's discussion, for "Show more comments" to append (the link
    opens the entry page at that page without htmx)."""
    entry = entry_visible(request.user, entry_id)
    page = requested_page(request.GET.get("page"))
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(f"{entry_url(entry)}?comments={page}#discussion")
    return HttpResponse(entry_thread_more(entry, signed_in=request.user.is_authenticated, page=page))


@require_POST
@login_required
def comment_create(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_visible(request.user, entry_id)

    def post(body: str, parent: Comment | None) -> Comment:
        return comment_post(actor=request.user, entry=entry, body=body, parent=parent)

    return _comment_posted(request, entry_url(entry), post)


@require_POST
@login_required
def proposal_comment_create(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """A comment (or reply) in a proposal's discussion, from its review page."""
    proposal = proposal_get_for_user(request.user, proposal_id)

    def post(body: str, parent: Comment | None) -> Comment:
        return comment_post_on_proposal(actor=request.user, proposal=proposal, body=body, parent=parent)

    return _comment_posted(request, proposal_url(proposal.pk), post)


@require_POST
@login_required
def proposal_review_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """A review decision from the proposal's page, with what the reviewer says about it."""
    proposal = proposal_get_for_user(request.user, proposal_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(details={name: list(errors) for name, errors in form.errors.items()})
    reviewed = proposal_review_with_comment(
        actor=request.user,
        proposal=proposal,
        decision=form.cleaned_data["decision"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, f"Proposal marked “{reviewed.get_status_display()}”.")
    return redirect(proposal_url(proposal.pk))


@login_required
def comment_edit_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_get_for_user(request.user, comment_id)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body, "base_version": comment.version})
    if request.method == "POST" and form.is_valid():
        try:
            comment_edit(
                actor=request.user,
                comment=comment,
                body=form.cleaned_data["body"],
                base_version=form.cleaned_data["base_version"],
            )
        except NexusError as error:
            _refused(form, error)
        else:
            messages.success(request, "Comment updated; the earlier text is kept in its history.")
            return redirect(comment_url(comment))
    status = 400 if form.is_bound else 200
    context = {"form": form, "comment": comment, "thread_url": comment_url(comment)}
    return render(request, "community/comment_edit.html", context, status=status)


@login_required
def comment_reply_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The reply form, fetched when "Reply" is clicked (a page of its own without htmx)."""
    comment = comment_get_for_user(request.user, comment_id)
    if comment.is_deleted:
        raise CommentDeleted()
    template = "community/_reply_form.html" if request.htmx else "community/comment_reply.html"  # type: ignore[attr-defined]
    return render(request, template, {"comment": comment, "thread_url": comment_url(comment)})


@require_POST
@login_required
def comment_delete_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_delete(actor=request.user, comment=comment_get_for_user(request.user, comment_id))
    messages.success(request, "Comment deleted; replies to it stay in the thread.")
    return redirect(comment_url(comment))


# --- Reactions and bookmarks --------------------------------------------------------------


@require_POST
@login_required
def reaction_view(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("target", "")
    raw_id = request.POST.get("id", "")
    if target not in REACTION_TARGETS or not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):
        raise InvalidInput(details={"target": ["React to an entry, comment or answer by its id."]})
    target_id = int(raw_id)
    found: Any
    if target == "entry":
        found = entry_visible(request.user, target_id)
    elif target == "comment":
        found = comment_get_for_user(request.user, target_id)
    else:
        found = answer_get(target_id)
    # One button per kind says what it does ("helpful:add"), so a double click adds once.
    kind, _, action = request.POST.get("reaction", "").partition(":")
    reaction_set(actor=request.user, target=found, kind=kind, active=action != "remove")
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "target": target,
            "target_id": target_id,
            "counts": reaction_counts(target, [target_id])[target_id],
            "mine": reactions_of_user(request.user, target, [target_id])[target_id],
        }
        return render(request, "community/_reactions.html", context)
    return _back(request, "/")


@require_POST
@login_required
def bookmark_view(request: HttpRequest) -> HttpResponse:
    entry_id, question_id = request.POST.get("entry", ""), request.POST.get("question", "")
    for value in (entry_id, question_id):
        if value and not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise InvalidInput(details={"target": ["Bookmark an entry or a question by its id."]})
    entry = entry_visible(request.user, int(entry_id)) if entry_id else None
    question = question_get(int(question_id)) if question_id else None
    active = request.POST.get("action", "add") != "remove"
    saved = bookmark_set(actor=request.user, entry=entry, question=question, active=active)
    if request.htmx:  # type: ignore[attr-defined]
        context = {"entry": entry, "question": question, "bookmarked": saved}
        return render(request, "community/_bookmark.html", context)
    return _back(request, "/")


@login_required
def bookmark_list(request: HttpRequest) -> HttpResponse:
    bookmarks = list(bookmark_list_for_user(request.user)[:100])
    return render(request, "community/bookmarks.html", {"bookmarks": bookmarks})


# --- Questions and answers ----------------------------------------------------------------


def question_index(request: HttpRequest) -> HttpResponse:
    answered = {"yes": True, "no": False}.get(request.GET.get("answered", ""))
    questions, next_before = _page(
        question_list(
            topic=request.GET.get("topic") or None,
            technology=request.GET.get("technology") or None,
            answered=answered,
        ),
        request,
    )
    context = {"questions": questions, "next_before": next_before, "answered": request.GET.get("answered", "")}
    return render(request, "community/question_list.html", context)


@login_required
def question_ask_view(request: HttpRequest) -> HttpResponse:
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = question_ask(actor=request.user, data=dict(form.cleaned_data))
        except NexusError as error:
            _refused(form, error)
        else:
            messages.success(request, "Question asked. Followers of its topics hear about it.")
            return redirect("community:question", question_id=question.pk)
    status = 400 if form.is_bound else 200
    return render(request, "community/question_ask.html", {"form": form}, status=status)


def _answer_context(request: HttpRequest, answer: Any, question: Any) -> dict[str, Any]:
    return {
        "answer": answer,
        "question": question,
        "counts": reaction_counts("answer", [answer.pk])[answer.pk],
        "mine": reactions_of_user(request.user, "answer", [answer.pk])[answer.pk],
        "my_vote": votes_of_user(request.user, [answer.pk]).get(answer.pk, 0),
        "can_vote": request.user.is_authenticated and can_vote_answer(request.user, answer),
        "can_accept": can_accept_answer(request.user, question),
    }


def question_detail(request: HttpRequest, question_id: int, answer_form: AnswerForm | None = None) -> HttpResponse:
    question = question_get(question_id)
    answers = list(answer_list(question))
    ids = [answer.pk for answer in answers]
    counts, mine = reaction_counts("answer", ids), reactions_of_user(request.user, "answer", ids)
    votes = votes_of_user(request.user, ids)
    can_accept = can_accept_answer(request.user, question)
    rows = [
        {
            "answer": answer,
            "counts": counts[answer.pk],
            "mine": mine[answer.pk],
            "my_vote": votes.get(answer.pk, 0),
            "can_vote": request.user.is_authenticated and can_vote_answer(request.user, answer),
            "can_accept": can_accept,
        }
        for answer in answers
    ]
    context = {
        "question": question,
        "rows": rows,
        "answer_form": answer_form or AnswerForm(),
        "can_promote": can_promote_question(request.user, question) and question.accepted_answer_id is not None,
        "promoted_entry": entry_for_question(request.user, question.promoted_entry),
        "source_entry": entry_for_question(request.user, question.source_entry),
        "bookmarked": bookmarked(request.user, question=question),
    }
    status = 400 if answer_form is not None and answer_form.errors else 200
    return render(request, "community/question_detail.html", context, status=status)


@require_POST
@login_required
def answer_create(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_get(question_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer = answer_post(actor=request.user, question=question, body=form.cleaned_data["body"])
        except NexusError as error:
            _refused(form, error)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                answer.score = 0  # type: ignore[attr-defined]
                return render(request, "community/_answer.html", _answer_context(request, answer, question), status=201)
            messages.success(request, "Answer posted.")
            return redirect(f"/questions/{question.pk}/#answer-{answer.pk}")
    if request.htmx:  # type: ignore[attr-defined]
        message = " ".join(str(m) for field in form.errors.values() for m in field)
        return render(request, "community/_form_error.html", {"message": message}, status=400)
    return question_detail(request, question_id, answer_form=form)


@require_POST
@login_required
def answer_vote_view(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = answer_get(answer_id)
    raw = request.POST.get("value", "")
    if raw not in ("1", "-1", "0"):
        raise InvalidInput(details={"value": ["Vote 1 (up), -1 (down) or 0 (take it back)."]})
    vote = answer_vote(actor=request.user, answer=answer, value=int(raw))
    if request.htmx:  # type: ignore[attr-defined]
        context = {"answer": answer, "score": answer_score(answer), "my_vote": vote, "can_vote": True}
        return render(request, "community/_vote.html", context)
    return redirect(f"/questions/{answer.question_id}/#answer-{answer.pk}")


@require_POST
@login_required
def answer_accept_view(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = answer_get(answer_id)
    answer_accept(actor=request.user, answer=answer)
    messages.success(request, "Answer accepted.")
    return redirect(f"/questions/{answer.question_id}/#answer-{answer.pk}")


@require_POST
@login_required
def question_promote_view(request: HttpRequest, question_id: int) -> HttpResponse:
    entry = question_promote(actor=request.user, question=question_get(question_id))
    messages.success(request, "Your question and its accepted answer are now a challenge entry in your hub.")
    return redirect(entry_url(entry))


@require_POST
@login_required
def entry_ask_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    question = question_ask_from_entry(actor=request.user, entry=entry_visible(request.user, entry_id))
    messages.success(request, "Your open challenge is now a question the cohort can answer.")
    return redirect("community:question", question_id=question.pk)


# --- Projects, requests, teams ------------------------------------------------------------


def project_board(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            try:
                project = project_add(actor=request.user, data=dict(form.cleaned_data))
            except NexusError as error:
                _refused(form, error)
            else:
                messages.success(request, f"{project.title} is on the board.")
                return redirect("community:project", slug=project.slug)
    context = {"projects": list(project_list()), "form": form, "can_add": can_add_project(request.user)}
    return render(request, "community/project_board.html", context, status=400 if form.errors else 200)


def project_detail(request: HttpRequest, slug: str, form: AnnouncementForm | None = None) -> HttpResponse:
    project = project_get(slug)
    mine = announcement_of(request.user, project)
    if form is None:
        initial: dict[str, Any] = {"track": request.user.profile.track if request.user.is_authenticated else ""}
        if mine is not None:
            initial = {
                "track": mine.track,
                "stack": [tech.slug for tech in mine.stack.all()],
                "timezone": mine.timezone,
                "note": mine.note,
                "repository_url": mine.repository_url,
                "api_docs_url": mine.api_docs_url,
            }
        form = AnnouncementForm(initial=initial)
    context = {
        "project": project,
        "announcements": list(announcement_list(project)[:100]),
        "mine": mine,
        "matches": match_list(mine) if mine is not None else [],
        "teams": list(team_list_for_project(project)),
        "form": form,
        "request_form": CollaborationRequestForm(),
    }
    return render(request, "community/project_detail.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def project_announce(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_get(slug)
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            announcement_save(actor=request.user, project=project, data=dict(form.cleaned_data))
        except NexusError as error:
            _refused(form, error)
        else:
            messages.success(request, "Announced. Suggested collaborators are below.")
            return redirect("community:project", slug=project.slug)
    return project_detail(request, slug, form=form)


@require_POST
@login_required
def collaboration_request_create(request: HttpRequest, announcement_id: int) -> HttpResponse:
    recipient = announcement_get(announcement_id)
    form = CollaborationRequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    collaboration_request_send(actor=request.user, recipient=recipient, message=message)
    messages.success(request, f"Request sent to {recipient.user.profile.name}.")
    return redirect("community:project", slug=recipient.project.slug)


@login_required
def request_inbox(request: HttpRequest) -> HttpResponse:
    context = {
        "received": list(request_list_for_user(request.user, box="received")[:50]),
        "sent": list(request_list_for_user(request.user, box="sent")[:50]),
    }
    return render(request, "community/requests.html", context)


@require_POST
@login_required
def request_answer_view(request: HttpRequest, request_id: int) -> HttpResponse:
    found = request_get_for_user(request.user, request_id)
    accept = request.POST.get("decision") == "accept"
    answered = collaboration_request_answer(actor=request.user, request=found, accept=accept)
    if accept:
        messages.success(request, f"You and {found.sender.user.profile.name} are a team now.")
        team_id = announcement_get(answered.recipient_id).team_id
        return redirect("community:team", team_id=team_id)
    messages.info(request, "Request declined.")
    return redirect("community:requests")


def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_get(team_id)
    members = list(team.members.all())
    api_docs = [m for m in members if m.api_docs_url and m.track != "frontend"]
    return render(request, "community/team.html", {"team": team, "members": members, "api_docs": api_docs})
