"""The import page through the Django test client: preview, chosen kinds, commit, errors,
and the hub page's import and download links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from nexus.interchange.models import ImportSource
from nexus.interchange.tests.test_import import README
from nexus.knowledge.models import Entry
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def titles(user: Any) -> list[tuple[str, str]]:
    return list(Entry.objects.filter(hub__owner=user).order_by("id").values_list("kind", "title"))


def test_the_page_needs_a_signed_in_learner() -> None:
    response = Client().get("/import/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/import/"


def test_uploading_a_file_shows_a_preview_and_writes_nothing(owner: Any) -> None:
    client = client_for(owner)
    page = client.get("/import/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    upload = SimpleUploadedFile("README.md", README.encode())
    response = client.post("/import/", {"file": upload, "status": "published", "name": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview of README.md" in html
    assert "coverage <strong>100%</strong> of 12 non-blank lines" in html
    assert '<select name="kind:the feed page ran 120 queries"' in html
    assert "challenge with its solution (labelled)" in html
    assert "Import 5 entries" in html
    # The file's text travels back with the commit, so the file need not be chosen again.
    assert "Emails slowed down sign-up" in re.search(r'<textarea name="text" hidden>(.*?)</textarea>', html, re.S)[1]
    assert titles(owner) == []


def test_committing_with_a_changed_kind_imports_and_goes_to_the_hub(owner: Any) -> None:
    client = client_for(owner)
    form = {"text": README, "name": "README.md", "status": "published", "kind:takeaways": "best-practice"}

    response = client.post("/import/", {**form, "commit": "1"})

    assert response.status_code == 302
    assert response["Location"] == "/h/owner/"
    assert titles(owner)[-1] == ("best-practice", "Takeaways")
    assert len(titles(owner)) == 5
    assert ImportSource.objects.get().name == "README.md"
    hub = client.get("/h/owner/").content.decode()
    assert "Imported README.md: 5 created, 0 updated, 0 unchanged." in hub


def test_a_file_that_cannot_be_read_is_shown_on_the_form(owner: Any) -> None:
    upload = SimpleUploadedFile("README.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    response = client_for(owner).post("/import/", {"file": upload, "status": "published"})

    assert response.status_code == 400
    assert "This looks like a binary file, not Markdown text. Upload the README.md itself." in response.content.decode()
    assert titles(owner) == []


def test_an_empty_form_asks_for_a_file_or_text(owner: Any) -> None:
    response = client_for(owner).post("/import/", {"status": "published"})

    assert response.status_code == 400
    assert "Choose a README file or paste its text." in response.content.decode()


def test_a_commit_that_cannot_be_saved_shows_the_preview_with_the_problem(owner: Any) -> None:
    # A weekly highlight needs a week number, and "Setup" has none.
    readme = "# Notes\n\n## Setup\n\nInstall Redis first.\n"
    form = {"text": readme, "status": "published", "kind:setup": "weekly-highlight", "commit": "1"}

    response = client_for(owner).post("/import/", form)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Some parts of the README cannot be saved as entries." in html
    assert "Preview of README.md" in html
    assert "week: A weekly highlight needs its week number (1 to 52)." in html
    assert titles(owner) == []


def test_the_hub_page_links_to_import_for_its_owner_and_to_the_download_for_all(owner: Any, member: Any) -> None:
    make_entry(owner, title="Caching strategies")
    own = client_for(owner).get("/h/owner/").content.decode()
    assert 'href="/import/"' in own
    assert 'href="/api/v1/hubs/owner/readme" download' in own

    other = client_for(member).get("/h/owner/").content.decode()
    assert 'href="/import/"' not in other
    assert 'href="/api/v1/hubs/owner/readme" download' in other
