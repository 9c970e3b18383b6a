"""The community demo: discussions on demo entries, questions with accepted answers (one
promoted), projects with teams; loading twice adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from nexus.community.models import Announcement, Comment, Question, Team

pytestmark = pytest.mark.django_db


def test_demo_has_discussions_answered_questions_and_teams() -> None:
    call_command("nexus_demo", stdout=StringIO())
    counts = (Comment.objects.count(), Question.objects.count(), Announcement.objects.count(), Team.objects.count())
    assert counts == (5, 3, 7, 2)
    assert Comment.objects.filter(parent__isnull=False).count() == 2
    assert Question.objects.filter(accepted_answer__isnull=False).count() == 2
    promoted = Question.objects.get(promoted_entry__isnull=False)
    assert promoted.promoted_entry.hub.owner.username == "lucia"
    team = Team.objects.get(project__slug="online-poll")
    assert sorted(team.members.values_list("user__username", flat=True)) == ["dawit", "tomas"]
    out = StringIO()
    call_command("nexus_demo", stdout=out)
    assert "Community: 0 comments, 0 questions, 0 project announcements, 0 teams" in out.getvalue()
    assert Comment.objects.count() == 5
