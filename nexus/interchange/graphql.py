"""GraphQL face of the interchange: the same import (preview or commit) and export as REST,
through the same services."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from nexus.core.errors import InvalidInput
from nexus.graphql.context import signed_in_user
from nexus.interchange.services import ImportReport, readme_export, readme_import, readme_import_hub
from nexus.knowledge.models import EntryStatus
from nexus.knowledge.selectors import hub_get_for_user


@strawberry.type(name="ImportCoverage")
class ImportCoverageType:
    lines: int
    placed: int
    percent: float
    unplaced: JSON = strawberry.field(description="[{line, reason}] for each line no entry holds.")


@strawberry.type(name="ImportWarning")
class ImportWarningType:
    line: int | None
    message: str


@strawberry.type(name="ImportedEntry")
class ImportedEntryType:
    key: str = strawberry.field(description="Name it in `kinds` to choose another kind for this part.")
    kind: str
    title: str
    action: str = strawberry.field(description="create, update or unchanged")
    entry_id: int | None
    slug: str
    lines: list[int] = strawberry.field(description="First and last source line.")
    confidence: float
    reason: str
    merged: bool
    error: JSON | None


@strawberry.type(name="ImportReport")
class ImportReportType:
    name: str
    dry_run: bool
    encoding: str
    repairs: list[str]
    hub_changes: JSON
    created: int
    updated: int
    unchanged: int
    coverage: ImportCoverageType
    warnings: list[ImportWarningType]
    entries: list[ImportedEntryType]
    missing: JSON = strawberry.field(description="[{key, entryId, title, slug}] the file no longer has.")
    conflicts: JSON

    @staticmethod
    def of(report: ImportReport) -> ImportReportType:
        shown = report.as_dict()
        counts = shown["counts"]
        return ImportReportType(
            name=shown["name"],
            dry_run=shown["dry_run"],
            encoding=shown["encoding"],
            repairs=shown["repairs"],
            hub_changes=shown["hub_changes"],
            created=counts["create"],
            updated=counts["update"],
            unchanged=counts["unchanged"],
            coverage=ImportCoverageType(**shown["coverage"]),
            warnings=[ImportWarningType(**warning) for warning in shown["warnings"]],
            entries=[ImportedEntryType(**entry) for entry in shown["entries"]],
            missing=shown["missing"],
            conflicts=shown["conflicts"],
        )


@strawberry.input
class KindChoiceInput:
    key: str
    kind: str


def _readme_bytes(text: str | None, base64_content: str | None) -> bytes:
    """The README as sent: plain text, or base64 for files that are not UTF-8 (UTF-16, say)."""
    if (text is None) == (base64_content is None):
        raise InvalidInput(details={"text": ["Send the README either as text or as base64Content."]})
    if text is not None:
        return text.encode("utf-8")
    try:
        return base64.b64decode(base64_content or "", validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidInput(details={"base64Content": ["This is not valid base64."]}) from error


@strawberry.type
class InterchangeQuery:
    @strawberry.field(description="A hub as README.md (what you may see of it), in the program's outline.")
    def hub_readme(self, info: Info, username: str) -> str:
        user = info.context.request.user
        return readme_export(actor=user, hub=hub_get_for_user(user, username))


@strawberry.type
class InterchangeMutation:
    @strawberry.mutation(
        description="Import a README into a hub: a preview unless dryRun is false; choose kinds by entry key."
    )
    def import_readme(
        self,
        info: Info,
        username: str,
        text: str | None = None,
        base64_content: str | None = None,
        name: str = "README.md",
        dry_run: bool = True,
        status: str = EntryStatus.PUBLISHED.value,
        kinds: list[KindChoiceInput] | None = None,
    ) -> ImportReportType:
        user = signed_in_user(info)
        chosen: dict[str, Any] = {choice.key: choice.kind for choice in kinds or []}
        report = readme_import(
            actor=user,
            hub=readme_import_hub(user, username),
            data=_readme_bytes(text, base64_content),
            name=name,
            dry_run=dry_run,
            kinds=chosen,
            status=status,
        )
        return ImportReportType.of(report)
