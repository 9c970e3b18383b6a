"""Mermaid diagrams are drawn in the browser, offline, and only pages with one load the library."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from nexus.accounts.tests.factories import UserFactory
from nexus.knowledge.tests.factories import make_entry

DIAGRAM = "## Flow\n\n```mermaid\ngraph TD; Request-->Cache; Cache-->Database\n```\n"


@pytest.mark.django_db
def test_pages_name_the_library_but_only_the_script_loads_it() -> None:
    owner = UserFactory(username="olive")
    make_entry(owner, title="Read path", body=DIAGRAM)

    page = Client().get("/h/olive/read-path/").content.decode()

    assert '<pre class="mermaid">graph TD; Request--&gt;Cache; Cache--&gt;Database\n</pre>' in page
    assert 'src="/static/web/diagrams.' in page
    assert 'data-mermaid="/static/web/vendor/mermaid/mermaid.min.' in page
    assert '<script src="/static/web/vendor/mermaid' not in page  # loaded on demand, not by every page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_diagram_is_drawn_as_svg(live_server: Any, page: Any) -> None:
    owner = UserFactory(username="olive")
    make_entry(owner, title="Read path", body=DIAGRAM)
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))

    page.goto(f"{live_server.url}/h/olive/read-path/")
    svg = page.locator("pre.mermaid svg")
    svg.wait_for()

    assert "Request" in svg.text_content()
    assert "Database" in svg.text_content()
    assert any("mermaid.min" in url for url in loaded)

    loaded.clear()
    page.goto(f"{live_server.url}/h/olive/")
    page.wait_for_load_state("networkidle")
    assert not any("mermaid.min" in url for url in loaded)
