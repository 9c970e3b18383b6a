"""GraphQL face of search: the same search as REST, through the same selector."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from nexus.search.models import Target
from nexus.search.selectors import PAGE_SIZE, FacetValue, SearchHit, SearchResults, search
from nexus.search.services import search_record_zero_result


@strawberry.type(name="SearchFacetValue")
class SearchFacetValueType:
    value: str = strawberry.field(description="Use it as the filter's value, e.g. kind:<value>.")
    label: str
    count: int

    @staticmethod
    def of(values: list[FacetValue]) -> list[SearchFacetValueType]:
        return [SearchFacetValueType(value=v.value, label=v.label, count=v.count) for v in values]


@strawberry.type(name="SearchFacets")
class SearchFacetsType:
    kind: list[SearchFacetValueType]
    topic: list[SearchFacetValueType]
    tech: list[SearchFacetValueType]
    author: list[SearchFacetValueType]
    week: list[SearchFacetValueType]


@strawberry.type(name="SearchHit")
class SearchHitType:
    type: str = strawberry.field(description="entry, hub, topic or technology")
    id: strawberry.ID = strawberry.field(
        description="The entry's id; a hub's owner username; a topic's or technology's slug."
    )
    title: str
    title_html: str = strawberry.field(description="HTML-escaped, with matches in <mark>.")
    snippet_html: str = strawberry.field(description="HTML-escaped, with matches in <mark>.")
    url: str
    score: float
    kind: str | None
    author: str | None = strawberry.field(description="The username of the hub's owner.")
    week: int | None
    published_at: datetime.datetime | None
    topics: list[str]
    technologies: list[str]

    @staticmethod
    def of(hit: SearchHit) -> SearchHitType:
        item: Any = hit.object
        entry = hit.target == Target.ENTRY
        if hit.target == Target.ENTRY:
            ident, title = str(item.pk), item.title
        elif hit.target == Target.HUB:
            ident, title = item.owner.username, item.title
        else:
            ident, title = item.slug, item.name
        return SearchHitType(
            type=hit.target,
            id=strawberry.ID(ident),
            title=title,
            title_html=hit.title_html,
            snippet_html=hit.snippet_html,
            url=hit.url,
            score=hit.score,
            kind=item.kind if entry else None,
            author=item.hub_username if entry else (item.owner.username if hit.target == Target.HUB else None),
            week=item.week if entry else None,
            published_at=item.published_at if entry else None,
            topics=list(hit.topics),
            technologies=list(hit.technologies),
        )


@strawberry.type(name="SearchResults")
class SearchResultsType:
    query: str
    understood_as: str
    degraded: bool
    messages: list[str]
    did_you_mean: str | None
    corrected: bool
    total: int = strawberry.field(description="Results counted, at most 1,000.")
    total_label: str = strawberry.field(description='Exact below 1,000, then "1,000+".')
    capped: bool
    page: int
    page_size: int
    next_page: int | None
    facets: SearchFacetsType
    results: list[SearchHitType]

    @staticmethod
    def of(results: SearchResults) -> SearchResultsType:
        facets = {name: SearchFacetValueType.of(values) for name, values in results.facets.items()}
        return SearchResultsType(
            query=results.query,
            understood_as=results.parsed.text(),
            degraded=results.degraded,
            messages=results.messages,
            did_you_mean=results.did_you_mean,
            corrected=results.corrected,
            total=results.total,
            total_label=results.total_label,
            capped=results.capped,
            page=results.page,
            page_size=results.page_size,
            next_page=results.page + 1 if results.has_next else None,
            facets=SearchFacetsType(**facets),
            results=[SearchHitType.of(hit) for hit in results.hits],
        )


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description=(
            'Search what you may see: words, "phrases", -excluded, OR, and filters kind: topic: tech: author: '
            "week: status: (status:draft is your own drafts). `pageSize` is clamped to 1..50."
        )
    )
    def search(self, info: Info, q: str, page: int = 1, page_size: int = PAGE_SIZE) -> SearchResultsType:
        results = search(info.context.request.user, q, page=page, page_size=page_size)
        if results.is_zero:
            search_record_zero_result(results.query)
        return SearchResultsType.of(results)
