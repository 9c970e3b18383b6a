from django.urls import path, register_converter

from nexus.knowledge.views import entries, hubs, proposals


class NumberConverter:
    """A positive number that fits the database's integer columns (bigger ones are 404s)."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class UsernameConverter:
    """The characters a username may have; anything else (a NUL byte, say) is a 404 here,
    before it reaches a database that refuses it."""

    regex = r"[\w.@+-]{1,150}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(NumberConverter, "knowledge_number")
register_converter(UsernameConverter, "knowledge_username")

app_name = "knowledge"

ENTRY = "h/<knowledge_username:username>/<slug:slug>/"

urlpatterns = [
    path("h/", hubs.hub_list, name="hub-list"),
    path("h/<knowledge_username:username>/", hubs.hub_detail, name="hub"),
    path(ENTRY, entries.entry_detail, name="entry"),
    path(f"{ENTRY}edit/", entries.entry_edit, name="entry-edit"),
    path(f"{ENTRY}reverify/", entries.entry_reverify_view, name="entry-reverify"),
    path(f"{ENTRY}history/", entries.entry_history, name="entry-history"),
    path(f"{ENTRY}diff/", entries.entry_diff, name="entry-diff"),
    path(
        f"{ENTRY}revisions/<knowledge_number:number>/restore/", entries.revision_restore_view, name="revision-restore"
    ),
    path(f"{ENTRY}suggest/", entries.entry_suggest, name="entry-suggest"),
    path("write/", entries.entry_write, name="entry-write"),
    path("preview/", entries.preview, name="preview"),
    path("proposals/<knowledge_number:proposal_id>/", proposals.proposal_detail, name="proposal"),
    path("proposals/<knowledge_number:proposal_id>/merge/", proposals.proposal_merge_view, name="proposal-merge"),
    path("proposals/<knowledge_number:proposal_id>/edit/", proposals.proposal_edit, name="proposal-edit"),
    path("proposals/<knowledge_number:proposal_id>/rebase/", proposals.proposal_rebase_view, name="proposal-rebase"),
    path("topics/", hubs.topic_index, name="topic-list"),
    path("topics/<slug:slug>/", hubs.topic_detail, name="topic"),
    path("technologies/<slug:slug>/", hubs.technology_detail, name="technology"),
]
