from __future__ import annotations

from typing import Any

from nexus.community.models import Announcement, Answer, Comment, Project, Question
from nexus.community.services import announcement_save, answer_post, comment_post, question_ask
from nexus.knowledge.models import Entry


def make_comment(author: Any, entry: Entry, body: str = "Nice write-up.", parent: Comment | None = None) -> Comment:
    return comment_post(actor=author, entry=entry, body=body, parent=parent)


def make_question(author: Any, **data: Any) -> Question:
    fields = {"title": "How do I stop N+1 queries?", "body": "My list view runs one query per row.", **data}
    return question_ask(actor=author, data=fields)


def make_answer(author: Any, question: Question, body: str = "Use select_related.") -> Answer:
    return answer_post(actor=author, question=question, body=body)


def make_announcement(user: Any, project: Project | str = "online-poll", **data: Any) -> Announcement:
    if isinstance(project, str):
        project = Project.objects.get(slug=project)
    fields = {"timezone": "Europe/Lisbon", **data}
    return announcement_save(actor=user, project=project, data=fields)
