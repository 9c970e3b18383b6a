"""The static storage remembers each name's hashed URL, and forgets them all when
collectstatic writes a new manifest."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from nexus.core.static_storage import StaticStorage


def collect(storage: StaticStorage, name: str, text: str) -> None:
    """What collectstatic does with one file: copy it in, then hash it into the manifest."""
    if storage.exists(name):
        storage.delete(name)
    storage.save(name, ContentFile(text.encode()))
    list(storage.post_process({name: (storage, name)}))


@override_settings(DEBUG=False)
def test_a_name_keeps_its_hashed_url_until_collectstatic_writes_a_new_manifest(tmp_path: Path) -> None:
    storage = StaticStorage(location=str(tmp_path), base_url="/static/")
    collect(storage, "site.css", "body { color: teal; }")
    first = storage.url("site.css")
    assert first.startswith("/static/site.")
    assert first != "/static/site.css"
    assert storage.url("site.css") == first
    assert storage._urls == {"site.css": first}  # remembered: the second answer was a lookup

    collect(storage, "site.css", "body { color: navy; }")
    assert storage._urls == {}
    assert storage.url("site.css") not in {first, "/static/site.css"}

    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("missing.css")
    assert "missing.css" not in storage._urls
    with override_settings(DEBUG=True):
        assert storage.url("site.css") == "/static/site.css"  # DEBUG serves the file as named
