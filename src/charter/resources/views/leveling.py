"""Resource leveling pages of a project: the form and the past proposals; a proposal with its
progress while it runs, then its summary, date changes, unplaced tasks and before/after Gantt,
to apply or discard."""

import datetime
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.planning import gantt
from charter.planning.models import Dependency, Project, Task
from charter.planning.querysets import visible_project
from charter.resources.choices import LevelingScope, ProposalStatus
from charter.resources.forms.leveling import LevelingForm
from charter.resources.models.leveling import LevelingProposal
from charter.resources.services import leveling as services

RULE = "resources.leveling"
PER_PAGE = 20
REASONS = {
    "over_capacity": gettext_lazy("needs more units of a resource than it ever has"),
    "no_room": gettext_lazy("no run of working days before the horizon has enough units free"),
    "predecessor": gettext_lazy("a task it depends on could not be placed"),
}


def _page(request: HttpRequest, project: Project, form: LevelingForm, status: int = 200):
    proposals = Paginator(
        LevelingProposal.objects.filter(project=project).select_related("created_by", "applied_by"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "form": form,
        "page": proposals,
        "can_propose": policy.allows(request.user, RULE, "add"),
    }
    return render(request, "resources/leveling/index.html", context, status=status)


@require_GET
@policy.requires(RULE, "view")
def index(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    return _page(request, project, LevelingForm())


@require_POST
@policy.requires(RULE, "add")
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    form = LevelingForm(request.POST)
    made: list[LevelingProposal] = []

    def save(data: dict[str, Any]) -> None:
        made.append(
            services.propose(
                project,
                actor=request.user,
                mode=data["mode"],
                options={name: data[name] for name in services.OPTIONS},
            )
        )

    if not form.data.get("time_limit"):
        form.data = form.data.copy()
        form.data["time_limit"] = str(services.DEFAULT_TIME_LIMIT)
    status = submit(form, save)
    if status is not None:
        return _page(request, project, form, status)
    return redirect(made[0])


def _when(value: str | None) -> datetime.datetime | None:
    return parse_datetime(value) if value else None


def _moves(proposal: LevelingProposal) -> list[dict[str, Any]]:
    return [
        {
            **move,
            "start_before": _when(move["start_before"]),
            "finish_before": _when(move["finish_before"]),
            "start_after": _when(move["start_after"]),
            "finish_after": _when(move["finish_after"]),
            "segment_moments": [
                (_when(first), _when(last)) for first, last in move.get("segments_after", ())
            ],
        }
        for move in proposal.result.get("moves", [])
    ]


def _chart(proposal: LevelingProposal, moves: list[dict[str, Any]]) -> gantt.Chart | None:
    """The proposal's project after leveling, its current dates as the baseline overlay. Summary
    bars span the tasks under them."""
    tasks = list(
        Task.objects.filter(project=proposal.project, start__isnull=False).order_by(
            "position", "pk"
        )
    )
    if not tasks:
        return None
    after = {move["task_id"]: move for move in moves}
    rows = {
        task.pk: SimpleNamespace(
            pk=task.pk,
            name=task.name,
            parent_id=task.parent_id,
            start=after[task.pk]["start_after"] if task.pk in after else task.start,
            finish=after[task.pk]["finish_after"] if task.pk in after else task.finish,
            segment_moments=(
                after[task.pk]["segment_moments"] if task.pk in after else task.segment_moments
            ),
            is_summary=task.is_summary,
            is_milestone=task.is_milestone,
            is_critical=False,
            percent_complete=task.percent_complete,
        )
        for task in tasks
    }
    summaries = {task.pk for task in tasks if task.is_summary}
    spans: dict[int, list[datetime.datetime]] = {}
    for task in tasks:
        if task.pk in summaries:
            continue
        row, parent = rows[task.pk], task.parent_id
        while parent in rows:
            span = spans.setdefault(parent, [row.start, row.finish])
            span[0], span[1] = min(span[0], row.start), max(span[1], row.finish)
            parent = rows[parent].parent_id
    for pk, (start, finish) in spans.items():
        rows[pk].start, rows[pk].finish = start, finish
    ordered = [rows[task.pk] for task in tasks]
    links = Dependency.objects.filter(project=proposal.project).values_list(
        "predecessor_id", "successor_id", "type"
    )
    first = min(row.start for row in ordered)
    last = max(row.finish for row in ordered)
    return gantt.chart(
        ordered,
        links=[(p, s, kind, False) for p, s, kind in links],
        baseline={task.pk: (task.start, task.finish) for task in tasks if task.pk in after},
        span=(first, last),
        zoom="day" if (last - first).days <= 60 else "week",
        now=timezone.now(),
        editable=False,
    )


@require_GET
@policy.requires(RULE, "view")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(LevelingProposal.objects.for_user(request.user), pk=pk)
    if request.htmx:  # type: ignore[attr-defined]
        if proposal.status == ProposalStatus.RUNNING:
            return render(request, "resources/leveling/_progress.html", {"proposal": proposal})
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    moves = _moves(proposal)
    result = proposal.result
    context = {
        "project": proposal.project,
        "proposal": proposal,
        "scope_label": LevelingScope(proposal.options.get("scope") or LevelingScope.PROJECT).label,
        "moves": moves,
        "unplaced": [
            {**row, "reason_label": REASONS.get(row["reason"], row["reason"])}
            for row in result.get("unplaced", [])
        ],
        "finish_before": _when(result.get("finish_before")),
        "finish_after": _when(result.get("finish_after")),
        "chart": _chart(proposal, moves) if proposal.status == ProposalStatus.READY else None,
        "can_apply": policy.allows(request.user, RULE, "apply")
        and proposal.status == ProposalStatus.READY,
    }
    return render(request, "resources/leveling/detail.html", context)


def _decide(request: HttpRequest, pk: int, verb: Any, done: str) -> HttpResponse:
    rows = LevelingProposal.objects.for_user(request.user, "apply")
    proposal = get_object_or_404(rows, pk=pk)
    try:
        verb(proposal, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(proposal)


@require_POST
@policy.requires(RULE, "apply")
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.apply, _("Leveling applied: the plan is rescheduled."))


@require_POST
@policy.requires(RULE, "apply")
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.discard, _("Proposal discarded: the plan is unchanged."))


urls = [
    path("projects/<int:pk>/leveling/", index, name="leveling"),
    path("projects/<int:pk>/leveling/propose/", propose, name="leveling_propose"),
    path("leveling/<int:pk>/", detail, name="leveling_detail"),
    path("leveling/<int:pk>/apply/", apply, name="leveling_apply"),
    path("leveling/<int:pk>/discard/", discard, name="leveling_discard"),
]
