"""The import page: upload or paste a README, see what it becomes (entries, kinds, source
lines, coverage), change kinds, then import; many files at once go through the REST API
one by one, with progress (static/interchange/import.js)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from nexus.core.errors import InvalidInput, NexusError
from nexus.core.forms import form_add_error_details
from nexus.interchange.errors import ImportConflict
from nexus.interchange.forms import KIND_FIELD_PREFIX, ReadmeImportForm
from nexus.interchange.services import ImportReport, readme_import
from nexus.knowledge.models import EntryKind
from nexus.knowledge.services import hub_ensure


@login_required
def readme_import_page(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: a preview, or (with `commit`) the import itself; a commit that
    cannot be saved shows the preview again with each part's problem."""
    hub = hub_ensure(request.user)
    form = ReadmeImportForm(request.POST or None, request.FILES or None)
    report: ImportReport | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            data, name = form.readme()
            run = partial(
                readme_import,
                actor=request.user,
                hub=hub,
                data=data,
                name=name,
                kinds=form.chosen_kinds(),
                status=form.cleaned_data["status"],
            )
            if "commit" not in request.POST:
                report = run(dry_run=True)
            else:
                try:
                    report = run(dry_run=False)
                except (InvalidInput, ImportConflict) as error:
                    form.add_error(None, error.message)
                    status = error.status
                    report = run(dry_run=True)
                else:
                    counts = report.counts
                    messages.success(
                        request,
                        f"Imported {report.name}: {counts['create']} created, {counts['update']} updated, "
                        f"{counts['unchanged']} unchanged.",
                    )
                    return redirect("knowledge:hub", username=hub.owner.username)
        except NexusError as error:
            form_add_error_details(form, error)
            status = error.status
    elif form.is_bound:
        status = 400
    context = {
        "hub": hub,
        "form": form,
        "report": report.as_dict() if report else None,
        "preview_text": report.text if report else "",
        "kinds": EntryKind.choices,
        "kind_prefix": KIND_FIELD_PREFIX,
        "api_url": reverse("api:v1:hub-readme-import", args=[hub.owner.username]),
        "export_url": reverse("api:v1:hub-readme-export", args=[hub.owner.username]),
    }
    return render(request, "interchange/import.html", context, status=status)
