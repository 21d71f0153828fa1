"""The plan page: the task table beside the Gantt chart, one page of rows at a time, and every
edit made from it (add, inline edit, indent, outdent, move, delete, link, drag a bar). Each edit
is one service call that reschedules; the answer is the redrawn plan (an HTMX fragment). The
task page is in ``views.tasks``."""

import datetime
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.concurrency import StaleEdit
from charter.core.forms import submit
from charter.planning import gantt
from charter.planning.adapters import project_calendar, project_work_calendar
from charter.planning.forms.plan import (
    NewTaskForm,
    PlanViewForm,
    TaskForm,
    minutes_to_days,
    start_of_day,
)
from charter.planning.models import Baseline, BaselineTask, Dependency, Project, Task
from charter.planning.querysets import visible_project
from charter.planning.services import plan as services
from charter.planning.services.baselines import variances
from charter.planning.services.holidays import coverage_warning

ROWS_PER_PAGE = 100


def visible_task(request: HttpRequest, pk: int, action: str = "view") -> Task:
    return get_object_or_404(
        Task.objects.for_user(request.user, action).select_related("project", "parent"), pk=pk
    )


# ---- the page ---------------------------------------------------------------------------------


def plan_context(request: HttpRequest, project: Project, query: QueryDict) -> dict[str, Any]:
    """Everything the plan body shows, in a constant number of queries whatever the plan's size."""
    view = PlanViewForm(query)
    zoom = view.value("zoom", "week")
    number = view.value("baseline", None)
    collapsed = view.collapsed_ids()
    rows = _visible_rows(project, collapsed)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(view.value("page", 1))
    tasks = list(page.object_list)
    ids = [task.pk for task in tasks]
    incoming = list(
        Dependency.objects.filter(successor_id__in=ids).select_related("predecessor").order_by("pk")
    )
    baseline = (
        Baseline.objects.filter(project=project, number=number).first()
        if number is not None
        else None
    )
    baseline_dates = _baseline_dates(baseline, ids)
    _annotate(project, tasks, incoming, baseline)
    critical = {task.pk for task in tasks if task.is_critical}
    return {
        "project": project,
        "page": page,
        "tasks": tasks,
        "chart": gantt.chart(
            tasks,
            links=[
                (
                    link.predecessor_id,
                    link.successor_id,
                    link.type,
                    {link.predecessor_id, link.successor_id} <= critical,
                )
                for link in incoming
            ],
            baseline=baseline_dates,
            span=span_of(project, tasks),
            zoom=zoom,
            now=timezone.now(),
        ),
        "zoom": zoom,
        "zooms": gantt.PX_PER_DAY.keys(),
        "baseline": baseline,
        "baseline_dates": baseline_dates,
        "baselines": list(Baseline.objects.filter(project=project).order_by("number")),
        "collapsed": collapsed,
        "view_query": _view_query(query),
        "can_edit": policy.allows(request.user, "planning.task", "change"),
        "new_task_form": NewTaskForm(project=project),
        "today": timezone.localdate(),
        "coverage_warning": _coverage_warning(project),
    }


def _coverage_warning(project: Project) -> str | None:
    """Said on the plan when it runs past the public holidays its calendar knows."""
    if project.finish_date is None:
        return None
    finish = timezone.localtime(project.finish_date).date()
    return coverage_warning(project_calendar(project), finish)


def _annotate(
    project: Project, tasks: list[Task], incoming: list[Dependency], baseline: Baseline | None
) -> None:
    """Give each row what its cells show: predecessors, float in days, baseline variance."""
    texts = _predecessor_texts(incoming)
    variance = variances(tasks, baseline, project_work_calendar(project, tasks)) if baseline else {}
    for task in tasks:
        task.predecessor_text = texts.get(task.pk, "")  # type: ignore[attr-defined]
        task.float_days = (  # type: ignore[attr-defined]
            None if task.total_float is None else minutes_to_days(task.total_float)
        )
        task.variance = variance.get(task.pk)  # type: ignore[attr-defined]


def _visible_rows(project: Project, collapsed: set[int]) -> Any:
    rows = Task.objects.filter(project=project).select_related("owner").order_by("position")
    hidden = Q()
    for wbs in Task.objects.filter(project=project, pk__in=collapsed).values_list("wbs", flat=True):
        hidden |= Q(wbs__startswith=f"{wbs}.")
    return rows.exclude(hidden) if hidden else rows


def _baseline_dates(baseline: Baseline | None, ids: list[int]) -> dict[int, tuple[Any, Any]]:
    if baseline is None:
        return {}
    rows = BaselineTask.objects.filter(baseline=baseline, task_id__in=ids)
    return {row.task_id: (row.start, row.finish) for row in rows}


def _predecessor_texts(links: list[Dependency]) -> dict[int, str]:
    """Per successor, its predecessors the way MS Project writes them: ``1.2FS+2d``."""
    texts: dict[int, list[str]] = defaultdict(list)
    for link in links:
        lag = minutes_to_days(link.lag)
        suffix = "" if link.type == "FS" and not lag else link.type
        if lag:
            suffix += f"{lag:+}d"
        texts[link.successor_id].append(f"{link.predecessor.wbs}{suffix}")
    return {task_id: ", ".join(parts) for task_id, parts in texts.items()}


def span_of(project: Project, tasks: list[Task]) -> tuple[datetime.datetime, datetime.datetime]:
    """The time the chart shows: from the first start to the last finish of ``tasks`` (a page
    of a big plan gets an axis that fits its rows), or the project start for an empty plan."""
    starts = [task.start for task in tasks if task.start is not None]
    finishes = [task.finish for task in tasks if task.finish is not None]
    first = min(starts, default=start_of_day(project.start_date))
    return first, max(finishes, default=first)


def _view_query(query: QueryDict) -> str:
    keep = QueryDict(mutable=True)
    for name in ("page", "zoom", "baseline", "collapsed"):
        if query.get(name):
            keep[name] = query[name]
    return keep.urlencode()


def render_plan(request: HttpRequest, project: Project, status: int = 200) -> HttpResponse:
    """The plan body (for HTMX) or the whole page, showing the view the request came from."""
    query = request.GET if request.method == "GET" else QueryDict(request.GET.urlencode())
    context = plan_context(request, project, query)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "planning/partials/plan_body.html", context, status=status)
    return render(request, "planning/plan.html", context, status=status)


@require_GET
@policy.requires("planning.task", "view")
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return render_plan(request, visible_project(request.user, pk))


def _after_edit(
    request: HttpRequest, project: Project, error: ValidationError | None = None
) -> HttpResponse:
    """The redrawn plan; a refused edit shows its reason above it and changes nothing."""
    if error is not None:
        for message in error.messages:
            messages.error(request, message)
    if request.htmx:  # type: ignore[attr-defined]
        return render_plan(request, project, status=200 if error is None else 422)
    url = reverse("planning:plan", args=[project.pk])
    return redirect(f"{url}?{_view_query(request.GET)}")


def _chosen_tasks(request: HttpRequest, project: Project) -> list[Task]:
    ids = [int(value) for value in request.POST.getlist("task") if value.isdigit()]
    return list(Task.objects.filter(project=project, pk__in=ids))


@require_POST
@policy.requires("planning.task", "change")
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    form = NewTaskForm(request.POST, project=project)
    if not form.is_valid():
        return _after_edit(request, project, ValidationError(list(form_errors(form))))
    try:
        services.add_task(
            project,
            actor=request.user,
            parent=form.cleaned_data["parent"],
            fields=form.service_fields(),
        )
    except ValidationError as error:
        return _after_edit(request, project, error)
    return _after_edit(request, project)


def form_errors(form: Any) -> Any:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            yield f"{label}: {error}" if label else error


@require_POST
@policy.requires("planning.task", "change")
def restructure(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Indent, outdent or delete the ticked tasks."""
    project = visible_project(request.user, pk)
    chosen = _chosen_tasks(request, project)
    if not chosen:
        return _after_edit(request, project, ValidationError(_("Tick the tasks first.")))
    verb = {
        "indent": services.indent_tasks,
        "outdent": services.outdent_tasks,
        "delete": services.delete_tasks,
    }[action]
    try:
        verb(project, chosen, actor=request.user)
    except ValidationError as error:
        return _after_edit(request, project, error)
    return _after_edit(request, project)


@require_POST
@policy.requires("planning.task", "change")
def move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    task = visible_task(request, pk, "change")
    services.move_task(task, actor=request.user, up=direction == "up")
    return _after_edit(request, task.project)


@require_POST
@policy.requires("planning.task", "change")
def drag(request: HttpRequest, pk: int) -> HttpResponse:
    """A bar dragged on the Gantt: the task may start no earlier than the day it was dropped on
    (a "start no earlier than" constraint, as MS Project sets when a bar is dragged)."""
    task = visible_task(request, pk, "change")
    try:
        day = datetime.date.fromisoformat(request.POST.get("start", ""))
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _after_edit(
            request, task.project, ValidationError(_("The new start is not a date."))
        )
    try:
        services.update_task(
            task,
            actor=request.user,
            expected_version=version,
            fields={"constraint_type": "SNET", "constraint_date": start_of_day(day)},
        )
    except StaleEdit as stale:
        return _after_edit(request, task.project, ValidationError(str(stale)))
    except ValidationError as error:
        return _after_edit(request, task.project, error)
    return _after_edit(request, task.project)


@require_POST
@policy.requires("planning.task", "change")
def link_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """A link drawn on the Gantt: predecessor then successor, finish-to-start."""
    project = visible_project(request.user, pk)
    pair = Task.objects.filter(
        project=project,
        pk__in=[request.POST.get("predecessor") or 0, request.POST.get("successor") or 0],
    )
    tasks = {str(task.pk): task for task in pair}
    predecessor, successor = (
        tasks.get(request.POST.get("predecessor", "")),
        tasks.get(request.POST.get("successor", "")),
    )
    if predecessor is None or successor is None:
        return _after_edit(request, project, ValidationError(_("Choose two tasks of this plan.")))
    try:
        services.add_dependency(
            project, actor=request.user, predecessor=predecessor, successor=successor
        )
    except ValidationError as error:
        return _after_edit(request, project, error)
    return _after_edit(request, project)


PRINT_CHART_ROWS = 300  # beyond this a printed chart is unreadable; the table still prints


@require_GET
@policy.requires("planning.task", "view")
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole plan on one page for the browser to print (or save as PDF)."""
    project = visible_project(request.user, pk)
    tasks = list(Task.objects.filter(project=project).select_related("owner").order_by("position"))
    incoming = list(
        Dependency.objects.filter(project=project).select_related("predecessor").order_by("pk")
    )
    _annotate(project, tasks, incoming, None)
    chart = None
    if len(tasks) <= PRINT_CHART_ROWS:
        chart = gantt.chart(
            tasks,
            links=[(d.predecessor_id, d.successor_id, d.type, False) for d in incoming],
            baseline={},
            span=span_of(project, tasks),
            zoom="month" if len(tasks) > 60 else "week",
            now=timezone.now(),
        )
    return render(
        request,
        "planning/plan_print.html",
        {"project": project, "tasks": tasks, "chart": chart, "printed_at": timezone.now()},
    )


# ---- one row, edited in place -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires("planning.task", "change")
def task_row(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the row as a small form; POST: save it (name, duration, % complete) and redraw."""
    task = visible_task(request, pk, "change")
    if request.method == "GET":
        return render(
            request,
            "planning/partials/task_row_form.html",
            {
                "task": task,
                "view_query": _view_query(request.GET),
                "duration_days": minutes_to_days(task.duration),
            },
        )
    form = TaskForm(_row_data(task, request.POST), project=task.project)
    status = submit(
        form,
        lambda data: services.update_task(
            task, actor=request.user, expected_version=data["version"], fields=form.service_fields()
        ),
    )
    if status is not None:
        return _after_edit(request, task.project, ValidationError(list(form_errors(form))))
    return _after_edit(request, task.project)


def _row_data(task: Task, posted: QueryDict) -> QueryDict:
    """The task's current values with the row's three fields from ``posted``."""
    data = QueryDict(mutable=True)
    for name, value in TaskForm.initial_of(task).items():
        if value is not None and value is not False:
            data[name] = str(value)
    for name in ("name", "duration_days", "percent_complete", "version"):
        if name in posted:
            data[name] = posted[name]
    return data


urls = [
    path("projects/<int:pk>/plan/", plan, name="plan"),
    path("projects/<int:pk>/plan/print/", plan_print, name="plan_print"),
    path("projects/<int:pk>/plan/tasks/add/", add_task, name="task_add"),
    path("projects/<int:pk>/plan/indent/", restructure, {"action": "indent"}, name="tasks_indent"),
    path(
        "projects/<int:pk>/plan/outdent/", restructure, {"action": "outdent"}, name="tasks_outdent"
    ),
    path("projects/<int:pk>/plan/delete/", restructure, {"action": "delete"}, name="tasks_delete"),
    path("projects/<int:pk>/plan/link/", link_tasks, name="tasks_link"),
    path("tasks/<int:pk>/row/", task_row, name="task_row"),
    path("tasks/<int:pk>/up/", move, {"direction": "up"}, name="task_up"),
    path("tasks/<int:pk>/down/", move, {"direction": "down"}, name="task_down"),
    path("tasks/<int:pk>/drag/", drag, name="task_drag"),
]
