"""How every app's GraphQL lists page and how IDs name rows: one rule for all of them."""

from __future__ import annotations

from typing import Any

from nexus.core.errors import InvalidInput, NotFound

MAX_PAGE = 100
# Offsets past this are refused: paging that deep makes the database walk and drop every
# skipped row, and no reader pages 10,000 rows deep; filters narrow a list instead.
MAX_OFFSET = 10_000
# Primary keys are 64-bit: 18 ASCII digits always fit one (19 may not); ids never grow that long.
MAX_ID_DIGITS = 18
PAGING = (
    f"`limit` is clamped to 1..{MAX_PAGE}; "
    f"an `offset` past {MAX_OFFSET} is refused (invalid), a negative one reads as 0."
)


def page_slice(limit: int, offset: int) -> slice:
    """The rows of one page: `limit` clamped to 1..MAX_PAGE, a negative offset read as 0,
    an offset past MAX_OFFSET refused (InvalidInput) rather than silently moved."""
    if offset > MAX_OFFSET:
        raise InvalidInput(
            f"Lists page at most {MAX_OFFSET} rows deep: narrow the filters instead.",
            details={"offset": [f"Ensure this value is less than or equal to {MAX_OFFSET}."]},
        )
    start = max(0, offset)
    return slice(start, start + max(1, min(limit, MAX_PAGE)))


def id_to_pk(value: Any, not_found: type[NotFound]) -> int:
    """The primary key a GraphQL ID names. An ID is any string to GraphQL; one that cannot be
    a key ("abc", "²", "", 40 digits) names nothing, so it is the same "not found" as a missing row."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= MAX_ID_DIGITS):
        raise not_found()
    return int(text)
