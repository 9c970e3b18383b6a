"""The one GraphQL schema, composed from each app's Query and Mutation types."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import strawberry
from django.conf import settings
from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry_django.optimizer import DjangoOptimizerExtension

from nexus.accounts.graphql import AccountsMutation, AccountsQuery
from nexus.community.graphql import CommunityMutation, CommunityQuery
from nexus.graphql.cost import QueryCostLimiter
from nexus.graphql.errors import NexusErrorExtension
from nexus.interchange.graphql import InterchangeMutation, InterchangeQuery
from nexus.knowledge.graphql import KnowledgeMutation, KnowledgeQuery
from nexus.notifications.graphql import NotificationsMutation, NotificationsQuery
from nexus.search.graphql import SearchQuery

Query = merge_types(
    "Query", (AccountsQuery, KnowledgeQuery, InterchangeQuery, SearchQuery, CommunityQuery, NotificationsQuery)
)
Mutation = merge_types(
    "Mutation", (AccountsMutation, KnowledgeMutation, InterchangeMutation, CommunityMutation, NotificationsMutation)
)


# The distinct query texts kept parsed; clients send a few, again and again (bounded, so
# made-up texts only churn it).
PARSED_QUERIES = 256


@functools.lru_cache(maxsize=PARSED_QUERIES)
def _parse(query: str, **options: Any) -> DocumentNode:
    return parse(query, **options)


class QuerysetOptimizer(DjangoOptimizerExtension):
    """strawberry-django's optimizer without its per-field `resolve` hook. The hook
    optimizes a QuerySet a resolver returns unevaluated. Here the strawberry-django fields
    optimize theirs themselves (StrawberryDjangoField.get_queryset asks the optimizer set in
    the context) and every plain resolver returns loaded rows, so the hook only repeated a
    check on every field of a response, 228 for 20 nested entries. With no hook graphql-core
    wraps no field: 7 to 10 % of that list. The query-count tests of the lists hold this."""

    resolve = SchemaExtension.resolve  # type: ignore[assignment]  # the base class's own, so strawberry sees no hook


class CachedParse(SchemaExtension):
    """Parses a query text once per process. Unlike strawberry's ParserCache, a text that
    does not parse is left to strawberry's own parse, which answers the error as a syntax
    error (ParserCache raises it out of the hook, and the client gets no error code)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            with contextlib.suppress(GraphQLError):  # strawberry parses it again and answers
                context.graphql_document = _parse(context.query, **context.parse_options)
        yield


class NexusSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Expected failures (bad queries, NexusError) are answers, not incidents; bugs are
        # logged by NexusErrorExtension where they are masked.
        return None


def build_schema(*, introspection: bool | None = None) -> NexusSchema:
    """The schema with its limits; every limit is checked before execution starts.

    A query text is parsed and validated once per process (CachedParse, ValidationCache:
    a client sends the same few queries again and again, and checking one cost a fifth of
    a 20-entry list). The depth and alias rules are built here, once, so that a cached
    validation is keyed by the same rules on every request."""
    depth, aliases, tokens = settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES, settings.GRAPHQL_MAX_TOKENS
    rules = (
        *QueryDepthLimiter(max_depth=depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=aliases).validation_rules,
    )
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=tokens),
        CachedParse,
        lambda: AddValidationRules(list(rules)),
        ValidationCache,
        QueryCostLimiter,
        QuerysetOptimizer,
        NexusErrorExtension,
    ]
    if not (settings.GRAPHQL_INTROSPECTION if introspection is None else introspection):
        extensions.append(DisableIntrospection)
    return NexusSchema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema()
