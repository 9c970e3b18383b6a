"""REST face of search: GET /api/v1/search, and the zero-result report for mentors."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.serializers import ErrorOutput
from nexus.search.errors import SearchInvalid
from nexus.search.models import Target
from nexus.search.query import FILTERS
from nexus.search.selectors import MAX_PAGE_SIZE, PAGE_SIZE, SearchHit, SearchResults, search, zero_result_list
from nexus.search.services import search_record_zero_result

ERRORS = {code: OpenApiResponse(ErrorOutput) for code in (400, 404)}
ZERO_RESULTS_SHOWN = 200


class SearchEntryOutput(serializers.Serializer):
    """What a result card shows of an entry."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    hub = serializers.CharField(help_text="The username of the hub's owner.")
    author = serializers.CharField(help_text="Their display name.")
    slug = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.CharField()
    week = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    topics = serializers.ListField(child=serializers.CharField(), help_text="Slugs.")
    technologies = serializers.ListField(child=serializers.CharField(), help_text="Slugs.")


class SearchHitOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=Target.choices, source="target")
    title = serializers.SerializerMethodField()
    title_html = serializers.CharField(help_text="The title, HTML-escaped, with matches in <mark>.")
    snippet_html = serializers.CharField(help_text="A passage, HTML-escaped, with matches in <mark>.")
    url = serializers.CharField(help_text="The page of the result.")
    score = serializers.FloatField()
    entry = serializers.SerializerMethodField()

    def get_title(self, hit: Any) -> str:
        return str(getattr(hit.object, "title", None) or hit.object.name)

    @extend_schema_field(SearchEntryOutput(allow_null=True))
    def get_entry(self, hit: Any) -> dict[str, Any] | None:
        if hit.target != Target.ENTRY:
            return None
        entry = hit.object  # an EntryCard
        return SearchEntryOutput(
            {
                "id": entry.pk,
                "kind": entry.kind,
                "hub": entry.hub_username,
                "author": entry.author_name,
                "slug": entry.slug,
                "summary": entry.summary,
                "status": entry.status,
                "week": entry.week,
                "published_at": entry.published_at,
                "topics": list(hit.topics),
                "technologies": list(hit.technologies),
            }
        ).data


class FacetValueOutput(serializers.Serializer):
    value = serializers.CharField(help_text="Use it as the filter's value, e.g. kind:<value>.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    count = serializers.IntegerField(help_text="Among the counted candidates (see total_label).")


class FacetsOutput(serializers.Serializer):
    kind = FacetValueOutput(many=True)
    topic = FacetValueOutput(many=True)
    tech = FacetValueOutput(many=True)
    author = FacetValueOutput(many=True)
    week = FacetValueOutput(many=True)


class SearchOutput(serializers.Serializer):
    query = serializers.CharField()
    understood_as = serializers.CharField(source="parsed.text", help_text="The query as it was read.")
    degraded = serializers.BooleanField(help_text="True when some syntax could not be read and was ignored.")
    messages = serializers.ListField(child=serializers.CharField(), help_text="What was ignored, and why.")
    did_you_mean = serializers.CharField(allow_null=True)
    corrected = serializers.BooleanField(help_text="True when results of the did_you_mean query were added.")
    total = serializers.IntegerField(help_text="Results counted, at most 1,000.")
    total_label = serializers.CharField(help_text='The total as shown: exact below 1,000, then "1,000+".')
    capped = serializers.BooleanField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    next_page = serializers.SerializerMethodField()
    facets = FacetsOutput()
    results = SearchHitOutput(many=True, source="hits")

    def get_next_page(self, results: SearchResults) -> int | None:
        return results.page + 1 if results.has_next else None


# One field for every hit: building a DRF field costs more than what it formats.
_DATETIME = serializers.DateTimeField()


def _hit_output(hit: SearchHit) -> dict[str, Any]:
    item: Any = hit.object
    entry = None
    if hit.target == Target.ENTRY:
        entry = {
            "id": item.pk,
            "kind": item.kind,
            "hub": item.hub_username,
            "author": item.author_name,
            "slug": item.slug,
            "summary": item.summary,
            "status": item.status,
            "week": item.week,
            "published_at": _DATETIME.to_representation(item.published_at) if item.published_at else None,
            "topics": list(hit.topics),
            "technologies": list(hit.technologies),
        }
    return {
        "type": hit.target,
        "title": str(getattr(item, "title", None) or item.name),
        "title_html": hit.title_html,
        "snippet_html": hit.snippet_html,
        "url": hit.url,
        "score": hit.score,
        "entry": entry,
    }


def search_output(results: SearchResults) -> dict[str, Any]:
    """SearchOutput's shape, built directly: a search answers 20 hits and their facets,
    and DRF's nested serializers would cost more than the query (DESIGN.md S1)."""
    return {
        "query": results.query,
        "understood_as": results.parsed.text(),
        "degraded": results.degraded,
        "messages": results.messages,
        "did_you_mean": results.did_you_mean,
        "corrected": results.corrected,
        "total": results.total,
        "total_label": results.total_label,
        "capped": results.capped,
        "page": results.page,
        "page_size": results.page_size,
        "next_page": results.page + 1 if results.has_next else None,
        "facets": {
            name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
            for name, values in results.facets.items()
        },
        "results": [_hit_output(hit) for hit in results.hits],
    }


class ZeroResultOutput(serializers.Serializer):
    query = serializers.CharField()
    count = serializers.IntegerField()
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()


def _query_with_filters(request: Request) -> str:
    """`q` plus filters sent as their own parameters (kind=challenge is kind:challenge)."""
    query = request.query_params.get("q", "")
    extra = []
    for name in FILTERS:
        value = request.query_params.get(name)
        if value is None:
            continue
        if not value.strip() or any(ch.isspace() for ch in value.strip()):
            raise SearchInvalid(details={name: [f"A {name} filter is one value without spaces."]})
        extra.append(f"{name}:{value.strip()}")
    return " ".join([query, *extra]) if extra else query


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        description=(
            'Words, "exact phrases", -excluded, OR, and filters kind: topic: tech: author: week: status: '
            "(status:draft is your own drafts). At most 500 characters."
        ),
    ),
    *[OpenApiParameter(name, str, description=f"The same as {name}: in q.") for name in FILTERS],
    OpenApiParameter("page", int, description="1-based; pages past the counted results are empty."),
    OpenApiParameter("page_size", int, description=f"Default {PAGE_SIZE}, clamped to 1..{MAX_PAGE_SIZE}."),
]


class SearchApi(APIView):
    """Search entries, hubs, topics and technologies you may see."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="search",
        parameters=SEARCH_PARAMETERS,
        responses={200: SearchOutput, 400: ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        results = search(
            request.user,
            _query_with_filters(request),
            page=request.query_params.get("page", 1),
            page_size=request.query_params.get("page_size", PAGE_SIZE),
        )
        if results.is_zero:
            search_record_zero_result(results.query)
        return Response(search_output(results))


class ZeroResultListApi(APIView):
    """Queries that found nothing, most frequent first (mentors and admins)."""

    @extend_schema(operation_id="search_zero_results", responses={200: ZeroResultOutput(many=True), 404: ERRORS[404]})
    def get(self, request: Request) -> Response:
        rows = zero_result_list(request.user)[:ZERO_RESULTS_SHOWN]
        return Response(ZeroResultOutput(rows, many=True).data)


api_urlpatterns = [
    path("search", SearchApi.as_view(), name="search"),
    path("search/zero-results", ZeroResultListApi.as_view(), name="search-zero-results"),
]
