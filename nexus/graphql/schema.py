"""The one GraphQL schema, composed from each app's Query and Mutation types."""

from __future__ import annotations

from typing import Any

import strawberry
from django.conf import settings
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
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


class NexusSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Expected failures (bad queries, NexusError) are answers, not incidents; bugs are
        # logged by NexusErrorExtension where they are masked.
        return None


def build_schema(*, introspection: bool | None = None) -> NexusSchema:
    """The schema with its limits; every limit is checked before execution starts."""
    depth, aliases, tokens = settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES, settings.GRAPHQL_MAX_TOKENS
    extensions: list[Any] = [
        lambda: QueryDepthLimiter(max_depth=depth),
        lambda: MaxAliasesLimiter(max_alias_count=aliases),
        lambda: MaxTokensLimiter(max_token_count=tokens),
        QueryCostLimiter,
        DjangoOptimizerExtension,
        NexusErrorExtension,
    ]
    if not (settings.GRAPHQL_INTROSPECTION if introspection is None else introspection):
        extensions.append(DisableIntrospection)
    return NexusSchema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema()
