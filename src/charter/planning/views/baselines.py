"""Baselines: the eleven slots of a project, save the plan into one, clear one, and the variance
of every task against a chosen slot."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from charter.core import policy
from charter.planning.adapters import project_work_calendar
from charter.planning.forms.plan import BaselineForm
from charter.planning.models import BASELINE_SLOTS, Baseline, Project, Task
from charter.planning.querysets import visible_project
from charter.planning.services import baselines as services

ROWS_PER_PAGE = 100


@require_GET
@policy.requires("planning.baseline", "view")
def baselines(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    saved = {
        row.number: row
        for row in Baseline.objects.filter(project=project).select_related("saved_by")
    }
    slots = [
        (number, services.slot_name(number), saved.get(number)) for number in range(BASELINE_SLOTS)
    ]
    chosen = _chosen(request, saved)
    context: dict[str, Any] = {
        "project": project,
        "slots": slots,
        "chosen": chosen,
        "form": BaselineForm(initial={"number": _first_free(saved)}),
        "can_save": policy.allows(request.user, "planning.baseline", "save"),
    }
    if chosen is not None:
        page = Paginator(
            Task.objects.filter(project=project).order_by("position"), ROWS_PER_PAGE
        ).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        found = services.variances(rows, chosen, project_work_calendar(project, rows))
        context.update(page=page, rows=[(task, found[task.pk]) for task in rows])
    return render(request, "planning/baselines.html", context)


def _chosen(request: HttpRequest, saved: dict[int, Baseline]) -> Baseline | None:
    number = request.GET.get("baseline", "")
    if number.isdigit():
        return saved.get(int(number))
    return saved[min(saved)] if saved else None


def _first_free(saved: dict[int, Baseline]) -> int:
    return next((n for n in range(BASELINE_SLOTS) if n not in saved), 0)


@require_POST
@policy.requires("planning.baseline", "save")
def save(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    form = BaselineForm(request.POST)
    if form.is_valid():
        try:
            baseline = services.save_baseline(
                project,
                actor=request.user,
                number=form.cleaned_data["number"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Baseline “%(name)s” saved.") % {"name": baseline.name})
            return redirect(f"{request.path.rsplit('save/', 1)[0]}?baseline={baseline.number}")
    else:
        messages.error(request, _("Choose a baseline slot."))
    return redirect("planning:baselines", pk=project.pk)


@require_POST
@policy.requires("planning.baseline", "save")
def clear(request: HttpRequest, pk: int) -> HttpResponse:
    baseline = get_object_or_404(
        Baseline.objects.filter(project__in=Project.objects.for_user(request.user)), pk=pk
    )
    project_id = baseline.project_id
    services.clear_baseline(baseline, actor=request.user)
    messages.success(request, _("Baseline “%(name)s” cleared.") % {"name": baseline.name})
    return redirect("planning:baselines", pk=project_id)


urls = [
    path("projects/<int:pk>/baselines/", baselines, name="baselines"),
    path("projects/<int:pk>/baselines/save/", save, name="baseline_save"),
    path("baselines/<int:pk>/clear/", clear, name="baseline_clear"),
]
