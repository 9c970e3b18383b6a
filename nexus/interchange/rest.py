"""REST face of the interchange: import a README into a hub (preview or commit) and export
a hub back to README.md."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.serializers import ErrorOutput, InputSerializer
from nexus.interchange.services import readme_export, readme_import, readme_import_hub, readme_source
from nexus.knowledge.models import EntryKind, EntryStatus
from nexus.knowledge.selectors import hub_get_for_user

ERRORS = {code: OpenApiResponse(ErrorOutput) for code in (400, 401, 403, 404, 409, 413)}


# --- Output: the shape of ImportReport.as_dict() -------------------------------------------


class UnplacedLineOutput(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class CoverageOutput(serializers.Serializer):
    lines = serializers.IntegerField(help_text="Non-blank lines in the file.")
    placed = serializers.IntegerField(help_text="Lines that went into an entry, a note or the hub's intro.")
    percent = serializers.FloatField()
    unplaced = UnplacedLineOutput(many=True)


class ImportWarningOutput(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class ImportEntryOutput(serializers.Serializer):
    key = serializers.CharField(help_text="Send it in `kinds` to choose another kind for this part.")
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    title = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])
    entry_id = serializers.IntegerField(allow_null=True, help_text="Null in a preview of a new entry.")
    slug = serializers.CharField()
    lines = serializers.ListField(child=serializers.IntegerField(), help_text="First and last source line.")
    confidence = serializers.FloatField()
    reason = serializers.CharField(help_text="Why the importer chose this kind.")
    merged = serializers.BooleanField(help_text="Merged with edits made in Nexus since the last import.")
    error = serializers.DictField(allow_null=True)


class MissingEntryOutput(serializers.Serializer):
    key = serializers.CharField()
    entry_id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()


class ImportReportOutput(serializers.Serializer):
    name = serializers.CharField()
    dry_run = serializers.BooleanField()
    encoding = serializers.CharField()
    repairs = serializers.ListField(child=serializers.CharField())
    hub_changes = serializers.DictField(child=serializers.CharField())
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="How many entries are (or would be) created, updated, unchanged."
    )
    coverage = CoverageOutput()
    warnings = ImportWarningOutput(many=True)
    entries = ImportEntryOutput(many=True)
    missing = MissingEntryOutput(many=True, help_text="Entries an earlier import made that the file no longer has.")
    conflicts = serializers.ListField(child=serializers.DictField())


# --- Input --------------------------------------------------------------------------------


class ReadmeImportInput(InputSerializer):
    file = serializers.FileField(required=False, help_text="The README as a file (multipart/form-data).")
    text = serializers.CharField(required=False, trim_whitespace=False, help_text="Or the README's text.")
    name = serializers.CharField(
        max_length=200, required=False, help_text="The file's name; a re-import of the same name updates its entries."
    )
    dry_run = serializers.BooleanField(default=True, help_text="Preview only (the default); false commits.")
    status = serializers.ChoiceField(choices=EntryStatus.choices, default=EntryStatus.PUBLISHED)
    kinds = serializers.JSONField(
        required=False, help_text='Kinds you chose, by entry key: {"key": "challenge"} (a JSON string in a form).'
    )

    def validate_kinds(self, value: Any) -> dict[str, str]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as error:
                raise serializers.ValidationError("Send kinds as a JSON object of entry key to kind.") from error
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise serializers.ValidationError("Send kinds as a JSON object of entry key to kind.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("file" in attrs) == ("text" in attrs):
            raise serializers.ValidationError({"file": ["Send the README either as `file` or as `text`."]})
        return attrs


# --- Views --------------------------------------------------------------------------------


class ReadmeImportApi(APIView):
    """Import a README into a hub: a preview (`dry_run`, the default) lists the entries it
    would create or update with their kind, source lines and confidence, and the lines it
    could not place; a commit writes them in one transaction."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="hubs_readme_import",
        request={"application/json": ReadmeImportInput, "multipart/form-data": ReadmeImportInput},
        responses={200: ImportReportOutput, **{c: ERRORS[c] for c in (400, 401, 403, 404, 409, 413)}},
    )
    def post(self, request: Request, username: str) -> Response:
        data = ReadmeImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        content, name = readme_source(upload=fields.get("file"), text=fields.get("text"), name=fields.get("name", ""))
        report = readme_import(
            actor=request.user,
            hub=readme_import_hub(request.user, username),
            data=content,
            name=name,
            dry_run=fields["dry_run"],
            kinds=fields.get("kinds"),
            status=fields["status"],
        )
        return Response(ImportReportOutput(report.as_dict()).data)


class ReadmeExportApi(APIView):
    """The hub as README.md, in the program's outline: what you may see of it (your own
    drafts included). Importing the file again gives the same entries."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="hubs_readme_export",
        responses={(200, "text/markdown"): OpenApiTypes.STR, 404: ERRORS[404]},
    )
    def get(self, request: Request, username: str) -> HttpResponse:
        # The hub page's "Download README.md" links here too (sessions work on the API).
        hub = hub_get_for_user(request.user, username)
        return HttpResponse(
            readme_export(actor=request.user, hub=hub).encode("utf-8"),
            content_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{hub.owner.username}-README.md"'},
        )


api_urlpatterns = [
    path("hubs/<str:username>/import", ReadmeImportApi.as_view(), name="hub-readme-import"),
    path("hubs/<str:username>/readme", ReadmeExportApi.as_view(), name="hub-readme-export"),
]
