"""Maps every GraphQL error once: NexusError codes go to `extensions.code`, bugs are masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension

from nexus.core.errors import NexusError

logger = logging.getLogger(__name__)


def graphql_error_mapped(error: GraphQLError) -> GraphQLError:
    """The same error with `extensions.code`; an unexpected exception becomes internal_error."""
    original = error.original_error
    if isinstance(original, NexusError):
        error.extensions = {"code": original.code, "details": original.details}
        return error
    if isinstance(original, StrawberryInputCoercionError):
        # A variable that is no value of its type (a date of month 13, say): the client's
        # input, refused before anything executed.
        error.extensions = {"code": "invalid", "details": {}}
        return error
    if isinstance(original, DjangoValidationError):
        error.extensions = {"code": "invalid", "details": {"messages": list(original.messages)}}
        return error
    if isinstance(original, OperationalError | InterfaceError):
        logger.error("Database unavailable: %s", original)
        error = GraphQLError(
            "The database is unavailable right now; please retry in a few seconds.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "database_unavailable"},
        )
        return error
    if original is None:
        # Parsing and validation, limits included: refused before anything executed.
        syntax = isinstance(error, GraphQLSyntaxError)  # the token limit aborts parsing too
        error.extensions = {"code": "graphql_syntax_error" if syntax else "graphql_validation_failed"}
        return error
    logger.error("GraphQL resolver failed", exc_info=original)
    return GraphQLError(
        "Something went wrong on our side; it has been logged.",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "internal_error"},
    )


class NexusErrorExtension(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [graphql_error_mapped(error) for error in errors]
