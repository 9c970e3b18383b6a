from django.contrib import admin

from nexus.community.models import (
    Announcement,
    Answer,
    CollaborationRequest,
    Comment,
    Project,
    Question,
    Team,
)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "entry", "proposal", "author", "created_at", "deleted_at"]
    raw_id_fields = ["entry", "proposal", "parent", "author"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "created_at"]
    raw_id_fields = ["author", "accepted_answer", "source_entry", "promoted_entry"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["id", "question", "author", "created_at"]
    raw_id_fields = ["question", "author"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_capstone"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "track", "timezone", "team"]
    raw_id_fields = ["user", "team"]


admin.site.register(Team)
admin.site.register(CollaborationRequest)
