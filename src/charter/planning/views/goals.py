"""The Goals and scope tab of a project: measurable goals, scope statements in and out, and
whether the client has confirmed them (through the requirements document)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.discovery.services.document_content import project_plan
from charter.planning.forms.goals import (
    GoalEditForm,
    GoalForm,
    MoveForm,
    ScopeItemEditForm,
    ScopeItemForm,
)
from charter.planning.models import Goal, Project, ScopeItem
from charter.planning.querysets import visible_project
from charter.planning.services import goals as services

RESOURCE = "planning.goal"


def _item(request: HttpRequest, model: type[Goal] | type[ScopeItem], pk: int) -> Any:
    """A goal or scope statement of a project the user may see (404 otherwise)."""
    rows = model._default_manager.filter(
        project__in=Project.objects.for_user(request.user)
    ).select_related("project")
    return get_object_or_404(rows, pk=pk)


def _page_url(project_id: int) -> str:
    return reverse("planning:goals", args=[project_id])


@require_GET
@policy.requires(RESOURCE, "view")
def goals_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Goals with their linked requirements, scope in and out, and the confirmation state."""
    project = visible_project(request.user, pk)
    plan = project_plan(project.pk)
    scope = list(plan["scope"])
    context = {
        "project": project,
        "goals": list(plan["goals"]),
        "scope_in": [item for item in scope if item.in_scope],
        "scope_out": [item for item in scope if not item.in_scope],
        "confirmation": services.confirmation_state(project),
        "document_url": reverse("discovery:project_document", args=[project.pk]),
        "can_change": policy.allows(request.user, RESOURCE, "change"),
    }
    return render(request, "planning/goals/page.html", context)


@dataclass(frozen=True)
class Kind:
    """Goals or scope statements: what the shared form and delete pages need to know."""

    model: type[Goal] | type[ScopeItem]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]
    move: Callable[..., None]
    add_heading: Any
    edit_heading: Any
    anchor: str


GOALS = Kind(
    model=Goal,
    create=services.create_goal,
    update=services.update_goal,
    delete=services.delete_goal,
    move=services.move_goal,
    add_heading=gettext_lazy("Add goal"),
    edit_heading=gettext_lazy("Edit goal"),
    anchor="goals",
)
SCOPE = Kind(
    model=ScopeItem,
    create=services.create_scope_item,
    update=services.update_scope_item,
    delete=services.delete_scope_item,
    move=services.move_scope_item,
    add_heading=gettext_lazy("Add scope statement"),
    edit_heading=gettext_lazy("Edit scope statement"),
    anchor="scope",
)


def _new_form(kind: Kind, project: Project, data: Any) -> Any:
    if kind is GOALS:
        return GoalForm(data, project=project)
    return ScopeItemForm(data)


def _edit_form(kind: Kind, item: Any, data: Any) -> Any:
    if kind is GOALS:
        return GoalEditForm.for_goal(item, data)
    return ScopeItemEditForm.for_item(item, data)


def _form_page(
    request: HttpRequest, kind: Kind, project: Project, form: Any, heading: Any, status: int
) -> HttpResponse:
    context = {
        "project": project,
        "form": form,
        "heading": heading,
        "cancel_url": f"{_page_url(project.pk)}#{kind.anchor}",
    }
    return render(request, "planning/goals/form.html", context, status=status)


def _create(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    form = _new_form(kind, project, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        created: list[Any] = []
        status = submit(
            form,
            lambda data: created.append(
                kind.create(project, actor=request.user, **form.service_fields())
            ),
        )
        if status is None:
            messages.success(request, _("“%(title)s” was added.") % {"title": created[0]})
            return redirect(f"{_page_url(project.pk)}#{kind.anchor}")
    return _form_page(request, kind, project, form, kind.add_heading, status or 200)


def _edit(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    """Edit a goal or statement; a save based on an older version is refused (409)."""
    item = _item(request, kind.model, pk)
    form = _edit_form(kind, item, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: kind.update(
                item,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(title)s” was saved.") % {"title": item})
            return redirect(f"{_page_url(item.project_id)}#{kind.anchor}")
        item.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(request, kind, item.project, form, kind.edit_heading, status or 200)


def _delete(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    item = _item(request, kind.model, pk)
    if request.method == "POST":
        kind.delete(item, actor=request.user)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": item})
        return redirect(f"{_page_url(item.project_id)}#{kind.anchor}")
    context = {
        "project": item.project,
        "item": item,
        "cancel_url": f"{_page_url(item.project_id)}#{kind.anchor}",
    }
    return render(request, "planning/goals/delete.html", context)


def _move(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    """Move a goal or statement one place up or down; back to the list."""
    item = _item(request, kind.model, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        kind.move(item, actor=request.user, step=form.step)
    return redirect(f"{_page_url(item.project_id)}#{kind.anchor}")


# ---- goals -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create(request, GOALS, pk)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, GOALS, pk)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, GOALS, pk)


@require_POST
@policy.requires(RESOURCE, "change")
def goal_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, GOALS, pk)


# ---- scope statements -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def scope_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create(request, SCOPE, pk)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def scope_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, SCOPE, pk)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def scope_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, SCOPE, pk)


@require_POST
@policy.requires(RESOURCE, "change")
def scope_item_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, SCOPE, pk)


urls = [
    path("projects/<int:pk>/goals/", goals_page, name="goals"),
    path("projects/<int:pk>/goals/new/", goal_create, name="goal_create"),
    path("goals/<int:pk>/edit/", goal_edit, name="goal_edit"),
    path("goals/<int:pk>/delete/", goal_delete, name="goal_delete"),
    path("goals/<int:pk>/move/", goal_move, name="goal_move"),
    path("projects/<int:pk>/scope/new/", scope_item_create, name="scope_item_create"),
    path("scope-items/<int:pk>/edit/", scope_item_edit, name="scope_item_edit"),
    path("scope-items/<int:pk>/delete/", scope_item_delete, name="scope_item_delete"),
    path("scope-items/<int:pk>/move/", scope_item_move, name="scope_item_move"),
]
