"""Write or check the committed API contracts (docs/api/openapi.yaml, docs/api/schema.graphql)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexus.api.contract import OPENAPI_PATH, openapi_document
from nexus.graphql.contract import SDL_PATH, graphql_sdl


class Command(BaseCommand):
    help = "Regenerate (--write) or verify (--check) the OpenAPI document and the GraphQL SDL."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--write", action="store_true")
        mode.add_argument("--check", action="store_true")

    def handle(self, *args: Any, write: bool, check: bool, **options: Any) -> None:
        contracts = {OPENAPI_PATH: openapi_document(), SDL_PATH: graphql_sdl().encode()}
        stale = []
        for path, content in contracts.items():
            current = path.read_bytes() if path.exists() else b""
            if current == content:
                continue
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                self.stdout.write(f"wrote {path.relative_to(path.parents[2])}")
            else:
                stale.append(str(path))
        if stale:
            raise CommandError(f"API contracts are out of date: {', '.join(stale)}. Run `make schema`.")
        self.stdout.write("API contracts are current.")
