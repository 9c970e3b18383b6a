"""Knowledge pages through the Django test client: hubs, entries, the editor, history,
suggested edits and the vocabulary pages."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexus.accounts.services import profile_update
from nexus.accounts.tests.factories import UserFactory
from nexus.knowledge.models import EditProposal, Entry, ProposalStatus, Revision, Visibility
from nexus.knowledge.services import (
    entry_reverify,
    entry_update,
    hub_ensure,
    hub_update,
    proposal_create,
    vocabulary_save,
)
from nexus.knowledge.tests.factories import make_entry
from nexus.knowledge.views.entries import entry_detail

pytestmark = pytest.mark.django_db

DOC = "## Setup\n\nInstall Redis.\n\n## Usage\n\nCall cache.get.\n\n## Pitfalls\n\nStale data.\n"


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def editor_form(**fields: Any) -> dict[str, Any]:
    """Everything the editor posts, as a browser would send it."""
    return {
        "kind": "concept",
        "title": "Cache-aside",
        "summary": "",
        "body": "## Why\n\nFast reads.\n",
        "problem": "",
        "solution": "",
        "outcome": "",
        "status": "published",
        "week": "",
        "project": "",
        "verified_with": "",
        "review_by": "",
        "tags": "",
        "message": "",
        **fields,
    }


def edit_form(entry: Entry, **fields: Any) -> dict[str, Any]:
    current = {
        "kind": entry.kind,
        "title": entry.title,
        "summary": entry.summary,
        "body": entry.body,
        "status": entry.status,
        "base_revision": str(entry.version),
    }
    return editor_form(**{**current, **fields})


# --- Hub ----------------------------------------------------------------------------------


def test_hub_reads_like_a_readme_in_section_order(owner: Any) -> None:
    hub_update(actor=owner, hub=hub_ensure(owner), data={"intro": "Hi, I am **Olive**."})
    make_entry(owner, kind="note", title="Loose ends")
    make_entry(owner, kind="weekly-highlight", title="Shipped the API", week=3)
    make_entry(owner, kind="weekly-highlight", title="First Django app", week=1)
    make_entry(owner, kind="takeaway", title="Measure first")
    make_entry(owner, kind="best-practice", title="Use select_related")
    make_entry(
        owner,
        kind="challenge",
        title="N+1 queries",
        body="",
        problem="The list page ran 200 queries.",
        solution="select_related on the author.",
    )
    make_entry(owner, kind="concept", title="Idempotency")
    make_entry(owner, kind="technology", title="Redis", technologies=["redis"])

    page = text(Client().get("/h/owner/"))

    assert "<h1>Olive Owner&#x27;s Project Nexus</h1>" in page
    assert "Hi, I am <strong>Olive</strong>." in page
    assert '<a href="/u/owner/"><strong>Olive Owner</strong></a>' in page
    headings = re.findall(r'<section class="hub-section" id="[^"]+">\s*<h2>([^<]+)</h2>', page)
    assert headings == [
        "Technologies",
        "Concepts",
        "Challenges and solutions",
        "Best practices",
        "Takeaways",
        "Weekly highlights",
        "Notes",
    ]
    assert "<dt>Problem</dt><dd>The list page ran 200 queries.</dd>" in page
    assert "<dt>Solution</dt><dd>select_related on the author.</dd>" in page
    assert page.index("Week 1") < page.index("First Django app") < page.index("Week 3") < page.index("Shipped the API")
    assert '<a class="chip tech" href="/technologies/redis/">Redis</a>' in page
    assert "Write an entry" not in page


def test_drafts_show_only_to_the_owner_marked_draft(owner: Any, member: Any) -> None:
    make_entry(owner, title="Public thoughts")
    make_entry(owner, title="Half-baked idea", status="draft")

    mine = text(client_for(owner).get("/h/owner/"))
    assert "Half-baked idea" in mine
    assert re.search(r"Half-baked idea</strong></a>\s*<span class=\"badge draft\">Draft</span>", mine)
    assert '<a class="button" href="/write/">Write an entry</a>' in mine

    for client in (Client(), client_for(member)):
        page = text(client.get("/h/owner/"))
        assert "Public thoughts" in page
        assert "Half-baked idea" not in page
        assert "Write an entry" not in page


def test_unknown_and_private_hubs_are_not_found(owner: Any, member: Any) -> None:
    assert Client().get("/h/nobody/").status_code == 404
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": Visibility.PRIVATE})
    response = client_for(member).get("/h/owner/")
    assert response.status_code == 404
    assert "has no hub you can see" in text(response)
    assert client_for(owner).get("/h/owner/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/h/a%00b/",
        "/h/owner/a%00b/",
        "/h/owner/caching-strategies%00/history/",
        f"/proposals/{10**12}/",
        f"/h/owner/caching-strategies/revisions/{10**12}/restore/",
        "/topics/a%00/",
    ],
)
def test_hostile_urls_are_404s_not_500s(owner: Any, url: str) -> None:
    make_entry(owner)
    assert client_for(owner).get(url).status_code == 404


def test_empty_hub_invites_its_owner_to_write(owner: Any) -> None:
    hub_ensure(owner)
    assert "Your hub is empty" in text(client_for(owner).get("/h/owner/"))
    assert "Nothing here yet." in text(Client().get("/h/owner/"))


def _hub_page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/h/owner/").status_code == 200
    return len(queries)


KINDS = ["technology", "concept", "challenge", "best-practice", "takeaway", "weekly-highlight", "note"]


def _vary(owner: Any, count: int, start: int = 0) -> None:
    for index in range(start, start + count):
        kind = KINDS[index % len(KINDS)]
        extra: dict[str, Any] = {"week": index % 52 + 1} if kind == "weekly-highlight" else {}
        if kind == "challenge":
            extra = {"body": "", "problem": "It broke.", "solution": "Fixed it."}
        make_entry(
            owner,
            kind=kind,
            title=f"Entry {index}",
            topics=["caching"],
            technologies=["redis", "django"],
            tags=[f"tag-{index}"],
            status="draft" if index % 3 == 0 else "published",
            **extra,
        )


@pytest.mark.parametrize("viewer", ["anonymous", "owner"])
def test_hub_page_query_count_does_not_grow_with_entries(owner: Any, viewer: str) -> None:
    client = client_for(owner) if viewer == "owner" else Client()
    _vary(owner, 3)
    client.get("/h/owner/")  # warm the role cache
    three = _hub_page_queries(client)
    _vary(owner, 9, start=3)
    twelve = _hub_page_queries(client)
    assert text(client.get("/h/owner/")).count("Entry ") >= (12 if viewer == "owner" else 8)
    assert three == twelve


def test_hub_list_and_home_link_to_hubs(owner: Any, member: Any) -> None:
    make_entry(owner)
    page = text(Client().get("/h/"))
    assert '<a href="/h/owner/"><strong>Olive Owner&#x27;s Project Nexus</strong></a>' in page
    home = text(Client().get("/"))
    assert '<a class="hub-link" href="/h/owner/">' in home
    assert '<a class="hub-link" href="/h/member/">' not in home  # no hub yet
    assert '<a href="/topics/">Browse topics</a>' in home
    assert '<a href="/h/">Hubs</a>' in home


# --- Entry --------------------------------------------------------------------------------


def test_entry_page_shows_content_toc_and_vocabulary(owner: Any) -> None:
    make_entry(
        owner,
        title="Caching with Redis",
        summary="Why and how.",
        body=DOC + "\n```mermaid\ngraph TD; A-->B\n```\n",
        topics=["caching"],
        technologies=["redis"],
        tags=["perf"],
        verified_with="Redis 7.2",
    )
    response = Client().get("/h/owner/caching-with-redis/")
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Caching with Redis</h1>" in page
    assert '<h2 id="setup">Setup</h2>' in page
    assert '<pre class="mermaid">' in page
    assert '<li class="toc-2"><a href="#setup">Setup</a></li>' in page
    assert '<li class="toc-2"><a href="#pitfalls">Pitfalls</a></li>' in page
    assert '<span class="badge kind kind-concept">Concept</span>' in page
    assert '<a class="chip" href="/topics/caching/">Caching</a>' in page
    assert '<a class="chip tech" href="/technologies/redis/">Redis</a>' in page
    assert '<span class="chip tag">#perf</span>' in page
    assert "<dt>Verified with</dt><dd>Redis 7.2</dd>" in page
    assert 'href="/h/owner/caching-with-redis/history/"' in page
    assert "Stale:" not in page


@pytest.mark.parametrize(
    ("viewer", "edit", "suggest"),
    [("anonymous", False, False), ("owner", True, False), ("member", False, True), ("mentor", True, True)],
)
def test_entry_actions_follow_permissions(request: Any, owner: Any, viewer: str, edit: bool, suggest: bool) -> None:
    make_entry(owner)
    user = None if viewer == "anonymous" else request.getfixturevalue(viewer)
    page = text(client_for(user).get("/h/owner/caching-strategies/"))
    assert ('href="/h/owner/caching-strategies/edit/">Edit</a>' in page) is edit
    assert ('href="/h/owner/caching-strategies/suggest/">Suggest an edit</a>' in page) is suggest


def test_drafts_of_others_are_404_pages(owner: Any, member: Any, mentor: Any) -> None:
    make_entry(owner, title="Secret plan", status="draft")
    pages = ["", "history/", "diff/?from=1&to=1", "edit/", "suggest/"]
    for user in (member, mentor):
        for suffix in pages:
            response = client_for(user).get(f"/h/owner/secret-plan/{suffix}")
            assert response.status_code == 404, suffix
            assert "Secret plan" not in text(response)
            assert "No such entry." in text(response)
    anonymous = [Client().get(f"/h/owner/secret-plan/{suffix}").status_code for suffix in pages]
    assert anonymous == [404, 404, 404, 302, 302]  # the last two ask to log in first
    owner_page = text(client_for(owner).get("/h/owner/secret-plan/"))
    assert '<span class="badge draft">Draft</span>' in owner_page


def test_stale_entry_is_flagged_and_the_owner_reverifies_it(owner: Any, member: Any) -> None:
    entry = make_entry(owner, review_by=datetime.date(2020, 1, 1), verified_with="Django 4.2")
    page = text(client_for(owner).get("/h/owner/caching-strategies/"))
    assert "Stale: review by 1 Jan 2020 has passed." in page
    assert 'action="/h/owner/caching-strategies/reverify/"' in page
    assert 'action="/h/owner/caching-strategies/reverify/"' not in text(client_for(member).get(entry_url(entry)))

    past = client_for(owner).post("/h/owner/caching-strategies/reverify/", {"review_by": "2020-06-01"})
    assert past.status_code == 400
    assert past.context["reverify_form"].errors["review_by"] == ["The next review date must be in the future."]

    denied = client_for(member).post("/h/owner/caching-strategies/reverify/", {"review_by": "2999-01-01"})
    assert denied.status_code == 403
    entry.refresh_from_db()
    assert entry.review_by == datetime.date(2020, 1, 1)

    later = timezone.localdate() + datetime.timedelta(days=90)
    response = client_for(owner).post(
        "/h/owner/caching-strategies/reverify/", {"review_by": later.isoformat(), "verified_with": "Django 5.2"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.review_by, entry.verified_with) == (later, "Django 5.2")
    assert "Stale:" not in text(client_for(owner).get(entry_url(entry)))


def test_the_cached_fragments_of_an_entry_page_follow_every_write_that_changes_them(owner: Any, mentor: Any) -> None:
    """The head and the side facts are kept per process under the values they show
    (views/entries._article_key); no write may leave an anonymous reader the old markup."""
    entry = make_entry(owner, title="Caching", summary="First.", topics=["caching"], technologies=["redis"], tags=["a"])
    url = entry_url(entry)
    reader = Client()
    assert "<h1>Caching</h1>" in text(reader.get(url))

    saved = entry_update(
        actor=owner, entry=entry, data={"title": "Caching, revised", "tags": ["b"]}, base_version=entry.version
    )
    page = text(reader.get(url))
    assert "<h1>Caching, revised</h1>" in page
    assert "· revision 2" in page
    assert '<span class="chip tag">#b</span>' in page
    assert "#a</span>" not in page

    hub_update(actor=owner, hub=saved.entry.hub, data={"title": "Owner's notebook"})
    assert ">Owner&#x27;s notebook</a>" in text(reader.get(url))

    profile_update(actor=owner, user=owner, data={"display_name": "Olu the owner"})
    assert ">Olu the owner</a>" in text(reader.get(url))

    vocabulary_save(actor=mentor, kind="topic", slug="caching", data={"name": "Caching layers"})
    assert '<a class="chip" href="/topics/caching/">Caching layers</a>' in text(reader.get(url))

    entry_reverify(actor=owner, entry=saved.entry, review_by=datetime.date(2999, 1, 1), verified_with="Redis 8")
    assert "<dt>Verified with</dt><dd>Redis 8</dd>" in text(reader.get(url))


def test_an_anonymous_entry_page_is_rendered_once_per_state_and_never_reaches_anyone_else(
    owner: Any, member: Any
) -> None:
    """Anonymous readers share one rendering of a page under every value it shows
    (views/entries._anonymous_page_key): a write shows at once, a signed-in reader gets
    their own page, and a reader with messages waiting sees them."""
    entry = make_entry(owner, title="Caching", body="First body.\n")
    url = entry_url(entry)
    reader = Client()
    first = text(reader.get(url))
    assert "First body." in first
    assert text(reader.get(url)) == first  # the second read is the memoised page

    saved = entry_update(actor=owner, entry=entry, data={"body": "Second body.\n"}, base_version=entry.version)
    page = text(reader.get(url))
    assert "Second body." in page
    assert "First body." not in page

    mine = text(client_for(member).get(url))
    assert f"/u/{member.username}/" in mine
    assert "Log out" in mine
    again = text(reader.get(url))
    assert "Log out" not in again
    assert f"/u/{member.username}/" not in again
    assert "csrfmiddlewaretoken" not in again

    past = timezone.localdate() - datetime.timedelta(days=1)
    Entry.objects.filter(pk=saved.entry.pk).update(review_by=past)  # the day passing, not a write
    assert "Stale: review by" in text(reader.get(url))

    request = RequestFactory().get(url)
    request.user = AnonymousUser()
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    messages.info(request, "Logged out: see you soon.")
    response = entry_detail(request, owner.username, saved.entry.slug)
    assert "Logged out: see you soon." in response.content.decode()
    assert "Logged out: see you soon." not in text(reader.get(url))


def entry_url(entry: Entry, suffix: str = "") -> str:
    return f"/h/{entry.hub.owner.username}/{entry.slug}/{suffix}"


# --- Editor -------------------------------------------------------------------------------


def test_editor_requires_login() -> None:
    response = Client().get("/write/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_editor_creates_an_entry_with_revision_one(owner: Any) -> None:
    client = client_for(owner)
    form = text(client.get("/write/"))
    assert 'hx-post="/preview/"' in form
    assert 'hx-target="#preview"' in form
    assert "X-CSRFToken" in form
    response = client.post(
        "/write/",
        editor_form(
            title="Cache-aside with Redis",
            topics=["caching", "performance"],
            technologies=["redis"],
            tags="Perf Tips, redis",
            verified_with="Redis 7",
            review_by="2999-01-01",
            message="First draft",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == "/h/owner/cache-aside-with-redis/"
    entry = Entry.objects.get()
    assert (entry.kind, entry.status, entry.version, entry.verified_with) == ("concept", "published", 1, "Redis 7")
    assert sorted(t.slug for t in entry.topics.all()) == ["caching", "performance"]
    assert sorted(t.name for t in entry.tags.all()) == ["perf-tips", "redis"]
    revision = Revision.objects.get(entry=entry)
    assert (revision.number, revision.author, revision.message) == (1, owner, "First draft")
    page = text(client.get(response["Location"]))
    assert '<li class="success">Entry saved.</li>' in page


def test_editor_shows_content_warnings_after_saving(owner: Any) -> None:
    client = client_for(owner)
    response = client.post("/write/", editor_form(body="## Code\n\n```\nprint(1)\n```\n"), follow=True)
    assert response.status_code == 200
    assert '<li class="warning">Line 3: Name the language of this code block so it is highlighted.</li>' in text(
        response
    )


def test_editor_writes_a_challenge_with_its_parts(owner: Any) -> None:
    response = client_for(owner).post(
        "/write/",
        editor_form(kind="challenge", title="Slow list", body="", problem="200 queries.", solution="Prefetch."),
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.problem, entry.solution) == ("200 queries.", "Prefetch.")
    assert '<h2 id="problem">Problem</h2>' in entry.html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"week": "0"}, "week", "Ensure this value is greater than or equal to 1."),
        ({"week": str(10**9)}, "week", "Ensure this value is less than or equal to 52."),
        ({"week": str(10**30)}, "week", "Ensure this value is less than or equal to 2147483647."),
        ({"week": "soon"}, "week", "Enter a whole number."),
        ({"kind": "recipe"}, "kind", "Select a valid choice. recipe is not one of the available choices."),
        ({"title": "nul\x00byte"}, "title", "Null characters are not allowed."),
        ({"body": "nul\x00byte"}, "body", "Null characters are not allowed."),
        ({"title": ""}, "title", "This field is required."),
        ({"topics": ["knitting"]}, "topics", "Select a valid choice. knitting is not one of the available choices."),
        ({"problem": "Only challenges"}, "kind", "Problem, solution and outcome belong to challenges."),
        ({"kind": "weekly-highlight"}, "week", "A weekly highlight needs its week number (1 to 52)."),
        ({"review_by": "2024-02-30"}, "review_by", "Enter a valid date."),
        ({"tags": ",".join(f"t{i}" for i in range(11))}, "tags", "At most 10 tags."),
    ],
)
def test_editor_errors_show_on_their_field_with_400(
    owner: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    response = client_for(owner).post("/write/", editor_form(**fields))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert Entry.objects.count() == 0


def test_oversized_body_is_a_field_error_not_a_500(owner: Any) -> None:
    response = client_for(owner).post("/write/", editor_form(body="x" * 300_000))
    assert response.status_code == 400
    [error] = response.context["form"].errors["body"]
    assert error.startswith("This Markdown is 300,000 bytes; the limit is 262,144 bytes.")
    assert Entry.objects.count() == 0


def test_edit_form_carries_the_base_revision_and_saves_revision_two(owner: Any) -> None:
    entry = make_entry(owner, body=DOC, topics=["caching"], tags=["redis"])
    client = client_for(owner)
    form = text(client.get(entry_url(entry, "edit/")))
    assert '<input type="hidden" name="base_revision" value="1"' in form
    assert re.search(r'<input type="checkbox" name="topics" value="caching"[^>]* checked>', form)
    response = client.post(
        entry_url(entry, "edit/"),
        edit_form(entry, body=DOC + "\nMore.\n", topics=["caching"], tags="redis", message="More"),
    )
    assert response.status_code == 302
    assert response["Location"] == entry_url(entry)
    entry.refresh_from_db()
    assert entry.version == 2
    assert entry.body.endswith("More.\n")
    assert list(entry.revisions.values_list("number", "message", "author__username")) == [
        (2, "More", "owner"),
        (1, "Created", "owner"),
    ]
    assert '<li class="success">Saved revision 2.</li>' in text(client.get(response["Location"]))


def test_member_is_sent_to_suggest_and_cannot_post_edits(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    client = client_for(member)
    response = client.get(entry_url(entry, "edit/"))
    assert (response.status_code, response["Location"]) == (302, entry_url(entry, "suggest/"))
    denied = client.post(entry_url(entry, "edit/"), edit_form(entry, body="Mine.\n"))
    assert denied.status_code == 403
    entry.refresh_from_db()
    assert (entry.version, entry.body) == (1, DOC)


def test_stale_edit_on_other_lines_is_merged(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    entry_update(
        actor=mentor, entry=entry, data={"body": DOC.replace("Install Redis.", "Install Redis 7.")}, base_version=1
    )
    client = client_for(owner)
    response = client.post(
        entry_url(entry, "edit/"), edit_form(entry, body=DOC.replace("Stale data.", "Stale data after deploys."))
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.version == 3
    assert "Install Redis 7." in entry.body
    assert "Stale data after deploys." in entry.body
    page = text(client.get(entry_url(entry)))
    assert '<li class="info">Your changes were merged with newer edits.</li>' in page


def test_conflicting_stale_edit_answers_409_and_changes_nothing(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    entry_update(
        actor=mentor, entry=entry, data={"body": DOC.replace("Install Redis.", "Install Redis 7.")}, base_version=1
    )
    yours = DOC.replace("Install Redis.", "Use Memcached.")
    response = client_for(owner).post(entry_url(entry, "edit/"), edit_form(entry, body=yours))
    assert response.status_code == 409
    page = text(response)
    assert "The entry changed since you loaded it, in the same places you changed." in page
    assert "<pre>Install Redis 7.\n</pre>" in page
    assert "<pre>Use Memcached.\n</pre>" in page
    form = response.context["form"]
    assert form.initial["base_revision"] == 2
    assert form.initial["body"] == DOC.replace("Install Redis.", "Install Redis 7.")  # the current text
    assert response.context["conflicts"][0]["yours"] == yours  # and nothing typed is lost
    entry.refresh_from_db()
    assert entry.version == 2
    assert entry.body == DOC.replace("Install Redis.", "Install Redis 7.")
    assert Revision.objects.filter(entry=entry).count() == 2


# --- Preview ------------------------------------------------------------------------------


def test_preview_returns_sanitised_html(owner: Any) -> None:
    client = client_for(owner)
    payload = '## Hello\n\n<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n[a](javascript:alert(1))\n'
    response = client.post("/preview/", {"body": payload})
    assert response.status_code == 200
    html = text(response)
    assert '<h2 id="hello">Hello</h2>' in html
    assert "<script" not in html
    assert "onerror" not in html
    assert 'href="javascript:' not in html


def test_preview_refuses_oversized_markdown_with_400(owner: Any) -> None:
    response = client_for(owner).post("/preview/", {"body": "x" * 300_000})
    assert response.status_code == 400
    assert text(response).startswith('<p class="preview-error">This Markdown is 300,000 bytes')


def test_preview_needs_login_and_post(owner: Any) -> None:
    assert Client().post("/preview/", {"body": "# Hi"}).status_code == 302
    assert client_for(owner).get("/preview/").status_code == 405


def test_preview_checks_csrf_from_the_header(owner: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post("/preview/", {"body": "# Hi"}).status_code == 403
    token = client.get("/write/").context["csrf_token"]
    response = client.post("/preview/", {"body": "# Hi"}, headers={"X-CSRFToken": str(token)})
    assert response.status_code == 200


# --- History, diff, restore ---------------------------------------------------------------


def _three_revisions(owner: Any, mentor: Any) -> Entry:
    entry = make_entry(owner, body=DOC)
    entry_update(
        actor=mentor,
        entry=entry,
        data={"body": DOC.replace("Install Redis.", "Install Redis 7.")},
        base_version=1,
        message="Pin the version",
    )
    entry_update(actor=owner, entry=entry, data={"title": "Caching, revisited"}, base_version=2, message="Rename")
    return entry


def test_history_lists_revisions_newest_first(owner: Any, mentor: Any) -> None:
    entry = _three_revisions(owner, mentor)
    page = text(Client().get(entry_url(entry, "history/")))
    rows = re.findall(
        r'<td class="revision-number">(\d+)</td>\s*<td class="revision-author"><a [^>]+>([^<]+)</a></td>\s*'
        r'<td class="revision-message">([^<]*)</td>',
        page,
    )
    assert rows == [("3", "Olive Owner", "Rename"), ("2", "mentor", "Pin the version"), ("1", "Olive Owner", "Created")]
    assert 'name="from" value="2" aria-label="Compare from revision 2" checked' in page
    assert 'name="to" value="3" aria-label="Compare to revision 3" checked' in page


def test_diff_is_side_by_side_per_changed_field(owner: Any, mentor: Any) -> None:
    entry = _three_revisions(owner, mentor)
    response = Client().get(entry_url(entry, "diff/?from=1&to=3"))
    assert response.status_code == 200
    page = text(response)
    assert [diff["field"] for diff in response.context["diffs"]] == ["title", "body"]
    assert '<tr class="diff-replace">' in page
    assert '<td class="old">Caching<del> strategies</del></td>' in page
    assert '<td class="new">Caching<ins>, revisited</ins></td>' in page
    assert '<td class="new">Install Redis<ins> 7</ins>.\n</td>' in page
    assert "Restore revision 1" not in page  # not for anonymous readers
    assert "<summary>As a unified diff</summary>" in page
    assert "--- r1/title\n+++ r3/title\n@@ -1 +1 @@\n-Caching strategies\n\\ No newline at end of file\n" in page


@pytest.mark.parametrize(
    "query", ["", "?from=1", "?from=a&to=2", "?from=0&to=1", f"?from=1&to={10**30}", "?from=²&to=1"]
)
def test_bad_diff_numbers_are_400_pages(owner: Any, query: str) -> None:
    entry = make_entry(owner)
    response = Client().get(entry_url(entry, f"diff/{query}"))
    assert response.status_code == 400
    assert "Pick two revisions to compare" in text(response)


def test_diff_of_a_missing_revision_is_404(owner: Any) -> None:
    entry = make_entry(owner)
    assert Client().get(entry_url(entry, "diff/?from=1&to=7")).status_code == 404


def test_editors_restore_an_old_revision(owner: Any, mentor: Any, member: Any) -> None:
    entry = _three_revisions(owner, mentor)
    page = text(client_for(owner).get(entry_url(entry, "diff/?from=1&to=3")))
    assert '<form method="post" action="/h/owner/caching-strategies/revisions/1/restore/"' in page
    assert "Restore revision 1</button>" in page

    denied = client_for(member).post(entry_url(entry, "revisions/1/restore/"))
    assert denied.status_code == 403
    entry.refresh_from_db()
    assert entry.version == 3

    response = client_for(owner).post(entry_url(entry, "revisions/1/restore/"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.version, entry.title, entry.body) == (4, "Caching strategies", DOC)
    assert entry.revisions.first().message == "Restored revision 1"
    assert client_for(owner).post(entry_url(entry, "revisions/99/restore/")).status_code == 404
    assert client_for(owner).post(entry_url(entry, f"revisions/{10**30}/restore/")).status_code == 404


# --- Suggested edits ----------------------------------------------------------------------


def test_suggest_review_and_merge_flow(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    suggester = client_for(member)
    form = text(suggester.get(entry_url(entry, "suggest/")))
    assert '<input type="hidden" name="base_revision" value="1"' in form
    assert "Install Redis." in form
    assert 'name="problem"' not in form  # not a challenge

    response = suggester.post(
        entry_url(entry, "suggest/"),
        {
            "title": entry.title,
            "summary": "",
            "body": DOC.replace("Install Redis.", "Install Redis 7 with apt."),
            "message": "Say which Redis",
            "base_revision": "1",
        },
    )
    proposal = EditProposal.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/proposals/{proposal.pk}/")
    page = text(suggester.get(response["Location"]))
    assert '<h1 class="proposal-message">Say which Redis</h1>' in page
    assert '<td class="new">Install Redis<ins> 7 with apt</ins>.\n</td>' in page
    assert ">Merge</button>" not in page  # the suggester cannot merge

    reviewer = client_for(owner)
    review_page = text(reviewer.get(f"/proposals/{proposal.pk}/"))
    assert ">Merge</button>" in review_page
    assert 'value="request-changes"' in review_page
    assert "based on revision 1" in review_page
    entry_page = text(reviewer.get(entry_url(entry)))
    assert 'Open suggested edits <span class="count">1</span>' in entry_page

    # The discussion's form (the community's thread) posts beside the page.
    assert f'action="/proposals/{proposal.pk}/comments/"' in review_page
    assert reviewer.post(f"/proposals/{proposal.pk}/comments/", {"body": "Which *apt* repo?"}).status_code == 302
    review = reviewer.post(f"/proposals/{proposal.pk}/review/", {"decision": "request-changes"})
    assert review.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CHANGES_REQUESTED
    page = text(suggester.get(f"/proposals/{proposal.pk}/"))
    assert "Which <em>apt</em> repo?" in page
    assert "Changes requested" in page

    merged = reviewer.post(f"/proposals/{proposal.pk}/merge/")
    assert (merged.status_code, merged["Location"]) == (302, entry_url(entry))
    entry.refresh_from_db()
    assert entry.version == 2
    assert "Install Redis 7 with apt." in entry.body
    revision = entry.revisions.first()
    assert (revision.number, revision.author) == (2, member)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.MERGED
    assert "Install Redis 7 with apt." in text(Client().get(entry_url(entry)))
    assert ">Merge</button>" not in text(reviewer.get(f"/proposals/{proposal.pk}/"))


def test_suggest_needs_login_and_sends_owners_to_the_editor(owner: Any) -> None:
    entry = make_entry(owner)
    assert Client().get(entry_url(entry, "suggest/"))["Location"].startswith("/accounts/login/")
    response = client_for(owner).get(entry_url(entry, "suggest/"))
    assert (response.status_code, response["Location"]) == (302, entry_url(entry, "edit/"))


def test_suggestion_that_changes_nothing_is_a_400(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    data = {"title": entry.title, "summary": "", "body": entry.body, "message": "Nothing", "base_revision": "1"}
    response = client_for(member).post(entry_url(entry, "suggest/"), data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["This proposal changes nothing."]
    missing = client_for(member).post(entry_url(entry, "suggest/"), {**data, "body": "New", "message": ""})
    assert missing.status_code == 400
    assert missing.context["form"].errors["message"] == ["This field is required."]
    assert EditProposal.objects.count() == 0


def test_proposal_page_is_only_for_its_author_and_reviewers(owner: Any, member: Any, outsider: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = proposal_create(actor=member, entry=entry, data={"body": "New\n"}, base_version=1, message="Shorter")
    assert client_for(outsider).get(f"/proposals/{proposal.pk}/").status_code == 404
    assert Client().get(f"/proposals/{proposal.pk}/").status_code == 302  # log in first
    assert client_for(outsider).post(f"/proposals/{proposal.pk}/merge/").status_code == 404
    denied = client_for(member).post(f"/proposals/{proposal.pk}/merge/")
    assert denied.status_code == 403
    assert client_for(owner).get(f"/proposals/{10**12}/").status_code == 404
    entry.refresh_from_db()
    assert entry.version == 1


def test_the_author_revises_a_proposal_on_its_page(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = proposal_create(actor=member, entry=entry, data={"body": "New\n"}, base_version=1, message="Shorter")
    author = client_for(member)
    page = author.get(f"/proposals/{proposal.pk}/")
    assert f'href="/proposals/{proposal.pk}/edit/"' in page.content.decode()
    assert (
        f'href="/proposals/{proposal.pk}/edit/"'
        not in client_for(owner).get(f"/proposals/{proposal.pk}/").content.decode()
    )
    form = author.get(f"/proposals/{proposal.pk}/edit/")
    assert form.status_code == 200
    assert form.context["form"].initial["body"] == "New\n"
    empty = author.post(
        f"/proposals/{proposal.pk}/edit/", {"title": entry.title, "body": DOC, "message": "m", "base_revision": 1}
    )
    assert empty.status_code == 400
    assert empty.context["form"].errors["__all__"] == ["This proposal changes nothing."]
    done = author.post(
        f"/proposals/{proposal.pk}/edit/",
        {
            "title": entry.title,
            "summary": entry.summary,
            "body": "Newer\n",
            "message": "Even shorter",
            "base_revision": 1,
        },
    )
    assert done.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.body, proposal.message, proposal.status) == ("Newer\n", "Even shorter", ProposalStatus.OPEN)
    assert client_for(owner).get(f"/proposals/{proposal.pk}/edit/").status_code == 403
    refused = client_for(owner).post(
        f"/proposals/{proposal.pk}/edit/", {"title": entry.title, "body": "Mine\n", "message": "m", "base_revision": 1}
    )
    assert refused.status_code == 403
    proposal.refresh_from_db()
    assert proposal.body == "Newer\n"


def test_bringing_a_proposal_up_to_date_on_its_page(owner: Any, member: Any) -> None:
    from nexus.knowledge.services import entry_update

    entry = make_entry(owner, body=DOC)
    proposal = proposal_create(
        actor=member, entry=entry, data={"body": DOC.replace("Redis.", "Redis 7.")}, base_version=1, message="Pin"
    )
    entry_update(actor=owner, entry=entry, data={"summary": "Changed since"}, base_version=1)
    author = client_for(member)
    assert "Bring up to date with revision 2" in author.get(f"/proposals/{proposal.pk}/").content.decode()
    assert author.post(f"/proposals/{proposal.pk}/rebase/").status_code == 302
    proposal.refresh_from_db()
    assert (proposal.base_revision.number, proposal.summary) == (2, "Changed since")


def test_bad_review_decision_is_400(owner: Any, member: Any) -> None:
    # (The review form and the discussion post to community views: community/tests/test_proposal_comments.py.)
    entry = make_entry(owner, body=DOC)
    proposal = proposal_create(actor=member, entry=entry, data={"body": "New\n"}, base_version=1, message="Shorter")
    assert client_for(owner).post(f"/proposals/{proposal.pk}/review/", {"decision": "maybe"}).status_code == 400
    assert client_for(owner).post(f"/proposals/{proposal.pk}/", {"body": "Hi"}).status_code == 405
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_conflicting_merge_shows_the_conflicts_with_409(owner: Any, member: Any) -> None:
    entry = make_entry(owner, body=DOC)
    proposal = proposal_create(
        actor=member,
        entry=entry,
        data={"body": DOC.replace("Install Redis.", "Install Valkey.")},
        base_version=1,
        message="Valkey",
    )
    entry_update(
        actor=owner, entry=entry, data={"body": DOC.replace("Install Redis.", "Install Redis 7.")}, base_version=1
    )
    response = client_for(owner).post(f"/proposals/{proposal.pk}/merge/")
    assert response.status_code == 409
    page = text(response)
    assert "The entry changed since this proposal was made" in page
    assert "<pre>Install Redis 7.\n</pre>" in page
    assert "<pre>Install Valkey.\n</pre>" in page
    entry.refresh_from_db()
    assert (entry.version, "Install Redis 7." in entry.body) == (2, True)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


# --- Topics and technologies --------------------------------------------------------------


def test_topics_list_the_seeded_vocabulary() -> None:
    page = text(Client().get("/topics/"))
    assert '<a href="/topics/caching/"><strong>Caching</strong></a>' in page
    assert '<a class="chip tech" href="/technologies/redis/">Redis</a>' in page


def test_topic_and_technology_pages_list_visible_entries_across_hubs(owner: Any, member: Any) -> None:
    other = UserFactory(username="ada", profile__display_name="Ada L.")
    make_entry(owner, title="Older caching note", topics=["caching"], technologies=["redis"])
    make_entry(other, title="Newer caching note", topics=["caching"])
    make_entry(owner, title="Draft caching note", topics=["caching"], status="draft")
    make_entry(owner, title="Unrelated", topics=["testing"])

    page = text(Client().get("/topics/caching/"))
    titles = re.findall(r'<h3><a href="/h/[^"]+">([^<]+)</a></h3>', page)
    assert titles == ["Newer caching note", "Older caching note"]
    assert '<a href="/h/ada/">Ada L.</a>' in page
    assert "Draft caching note" in text(client_for(owner).get("/topics/caching/"))

    tech = text(Client().get("/technologies/redis/"))
    assert re.findall(r'<h3><a href="/h/[^"]+">([^<]+)</a></h3>', tech) == ["Older caching note"]
    assert Client().get("/topics/knitting/").status_code == 404
    assert Client().get("/technologies/cobol/").status_code == 404
    assert Client().get("/topics/caching/?before=x").status_code == 400


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/topics/caching/", "/technologies/redis/", "/h/"])
def test_list_pages_cost_the_same_queries_for_few_and_many_items(owner: Any, url: str) -> None:
    client = Client()
    _vary(owner, 3)
    for index in range(3):
        make_entry(UserFactory(username=f"learner{index}"), title="Cache keys", topics=["caching"])
    client.get(url)  # warm the role cache
    few = _queries(client, url)
    _vary(owner, 30, start=3)
    for index in range(3, 40):
        make_entry(UserFactory(username=f"learner{index}"), title="Cache keys", technologies=["redis"])
    assert _queries(client, url) == few


def test_history_costs_the_same_queries_for_few_and_many_revisions(owner: Any) -> None:
    entry = make_entry(owner, body="v1\n")
    client = client_for(owner)
    url = f"/h/owner/{entry.slug}/history/"
    for number in range(2, 4):
        entry = entry_update(actor=owner, entry=entry, data={"body": f"v{number}\n"}, base_version=entry.version).entry
    client.get(url)
    few = _queries(client, url)
    for number in range(4, 30):
        entry = entry_update(actor=owner, entry=entry, data={"body": f"v{number}\n"}, base_version=entry.version).entry
    assert text(client.get(url)).count("revision-number") >= 29
    assert _queries(client, url) == few


def test_history_pages_through_long_histories(owner: Any) -> None:
    from nexus.knowledge.views.entries import HISTORY_PAGE

    entry = make_entry(owner, body="v1\n")
    for number in range(2, HISTORY_PAGE + 6):
        entry = entry_update(actor=owner, entry=entry, data={"body": f"v{number}\n"}, base_version=entry.version).entry
    url = f"/h/owner/{entry.slug}/history/"
    first = Client().get(url)
    numbers = [revision.number for revision in first.context["revisions"]]
    assert numbers == list(range(HISTORY_PAGE + 5, 5, -1))
    assert 'href="?before=6">Older revisions' in text(first)
    older = Client().get(url, {"before": 6})
    assert [revision.number for revision in older.context["revisions"]] == [5, 4, 3, 2, 1]
    assert "Older revisions" not in text(older)
    assert "Newest revisions" in text(older)
    assert Client().get(url, {"before": "x"}).status_code == 400
    assert Client().get(url, {"before": 10**12}).status_code == 400


def test_after_a_conflict_the_form_holds_the_current_details_so_a_resave_keeps_them(owner: Any, mentor: Any) -> None:
    entry = make_entry(owner, body=DOC)
    entry_update(
        actor=mentor,
        entry=entry,
        data={"body": DOC.replace("Install Redis.", "Install Redis 7."), "topics": ["caching"]},
        base_version=1,
    )
    yours = DOC.replace("Install Redis.", "Use Memcached.")
    response = client_for(owner).post(entry_url(entry, "edit/"), edit_form(entry, body=yours))
    assert response.status_code == 409

    form = response.context["form"]
    assert form.initial["topics"] == ["caching"]  # the mentor's topic, not the stale form's none
    resaved = client_for(owner).post(
        entry_url(entry, "edit/"),
        {**edit_form(entry, body=yours), "base_revision": form.initial["base_revision"], "topics": ["caching"]},
    )
    assert resaved.status_code == 302
    entry.refresh_from_db()
    assert list(entry.topics.values_list("slug", flat=True)) == ["caching"]
    assert entry.body == yours
