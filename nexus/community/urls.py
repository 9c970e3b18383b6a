from django.urls import path, register_converter

from nexus.community import views


class IdConverter:
    """An id that fits a 64-bit key; longer digit runs are a 404 here, not a database error."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "community_id")

app_name = "community"

urlpatterns = [
    path("entries/<community_id:entry_id>/comments/", views.comment_create, name="comment-create"),
    path("entries/<community_id:entry_id>/discussion/", views.discussion_page, name="discussion-page"),
    path("entries/<community_id:entry_id>/ask/", views.entry_ask_view, name="entry-ask"),
    path(
        "proposals/<community_id:proposal_id>/comments/",
        views.proposal_comment_create,
        name="proposal-comment-create",
    ),
    path("proposals/<community_id:proposal_id>/review/", views.proposal_review_view, name="proposal-review"),
    path("comments/<community_id:comment_id>/edit/", views.comment_edit_view, name="comment-edit"),
    path("comments/<community_id:comment_id>/reply/", views.comment_reply_view, name="comment-reply"),
    path("comments/<community_id:comment_id>/delete/", views.comment_delete_view, name="comment-delete"),
    path("react/", views.reaction_view, name="react"),
    path("bookmark/", views.bookmark_view, name="bookmark"),
    path("bookmarks/", views.bookmark_list, name="bookmarks"),
    path("questions/", views.question_index, name="question-list"),
    path("questions/ask/", views.question_ask_view, name="question-ask"),
    path("questions/<community_id:question_id>/", views.question_detail, name="question"),
    path("questions/<community_id:question_id>/answer/", views.answer_create, name="answer-create"),
    path("questions/<community_id:question_id>/promote/", views.question_promote_view, name="question-promote"),
    path("answers/<community_id:answer_id>/vote/", views.answer_vote_view, name="answer-vote"),
    path("answers/<community_id:answer_id>/accept/", views.answer_accept_view, name="answer-accept"),
    path("projects/", views.project_board, name="project-board"),
    path("projects/<slug:slug>/", views.project_detail, name="project"),
    path("projects/<slug:slug>/announce/", views.project_announce, name="project-announce"),
    path(
        "announcements/<community_id:announcement_id>/request/",
        views.collaboration_request_create,
        name="request-create",
    ),
    path("requests/", views.request_inbox, name="requests"),
    path("requests/<community_id:request_id>/answer/", views.request_answer_view, name="request-answer"),
    path("teams/<community_id:team_id>/", views.team_detail, name="team"),
]
