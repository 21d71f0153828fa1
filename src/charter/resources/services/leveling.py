"""The verbs of resource leveling: propose (a proposal computed in the background), run it,
apply it (one audited transaction) or discard it."""

import datetime
import time
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.planning.adapters import local_zone, schedule_project
from charter.planning.choices import TaskConstraint
from charter.planning.models import Project, Task
from charter.resources import leveling, leveling_proposal
from charter.resources.choices import LevelingMode, LevelingScope, ProposalStatus
from charter.resources.models.leveling import LevelingProposal

ACTION_LABELS.update({"leveled": gettext_lazy("leveled resources of")})

TIME_LIMIT_MIN, TIME_LIMIT_MAX = 1, 30
OPTIONS = ("scope", "time_limit", "split", "date_from", "date_to")
CHANGED_FIELDS = ("constraint_type", "constraint_date", "pauses")
DEFAULT_TIME_LIMIT = 5  # seconds, when none is given
PROGRESS_EVERY = 0.5  # seconds between two progress writes


def _options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Checked options as stored: scope, time_limit, split, date_from, date_to (ISO or None;
    dates or ISO strings are taken)."""
    errors: dict[str, str] = {}
    scope = options.get("scope") or LevelingScope.PROJECT
    if scope not in LevelingScope.values:
        errors["scope"] = _("Choose this project or across projects.")
    try:
        time_limit = int(options.get("time_limit") or DEFAULT_TIME_LIMIT)
    except (TypeError, ValueError):
        time_limit = 0
    if not TIME_LIMIT_MIN <= time_limit <= TIME_LIMIT_MAX:
        errors["time_limit"] = _("The time limit is 1 to 30 seconds.")
    dates: dict[str, datetime.date | None] = {}
    for name in ("date_from", "date_to"):
        value = options.get(name)
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                errors[name] = _("Enter a valid date.")
                value = None
        dates[name] = value or None
    if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
        errors["date_to"] = _("The range ends before it starts.")
    if errors:
        raise ValidationError(errors)
    return {
        "scope": scope,
        "split": bool(options.get("split")),
        "time_limit": time_limit,
        "date_from": dates["date_from"].isoformat() if dates["date_from"] else None,
        "date_to": dates["date_to"].isoformat() if dates["date_to"] else None,
    }


def _engine_options(proposal: LevelingProposal) -> leveling.Options:
    options = proposal.options
    return leveling.Options(
        scope=options.get("scope", LevelingScope.PROJECT),
        date_from=_date(options.get("date_from")),
        date_to=_date(options.get("date_to")),
        split=bool(options.get("split")),
    )


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _scope_ids(proposal: LevelingProposal) -> list[int]:
    projects, _movable = leveling.scope_projects(
        proposal.project, actor=proposal.created_by, scope=proposal.options.get("scope", "")
    )
    return [project.pk for project in projects]


def propose(
    project: Project, *, actor: Any, mode: str = LevelingMode.FAST, options: Mapping[str, Any]
) -> LevelingProposal:
    """A running proposal for ``project`` and its run queued (``tasks``).
    ValidationError for a bad mode or options; nothing is written then."""
    if mode not in LevelingMode.values:
        raise ValidationError({"mode": _("Choose fast or optimise.")})
    checked = _options(options)
    from charter.resources.tasks import run_leveling

    with transaction.atomic():
        proposal = LevelingProposal.objects.create(
            project=project,
            mode=mode,
            options=checked,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        run_leveling.enqueue(proposal.pk)
    proposal.refresh_from_db()
    return proposal


def run_proposal(proposal_id: int) -> LevelingProposal | None:
    """Run the engine for a running proposal; its progress is written at most every half
    second. The proposal ends ready (with its result) or failed (with the error)."""
    proposal = (
        LevelingProposal.objects.select_related("project", "created_by")
        .filter(pk=proposal_id, status=ProposalStatus.RUNNING)
        .first()
    )
    if proposal is None:
        return None
    last = [0.0]

    def progress(fraction: float, makespan: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            LevelingProposal.objects.filter(pk=proposal_id, status=ProposalStatus.RUNNING).update(
                progress=max(0.0, min(1.0, fraction))
            )

    try:
        print_ = leveling.fingerprint(_scope_ids(proposal))
        loaded = leveling.load(
            proposal.project, actor=proposal.created_by, options=_engine_options(proposal)
        )
        result = leveling.solve(
            loaded,
            mode=proposal.mode,
            time_limit=float(proposal.options.get("time_limit", DEFAULT_TIME_LIMIT)),
            progress=progress,
        )
        described = leveling_proposal.describe(loaded, result)
        if set(loaded.projects) != set(_scope_ids(proposal)):
            print_ = leveling.fingerprint(loaded.projects)
    except Exception as error:  # a failed run is reported on the proposal
        LevelingProposal.objects.filter(pk=proposal_id).update(
            status=ProposalStatus.FAILED, error=str(error) or type(error).__name__
        )
        proposal.refresh_from_db()
        return proposal
    LevelingProposal.objects.filter(pk=proposal_id, status=ProposalStatus.RUNNING).update(
        status=ProposalStatus.READY, progress=1.0, result=described, plan_fingerprint=print_
    )
    proposal.refresh_from_db()
    return proposal


def _decidable(proposal: LevelingProposal) -> LevelingProposal:
    locked = LevelingProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.READY:
        raise ValidationError(
            _("This proposal is %(status)s and can no longer be applied or discarded.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def apply(proposal: LevelingProposal, *, actor: Any) -> LevelingProposal:
    """Give every task that moves later a "start no earlier than" constraint at its proposed
    start (as a bar dragged on the Gantt does) and every task the proposal splits or joins the
    pauses of its segments (none when it runs in one piece), reschedule each project touched
    once, and record one "leveled" event per project listing its moves. Refused
    (ValidationError, nothing written) when the proposal is not ready or a plan it read changed
    since it was computed."""
    locked = _decidable(proposal)
    moves = locked.result.get("moves", [])
    projects = locked.result.get("projects", [locked.project_id])
    tasks = {
        task.pk: task
        for task in Task.objects.select_for_update()
        .filter(pk__in=[move["task_id"] for move in moves])
        .order_by("pk")
    }
    if leveling.fingerprint(projects) != locked.plan_fingerprint or len(tasks) != len(moves):
        raise ValidationError(
            _("The plan changed after this proposal was computed. Level again to see a new one.")
        )
    by_project: dict[int, list[dict[str, Any]]] = {}
    try:
        pauses = leveling_proposal.proposed_pauses(moves, tasks)
    except ValueError as error:  # a task's calendar without working time around its segments
        raise ValidationError(
            _("The splits cannot be laid on a task's calendar: %(error)s") % {"error": error}
        ) from error
    for move in moves:
        task = tasks[move["task_id"]]
        before = audit.snapshot(task, CHANGED_FIELDS)
        if move["delay_days"] > 0:  # a task split or joined where it starts keeps its start
            task.constraint_type = TaskConstraint.SNET
            task.constraint_date = datetime.datetime.combine(
                datetime.date.fromisoformat(move["snet"]), datetime.time(), tzinfo=local_zone()
            )
        task.pauses = pauses.get(task.pk, task.pauses)
        update_versioned(task, expected_version=task.version, fields=CHANGED_FIELDS)
        after = audit.snapshot(task, CHANGED_FIELDS)
        by_project.setdefault(task.project_id, []).append(
            {
                "task": f"{task.wbs} {task.name}".strip(),
                "start": [move["start_before"][:10], move["start_after"][:10]],
                "delay_days": move["delay_days"],
                "constraint": audit.diff(before, after),
            }
        )
    for project in Project.objects.filter(pk__in=by_project).order_by("pk"):
        schedule_project(project)
        audit.record(
            project,
            "leveled",
            actor=actor,
            changes={"moves": [None, by_project[project.pk]], "proposal": [None, locked.pk]},
        )
    locked.status = ProposalStatus.APPLIED
    locked.applied_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.applied_at = timezone.now()
    locked.save(update_fields=["status", "applied_by", "applied_at"])
    return locked


@transaction.atomic
def discard(proposal: LevelingProposal, *, actor: Any) -> LevelingProposal:
    """Set a ready proposal aside; the plan is untouched."""
    locked = _decidable(proposal)
    locked.status = ProposalStatus.DISCARDED
    locked.applied_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.applied_at = timezone.now()
    locked.save(update_fields=["status", "applied_by", "applied_at"])
    return locked
