"""A project's plan as Microsoft Project XML: download it, or upload a file to import (the plan
is replaced, and the page then lists what was imported and what the file held that Charter
does not carry)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from charter.core import policy
from charter.core.forms import add_service_errors
from charter.planning.forms.exchange import PlanImportForm
from charter.planning.models import Project, Task
from charter.planning.querysets import visible_project
from charter.planning.services.exchange import export_plan, import_plan, read_upload

XML_CONTENT_TYPE = "application/xml"


def mspdi_response(project: Project) -> HttpResponse:
    """The plan as a download named after the project's code."""
    response = HttpResponse(export_plan(project), content_type=XML_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{project.code}.xml"
    )
    return response


@require_GET
@policy.requires("planning.task", "view")
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    return mspdi_response(visible_project(request.user, pk))


def _upload_page(
    request: HttpRequest, project: Project, form: PlanImportForm, status: int = 200
) -> HttpResponse:
    context = {
        "project": project,
        "form": form,
        "task_count": Task.objects.filter(project=project).count(),
    }
    return render(request, "planning/exchange/import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("planning.task", "change")
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload → import in one step (all or nothing) → the report; errors stay on the form."""
    project = visible_project(request.user, pk)
    form = PlanImportForm(request.POST or None, request.FILES or None)
    if request.method == "GET":
        return _upload_page(request, project, form)
    if not form.is_valid():
        return _upload_page(request, project, form, status=422)
    try:
        report = import_plan(
            project,
            read_upload(form.cleaned_data["file"]),
            actor=request.user,
            replace=form.cleaned_data["replace"],
        )
    except ValidationError as problem:
        if hasattr(problem, "error_dict"):
            add_service_errors(form, problem)
        else:
            form.add_error("file", problem)
        return _upload_page(request, project, form, status=422)
    context = {
        "project": project,
        "report": report,
        "file_name": form.cleaned_data["file"].name,
        "counts": [
            (report.tasks, _("Tasks")),
            (report.links, _("Links")),
            (report.calendars, _("Calendars")),
            (report.baselines, _("Baselines")),
            (report.resources, _("Resources")),
            (report.assignments, _("Assignments")),
        ],
    }
    return render(request, "planning/exchange/report.html", context)


urls = [
    path("projects/<int:pk>/plan/mspdi.xml", plan_export, name="plan_export"),
    path("projects/<int:pk>/plan/import/", plan_import, name="plan_import"),
]
