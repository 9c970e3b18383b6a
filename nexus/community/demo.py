"""The community part of the demo cohort (idempotent): discussions on demo entries,
questions with accepted answers (one promoted into an entry), and projects with teams.
Every text here is ours, written for the demo."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from nexus.accounts.models import User
from nexus.community.models import Announcement, CollaborationRequest, Comment, Project, Question, RequestStatus
from nexus.community.selectors import comment_list_for_entry
from nexus.community.services import (
    announcement_save,
    answer_accept,
    answer_post,
    answer_vote,
    collaboration_request_answer,
    collaboration_request_send,
    comment_post,
    question_ask,
    question_promote,
    reaction_set,
)
from nexus.knowledge.models import Entry

# (entry owner, entry title, [(author, text, reply-to index or None)])
DEMO_DISCUSSIONS: list[tuple[str, str, list[tuple[str, str, int | None]]]] = [
    (
        "amara",
        "Caching strategies",
        [
            (
                "tomas",
                "From the client side: if the list is cached for five minutes, can the API send an "
                '`Age` header? I would show "updated 3 min ago" instead of guessing.',
                None,
            ),
            (
                "amara",
                "Good idea, @tomas. The cache knows when it stored the value, so the header is cheap. "
                "Adding it this week.",
                0,
            ),
            (
                "grace",
                "Write down what invalidates each cached value next to the key. Future you will thank present you.",
                None,
            ),
        ],
    ),
    (
        "kenji",
        "A test order charged twice",
        [
            ("priya", "Same family of bug as my lost Celery tasks: anything retried must be safe to run twice.", None),
            ("kenji", "Exactly. The idempotency key now lives in a unique constraint, not in a Python check.", 0),
        ],
    ),
]

# (asker, title, body, topics, technologies, [(answerer, answer)], accepted index, voters of it, promote)
DEMO_QUESTIONS: list[tuple[str, str, str, list[str], list[str], list[tuple[str, str]], int | None, list[str], bool]] = [
    (
        "lucia",
        "How should a feed page without skipping posts?",
        "My social feed uses `?page=2`. When someone posts while I scroll, page 2 shows a post I "
        "already saw. What should I ask the backend for?",
        ["rest-apis"],
        ["django-rest-framework"],
        [
            (
                "sofia",
                "Ask for cursor pagination: the next page starts after the last post you saw, so new "
                "posts at the top cannot shift it. DRF ships `CursorPagination`; order by a unique, "
                "increasing column such as the id.",
            ),
            (
                "kenji",
                "Offsets also get slow deep into a table, because the database still walks the "
                "skipped rows. A cursor is an index lookup.",
            ),
        ],
        0,
        ["lucia", "tomas", "kenji"],
        True,
    ),
    (
        "tomas",
        "Polling or subscriptions for live poll results?",
        "The voting screen should update while people vote. Is polling every few seconds acceptable, "
        "or do I need GraphQL subscriptions?",
        ["graphql"],
        ["graphql"],
        [
            (
                "dawit",
                "Start with polling every 5 s against a cached results query: it is one cheap read. "
                "Subscriptions need a long-lived connection per viewer; worth it only when polling hurts.",
            ),
        ],
        0,
        ["tomas"],
        False,
    ),
    (
        "amara",
        "Where should recommendation scores be computed?",
        "Computing scores on every request makes the movie page slow. Should a Celery task precompute them?",
        ["asynchronous-programming", "performance"],
        ["celery"],
        [],
        None,
        [],
        False,
    ),
]

# (username, project, track, stack, time zone, note, api docs url)
DEMO_ANNOUNCEMENTS: list[tuple[str, str, str, list[str], str, str, str]] = [
    (
        "dawit",
        "online-poll",
        "backend",
        ["django", "graphql", "postgresql"],
        "Africa/Addis_Ababa",
        "Poll API with one vote per user enforced by the database.",
        "https://poll-api.demo.nexus.invalid/api/docs/",
    ),
    ("tomas", "online-poll", "frontend", ["graphql"], "Europe/Stockholm", "Voting screen with live results.", ""),
    (
        "amara",
        "movie-recommendation",
        "backend",
        ["django", "redis", "celery"],
        "Africa/Lagos",
        "Recommendations API; looking for someone who likes charts.",
        "https://movies.demo.nexus.invalid/api/docs/",
    ),
    (
        "lucia",
        "social-media-feed",
        "frontend",
        ["graphql", "django-rest-framework"],
        "Europe/Madrid",
        "Vue client for the feed, infinite scroll done right.",
        "",
    ),
    (
        "sofia",
        "social-media-feed",
        "full-stack",
        ["django", "graphql", "postgresql"],
        "Europe/Rome",
        "Feed backend first, then the htmx admin pages.",
        "https://feed.demo.nexus.invalid/graphql/",
    ),
    (
        "kenji",
        "e-commerce-backend",
        "backend",
        ["django", "postgresql", "docker"],
        "Asia/Tokyo",
        "Products, carts, orders; idempotent checkout.",
        "https://shop.demo.nexus.invalid/api/docs/",
    ),
    (
        "priya",
        "job-board",
        "full-stack",
        ["django", "celery", "rabbitmq"],
        "Asia/Kolkata",
        "Both ends of the job board; e-mail alerts through Celery.",
        "",
    ),
]

# (sender, recipient, project, message, accept)
DEMO_REQUESTS: list[tuple[str, str, str, str, bool]] = [
    ("tomas", "dawit", "online-poll", "I would love to build the voting screen on your API.", True),
    ("lucia", "sofia", "social-media-feed", "Your feed API and my Vue client?", True),
]


def _user(username: str) -> User:
    return User.objects.select_related("profile").get(username=username)


def _discussions() -> int:
    made = 0
    for owner, title, comments in DEMO_DISCUSSIONS:
        entry = Entry.objects.select_related("hub__owner").filter(hub__owner__username=owner, title=title).first()
        if entry is None or comment_list_for_entry(entry).exists():
            continue
        posted: list[Comment] = []
        for author, text, reply_to in comments:
            parent = posted[reply_to] if reply_to is not None else None
            posted.append(comment_post(actor=_user(author), entry=entry, body=text, parent=parent))
            made += 1
        reaction_set(actor=_user(comments[0][0]), target=entry, kind="helpful")
        reaction_set(actor=_user("grace"), target=posted[0], kind="insightful")
    return made


def _questions() -> int:
    made = 0
    for asker, title, body, topics, technologies, answers, accepted, voters, promote in DEMO_QUESTIONS:
        if Question.objects.filter(author__username=asker, title=title).exists():
            continue
        author = _user(asker)
        question = question_ask(
            actor=author, data={"title": title, "body": body, "topics": topics, "technologies": technologies}
        )
        posted = [answer_post(actor=_user(who), question=question, body=text) for who, text in answers]
        if accepted is not None:
            for voter in voters:
                if posted[accepted].author.username != voter:
                    answer_vote(actor=_user(voter), answer=posted[accepted], value=1)
            answer_accept(actor=author, answer=posted[accepted])
            if promote:
                question.refresh_from_db()
                question_promote(actor=author, question=question)
        made += 1
    return made


def _projects() -> tuple[int, int]:
    announced = teams = 0
    for username, slug, track, stack, zone, note, docs in DEMO_ANNOUNCEMENTS:
        project = Project.objects.filter(slug=slug).first()
        if project is None or Announcement.objects.filter(project=project, user__username=username).exists():
            continue
        data: dict[str, Any] = {"track": track, "stack": stack, "timezone": zone, "note": note, "api_docs_url": docs}
        announcement_save(actor=_user(username), project=project, data=data)
        announced += 1
    for sender, recipient, slug, message, accept in DEMO_REQUESTS:
        target = Announcement.objects.filter(project__slug=slug, user__username=recipient).first()
        if (
            target is None
            or CollaborationRequest.objects.filter(sender__user__username=sender, recipient=target).exists()
        ):
            continue
        request = collaboration_request_send(actor=_user(sender), recipient=target, message=message)
        if accept:
            collaboration_request_answer(actor=_user(recipient), request=request, accept=True)
            teams += 1
    return announced, teams


def community_demo_load() -> dict[str, int]:
    """Load the community demo; a second run adds nothing."""
    with transaction.atomic():
        comments = _discussions()
        questions = _questions()
        announcements, teams = _projects()
    pending = CollaborationRequest.objects.filter(status=RequestStatus.PENDING).count()
    return {
        "comments": comments,
        "questions": questions,
        "announcements": announcements,
        "teams": teams,
        "pending": pending,
    }
