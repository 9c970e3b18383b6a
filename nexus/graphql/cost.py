"""What a GraphQL query costs, counted before it runs, and the per-client budget it spends.

A query's cost estimates the objects it can resolve: every field counts once for each
parent object, and a list field taking `limit` multiplies what it selects by that limit
(clamped like the lists themselves). `{ entries(limit: 100) { title author { username } } }`
costs 1 + 100 x (1 + 1 + 1) = 301. Each client (a signed-in user, else its address)
spends against NEXUS_RATE_GRAPHQL_COST; a query over the budget is refused before it
executes with `rate_limited` (HTTP 429 and Retry-After).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from nexus.traffic.addresses import client_address
from nexus.traffic.errors import RateLimited
from nexus.traffic.limits import cost_hit

# The largest page a list answers (knowledge/graphql.py MAX_PAGE): a larger limit costs no more.
MAX_LIMIT = 100


def _limit(field: FieldNode, variables: dict[str, Any]) -> int:
    for argument in field.arguments or ():
        if argument.name.value != "limit":
            continue
        value: Any = None
        if isinstance(argument.value, IntValueNode):
            value = argument.value.value
        elif isinstance(argument.value, VariableNode):
            value = variables.get(argument.value.name.value)
        try:
            return max(1, min(int(value), MAX_LIMIT))
        except (TypeError, ValueError):
            return 1
    return 1


def _cost(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    seen: frozenset[str],
) -> int:
    if selections is None:
        return 0
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            total += 1 + _limit(selection, variables) * _cost(selection.selection_set, fragments, variables, seen)
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, fragments, variables, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            # Counted before validation, so a fragment that spreads itself must not loop.
            if name in fragments and name not in seen:
                total += _cost(fragments[name].selection_set, fragments, variables, seen | {name})
    return total


def _operations(document: DocumentNode, operation_name: str | None) -> Iterator[OperationDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            yield definition


def query_cost(document: DocumentNode, variables: dict[str, Any] | None, operation_name: str | None = None) -> int:
    """The cost of the operation that runs (all of them when none is named)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return sum(
        _cost(operation.selection_set, fragments, variables or {}, frozenset())
        for operation in _operations(document, operation_name)
    )


class QueryCostLimiter(SchemaExtension):
    """Spends the query's cost from its client's budget before validation and execution."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if settings.NEXUS_RATE_LIMITS_ENABLED and request is not None and context.graphql_document is not None:
            user = getattr(request, "user", None)
            key = f"user:{user.pk}" if user is not None and user.is_authenticated else client_address(request)
            cost = query_cost(context.graphql_document, context.variables, context.operation_name)
            exceeded = cost_hit(name="graphql-cost", rate=settings.NEXUS_RATE_GRAPHQL_COST, key=key, cost=cost)
            if exceeded is not None:
                error = RateLimited(
                    f"This query costs {cost}; your GraphQL budget ({exceeded.rate}) is spent. "
                    "Ask for fewer items or retry after the number of seconds in Retry-After.",
                    retry_after=exceeded.retry_after,
                    details={"limit": exceeded.name, "rate": exceeded.rate, "cost": cost},
                )
                # Set before validation runs, it stops the operation there: nothing executes.
                context.pre_execution_errors = [GraphQLError(error.message, original_error=error)]
        yield
