"""The committed OpenAPI document: generated from the code, checked for drift in CI."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from nexus.env import BASE_DIR

OPENAPI_PATH = BASE_DIR / "docs" / "api" / "openapi.yaml"


def openapi_document() -> bytes:
    """The OpenAPI 3 document of /api/v1/ as YAML, exactly as /api/schema/ serves it."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={})
