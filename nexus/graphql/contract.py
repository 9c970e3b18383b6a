"""The committed GraphQL SDL: generated from the schema, checked for drift in CI."""

from __future__ import annotations

from nexus.env import BASE_DIR
from nexus.graphql.schema import schema

SDL_PATH = BASE_DIR / "docs" / "api" / "schema.graphql"


def graphql_sdl() -> str:
    return schema.as_str() + "\n"
