"""Roles and skills; a resource's skills and rate history; a task's needs with ranked
candidates; replacing a generic resource; and a project's Needs tab (needed against assigned
hours per role and week, the needs to staff, equipment and materials per week, planned cost
per month). Actions answer with the page they
came from and say what happened in a message."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.core.http import next_or
from charter.planning.models import Task
from charter.planning.querysets import visible_project
from charter.resources.forms.needs import (
    AssignFromNeedForm,
    NeedForm,
    RateChangeForm,
    ReplaceForm,
    ResourceSkillEditForm,
    ResourceSkillForm,
    RoleEditForm,
    RoleForm,
    SkillEditForm,
    SkillForm,
    WindowForm,
)
from charter.resources.models import (
    Assignment,
    RateChange,
    Resource,
    ResourceSkill,
    Role,
    Skill,
    TaskNeed,
)
from charter.resources.services import needs as services
from charter.resources.services import needs_report, rates
from charter.resources.services.pool import sees_rates

ROLE = "resources.role"
NEED = "resources.need"
RATE = "resources.rate"
RESOURCE = "resources.resource"
ASSIGNMENT = "resources.assignment"


def _report(request: HttpRequest, status: int | None, form: Any, done: str) -> None:
    """The outcome as messages on the page the action returns to."""
    if status is None:
        messages.success(request, done)
        return
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---- roles and skills ------------------------------------------------------------------------


def _delete_named(request: HttpRequest, obj: Role | Skill, delete: Any) -> HttpResponse:
    """Delete a role or a skill, or say why not (still in use); back to the roles page."""
    try:
        delete(obj, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("“%(name)s” was deleted.") % {"name": obj})
    return redirect("resources:roles")


@require_GET
@policy.requires(ROLE, "view")
def roles(request: HttpRequest) -> HttpResponse:
    """Every role and skill, with how many resources and needs use each."""
    can_change = policy.allows(request.user, ROLE, "change")
    role_rows = Role.objects.annotate(
        resource_count=Count("resources", distinct=True), need_count=Count("needs", distinct=True)
    ).order_by("name", "pk")
    skill_rows = Skill.objects.annotate(
        holder_count=Count("holders", distinct=True), need_count=Count("needs", distinct=True)
    ).order_by("name", "pk")
    context = {
        "roles": list(role_rows),
        "skills": list(skill_rows),
        "can_change": can_change,
        "role_form": RoleForm() if can_change else None,
        "skill_form": SkillForm() if can_change else None,
    }
    return render(request, "resources/needs/roles.html", context)


@require_POST
@policy.requires(ROLE, "change")
def role_add(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST)
    status = submit(form, lambda data: services.create_role(actor=request.user, **data))
    _report(request, status, form, _("Role added."))
    return redirect("resources:roles")


@require_POST
@policy.requires(ROLE, "change")
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Role, pk=pk)
    form = RoleEditForm(request.POST)
    status = submit(
        form,
        lambda data: services.update_role(
            role,
            actor=request.user,
            expected_version=data["version"],
            name=data["name"],
            description=data["description"],
        ),
    )
    _report(request, status, form, _("Role saved."))
    return redirect("resources:roles")


@require_POST
@policy.requires(ROLE, "change")
def role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete_named(request, get_object_or_404(Role, pk=pk), services.delete_role)


@require_POST
@policy.requires(ROLE, "change")
def skill_add(request: HttpRequest) -> HttpResponse:
    form = SkillForm(request.POST)
    status = submit(form, lambda data: services.create_skill(actor=request.user, **data))
    _report(request, status, form, _("Skill added."))
    return redirect("resources:roles")


@require_POST
@policy.requires(ROLE, "change")
def skill_edit(request: HttpRequest, pk: int) -> HttpResponse:
    skill = get_object_or_404(Skill, pk=pk)
    form = SkillEditForm(request.POST)
    status = submit(
        form,
        lambda data: services.update_skill(
            skill, actor=request.user, expected_version=data["version"], name=data["name"]
        ),
    )
    _report(request, status, form, _("Skill saved."))
    return redirect("resources:roles")


@require_POST
@policy.requires(ROLE, "change")
def skill_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete_named(request, get_object_or_404(Skill, pk=pk), services.delete_skill)


# ---- a resource's skills and rates ------------------------------------------------------------


def _resource(request: HttpRequest, pk: int) -> Resource:
    return get_object_or_404(Resource.objects.for_user(request.user, "change"), pk=pk)


@require_POST
@policy.requires(RESOURCE, "change")
def resource_skill_add(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    form = ResourceSkillForm(request.POST)
    status = submit(
        form,
        lambda data: services.add_resource_skill(
            resource, data["skill"], actor=request.user, level=data["level"]
        ),
    )
    _report(request, status, form, _("Skill added."))
    return redirect(resource)


def _resource_skill(pk: int) -> ResourceSkill:
    return get_object_or_404(ResourceSkill.objects.select_related("resource", "skill"), pk=pk)


@require_POST
@policy.requires(RESOURCE, "change")
def resource_skill_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = _resource_skill(pk)
    form = ResourceSkillEditForm(request.POST)
    status = submit(
        form,
        lambda data: services.update_resource_skill(
            row, actor=request.user, expected_version=data["version"], level=data["level"]
        ),
    )
    _report(request, status, form, _("Skill level saved."))
    return redirect(row.resource)


@require_POST
@policy.requires(RESOURCE, "change")
def resource_skill_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = _resource_skill(pk)
    services.delete_resource_skill(row, actor=request.user)
    messages.success(request, _("Skill removed."))
    return redirect(row.resource)


@require_POST
@policy.requires(RATE, "change")
def rate_add(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    form = RateChangeForm(request.POST)
    status = submit(form, lambda data: rates.add_rate_change(resource, actor=request.user, **data))
    _report(request, status, form, _("Rate change added."))
    return redirect(resource)


@require_POST
@policy.requires(RATE, "change")
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(RateChange.objects.select_related("resource"), pk=pk)
    rates.delete_rate_change(change, actor=request.user)
    messages.success(request, _("Rate change deleted."))
    return redirect(change.resource)


# ---- a task's needs ----------------------------------------------------------------------------


def _task(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(Task.objects.for_user(request.user).select_related("project"), pk=pk)


def _need(request: HttpRequest, pk: int, action: str = "view") -> TaskNeed:
    return get_object_or_404(TaskNeed.objects.for_user(request.user, action), pk=pk)


def _needs_url(task: Task) -> str:
    """The task page at its Needs panel."""
    return f"{task.get_absolute_url()}#needs"


def _to_needs(task: Task) -> HttpResponse:
    return redirect(_needs_url(task))


@require_POST
@policy.requires(NEED, "change")
def need_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = NeedForm(request.POST, prefix="need")
    status = submit(form, lambda data: services.create_need(task, actor=request.user, **data))
    _report(request, status, form, _("Need added."))
    return _to_needs(task)


@require_POST
@policy.requires(NEED, "change")
def need_delete(request: HttpRequest, pk: int) -> HttpResponse:
    need = _need(request, pk, "change")
    services.delete_need(need, actor=request.user)
    messages.success(request, _("Need removed."))
    return _to_needs(need.task)


@require_POST
@policy.requires(NEED, "change")
def need_assign(request: HttpRequest, pk: int) -> HttpResponse:
    need = _need(request, pk, "change")
    form = AssignFromNeedForm(request.POST)
    status = submit(
        form,
        lambda data: services.assign_from_need(need, data["resource"], actor=request.user),
    )
    _report(request, status, form, _("Resource assigned; the plan is rescheduled."))
    return redirect(next_or(request, _needs_url(need.task)))


@require_GET
@policy.requires(NEED, "view")
def need_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The people who could meet one need, best first, with "Assign" (back to the project's
    Needs tab): a fragment for HTMX, else the task page's Needs panel."""
    need = _need(request, pk)
    if not request.htmx:  # type: ignore[attr-defined]
        return _to_needs(need.task)
    context = {
        "need": need,
        "candidates": services.candidates(need, user=request.user),
        "can_change": policy.allows(request.user, NEED, "change"),
        "next": reverse("resources:project_needs", args=[need.task.project_id]),
    }
    return render(request, "resources/needs/_candidates.html", context)


@require_POST
@policy.requires(ASSIGNMENT, "change")
def placeholder_replace(request: HttpRequest, pk: int) -> HttpResponse:
    rows = Assignment.objects.for_user(request.user, "change").select_related(
        "resource", "task__project"
    )
    assignment = get_object_or_404(rows, pk=pk)
    form = ReplaceForm(request.POST)
    status = submit(
        form,
        lambda data: services.replace_placeholder(
            assignment, data["person"], actor=request.user, expected_version=data["version"]
        ),
    )
    _report(request, status, form, _("Generic resource replaced; the plan is rescheduled."))
    return _to_needs(assignment.task)


# ---- the project's Needs tab -------------------------------------------------------------------


@require_GET
@policy.requires(NEED, "view")
def project_needs(request: HttpRequest, pk: int) -> HttpResponse:
    """Per role and ISO week, needed against assigned hours; equipment (peak in use against
    owned) and materials by week; planned cost a month (managers only: it shows what people
    cost)."""
    project = visible_project(request.user, pk)
    today = timezone.localdate()
    form = WindowForm(request.GET or None)
    start, weeks = form.window(max(today, project.start_date))
    with_money = sees_rates(request.user)
    report = needs_report.needs_by_week(project, start, weeks, with_money=with_money)
    context = {
        "project": project,
        "form": form,
        "report": report,
        "staffing": needs_report.staffing(project),
        "sees_rates": with_money,
    }
    return render(request, "resources/needs/project_needs.html", context)


urls = [
    path("resources/roles/", roles, name="roles"),
    path("resources/roles/new/", role_add, name="role_add"),
    path("resources/roles/<int:pk>/", role_edit, name="role_edit"),
    path("resources/roles/<int:pk>/delete/", role_delete, name="role_delete"),
    path("resources/skills/new/", skill_add, name="skill_add"),
    path("resources/skills/<int:pk>/", skill_edit, name="skill_edit"),
    path("resources/skills/<int:pk>/delete/", skill_delete, name="skill_delete"),
    path("resources/<int:pk>/skills/", resource_skill_add, name="resource_skill_add"),
    path("resource-skills/<int:pk>/", resource_skill_edit, name="resource_skill_edit"),
    path("resource-skills/<int:pk>/delete/", resource_skill_delete, name="resource_skill_delete"),
    path("resources/<int:pk>/rates/", rate_add, name="rate_add"),
    path("rate-changes/<int:pk>/delete/", rate_delete, name="rate_delete"),
    path("tasks/<int:pk>/needs/", need_add, name="need_add"),
    path("needs/<int:pk>/delete/", need_delete, name="need_delete"),
    path("needs/<int:pk>/assign/", need_assign, name="need_assign"),
    path("needs/<int:pk>/candidates/", need_candidates, name="need_candidates"),
    path("assignments/<int:pk>/replace/", placeholder_replace, name="placeholder_replace"),
    path("projects/<int:pk>/needs/", project_needs, name="project_needs"),
]
