"""Cursor pagination for every list: stable under inserts, no COUNT(*), clamped size."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination


class NexusCursorPagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100  # larger requests are clamped, not refused
    ordering = "-id"

    def decode_cursor(self, request) -> Cursor | None:  # type: ignore[no-untyped-def]
        from rest_framework.exceptions import NotFound

        try:
            return super().decode_cursor(request)
        except NotFound:
            # A tampered cursor is the client's mistake, not a missing resource.
            raise ValidationError({"cursor": ["This cursor is not valid; start again from the first page."]}) from None
