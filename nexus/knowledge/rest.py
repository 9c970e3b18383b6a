"""REST face of the knowledge core: hubs, entries, revisions, proposals, vocabulary."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.pagination import NexusCursorPagination
from nexus.api.serializers import ErrorOutput, InputSerializer
from nexus.core.cache import cache_get_or_compute
from nexus.core.errors import InvalidInput
from nexus.knowledge.caching import (
    ENTRY_CACHE_DEPENDS_ON,
    ENTRY_LISTS_CACHE_SCOPE,
    entry_cache_day,
    entry_cache_scope,
)
from nexus.knowledge.diffing import fields_diff
from nexus.knowledge.filters import EntryFilter
from nexus.knowledge.models import (
    EditProposal,
    Entry,
    EntryKind,
    EntryStatus,
    ProposalStatus,
    Revision,
    Tag,
    Visibility,
)
from nexus.knowledge.selectors import (
    entries_load_vocabulary,
    entry_get_for_user,
    entry_list_audience,
    entry_summaries_visible_to,
    entry_vocabulary,
    hub_get_for_user,
    hub_list_visible_to,
    proposal_get_for_user,
    proposal_list_visible_to,
    revision_get,
    revision_list,
    tag_list,
    technology_list,
    topic_list,
)
from nexus.knowledge.services import (
    EntrySaved,
    entry_create,
    entry_delete,
    entry_reverify,
    entry_set_status,
    entry_update,
    hub_ensure,
    hub_update,
    proposal_create,
    proposal_merge,
    proposal_update,
    revision_restore,
    vocabulary_save,
)

ERRORS = {code: OpenApiResponse(ErrorOutput) for code in (400, 401, 403, 404, 409)}


# --- Output -------------------------------------------------------------------------------


class AuthorOutput(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField(source="profile.name")


class VocabularyOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class TechnologyOutput(VocabularyOutput):
    aliases = serializers.ListField(child=serializers.CharField())


class TopicOutput(VocabularyOutput):
    description = serializers.CharField()


class HubOutput(serializers.Serializer):
    owner = AuthorOutput()
    title = serializers.CharField()
    intro = serializers.CharField()
    intro_html = serializers.CharField()
    cohort = serializers.CharField()
    visibility = serializers.ChoiceField(choices=Visibility.choices)


class EntryOutput(serializers.Serializer):
    """An entry in a list: everything but the body."""

    id = serializers.IntegerField()
    hub = serializers.CharField(source="hub.owner.username")
    author = AuthorOutput(source="hub.owner")
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    title = serializers.CharField()
    slug = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.ChoiceField(choices=EntryStatus.choices)
    week = serializers.IntegerField(allow_null=True)
    project = serializers.CharField()
    verified_with = serializers.CharField()
    review_by = serializers.DateField(allow_null=True)
    is_stale = serializers.BooleanField()
    version = serializers.IntegerField(help_text="The current revision number: send it back as base_revision.")
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    topics = VocabularyOutput(many=True)
    technologies = VocabularyOutput(many=True)
    tags = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_tags(self, entry: Entry) -> list[str]:
        return [tag.name for tag in entry.tags.all()]

    def get_url(self, entry: Entry) -> str:
        return f"/h/{entry.hub.owner.username}/{entry.slug}/"


class EntryDetailOutput(EntryOutput):
    """An entry with its Markdown, the stored sanitised HTML and its table of contents."""

    body = serializers.CharField()
    problem = serializers.CharField()
    solution = serializers.CharField()
    outcome = serializers.CharField()
    html = serializers.CharField()
    toc = serializers.ListField(child=serializers.DictField())


class WarningOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)


class EntrySavedOutput(serializers.Serializer):
    entry = EntryDetailOutput()
    revision = serializers.IntegerField(source="revision.number", allow_null=True)
    merged = serializers.BooleanField(help_text="True when your stale write was merged with newer changes.")
    warnings = WarningOutput(many=True)


class RevisionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    message = serializers.CharField()
    created_at = serializers.DateTimeField()


class RevisionDetailOutput(RevisionOutput):
    title = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField()
    problem = serializers.CharField()
    solution = serializers.CharField()
    outcome = serializers.CharField()


class DiffRowOutput(serializers.Serializer):
    kind = serializers.CharField()
    old_number = serializers.IntegerField(allow_null=True)
    new_number = serializers.IntegerField(allow_null=True)
    old_html = serializers.CharField()
    new_html = serializers.CharField()


class FieldDiffOutput(serializers.Serializer):
    field = serializers.CharField()
    unified = serializers.CharField()
    rows = DiffRowOutput(many=True)


class ProposalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    entry = serializers.IntegerField(source="entry_id")
    author = AuthorOutput()
    base_revision = serializers.IntegerField(source="base_revision.number")
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    created_at = serializers.DateTimeField()
    title = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField()
    problem = serializers.CharField()
    solution = serializers.CharField()
    outcome = serializers.CharField()


# --- Input --------------------------------------------------------------------------------


class EntryFieldsInput(InputSerializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    problem = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    solution = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    outcome = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    status = serializers.ChoiceField(choices=EntryStatus.choices, required=False)
    week = serializers.IntegerField(min_value=1, max_value=52, required=False, allow_null=True)
    project = serializers.CharField(max_length=120, required=False, allow_blank=True)
    verified_with = serializers.CharField(max_length=120, required=False, allow_blank=True)
    review_by = serializers.DateField(required=False, allow_null=True)
    topics = serializers.ListField(child=serializers.SlugField(), required=False, max_length=20)
    technologies = serializers.ListField(child=serializers.SlugField(), required=False, max_length=20)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    message = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="Revision message")


class EntryUpdateInput(EntryFieldsInput):
    base_revision = serializers.IntegerField(
        min_value=1, required=False, help_text="The revision you edited; or send it as If-Match: the entry's ETag."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ReverifyInput(InputSerializer):
    review_by = serializers.DateField(allow_null=True)
    verified_with = serializers.CharField(max_length=120, required=False, allow_blank=True)


class HubUpdateInput(InputSerializer):
    title = serializers.CharField(max_length=120, required=False)
    intro = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    cohort = serializers.CharField(max_length=60, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class ProposalContentInput(InputSerializer):
    """The content fields a proposal changes; fields left out keep their value."""

    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    problem = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    solution = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    outcome = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ProposalInput(ProposalContentInput):
    entry = serializers.IntegerField(min_value=1)
    base_revision = serializers.IntegerField(min_value=1)
    message = serializers.CharField(max_length=500)


class ProposalUpdateInput(ProposalContentInput):
    base_revision = serializers.IntegerField(
        min_value=1, required=False, help_text="A newer revision of the entry to move the proposal onto."
    )
    message = serializers.CharField(max_length=500, required=False)


# --- ETags --------------------------------------------------------------------------------

_ETAG = re.compile(r'^(?:W/)?"e(?P<id>\d+)-r(?P<version>\d+)-(?P<stamp>[0-9a-f]+)"$')


def entry_etag(entry: Entry, representation: dict[str, Any]) -> str:
    """The entry's id and revision (what If-Match names) and a digest of what a GET answers:
    an author or topic renamed changes it, so no reader keeps a stale copy. The digest is
    of the data with sorted keys, because PostgreSQL hands JSON columns back in its own order."""
    canonical = json.dumps(representation, sort_keys=True, separators=(",", ":"), default=str)
    return f'"e{entry.pk}-r{entry.version}-{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"'


# EntryOutput and EntryDetailOutput as dicts built directly, for the reads every client
# makes: through DRF's fields a page of 20 costs 2 ms, an entry's detail 0.15 ms, ten times
# this. The serializers stay what the OpenAPI schema and the writes' answers read;
# tests/test_rest.py holds these equal to them, field for field.
_DATETIME, _DATE = serializers.DateTimeField(), serializers.DateField()


def _vocabulary_output(entry: Entry, field: str) -> list[dict[str, Any]]:
    return [{"slug": str(item.slug), "name": str(item.name)} for item in entry_vocabulary(entry, field)]


def entry_output(entry: Entry) -> dict[str, Any]:
    """EntryOutput(entry).data (entries as a list loads them, vocabulary prefetched)."""
    owner = entry.hub.owner
    profile = getattr(owner, "profile", None)
    return {
        "id": entry.pk,
        "hub": str(owner.username),
        "author": {"username": str(owner.username), "display_name": profile.name if profile is not None else None},
        "kind": str(entry.kind),
        "title": str(entry.title),
        "slug": str(entry.slug),
        "summary": str(entry.summary),
        "status": str(entry.status),
        "week": entry.week,
        "project": str(entry.project),
        "verified_with": str(entry.verified_with),
        "review_by": _DATE.to_representation(entry.review_by) if entry.review_by is not None else None,
        "is_stale": entry.is_stale,
        "version": entry.version,
        "published_at": _DATETIME.to_representation(entry.published_at) if entry.published_at else None,
        "updated_at": _DATETIME.to_representation(entry.updated_at) if entry.updated_at else None,
        "topics": _vocabulary_output(entry, "topics"),
        "technologies": _vocabulary_output(entry, "technologies"),
        "tags": [str(tag.name) for tag in entry_vocabulary(entry, "tags")],
        "url": f"/h/{owner.username}/{entry.slug}/",
    }


def entry_detail_output(entry: Entry) -> dict[str, Any]:
    """EntryDetailOutput(entry).data."""
    return {
        **entry_output(entry),
        "body": str(entry.body),
        "problem": str(entry.problem),
        "solution": str(entry.solution),
        "outcome": str(entry.outcome),
        "html": str(entry.html),
        "toc": None if entry.toc is None else [{str(key): value for key, value in item.items()} for item in entry.toc],
    }


def entry_representation(entry: Entry) -> tuple[bytes, str]:
    """The JSON of an entry's detail (the same for every reader) and its ETag."""
    data = entry_detail_output(entry)
    return JSONRenderer().render(data), entry_etag(entry, data)


def etag_matches(request: Request, etag: str) -> bool:
    """Whether If-None-Match names `etag` (weakly compared, as RFC 9110 asks for GET)."""
    sent = request.headers.get("If-None-Match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in sent.split(","))


def base_revision_from(request: Request, data: dict[str, Any], entry: Entry) -> int:
    """The revision a write is based on: the base_revision field, or the If-Match ETag."""
    if data.get("base_revision") is not None:
        return int(data["base_revision"])
    header = request.headers.get("If-Match", "")
    match = _ETAG.match(header.strip())
    if match and int(match["id"]) == entry.pk:
        return int(match["version"])
    raise InvalidInput(
        "Say which revision you edited: send base_revision, or If-Match with the entry's ETag.",
        details={"base_revision": ["Required (or an If-Match header)."]},
    )


def public_entry_representation(entry_id: int) -> tuple[bytes, str]:
    """The JSON and ETag of an entry as anonymous visitors see it (EntryNotFound otherwise)."""
    return entry_representation(entry_get_for_user(AnonymousUser(), entry_id))


def saved_response(saved: EntrySaved, status_code: int = 200) -> Response:
    body = EntrySavedOutput(
        {"entry": saved.entry, "revision": saved.revision, "merged": saved.merged, "warnings": saved.warnings}
    ).data
    etag = entry_etag(saved.entry, body["entry"])
    return Response(body, status=status_code, headers={"ETag": etag})


# --- Views --------------------------------------------------------------------------------


class EntryListApi(ListAPIView):
    """Entries you may see, newest first; filter by kind, status, week, topic, technology,
    tag and author. POST writes a new entry in your hub."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = EntryOutput
    filterset_class = EntryFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["created_at", "updated_at", "published_at"]

    def get_queryset(self) -> QuerySet[Entry]:
        return entry_summaries_visible_to(self.request.user)

    def filter_queryset(self, queryset: Any) -> Any:
        # A page that names no filter (the common read) skips building EntryFilter and its
        # form, which filter nothing then and cost 1 ms: ordering still applies.
        if any(name in self.request.query_params for name in EntryFilter.base_filters):
            return super().filter_queryset(queryset)
        for backend in self.filter_backends:
            if backend is not django_filters.rest_framework.DjangoFilterBackend:
                queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        return entries_load_vocabulary(list(page)) if page is not None else None

    def _page(self) -> Response:
        # ListAPIView.list, each entry built by entry_output (EntryOutput, built directly).
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([entry_output(entry) for entry in page])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        # One cached answer per URL and audience: every anonymous reader shares one, every
        # admin one, and each member has their own (their drafts are in it), so a frontend
        # client reading with its token is served from the cache too. Any entry write drops
        # them all.
        body = cache_get_or_compute(
            ENTRY_LISTS_CACHE_SCOPE,
            request.get_host(),
            entry_list_audience(request.user),
            entry_cache_day(),
            request.get_full_path(),
            depends_on=ENTRY_CACHE_DEPENDS_ON,
            compute=lambda: JSONRenderer().render(self._page().data),
        )
        return HttpResponse(body, content_type="application/json")

    @extend_schema(
        operation_id="entries_create",
        request=EntryFieldsInput,
        responses={201: EntrySavedOutput, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def post(self, request: Request) -> Response:
        data = EntryFieldsInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        message = fields.pop("message", "")
        saved = entry_create(actor=request.user, hub=hub_ensure(request.user), data=fields, message=message)
        return saved_response(saved, status.HTTP_201_CREATED)


class EntryDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(operation_id="entries_retrieve", responses={200: EntryDetailOutput, 304: None, 404: ERRORS[404]})
    def get(self, request: Request, entry_id: int) -> HttpResponseBase:
        if request.user.is_authenticated:
            entry = entry_get_for_user(request.user, entry_id)
            body, etag = entry_representation(entry)
        else:
            # Everyone anonymous sees the same bytes: served from the cache, which the
            # services invalidate on every change (knowledge/caching.py).
            body, etag = cache_get_or_compute(
                entry_cache_scope(entry_id),
                "rest",
                entry_cache_day(),
                depends_on=ENTRY_CACHE_DEPENDS_ON,
                compute=lambda: public_entry_representation(entry_id),
            )
        if etag_matches(request, etag):
            return HttpResponse(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return HttpResponse(body, content_type="application/json", headers={"ETag": etag})

    @extend_schema(
        operation_id="entries_update",
        request=EntryUpdateInput,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
        responses={200: EntrySavedOutput, **{c: ERRORS[c] for c in (400, 401, 403, 404, 409)}},
        summary="Change an entry (stale writes are merged, or refused with 409 when they overlap)",
    )
    def patch(self, request: Request, entry_id: int) -> Response:
        entry = entry_get_for_user(request.user, entry_id)
        data = EntryUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        base = base_revision_from(request, fields, entry)
        fields.pop("base_revision", None)
        message = fields.pop("message", "")
        saved = entry_update(actor=request.user, entry=entry, data=fields, base_version=base, message=message)
        return saved_response(saved)

    @extend_schema(operation_id="entries_destroy", responses={204: None, 403: ERRORS[403], 404: ERRORS[404]})
    def delete(self, request: Request, entry_id: int) -> Response:
        entry_delete(actor=request.user, entry=entry_get_for_user(request.user, entry_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EntryStatusApi(APIView):
    permission_classes = [IsAuthenticated]
    target_status = EntryStatus.PUBLISHED

    @extend_schema(request=None, responses={200: EntryDetailOutput, 403: ERRORS[403], 404: ERRORS[404]})
    def post(self, request: Request, entry_id: int) -> HttpResponse:
        entry = entry_get_for_user(request.user, entry_id)
        body, etag = entry_representation(entry_set_status(actor=request.user, entry=entry, status=self.target_status))
        return HttpResponse(body, content_type="application/json", headers={"ETag": etag})


class EntryPublishApi(EntryStatusApi):
    target_status = EntryStatus.PUBLISHED


class EntryUnpublishApi(EntryStatusApi):
    target_status = EntryStatus.DRAFT


class EntryReverifyApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReverifyInput, responses={200: EntryDetailOutput, 400: ERRORS[400], 403: ERRORS[403]})
    def post(self, request: Request, entry_id: int) -> Response:
        entry = entry_get_for_user(request.user, entry_id)
        data = ReverifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = entry_reverify(actor=request.user, entry=entry, **data.validated_data)
        return Response(entry_detail_output(entry))


class RevisionPagination(NexusCursorPagination):
    ordering = "-number"


class RevisionListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = RevisionOutput
    pagination_class = RevisionPagination

    def get_queryset(self) -> QuerySet[Revision]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspects the view without a request
            return Revision.objects.none()
        return revision_list(entry_get_for_user(self.request.user, self.kwargs["entry_id"]))


class RevisionDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: RevisionDetailOutput, 404: ERRORS[404]})
    def get(self, request: Request, entry_id: int, number: int) -> Response:
        entry = entry_get_for_user(request.user, entry_id)
        return Response(RevisionDetailOutput(revision_get(entry, number)).data)


class RevisionRestoreApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: EntrySavedOutput, 403: ERRORS[403], 404: ERRORS[404]})
    def post(self, request: Request, entry_id: int, number: int) -> Response:
        entry = entry_get_for_user(request.user, entry_id)
        return saved_response(revision_restore(actor=request.user, entry=entry, number=number))


class RevisionDiffApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=True, description="Older revision number"),
            OpenApiParameter("to", int, required=True, description="Newer revision number"),
        ],
        responses={200: FieldDiffOutput(many=True), 400: ERRORS[400], 404: ERRORS[404]},
        summary="What changed between two revisions, field by field",
    )
    def get(self, request: Request, entry_id: int) -> Response:
        entry = entry_get_for_user(request.user, entry_id)
        numbers = {}
        for name in ("from", "to"):
            value = request.query_params.get(name, "")
            # isdigit() alone admits "²" and other digits int() refuses; nine ASCII digits
            # always fit the revision number column.
            if not (value.isascii() and value.isdigit() and len(value) <= 9):
                raise InvalidInput(
                    "Pick two revisions to compare: ?from=N&to=M with revision numbers.",
                    details={name: ["A revision number (digits 0-9, at most 9 of them) is required."]},
                )
            numbers[name] = int(value)
        old, new = revision_get(entry, numbers["from"]), revision_get(entry, numbers["to"])
        diffs = fields_diff(old.content(), new.content(), old_label=f"r{old.number}", new_label=f"r{new.number}")
        return Response(FieldDiffOutput(diffs, many=True).data)


class HubListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = HubOutput

    def get_queryset(self) -> Any:
        return hub_list_visible_to(self.request.user)


class HubDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: HubOutput, 404: ERRORS[404]})
    def get(self, request: Request, username: str) -> Response:
        return Response(HubOutput(hub_get_for_user(request.user, username)).data)

    @extend_schema(request=HubUpdateInput, responses={200: HubOutput, 400: ERRORS[400], 403: ERRORS[403]})
    def patch(self, request: Request, username: str) -> Response:
        hub = hub_get_for_user(request.user, username)
        data = HubUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(HubOutput(hub_update(actor=request.user, hub=hub, data=dict(data.validated_data))).data)


class ProposalListApi(ListAPIView):
    """Proposals you made or may review. POST suggests an edit to someone else's entry."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProposalOutput
    filterset_fields = ["status", "entry"]

    def get_queryset(self) -> QuerySet[EditProposal]:
        return proposal_list_visible_to(self.request.user)

    @extend_schema(
        operation_id="proposals_create",
        request=ProposalInput,
        responses={201: ProposalOutput, 400: ERRORS[400], 404: ERRORS[404]},
    )
    def post(self, request: Request) -> Response:
        data = ProposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        entry = entry_get_for_user(request.user, fields.pop("entry"))
        proposal = proposal_create(
            actor=request.user,
            entry=entry,
            base_version=fields.pop("base_revision"),
            message=fields.pop("message"),
            data=fields,
        )
        return Response(ProposalOutput(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ProposalOutput, 404: ERRORS[404]})
    def get(self, request: Request, proposal_id: int) -> Response:
        return Response(ProposalOutput(proposal_get_for_user(request.user, proposal_id)).data)

    @extend_schema(
        request=ProposalUpdateInput,
        responses={200: ProposalOutput, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404], 409: ERRORS[409]},
        summary="Revise a proposal (its author); it goes back to open for review",
    )
    def patch(self, request: Request, proposal_id: int) -> Response:
        proposal = proposal_get_for_user(request.user, proposal_id)
        data = ProposalUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        proposal = proposal_update(
            actor=request.user,
            proposal=proposal,
            base_version=fields.pop("base_revision", None),
            message=fields.pop("message", None),
            data=fields,
        )
        return Response(ProposalOutput(proposal).data)


class ProposalDiffApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: FieldDiffOutput(many=True), 404: ERRORS[404]}, summary="The change it proposes")
    def get(self, request: Request, proposal_id: int) -> Response:
        proposal = proposal_get_for_user(request.user, proposal_id)
        base = proposal.base_revision
        diffs = fields_diff(
            base.content(), proposal.content(), old_label=f"r{base.number}", new_label=f"proposal-{proposal.pk}"
        )
        return Response(FieldDiffOutput(diffs, many=True).data)


class ProposalMergeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: EntrySavedOutput, 400: ERRORS[400], 403: ERRORS[403], 409: ERRORS[409]},
        summary="Merge a proposal into its entry as a new revision",
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = proposal_get_for_user(request.user, proposal_id)
        return saved_response(proposal_merge(actor=request.user, proposal=proposal))


class TopicInput(InputSerializer):
    name = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class TechnologyInput(InputSerializer):
    name = serializers.CharField(max_length=60)
    aliases = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=20)


class VocabularyApi(ListAPIView):
    """The whole list (it is small and curated); mentors and admins add and rename items."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = None
    kind = "topic"
    input_class: type[InputSerializer] = TopicInput

    def create(self, request: Request) -> Response:
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        item = vocabulary_save(actor=request.user, kind=self.kind, slug=None, data=dict(data.validated_data))
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def change(self, request: Request, slug: str) -> Response:
        data = self.input_class(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = vocabulary_save(actor=request.user, kind=self.kind, slug=slug, data=dict(data.validated_data))
        return Response(self.get_serializer(item).data)


class TopicListApi(VocabularyApi):
    serializer_class = TopicOutput

    def get_queryset(self) -> Any:
        return topic_list()

    @extend_schema(
        operation_id="topics_create",
        request=TopicInput,
        responses={201: TopicOutput, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def post(self, request: Request) -> Response:
        return self.create(request)


class TopicDetailApi(TopicListApi):
    @extend_schema(
        operation_id="topics_update",
        request=TopicInput,
        responses={200: TopicOutput, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def patch(self, request: Request, slug: str) -> Response:
        return self.change(request, slug)


class TechnologyListApi(VocabularyApi):
    serializer_class = TechnologyOutput
    kind = "technology"
    input_class = TechnologyInput

    def get_queryset(self) -> Any:
        return technology_list()

    @extend_schema(
        operation_id="technologies_create",
        request=TechnologyInput,
        responses={201: TechnologyOutput, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def post(self, request: Request) -> Response:
        return self.create(request)


class TechnologyDetailApi(TechnologyListApi):
    @extend_schema(
        operation_id="technologies_update",
        request=TechnologyInput,
        responses={200: TechnologyOutput, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def patch(self, request: Request, slug: str) -> Response:
        return self.change(request, slug)


class TagOutput(serializers.Serializer):
    name = serializers.CharField()


class TagPagination(NexusCursorPagination):
    ordering = "name"


class TagQuery(serializers.Serializer):  # not strict: the query also carries the cursor
    prefix = serializers.CharField(max_length=40, required=False, allow_blank=True)


class TagListApi(ListAPIView):
    """Tags in use, by name, a page at a time; `prefix` narrows them (for suggestions)."""

    permission_classes = [AllowAny]
    serializer_class = TagOutput
    pagination_class = TagPagination

    @extend_schema(parameters=[TagQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Tag]:
        query = TagQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return tag_list(query.validated_data.get("prefix", ""))


api_urlpatterns = [
    path("hubs", HubListApi.as_view(), name="hub-list"),
    path("hubs/<str:username>", HubDetailApi.as_view(), name="hub-detail"),
    path("entries", EntryListApi.as_view(), name="entry-list"),
    path("entries/<int:entry_id>", EntryDetailApi.as_view(), name="entry-detail"),
    path("entries/<int:entry_id>/publish", EntryPublishApi.as_view(), name="entry-publish"),
    path("entries/<int:entry_id>/unpublish", EntryUnpublishApi.as_view(), name="entry-unpublish"),
    path("entries/<int:entry_id>/reverify", EntryReverifyApi.as_view(), name="entry-reverify"),
    path("entries/<int:entry_id>/revisions", RevisionListApi.as_view(), name="revision-list"),
    path("entries/<int:entry_id>/revisions/<int:number>", RevisionDetailApi.as_view(), name="revision-detail"),
    path(
        "entries/<int:entry_id>/revisions/<int:number>/restore", RevisionRestoreApi.as_view(), name="revision-restore"
    ),
    path("entries/<int:entry_id>/diff", RevisionDiffApi.as_view(), name="revision-diff"),
    path("proposals", ProposalListApi.as_view(), name="proposal-list"),
    path("proposals/<int:proposal_id>", ProposalDetailApi.as_view(), name="proposal-detail"),
    path("proposals/<int:proposal_id>/diff", ProposalDiffApi.as_view(), name="proposal-diff"),
    path("proposals/<int:proposal_id>/merge", ProposalMergeApi.as_view(), name="proposal-merge"),
    path("topics", TopicListApi.as_view(), name="topic-list"),
    path("topics/<slug:slug>", TopicDetailApi.as_view(http_method_names=["patch", "options"]), name="topic-detail"),
    path("technologies", TechnologyListApi.as_view(), name="technology-list"),
    path(
        "technologies/<slug:slug>",
        TechnologyDetailApi.as_view(http_method_names=["patch", "options"]),
        name="technology-detail",
    ),
    path("tags", TagListApi.as_view(), name="tag-list"),
]
