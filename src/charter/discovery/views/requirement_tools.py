"""Working on the requirement register: bulk edit, import, comments, plan tasks, and the
traceability matrix."""

import base64
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.concurrency import StaleEdit
from charter.core.exports import Column, export_response
from charter.core.forms import submit
from charter.discovery.forms.requirements import (
    BulkEditForm,
    CommentForm,
    RequirementImportForm,
    RequirementTasksForm,
)
from charter.discovery.models import Requirement
from charter.discovery.services import requirements as services
from charter.discovery.services import traceability
from charter.discovery.services.requirement_import import ImportReport, import_requirements
from charter.discovery.views.parents import parent_paths, parent_url, visible_parent
from charter.planning.models import Task

TRACE_PER_PAGE = 50


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


TRACE_COLUMNS = [
    Column(gettext_lazy("Code"), lambda row: row.code),
    Column(pgettext_lazy("requirement", "Title"), lambda row: row.title),
    Column(gettext_lazy("Status"), lambda row: row.get_status_display()),
    Column(gettext_lazy("Sources"), lambda row: len(row.trace_sources)),
    Column(
        gettext_lazy("Source list"),
        lambda row: "; ".join(finding.source_label for finding in row.trace_sources),
    ),
    Column(gettext_lazy("Tasks"), lambda row: len(row.trace_tasks)),
    Column(gettext_lazy("Task list"), lambda row: "; ".join(t.name for t in row.trace_tasks)),
    Column(
        gettext_lazy("Change requests"),
        lambda row: "; ".join(change.code for change in row.trace_changes),
    ),
    Column(gettext_lazy("Delivered"), lambda row: _yes_no(traceability.is_delivered(row))),
]


def _back_to_list(request: HttpRequest, parent: models.Model) -> HttpResponse:
    """Back to the register, keeping its filters and page when ``next`` points there."""
    target = request.POST.get("next", "")
    list_url = parent_url(parent, "requirements")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return redirect(target if safe and target.startswith(list_url) else list_url)


@require_POST
@policy.requires("discovery.requirement", "change")
def requirement_bulk(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Change status, priority, type, owner or client visibility of the ticked rows at once:
    all or nothing, each row checked against the version the list showed."""
    parent = visible_parent(request.user, kind, pk)
    form = BulkEditForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("The bulk change is not valid.")]:
            messages.error(request, str(error))
        return _back_to_list(request, parent)
    try:
        changed = services.bulk_update_requirements(
            parent, actor=request.user, versions=form.versions(), **form.changes()
        )
    except StaleEdit as stale:
        messages.error(request, str(stale))
    except ValidationError as problem:
        for message in problem.messages:
            messages.error(request, str(message))
    else:
        messages.success(
            request,
            _("%(count)d requirements were changed: %(codes)s.")
            % {"count": len(changed), "codes": ", ".join(row.code for row in changed)},
        )
    return _back_to_list(request, parent)


def _import_key(kind: str, pk: int) -> str:
    return f"discovery.requirement_import.{kind}.{pk}"


def _import_page(
    request: HttpRequest,
    parent: models.Model,
    form: RequirementImportForm,
    report: ImportReport | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "parent": parent,
        "form": form,
        "report": report,
        "list_url": parent_url(parent, "requirements"),
        "import_url": parent_url(parent, "requirement_import"),
    }
    return render(request, "discovery/requirement_tools/import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.requirement", "import")
def requirement_import(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Upload → dry run (the per-row report, nothing written) → confirm: import all or nothing.
    The checked file waits in the session between the two steps, with the versions it saw."""
    parent = visible_parent(request.user, kind, pk)
    key = _import_key(kind, pk)
    if request.method == "POST" and "confirm" in request.POST:
        return _commit_import(request, parent, key)
    form = RequirementImportForm(request.POST or None, request.FILES or None)
    if request.method == "GET":
        return _import_page(request, parent, form)
    if not form.is_valid():
        return _import_page(request, parent, form, status=422)
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        report = import_requirements(
            parent, io.BytesIO(content), upload.name, actor=request.user, commit=False
        )
    except ValidationError as problem:
        form.add_error("file", problem)
        return _import_page(request, parent, form, status=422)
    request.session[key] = {
        "name": upload.name,
        "content": base64.b64encode(content).decode(),
        "versions": report.versions,
    }
    return _import_page(request, parent, RequirementImportForm(), report)


def _commit_import(request: HttpRequest, parent: models.Model, key: str) -> HttpResponse:
    checked = request.session.get(key)
    if not checked:
        messages.error(request, _("Upload the file again: the checked file is no longer here."))
        return redirect(parent_url(parent, "requirement_import"))
    report = import_requirements(
        parent,
        io.BytesIO(base64.b64decode(checked["content"])),
        checked["name"],
        actor=request.user,
        commit=True,
        versions=checked["versions"],
    )
    if not report.committed:
        return _import_page(request, parent, RequirementImportForm(), report, status=409)
    del request.session[key]
    counts = report.counts
    messages.success(
        request,
        _("Imported: %(create)d added, %(update)d updated, %(unchanged)d unchanged.") % counts,
    )
    return redirect(parent_url(parent, "requirements"))


def _requirement(request: HttpRequest, pk: int, action: str) -> Requirement:
    return get_object_or_404(Requirement.objects.for_user(request.user, action), pk=pk)


@require_POST
@policy.requires("discovery.requirement", "comment")
def requirement_comment(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = _requirement(request, pk, "comment")
    form = CommentForm(request.POST)
    status = submit(
        form,
        lambda data: services.add_requirement_comment(
            requirement, author=request.user, body=data["body"]
        ),
    )
    if status is None:
        messages.success(request, _("Your comment was added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect(f"{requirement.get_absolute_url()}#comments")


def project_tasks(requirement: Requirement) -> Any:
    """The plan tasks a requirement may link: those of its project, in plan order, with the
    summary task each belongs to."""
    if not requirement.project_id:
        return Task.objects.none()
    return (
        Task.objects.filter(project_id=requirement.project_id)
        .select_related("parent")
        .order_by("position", "pk")
    )


@require_POST
@policy.requires("discovery.requirement", "change")
def requirement_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the plan tasks that deliver a project requirement (the whole set at once)."""
    requirement = _requirement(request, pk, "change")
    tasks = list(project_tasks(requirement))
    form = RequirementTasksForm(request.POST, project_tasks=tasks)
    by_pk = {task.pk: task for task in tasks}
    status = submit(
        form,
        lambda data: services.set_requirement_tasks(
            requirement, actor=request.user, tasks=[by_pk[task_id] for task_id in data["tasks"]]
        ),
    )
    if status is None:
        messages.success(request, _("The linked tasks were saved."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect(f"{requirement.get_absolute_url()}#tasks")


@require_GET
@policy.requires("discovery.requirement", "view")
def requirement_traceability(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One row per requirement with its sources and tasks; chips narrow to a gap."""
    parent = visible_parent(request.user, kind, pk)
    scope = Requirement.objects.for_user(request.user).filter(**{kind: parent})
    gap = request.GET.get("gap", "")
    if gap not in traceability.GAPS:
        gap = ""
    rows = traceability.trace(scope, gap=gap)
    if fmt := request.GET.get("format"):
        return export_response(rows, TRACE_COLUMNS, fmt=fmt, name="traceability")
    context = {
        "parent": parent,
        "page": Paginator(rows, TRACE_PER_PAGE).get_page(request.GET.get("page")),
        "counts": traceability.gap_counts(scope),
        "gap": gap,
        "gaps": traceability.GAPS,
        "is_project": kind == "project",
    }
    return render(request, "discovery/requirement_tools/traceability.html", context)


urls = [
    *parent_paths("requirements/bulk/", requirement_bulk, "requirement_bulk"),
    *parent_paths("requirements/import/", requirement_import, "requirement_import"),
    *parent_paths("traceability/", requirement_traceability, "traceability"),
    path("requirements/<int:pk>/comments/", requirement_comment, name="requirement_comment"),
    path("requirements/<int:pk>/tasks/", requirement_tasks, name="requirement_tasks"),
]
