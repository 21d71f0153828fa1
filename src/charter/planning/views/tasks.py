"""A task's page: managers edit every field and its predecessors, team members report
progress, and a split task's parts are shown (and joined again)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import VersionedForm, submit
from charter.planning.forms.plan import (
    LinkForm,
    ProgressForm,
    TaskForm,
    days_to_minutes,
    minutes_to_days,
)
from charter.planning.models import Dependency, Project, Task
from charter.planning.services import plan as services
from charter.planning.views.plan import form_errors, visible_task


@require_http_methods(["GET", "POST"])
@policy.requires("planning.task", "view")
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The task page: managers edit every field, team members report progress."""
    task = visible_task(request, pk)
    if request.method == "GET":
        return _task_page(request, task)
    if not policy.allows(request.user, "planning.task", "change"):
        raise PermissionDenied
    form = _task_form(task, request.POST)
    status = submit(
        form,
        lambda data: services.update_task(
            task, actor=request.user, expected_version=data["version"], fields=form.service_fields()
        ),
    )
    if status is None:
        messages.success(request, _("Task saved; the plan is rescheduled."))
        return redirect(task.get_absolute_url())
    return _task_page(request, task, form=form, status=status)


@require_POST
@policy.requires("planning.task", "progress")
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A team member reports % complete and the actual dates of a task."""
    task = visible_task(request, pk, "progress")
    form = ProgressForm(request.POST)
    status = submit(
        form,
        lambda data: services.update_task(
            task, actor=request.user, expected_version=data["version"], fields=form.service_fields()
        ),
    )
    if status is None:
        messages.success(request, _("Progress saved; the plan is rescheduled."))
        return redirect(task.get_absolute_url())
    return _task_page(request, task, progress_form=form, status=status)


@require_POST
@policy.requires("planning.task", "change")
def task_unsplit(request: HttpRequest, pk: int) -> HttpResponse:
    """Join a split task's segments again: its work runs without a pause."""
    task = visible_task(request, pk, "change")
    form = VersionedForm(request.POST)
    status = submit(
        form,
        lambda data: services.update_task(
            task, actor=request.user, expected_version=data["version"], fields={"pauses": []}
        ),
    )
    if status is None:
        messages.success(request, _("The task is no longer split; the plan is rescheduled."))
    else:
        messages.error(request, " ".join(form.non_field_errors()) or _("Reload the page."))
    return redirect(task.get_absolute_url())


def _task_form(task: Task, data: QueryDict | None = None) -> TaskForm:
    initial = TaskForm.initial_of(task)
    return TaskForm(data, initial=initial, project=task.project, summary=task.is_summary)


def _task_page(
    request: HttpRequest,
    task: Task,
    *,
    form: TaskForm | None = None,
    progress_form: ProgressForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_edit = policy.allows(request.user, "planning.task", "change")
    can_report = not can_edit and not task.is_summary
    can_report = can_report and policy.allows(request.user, "planning.task", "progress")
    if progress_form is None and can_report:
        progress_form = ProgressForm(initial=TaskForm.initial_of(task))
    return render(
        request,
        "planning/task_detail.html",
        {
            "task": task,
            "project": task.project,
            "form": form or _task_form(task),
            "progress_form": progress_form,
            "can_edit": can_edit,
            "link_form": LinkForm(task=task),
            "incoming": task.predecessor_links.select_related("predecessor").order_by("pk"),
            "outgoing": task.successor_links.select_related("successor").order_by("pk"),
            "duration_days": minutes_to_days(task.duration),
            "requirements": task.requirements.order_by("code"),
        },
        status=status,
    )


@require_POST
@policy.requires("planning.task", "change")
def task_link_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = visible_task(request, pk, "change")
    form = LinkForm(request.POST, task=task)
    if form.is_valid():
        try:
            services.add_dependency(
                task.project,
                actor=request.user,
                predecessor=form.cleaned_data["predecessor"],
                successor=task,
                type=form.cleaned_data["type"],
                lag=days_to_minutes(form.cleaned_data["lag_days"]),
            )
            messages.success(request, _("Link added; the plan is rescheduled."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        for message in form_errors(form):
            messages.error(request, message)
    return redirect(task.get_absolute_url())


@require_POST
@policy.requires("planning.task", "change")
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(
        Dependency.objects.filter(project__in=Project.objects.for_user(request.user)), pk=pk
    )
    successor = link.successor
    services.delete_dependency(link, actor=request.user)
    messages.success(request, _("Link removed; the plan is rescheduled."))
    return redirect(successor.get_absolute_url())


urls = [
    path("tasks/<int:pk>/", task_detail, name="task_detail"),
    path("tasks/<int:pk>/progress/", task_progress, name="task_progress"),
    path("tasks/<int:pk>/unsplit/", task_unsplit, name="task_unsplit"),
    path("tasks/<int:pk>/links/add/", task_link_add, name="task_link_add"),
    path("links/<int:pk>/delete/", link_delete, name="link_delete"),
]
