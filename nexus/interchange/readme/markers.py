"""The invisible HTML comments an exported README carries, so that importing it back gives
exactly the entries it came from (kind, title, body, week, vocabulary) while GitHub shows a
clean README. Metadata is JSON with `-` and `>` escaped, because neither `--` nor `>` may
appear inside an HTML comment."""

from __future__ import annotations

import json
import re
from typing import Any

# Every exported README has this in its markers; nothing else writes it.
EXPORT_MARK = "<!-- nexus:"
MARKER = re.compile(r"^<!-- nexus:(?P<what>entry|section|end)(?: (?P<data>.*?))? -->$")


def marker_write(what: str, data: dict[str, Any] | str | None = None) -> str:
    if data is None:
        return f"<!-- nexus:{what} -->"
    if isinstance(data, str):
        return f"<!-- nexus:{what} {data} -->"
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"<!-- nexus:{what} " + payload.replace("-", "\\u002d").replace(">", "\\u003e") + " -->"


def marker_read(line: str) -> tuple[str, dict[str, Any] | str | None] | None:
    """(what, data) of a marker line, or None when the line is not one of ours."""
    match = MARKER.match(line.strip())
    if not match:
        return None
    raw = match.group("data")
    if raw is None or not raw.startswith("{"):
        return match.group("what"), raw
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return (match.group("what"), data) if isinstance(data, dict) else None
