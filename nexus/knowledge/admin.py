from django.contrib import admin

from nexus.knowledge.models import EditProposal, Entry, Hub, Revision, Tag, Technology, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


admin.site.register(Tag)


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "visibility", "cohort"]
    list_select_related = ["owner"]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only here: entries change through their services, which keep revisions."""

    list_display = ["title", "hub", "kind", "status", "version", "updated_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["hub"]
    search_fields = ["title"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def, override]
        return False

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def, override]
        return False


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["entry", "number", "author", "created_at"]
    list_select_related = ["entry", "author"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def, override]
        return False

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def, override]
        return False


@admin.register(EditProposal)
class EditProposalAdmin(admin.ModelAdmin):
    list_display = ["id", "entry", "author", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["entry", "author"]
