"""Importing READMEs in Chromium: one file through the preview, many files with progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nexus.accounts.tests.factories import UserFactory
from nexus.interchange.models import ImportSource
from nexus.interchange.tests.test_import import README
from nexus.knowledge.models import Entry
from nexus.knowledge.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_file_previewed_a_kind_changed_then_imported(live_server: Any, page: Any, tmp_path: Path) -> None:
    UserFactory(username="amara", profile__display_name="Amara N.")
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    log_in(page, live_server.url, "amara", "/import/")

    page.set_input_files("#id_file", str(readme))
    page.get_by_role("button", name="Preview").click()
    page.locator("#preview").wait_for()
    assert page.locator("#preview h2").text_content() == "Preview of README.md"
    assert page.locator("#preview tbody tr").count() == 5
    page.get_by_label("Kind of Takeaways").select_option("best-practice")
    page.get_by_role("button", name="Import 5 entries").click()

    page.wait_for_url(f"{live_server.url}/h/amara/")
    assert "Imported README.md: 5 created, 0 updated, 0 unchanged." in page.locator(".messages").text_content()
    assert page.locator("#best-practices").get_by_role("link", name="Takeaways").is_visible()
    assert Entry.objects.get(slug="takeaways").kind == "best-practice"


def test_many_files_are_previewed_and_imported_one_by_one_with_progress(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    UserFactory(username="tomas")
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    (tmp_path / "week1.md").write_text("# Week one\n\n## Docker\n\nContainers for every service.\n", "utf-8")
    (tmp_path / "logo.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    log_in(page, live_server.url, "tomas", "/import/")

    page.set_input_files("#id_file", [str(tmp_path / name) for name in ("README.md", "week1.md", "logo.md")])
    page.get_by_role("button", name="Preview").click()
    status = page.locator("#batch-status")
    page.wait_for_function("document.getElementById('batch-status').textContent.includes('previewed')")
    assert status.text_content() == "3 of 3 files previewed, 1 with problems (see below)."
    assert page.locator("#batch-progress").get_attribute("max") == "3"
    rows = page.locator("#batch-rows tr")
    assert rows.nth(0).text_content() == "README.md5 new, 0 updated, 0 unchanged100%ready"
    assert "This looks like a binary file" in rows.nth(2).text_content()
    assert not Entry.objects.exists()

    page.get_by_role("button", name="Import all").click()
    page.wait_for_function("document.getElementById('batch-status').textContent.includes('imported')")
    assert status.text_content().startswith("3 of 3 files imported, 1 with problems (see below).")
    assert sorted(ImportSource.objects.values_list("name", flat=True)) == ["README.md", "week1.md"]
    assert Entry.objects.filter(hub__owner__username="tomas").count() == 6


def test_the_static_site_draws_diagrams_offline(page: Any, tmp_path: Path) -> None:
    from nexus.interchange.site import site_export
    from nexus.knowledge.tests.factories import make_entry

    owner = UserFactory(username="amara")
    make_entry(owner, title="Request flow", body="```mermaid\ngraph TD\n  Client --> API\n  API --> Cache\n```\n")
    site_export(tmp_path)
    page.goto((tmp_path / "h" / "amara" / "request-flow.html").as_uri())
    # mermaid replaces the block's text with an SVG drawing of the graph.
    drawing = page.locator("pre.mermaid svg")
    drawing.wait_for(timeout=20_000)
    assert "Cache" in (drawing.text_content() or "")
