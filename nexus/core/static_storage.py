"""The static files storage: whitenoise's compressed, hashed-name storage, with `url()`
remembered per name.

Every page names the same dozen files ({% static %} in the base template and its blocks),
and each lookup (the manifest, then quoting and joining the URL) costs ~25 µs: a quarter
of a millisecond per page. The manifest is read once per process and only collectstatic
changes it (post_process starts afresh), so a name's URL stays what it was."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Names come from templates, so there are a few dozen; the bound only keeps a caller that
# builds names from input from growing the map.
MAX_REMEMBERED = 1024


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or settings.DEBUG or name is None:  # DEBUG serves unhashed names
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = super().url(name)  # a name missing from the manifest raises, as before
            if len(self._urls) < MAX_REMEMBERED:
                self._urls[name] = url
            return url

    def post_process(self, *args: Any, **kwargs: Any) -> Any:
        self._urls.clear()
        try:
            yield from super().post_process(*args, **kwargs)
        finally:
            self._urls.clear()
