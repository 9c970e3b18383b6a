"""The knowledge REST API through HTTP: entries, ETags, concurrent edits, revisions,
proposals, vocabulary, bad input, and query counts that do not grow with page size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import bearer
from nexus.accounts.services import profile_update
from nexus.knowledge.models import EntryKind, EntryStatus
from nexus.knowledge.rest import EntryDetailOutput, EntryOutput, entry_detail_output, entry_output
from nexus.knowledge.selectors import entries_load_vocabulary, entry_get_for_user, entry_summaries_visible_to
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

DOC = "## Setup\n\nInstall Redis.\n\n## Usage\n\nCall cache.get.\n"


def create(api_client: Any, user: Any, **fields: Any) -> Any:
    body = {"kind": "concept", "title": "Caching", "body": DOC, "status": "published", **fields}
    return api_client.post("/api/v1/entries", body, format="json", **bearer(user))


def test_create_returns_the_entry_its_revision_and_warnings(api_client: Any, owner: Any) -> None:
    response = create(api_client, owner, topics=["caching"], tags=["redis"], body="```\nx\n```\n")
    assert response.status_code == 201
    body = response.json()
    assert body["revision"] == 1
    assert body["merged"] is False
    assert [w["code"] for w in body["warnings"]] == ["code_without_language"]
    entry = body["entry"]
    assert (entry["hub"], entry["kind"], entry["slug"], entry["version"]) == ("owner", "concept", "caching", 1)
    assert entry["topics"] == [{"slug": "caching", "name": "Caching"}]
    assert entry["tags"] == ["redis"]
    assert entry["url"] == "/h/owner/caching/"
    assert response["ETag"].startswith(f'"e{entry["id"]}-r1-')


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "recipe"}, "kind"),
        ({"title": "x" * 201}, "title"),
        ({"week": -1}, "week"),
        ({"week": 10**9}, "week"),
        ({"topics": ["knitting"]}, "topics"),
        ({"title": "nul\u0000byte"}, "title"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_entries_are_400_and_nothing_is_written(api_client: Any, owner: Any, fields: dict, field: str) -> None:
    response = create(api_client, owner, **fields)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert api_client.get("/api/v1/entries", **bearer(owner)).json()["results"] == []


def test_oversized_body_is_400_with_its_own_code(api_client: Any, owner: Any) -> None:
    response = create(api_client, owner, body="word " * 60_000)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "markdown_too_large"


def test_anonymous_cannot_write(api_client: Any) -> None:
    response = api_client.post("/api/v1/entries", {"kind": "note", "title": "Hi"}, format="json")
    assert response.status_code == 401


def test_detail_has_markdown_html_toc_and_an_etag(api_client: Any, owner: Any) -> None:
    entry = make_entry(owner, body=DOC)
    response = api_client.get(f"/api/v1/entries/{entry.pk}")
    assert response.status_code == 200
    assert response.json()["body"] == DOC
    assert '<h2 id="setup">Setup</h2>' in response.json()["html"]
    assert [item["anchor"] for item in response.json()["toc"]] == ["setup", "usage"]
    again = api_client.get(f"/api/v1/entries/{entry.pk}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_drafts_of_others_are_404(api_client: Any, owner: Any, member: Any) -> None:
    draft = make_entry(owner, status="draft")
    response = api_client.get(f"/api/v1/entries/{draft.pk}", **bearer(member))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "entry_not_found"
    assert api_client.get(f"/api/v1/entries/{draft.pk}", **bearer(owner)).status_code == 200


def test_patch_with_if_match(api_client: Any, owner: Any) -> None:
    entry = make_entry(owner, body=DOC)
    etag = api_client.get(f"/api/v1/entries/{entry.pk}")["ETag"]
    response = api_client.patch(
        f"/api/v1/entries/{entry.pk}", {"body": DOC + "More.\n"}, format="json", HTTP_IF_MATCH=etag, **bearer(owner)
    )
    assert response.status_code == 200
    assert (response.json()["revision"], response.json()["entry"]["version"]) == (2, 2)


def test_patch_without_a_base_revision_is_400(api_client: Any, owner: Any) -> None:
    entry = make_entry(owner)
    response = api_client.patch(f"/api/v1/entries/{entry.pk}", {"body": "x"}, format="json", **bearer(owner))
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["base_revision"]


def test_stale_overlapping_patch_is_409_with_the_current_revision(api_client: Any, owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    url = f"/api/v1/entries/{entry.pk}"
    first = {"body": DOC.replace("Install Redis.", "Install Redis 7."), "base_revision": 1}
    assert api_client.patch(url, first, format="json", **bearer(mentor)).status_code == 200
    second = {"body": DOC.replace("Install Redis.", "Use Memcached."), "base_revision": 1}
    response = api_client.patch(url, second, format="json", **bearer(owner))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "entry_conflict"
    assert error["details"]["current_revision"] == 2
    assert error["details"]["conflicts"]["body"][0]["yours"] == "Use Memcached.\n"


def test_stale_patch_elsewhere_is_merged(api_client: Any, owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    url = f"/api/v1/entries/{entry.pk}"
    api_client.patch(
        url,
        {"body": DOC.replace("Install Redis.", "Install Redis 7."), "base_revision": 1},
        format="json",
        **bearer(mentor),
    )
    response = api_client.patch(
        url, {"body": DOC.replace("cache.get", "cache.get_many"), "base_revision": 1}, format="json", **bearer(owner)
    )
    assert response.status_code == 200
    assert response.json()["merged"] is True
    assert "Install Redis 7." in response.json()["entry"]["body"]
    assert "cache.get_many" in response.json()["entry"]["body"]


def test_member_cannot_patch_and_gets_403(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    response = api_client.patch(
        f"/api/v1/entries/{entry.pk}", {"body": "x", "base_revision": 1}, format="json", **bearer(member)
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_revisions_diff_and_restore(api_client: Any, owner: Any) -> None:
    entry = make_entry(owner, body="one\n")
    url = f"/api/v1/entries/{entry.pk}"
    api_client.patch(url, {"body": "two\n", "base_revision": 1, "message": "Second"}, format="json", **bearer(owner))
    revisions = api_client.get(f"{url}/revisions").json()["results"]
    assert [(r["number"], r["message"], r["author"]) for r in revisions] == [
        (2, "Second", "owner"),
        (1, "Created", "owner"),
    ]
    assert api_client.get(f"{url}/revisions/1").json()["body"] == "one\n"
    diff = api_client.get(f"{url}/diff", {"from": 1, "to": 2}).json()
    assert [d["field"] for d in diff] == ["body"]
    assert diff[0]["rows"][0]["old_html"] == "<del>one</del>\n"
    assert diff[0]["unified"].splitlines()[-2:] == ["-one", "+two"]
    assert api_client.get(f"{url}/diff", {"from": "x", "to": 2}).status_code == 400
    assert api_client.get(f"{url}/revisions/9").status_code == 404
    restored = api_client.post(f"{url}/revisions/1/restore", **bearer(owner))
    assert (restored.json()["revision"], restored.json()["entry"]["body"]) == (3, "one\n")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        # "²".isdigit() is true, yet int("²") raises: it used to be a 500.
        ({"from": "²", "to": "2"}, "from"),
        ({"from": "1", "to": "99999999999"}, "to"),
        ({"from": "\u0661", "to": "2"}, "from"),  # ARABIC-INDIC DIGIT ONE: a digit, but not ASCII
        ({"to": "2"}, "from"),
        ({"from": "-1", "to": "2"}, "from"),
    ],
)
def test_diff_needs_two_plain_revision_numbers(api_client: Any, owner: Any, query: dict, field: str) -> None:
    entry = make_entry(owner, body="one\n")
    response = api_client.get(f"/api/v1/entries/{entry.pk}/diff", query)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Pick two revisions to compare: ?from=N&to=M with revision numbers.",
            "details": {field: ["A revision number (digits 0-9, at most 9 of them) is required."]},
        }
    }


def test_publish_and_unpublish(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, status="draft")
    assert api_client.post(f"/api/v1/entries/{entry.pk}/publish", **bearer(owner)).json()["status"] == "published"
    assert api_client.get(f"/api/v1/entries/{entry.pk}", **bearer(member)).status_code == 200
    assert api_client.post(f"/api/v1/entries/{entry.pk}/unpublish", **bearer(member)).status_code == 403
    assert api_client.post(f"/api/v1/entries/{entry.pk}/unpublish", **bearer(owner)).json()["status"] == "draft"


def test_proposal_flow_over_http(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = api_client.post(
        "/api/v1/proposals",
        {
            "entry": entry.pk,
            "base_revision": 1,
            "message": "Pin the version",
            "body": DOC.replace("Redis.", "Redis 7."),
        },
        format="json",
        **bearer(member),
    )
    assert proposal.status_code == 201
    pid = proposal.json()["id"]
    diff = api_client.get(f"/api/v1/proposals/{pid}/diff", **bearer(owner)).json()
    assert diff[0]["field"] == "body"
    comment = api_client.post(f"/api/v1/proposals/{pid}/comments", {"body": "Thanks!"}, format="json", **bearer(owner))
    assert comment.status_code == 201
    assert api_client.post(f"/api/v1/proposals/{pid}/merge", **bearer(member)).status_code == 403
    merged = api_client.post(f"/api/v1/proposals/{pid}/merge", **bearer(owner))
    assert merged.status_code == 200
    assert merged.json()["revision"] == 2
    again = api_client.post(f"/api/v1/proposals/{pid}/merge", **bearer(owner))
    assert (again.status_code, again.json()["error"]["code"]) == (400, "proposal_closed")
    own = api_client.post(
        "/api/v1/proposals",
        {"entry": entry.pk, "base_revision": 2, "message": "m", "body": "x"},
        format="json",
        **bearer(owner),
    )
    assert (own.status_code, own.json()["error"]["code"]) == (400, "own_entry_proposal")


def test_revising_a_proposal_over_http(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    created = api_client.post(
        "/api/v1/proposals",
        {"entry": entry.pk, "base_revision": 1, "message": "Pin", "body": DOC.replace("Redis.", "Redis 7.")},
        format="json",
        **bearer(member),
    ).json()
    api_client.post(
        f"/api/v1/proposals/{created['id']}/review", {"decision": "request-changes"}, format="json", **bearer(owner)
    )
    url = f"/api/v1/proposals/{created['id']}"
    denied = api_client.patch(url, {"body": "Mine now"}, format="json", **bearer(owner))
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "permission_denied")
    unknown = api_client.patch(url, {"week": 3}, format="json", **bearer(member))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "invalid")
    revised = api_client.patch(
        url, {"body": DOC.replace("Redis.", "Redis 7.2."), "message": "Pin the minor"}, format="json", **bearer(member)
    )
    assert revised.status_code == 200
    assert (revised.json()["status"], revised.json()["message"]) == ("open", "Pin the minor")
    assert "Redis 7.2." in api_client.get(url, **bearer(owner)).json()["body"]


def test_vocabulary_lists(api_client: Any) -> None:
    topics = api_client.get("/api/v1/topics").json()
    assert {"slug": "caching", "name": "Caching"}.items() <= topics[
        [t["slug"] for t in topics].index("caching")
    ].items()
    technologies = {t["slug"]: t for t in api_client.get("/api/v1/technologies").json()}
    assert technologies["django-rest-framework"]["aliases"] == ["DRF"]


def test_tags_page_by_name_and_narrow_by_prefix(api_client: Any, owner: Any) -> None:
    make_entry(owner, tags=[f"tag-{n:02}" for n in range(10)])
    make_entry(owner, title="Other", tags=["celery", "cache"])
    first = api_client.get("/api/v1/tags", {"page_size": 5}).json()
    assert [tag["name"] for tag in first["results"]] == ["cache", "celery", "tag-00", "tag-01", "tag-02"]
    rest = api_client.get(first["next"]).json()
    assert [tag["name"] for tag in rest["results"]] == ["tag-03", "tag-04", "tag-05", "tag-06", "tag-07"]
    narrowed = api_client.get("/api/v1/tags", {"prefix": "C"}).json()
    assert [tag["name"] for tag in narrowed["results"]] == ["cache", "celery"]
    long = api_client.get("/api/v1/tags", {"prefix": "x" * 41})
    assert (long.status_code, long.json()["error"]["code"]) == (400, "invalid")


def test_tags_query_count_does_not_grow(api_client: Any, owner: Any) -> None:
    make_entry(owner, tags=[f"tag-{n:03}" for n in range(10)])
    for n in range(10):
        make_entry(owner, title=f"More {n}", tags=[f"more-{n}-{m}" for m in range(10)])
    assert count_queries(api_client, "/api/v1/tags?page_size=10") == count_queries(
        api_client, "/api/v1/tags?page_size=100"
    )


def test_filters(api_client: Any, owner: Any, member: Any) -> None:
    make_entry(owner, title="A", kind="challenge", problem="p", topics=["caching"])
    make_entry(owner, title="B", kind="weekly-highlight", week=3)
    make_entry(member, title="C", technologies=["redis"])
    titles = lambda **q: sorted(e["title"] for e in api_client.get("/api/v1/entries", q).json()["results"])  # noqa: E731
    assert titles(kind="challenge") == ["A"]
    assert titles(topic="caching") == ["A"]
    assert titles(week=3) == ["B"]
    assert titles(technology="redis") == ["C"]
    assert titles(author="MEMBER") == ["C"]
    assert api_client.get("/api/v1/entries", {"kind": "recipe"}).status_code == 400
    # Ordering applies with filters and without (an unfiltered page skips the FilterSet).
    ordered = lambda **q: [e["title"] for e in api_client.get("/api/v1/entries", q).json()["results"]]  # noqa: E731
    assert ordered(ordering="created_at") == ["A", "B", "C"]
    assert ordered() == ["C", "B", "A"]
    assert ordered(ordering="-created_at", hub="ignored") == ["C", "B", "A"]
    assert ordered(ordering="created_at", author="owner") == ["A", "B"]


def count_queries(api_client: Any, path: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(path, params)
    assert response.status_code == 200
    return len(queries)


def test_entry_list_query_count_does_not_grow_with_page_size(api_client: Any, owner: Any, member: Any) -> None:
    for n in range(60):
        make_entry(
            owner if n % 2 else member, title=f"Entry {n}", topics=["caching"], technologies=["redis"], tags=[f"t{n}"]
        )
    api_client.credentials(**{"HTTP_AUTHORIZATION": bearer(member)["HTTP_AUTHORIZATION"]})
    api_client.get("/api/v1/entries")  # warm the roles map
    # Each URL is read once (not yet in the member's cache), then served from it.
    small = count_queries(api_client, "/api/v1/entries", page_size=10)
    large = count_queries(api_client, "/api/v1/entries", page_size=100)
    assert small == large == 3  # the user; entries with hub and author; their vocabulary in one UNION
    assert count_queries(api_client, "/api/v1/entries", page_size=100) == 1  # cached: the user only


def test_a_member_has_their_own_cached_lists_and_admins_share_theirs(
    api_client: Any, owner: Any, member: Any, outsider: Any
) -> None:
    from nexus.accounts.roles import Role
    from nexus.accounts.services import role_grant
    from nexus.knowledge.services import entry_set_status

    make_entry(owner, title="Published")
    draft = make_entry(owner, title="Owner's draft", status=EntryStatus.DRAFT)
    make_entry(member, title="Member's draft", status=EntryStatus.DRAFT)

    def titles(user: Any) -> list[str]:
        return [e["title"] for e in api_client.get("/api/v1/entries", **bearer(user)).json()["results"]]

    for _ in range(2):  # computed, then from each audience's cache: never another's answer
        assert titles(owner) == ["Owner's draft", "Published"]
        assert titles(member) == ["Member's draft", "Published"]
        assert titles(outsider) == ["Published"]
        assert [e["title"] for e in api_client.get("/api/v1/entries").json()["results"]] == ["Published"]
    role_grant(actor=None, user=outsider, role=Role.ADMIN)  # no entry write: the audience moves
    assert titles(outsider) == ["Member's draft", "Owner's draft", "Published"]
    entry_set_status(actor=owner, entry=draft, status=EntryStatus.PUBLISHED)
    assert titles(member) == ["Member's draft", "Owner's draft", "Published"]
    assert titles(outsider) == ["Member's draft", "Owner's draft", "Published"]


def test_cached_entries_turn_stale_at_midnight_without_a_write(api_client: Any, owner: Any, member: Any) -> None:
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    entry = make_entry(owner, title="Checked", review_by=today)
    url = f"/api/v1/entries/{entry.pk}"
    reads = {
        "list": lambda: api_client.get("/api/v1/entries").json()["results"][0]["is_stale"],
        "member list": lambda: api_client.get("/api/v1/entries", **bearer(member)).json()["results"][0]["is_stale"],
        "detail": lambda: api_client.get(url).json()["is_stale"],
    }
    assert {name: read() for name, read in reads.items()} == dict.fromkeys(reads, False)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: tomorrow)
        assert {name: read() for name, read in reads.items()} == dict.fromkeys(reads, True)


def test_anonymous_lists_are_cached_and_dropped_by_any_entry_write(api_client: Any, owner: Any) -> None:
    from nexus.accounts.services import profile_update
    from nexus.knowledge.services import entry_set_status

    make_entry(owner, title="First")
    assert [e["title"] for e in api_client.get("/api/v1/entries").json()["results"]] == ["First"]
    assert count_queries(api_client, "/api/v1/entries") == 0
    second = make_entry(owner, title="Second")
    assert [e["title"] for e in api_client.get("/api/v1/entries").json()["results"]] == ["Second", "First"]
    entry_set_status(actor=owner, entry=second, status="draft")
    assert [e["title"] for e in api_client.get("/api/v1/entries").json()["results"]] == ["First"]
    profile_update(actor=owner, user=owner, data={"display_name": "O. Owner"})
    assert api_client.get("/api/v1/entries").json()["results"][0]["author"]["display_name"] == "O. Owner"
    assert api_client.get("/api/v1/entries", {"kind": "recipe"}).status_code == 400  # errors are never cached


def test_entry_detail_query_counts(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, topics=["caching"], technologies=["redis"], tags=["x"])
    url = f"/api/v1/entries/{entry.pk}"
    # P2 of DESIGN.md: at most 3. One: the entry with hub, author and its vocabulary.
    assert count_queries(api_client, url) == 1
    assert count_queries(api_client, url) == 0  # anonymous: the cached representation
    api_client.credentials(**{"HTTP_AUTHORIZATION": bearer(member)["HTTP_AUTHORIZATION"]})
    response = api_client.get(url)
    assert (response.json()["topics"], response.json()["technologies"], response.json()["tags"]) == (
        [{"slug": "caching", "name": "Caching"}],
        [{"slug": "redis", "name": "Redis"}],
        ["x"],
    )
    assert count_queries(api_client, url) == 2  # signed in: + the user, never the shared cache


def test_the_cached_entry_is_never_stale_after_a_write(api_client: Any, owner: Any) -> None:
    from nexus.accounts.services import profile_update
    from nexus.knowledge.services import entry_set_status, entry_update, hub_ensure, hub_update

    entry = make_entry(owner, body="first\n")
    url = f"/api/v1/entries/{entry.pk}"
    assert api_client.get(url).json()["body"] == "first\n"
    entry_update(actor=owner, entry=entry, data={"body": "second\n"}, base_version=1)
    assert api_client.get(url).json()["body"] == "second\n"
    profile_update(actor=owner, user=owner, data={"display_name": "Olive the Second"})
    assert api_client.get(url).json()["author"]["display_name"] == "Olive the Second"
    entry_set_status(actor=owner, entry=entry, status="draft")
    assert api_client.get(url).status_code == 404
    entry_set_status(actor=owner, entry=entry, status="published")
    assert api_client.get(url).status_code == 200
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": "private"})
    assert api_client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_cache_is_invalidated_again_after_commit(owner: Any) -> None:
    """A reader between the bump and the commit must not leave the old entry cached."""
    from django.db import transaction
    from rest_framework.test import APIClient

    from nexus.knowledge.services import entry_update

    entry = make_entry(owner, body="first\n")
    url = f"/api/v1/entries/{entry.pk}"
    client = APIClient()
    from nexus.core.cache import cache_get_or_compute
    from nexus.knowledge.caching import ENTRY_CACHE_DEPENDS_ON, entry_cache_scope

    with transaction.atomic():
        entry_update(actor=owner, entry=entry, data={"body": "second\n"}, base_version=1)
        # A concurrent anonymous request still reads the committed "first" and caches it
        # under the version the write just bumped to...
        cache_get_or_compute(
            entry_cache_scope(entry.pk),
            "rest",
            depends_on=ENTRY_CACHE_DEPENDS_ON,
            compute=lambda: (b'{"body": "first\\n"}', '"stale"'),
        )
    # ...and the bump after commit moves the key past it.
    assert client.get(url).json()["body"] == "second\n"


def test_mentors_curate_the_vocabulary(api_client: Any, mentor: Any, member: Any, owner: Any) -> None:
    body = {"name": "Observability", "description": "Logs, metrics and traces."}
    assert api_client.post("/api/v1/topics", body, format="json", **bearer(member)).status_code == 403
    created = api_client.post("/api/v1/topics", body, format="json", **bearer(mentor))
    assert created.status_code == 201
    assert created.json() == {
        "slug": "observability",
        "name": "Observability",
        "description": "Logs, metrics and traces.",
    }
    duplicate = api_client.post("/api/v1/topics", body, format="json", **bearer(mentor))
    assert duplicate.status_code == 400
    # A rename shows at once in cached entries that carry the topic.
    entry = make_entry(owner, topics=["caching"])
    assert api_client.get(f"/api/v1/entries/{entry.pk}").json()["topics"][0]["name"] == "Caching"
    renamed = api_client.patch("/api/v1/topics/caching", {"name": "Caching layers"}, format="json", **bearer(mentor))
    assert renamed.status_code == 200
    assert api_client.get(f"/api/v1/entries/{entry.pk}").json()["topics"][0]["name"] == "Caching layers"
    tech = api_client.post(
        "/api/v1/technologies", {"name": "Valkey", "aliases": ["Redis fork"]}, format="json", **bearer(mentor)
    )
    assert tech.json() == {"slug": "valkey", "name": "Valkey", "aliases": ["Redis fork"]}
    assert (
        api_client.patch("/api/v1/technologies/nope", {"name": "X"}, format="json", **bearer(mentor)).status_code == 404
    )


def test_the_etag_changes_when_the_author_is_renamed(api_client: Any, owner: Any) -> None:
    from nexus.accounts.services import profile_update

    entry = make_entry(owner, body=DOC)
    url = f"/api/v1/entries/{entry.pk}"
    first = api_client.get(url)["ETag"]
    assert api_client.get(url, HTTP_IF_NONE_MATCH=f"W/{first}").status_code == 304  # weak comparison
    profile_update(actor=owner, user=owner, data={"display_name": "Olive the Second"})

    again = api_client.get(url, HTTP_IF_NONE_MATCH=first)

    assert again.status_code == 200
    assert again["ETag"] != first
    assert again.json()["author"]["display_name"] == "Olive the Second"
    assert api_client.get(url, **bearer(owner))["ETag"] == again["ETag"]  # the same bytes for every reader


def test_a_write_answers_the_etag_a_read_then_gives(api_client: Any, owner: Any) -> None:
    entry = make_entry(owner, body=DOC)
    written = api_client.patch(
        f"/api/v1/entries/{entry.pk}", {"body": DOC + "More.\n", "base_revision": 1}, format="json", **bearer(owner)
    )
    assert written["ETag"] == api_client.get(f"/api/v1/entries/{entry.pk}")["ETag"]
    published = api_client.post(f"/api/v1/entries/{entry.pk}/unpublish", **bearer(owner))
    assert published["ETag"] == api_client.get(f"/api/v1/entries/{entry.pk}", **bearer(owner))["ETag"]


def test_delete_an_entry_with_a_suggested_edit(api_client: Any, owner: Any, member: Any) -> None:
    from nexus.knowledge.services import proposal_create

    entry = make_entry(owner)
    proposal_create(actor=member, entry=entry, data={"body": "More.\n"}, base_version=1, message="Add more")
    url = f"/api/v1/entries/{entry.pk}"

    assert api_client.delete(url, **bearer(member)).status_code == 403
    assert api_client.delete(url, **bearer(owner)).status_code == 204
    assert api_client.get(url, **bearer(owner)).status_code == 404


def test_entry_outputs_built_directly_equal_the_serializers(owner: Any, member: Any) -> None:
    """entry_output and entry_detail_output answer what EntryOutput and EntryDetailOutput
    would, field for field, for entries of every shape (the ETag digests depend on it)."""
    make_entry(owner, title="Plain", body="Just text.\n")
    make_entry(
        owner,
        kind=EntryKind.CHALLENGE,
        title="Everything at once",
        summary="A summary.",
        body="# Heading\n\n## Sub\n\nText with `code`.\n",
        problem="It broke.",
        solution="Fixed.",
        outcome="Fast.",
        week=3,
        project="Job board",
        verified_with="Django 5.2",
        review_by="2020-01-31",
        topics=["caching"],
        technologies=["redis", "django"],
        tags=["perf", "lists"],
    )
    make_entry(owner, title="Still a draft", status=EntryStatus.DRAFT, week=1)
    profile_update(actor=member, user=member, data={"display_name": ""})
    make_entry(member, title="By a member without a display name")
    for viewer in (owner, member):
        listed = entries_load_vocabulary(list(entry_summaries_visible_to(viewer)))
        assert listed
        for entry in listed:
            assert entry_output(entry) == EntryOutput(entry).data
            detail = entry_get_for_user(viewer, entry.pk)
            assert entry_detail_output(detail) == EntryDetailOutput(detail).data
