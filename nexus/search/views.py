"""Search pages: results as you type (htmx swaps the results only), related entries for
an entry page (loaded after the page, so it never slows it), and the zero-result report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nexus.core.errors import NexusError
from nexus.knowledge.selectors import entry_get_for_user
from nexus.search.permissions import can_view_zero_results
from nexus.search.selectors import entry_related, search, zero_result_list
from nexus.search.services import search_record_zero_result

ZERO_RESULTS_SHOWN = 200


def _as_you_type(request: HttpRequest) -> bool:
    # htmx sends each keystroke's request from the box itself; a submitted form or a link
    # (a facet, the next page) is a finished query.
    return bool(getattr(request, "htmx", False)) and request.headers.get("HX-Trigger") == "search-q"


def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    typing = _as_you_type(request)
    context: dict[str, object] = {
        "q": q,
        "results": None,
        "error": None,
        "can_view_zero_results": can_view_zero_results(request.user),
    }
    status = 200
    if q.strip():
        try:
            results = search(request.user, q, page=request.GET.get("page", 1), as_you_type=typing)
        except NexusError as error:
            context["error"], status = error.message, error.status
        else:
            context["results"] = results
            if results.is_zero and not typing:
                search_record_zero_result(q)
    template = "search/_results.html" if getattr(request, "htmx", False) else "search/search.html"
    return render(request, template, context, status=status)


def related_entries(request: HttpRequest, entry_id: str) -> HttpResponse:
    entry = entry_get_for_user(request.user, int(entry_id))
    return render(request, "search/_related.html", {"related": entry_related(request.user, entry)})


def zero_results(request: HttpRequest) -> HttpResponse:
    rows = list(zero_result_list(request.user)[:ZERO_RESULTS_SHOWN])
    return render(request, "search/zero_results.html", {"rows": rows})
