"""Requirement pages: the register of a project or a deal, add, detail and edit."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from charter.core import policy
from charter.core.exports import Column, export_response
from charter.core.forms import submit
from charter.discovery import services
from charter.discovery.filtersets import filter_requirements
from charter.discovery.forms.requirements import (
    BulkEditForm,
    CommentForm,
    RequirementEditForm,
    RequirementFilterForm,
    RequirementForm,
    RequirementTasksForm,
)
from charter.discovery.models import Requirement, RequirementComment
from charter.discovery.services.traceability import with_trace
from charter.discovery.views.parents import parent_paths, parent_url, visible_parent
from charter.discovery.views.requirement_tools import project_tasks

PER_PAGE = 25

EXPORT_COLUMNS = [
    Column(gettext_lazy("Code"), lambda row: row.code),
    Column(pgettext_lazy("requirement", "Title"), lambda row: row.title),
    Column(gettext_lazy("Type"), lambda row: row.get_type_display()),
    Column(gettext_lazy("Priority"), lambda row: row.get_priority_display()),
    Column(gettext_lazy("Value"), lambda row: row.value),
    Column(gettext_lazy("Effort"), lambda row: row.effort),
    Column(gettext_lazy("Status"), lambda row: row.get_status_display()),
    Column(gettext_lazy("Latent need"), lambda row: row.latent_need),
    Column(gettext_lazy("Evidence"), lambda row: row.latent_evidence),
    Column(gettext_lazy("Description"), lambda row: row.description),
    Column(gettext_lazy("Acceptance criteria"), lambda row: row.acceptance_criteria),
    Column(gettext_lazy("Owner"), lambda row: row.owner),
    Column(gettext_lazy("Visible to the client"), lambda row: row.client_visible),
    Column(gettext_lazy("Updated"), lambda row: row.updated_at),
]


def _list_url(parent: models.Model) -> str:
    return parent_url(parent, "requirements")


def _create_url(parent: models.Model) -> str:
    return parent_url(parent, "requirement_create")


@require_GET
@policy.requires("discovery.requirement", "view")
def requirement_list(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The requirement register of a project or a deal: filters, sort, pages, CSV/XLSX."""
    parent = visible_parent(request.user, kind, pk)
    filter_form = RequirementFilterForm(request.GET)
    filters = filter_form.filters()
    rows = filter_requirements(
        Requirement.objects.for_user(request.user).filter(**{kind: parent}),
        **{name: value for name, value in filters.items() if name != "sort" or value},
    )
    if fmt := request.GET.get("format"):
        return export_response(rows, EXPORT_COLUMNS, fmt=fmt, name="requirements")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "parent": parent,
        "page": page,
        "filter_form": filter_form,
        "searching": any(
            value not in (None, "") for key, value in filters.items() if key != "sort"
        ),
        "create_url": _create_url(parent),
        "bulk_form": BulkEditForm(),
        "bulk_url": parent_url(parent, "requirement_bulk"),
        "import_url": parent_url(parent, "requirement_import"),
    }
    return render(request, "discovery/requirement_list.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.requirement", "add")
def requirement_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    form = RequirementForm(request.POST or None, initial={"owner": request.user.pk})
    status = 200
    if request.method == "POST":
        created: list[Requirement] = []
        status = (
            submit(
                form,
                lambda data: created.append(
                    services.create_requirement(parent, actor=request.user, **data)
                ),
            )
            or 0
        )
        if created:
            messages.success(
                request, _("Requirement %(code)s was added.") % {"code": created[0].code}
            )
            return redirect(created[0])
    context = {"form": form, "parent": parent, "requirement": None, "cancel_url": _list_url(parent)}
    return render(request, "discovery/requirement_form.html", context, status=status)


def _requirement(request: HttpRequest, pk: int, action: str) -> Requirement:
    rows = Requirement.objects.for_user(request.user, action).select_related(
        "project", "opportunity", "owner"
    )
    return get_object_or_404(rows, pk=pk)


@require_GET
@policy.requires("discovery.requirement", "view")
def requirement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The requirement with its sources, the plan tasks that deliver it, the change requests
    that touch it, and its comments."""
    rows = with_trace(
        Requirement.objects.for_user(request.user).select_related("project", "opportunity", "owner")
    ).prefetch_related(
        models.Prefetch("comments", queryset=RequirementComment.objects.select_related("author"))
    )
    requirement = get_object_or_404(rows, pk=pk)
    tasks = list(project_tasks(requirement))
    linked = [task.pk for task in requirement.trace_tasks]  # type: ignore[attr-defined]
    context = {
        "requirement": requirement,
        "parent": requirement.parent,
        "list_url": _list_url(requirement.parent),
        "comment_form": CommentForm(),
        "tasks_form": RequirementTasksForm(initial={"tasks": linked}, project_tasks=tasks),
        "has_plan_tasks": bool(tasks),
    }
    return render(request, "discovery/requirement_detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.requirement", "change")
def requirement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a requirement; a save based on an older version is refused (409)."""
    requirement = _requirement(request, pk, "change")
    form = RequirementEditForm.for_requirement(requirement, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_requirement(
                requirement,
                actor=request.user,
                expected_version=data["version"],
                **{name: data[name] for name in services.EDITABLE_FIELDS},
            ),
        )
        if status is None:
            messages.success(request, _("The requirement was saved."))
            return redirect(requirement)
        requirement.refresh_from_db()  # the failed attempt changed the object in memory only
    context = {
        "form": form,
        "parent": requirement.parent,
        "requirement": requirement,
        "cancel_url": requirement.get_absolute_url(),
    }
    return render(request, "discovery/requirement_form.html", context, status=status)


urls = [
    *parent_paths("requirements/", requirement_list, "requirements"),
    *parent_paths("requirements/new/", requirement_create, "requirement_create"),
    path("requirements/<int:pk>/", requirement_detail, name="requirement_detail"),
    path("requirements/<int:pk>/edit/", requirement_edit, name="requirement_edit"),
]
