"""README import and export over REST: preview, commit, chosen kinds, uploads, limits,
permissions and the error format."""

from __future__ import annotations

import codecs
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from conftest import bearer
from nexus.interchange.tests.test_import import README
from nexus.knowledge.models import Entry, EntryKind, EntryStatus, Hub
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

URL = "/api/v1/hubs/{}/import"


def post(client: Any, user: Any, username: str = "owner", **data: Any) -> Any:
    headers = bearer(user) if user is not None else {}
    if "file" in data:
        return client.post(URL.format(username), data, format="multipart", **headers)
    return client.post(URL.format(username), data, format="json", **headers)


def titles(user: Any) -> list[tuple[str, str]]:
    return list(Entry.objects.filter(hub__owner=user).order_by("id").values_list("kind", "title"))


def test_preview_lists_entries_with_kind_lines_and_confidence_and_writes_nothing(api_client: Any, owner: Any) -> None:
    response = post(api_client, owner, text=README)

    assert response.status_code == 200
    report = response.json()
    assert report["dry_run"] is True
    assert report["counts"] == {"create": 5, "update": 0, "unchanged": 0}
    assert report["coverage"] == {"lines": 12, "placed": 12, "percent": 100.0, "unplaced": []}
    assert [(e["kind"], e["title"], e["lines"], e["action"], e["entry_id"]) for e in report["entries"]] == [
        ("technology", "Django", [7, 7], "create", None),
        ("technology", "Redis", [8, 8], "create", None),
        ("challenge", "The feed page ran 120 queries", [12, 13], "create", None),
        ("challenge", "Emails slowed down sign-up", [14, 15], "create", None),
        ("takeaway", "Takeaways", [17, 19], "create", None),
    ]
    assert report["entries"][2]["reason"] == "challenge with its solution (labelled)"
    assert report["hub_changes"]["intro"] == "Everything I learned in the backend program."
    assert titles(owner) == []
    assert not Hub.objects.filter(owner=owner, intro__contains="Everything").exists()


def test_commit_with_a_chosen_kind_then_the_same_file_again_changes_nothing(api_client: Any, owner: Any) -> None:
    kinds = {"takeaways": EntryKind.BEST_PRACTICE}
    first = post(api_client, owner, text=README, dry_run=False, kinds=kinds, status=EntryStatus.DRAFT)

    assert first.status_code == 200
    assert first.json()["counts"] == {"create": 5, "update": 0, "unchanged": 0}
    assert titles(owner)[-1] == ("best-practice", "Takeaways")
    assert set(Entry.objects.filter(hub__owner=owner).values_list("status", flat=True)) == {EntryStatus.DRAFT}
    again = post(api_client, owner, text=README, dry_run=False)
    assert again.json()["counts"] == {"create": 0, "update": 0, "unchanged": 5}
    assert titles(owner)[-1] == ("best-practice", "Takeaways")  # the kind chosen last time stays


def test_a_multipart_upload_in_utf16_is_decoded_and_named_after_the_file(api_client: Any, owner: Any) -> None:
    upload = SimpleUploadedFile("notes/README.md", codecs.BOM_UTF16_LE + README.encode("utf-16-le"))
    response = post(api_client, owner, file=upload, dry_run="false")

    assert response.status_code == 200
    report = response.json()
    assert report["name"] == "README.md"
    assert report["encoding"] == "utf-16 with a byte-order mark"
    assert report["repairs"] == ["Decoded from utf-16 with a byte-order mark; saved as UTF-8."]
    assert len(titles(owner)) == 5


def test_kinds_may_come_as_json_in_a_form(api_client: Any, owner: Any) -> None:
    upload = SimpleUploadedFile("README.md", README.encode())
    response = post(api_client, owner, file=upload, kinds=json.dumps({"redis": "concept"}))

    assert response.status_code == 200
    assert [e["kind"] for e in response.json()["entries"]][:2] == ["technology", "concept"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "file", "Send the README either as `file` or as `text`."),
        ({"text": "# a", "kinds": "not json"}, "kinds", "Send kinds as a JSON object of entry key to kind."),
        ({"text": "# a", "kinds": ["x"]}, "kinds", "Send kinds as a JSON object of entry key to kind."),
        ({"text": "# a", "status": "gone"}, "status", '"gone" is not a valid choice.'),
        ({"text": "# a", "colour": "red"}, "colour", None),
    ],
)
def test_malformed_requests_are_400s_that_say_what_to_fix(
    api_client: Any, owner: Any, data: dict[str, Any], field: str, message: str | None
) -> None:
    response = post(api_client, owner, **data)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["details"]
    if message:
        assert error["details"][field] == [message]
    assert titles(owner) == []


def test_unknown_kind_and_unknown_key_are_refused(api_client: Any, owner: Any) -> None:
    response = post(api_client, owner, text=README, dry_run=False, kinds={"redis": "poem", "nope": "note"})

    assert response.status_code == 400
    details = response.json()["error"]["details"]["kinds"]
    assert details["redis"] == [
        "'poem' is not a kind; choose one of: technology, concept, challenge, best-practice, takeaway, "
        "weekly-highlight, note."
    ]
    assert details["nope"] == ["No part of this README has that key; preview again and use the keys it lists."]
    assert titles(owner) == []


def test_binary_and_empty_files_are_unreadable(api_client: Any, owner: Any) -> None:
    png = SimpleUploadedFile("README.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    response = post(api_client, owner, file=png)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "readme_unreadable"

    response = post(api_client, owner, text="   \n\n")
    assert response.json()["error"] == {"code": "readme_unreadable", "message": "The file is empty.", "details": {}}


@override_settings(NEXUS_README_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_413(api_client: Any, owner: Any) -> None:
    upload = SimpleUploadedFile("README.md", b"# big\n" + b"word " * 400)
    response = post(api_client, owner, file=upload)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "readme_too_large"
    assert "over 1,000 bytes" in response.json()["error"]["message"]


def test_a_body_over_the_request_limit_is_413_before_it_is_read(api_client: Any, owner: Any) -> None:
    with override_settings(NEXUS_MAX_BODY_BYTES=10_000):
        from django.test import Client

        response = Client().post(
            URL.format("owner"),
            data=b"x" * 20_000,
            content_type="application/json",
            **bearer(owner),
        )
    assert response.status_code == 413


def test_import_needs_a_signed_in_owner(api_client: Any, owner: Any, member: Any, mentor: Any) -> None:
    make_entry(owner, title="Already here")
    assert post(api_client, None, text=README).status_code == 401

    for user in (member, mentor):
        response = post(api_client, user, text=README, dry_run=False)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert titles(owner) == [("concept", "Already here")]

    response = post(api_client, member, username="nobody", text=README)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "hub_not_found"


def test_importing_into_ones_own_hub_makes_it_on_first_use(api_client: Any, member: Any) -> None:
    assert not Hub.objects.filter(owner=member).exists()
    response = post(api_client, member, username="member", text=README, dry_run=False)

    assert response.status_code == 200
    assert len(titles(member)) == 5


def test_export_is_a_markdown_download_of_what_the_reader_may_see(api_client: Any, owner: Any) -> None:
    make_entry(owner, title="Caching strategies", body="Cache-aside first.\n")
    make_entry(owner, title="Half-written", status=EntryStatus.DRAFT, body="secret\n")

    anonymous = api_client.get("/api/v1/hubs/owner/readme")
    assert anonymous.status_code == 200
    assert anonymous["Content-Type"] == "text/markdown; charset=utf-8"
    assert anonymous["Content-Disposition"] == 'attachment; filename="owner-README.md"'
    text = anonymous.content.decode()
    assert text.startswith("# Olive Owner's Project Nexus\n")
    assert "### Caching strategies" in text
    assert "Half-written" not in text

    own = api_client.get("/api/v1/hubs/owner/readme", **bearer(owner)).content.decode()
    assert "### Half-written" in own

    missing = api_client.get("/api/v1/hubs/nobody/readme")
    assert missing.status_code == 404


def test_an_export_imported_into_another_hub_gives_the_same_entries(api_client: Any, owner: Any, member: Any) -> None:
    post(api_client, owner, text=README, dry_run=False)
    exported = api_client.get("/api/v1/hubs/owner/readme").content.decode()

    response = post(api_client, member, username="member", text=exported, dry_run=False)

    assert response.json()["coverage"]["percent"] == 100.0
    assert titles(member) == titles(owner)
