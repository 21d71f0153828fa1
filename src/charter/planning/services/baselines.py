"""Baselines: save the plan as it stands into one of eleven slots (Baseline, Baseline 1–10, as
MS Project numbers them) and measure the current plan against any of them."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.engine.calendar import WorkCalendar
from charter.planning.adapters import to_local
from charter.planning.models import (
    BASELINE_SLOTS,
    MINUTES_PER_DAY,
    Baseline,
    BaselineTask,
    Project,
    Task,
)

ACTION_LABELS.update(
    {
        "baseline_saved": gettext_lazy("saved a baseline of"),
        "baseline_cleared": gettext_lazy("cleared a baseline of"),
    }
)


def slot_name(number: int) -> str:
    """MS Project's names: "Baseline" for slot 0, "Baseline 1" … "Baseline 10"."""
    return _("Baseline") if number == 0 else _("Baseline %(number)d") % {"number": number}


@transaction.atomic
def save_baseline(project: Project, *, actor: Any, number: int, name: str = "") -> Baseline:
    """Copy every task's scheduled start, finish, duration and cost into slot ``number``,
    replacing what the slot held."""
    if not 0 <= number < BASELINE_SLOTS:
        raise ValidationError({"number": _("Choose a baseline from 0 to 10.")})
    Project.objects.select_for_update().filter(pk=project.pk).get()
    tasks = list(
        Task.objects.filter(project=project).only("pk", "start", "finish", "duration", "cost")
    )
    if not tasks:
        raise ValidationError(_("The plan has no tasks yet: there is nothing to save."))
    baseline, created = Baseline.objects.update_or_create(
        project=project,
        number=number,
        defaults={
            "name": name.strip() or slot_name(number),
            "start": project_start(tasks),
            "finish": project.finish_date,
            "saved_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    baseline.rows.all().delete()
    BaselineTask.objects.bulk_create(
        (
            BaselineTask(
                baseline=baseline,
                task=task,
                start=task.start,
                finish=task.finish,
                duration=task.duration,
                cost=task.cost,
            )
            for task in tasks
        ),
        batch_size=1000,
    )
    audit.record(
        project,
        "baseline_saved",
        actor=actor,
        changes={"baseline": [None if created else baseline.name, baseline.name]},
    )
    return baseline


def project_start(tasks: Iterable[Task]) -> Any:
    starts = [task.start for task in tasks if task.start is not None]
    return min(starts) if starts else None


@transaction.atomic
def clear_baseline(baseline: Baseline, *, actor: Any) -> None:
    audit.record(
        baseline.project,
        "baseline_cleared",
        actor=actor,
        changes={"baseline": [baseline.name, None]},
    )
    baseline.delete()


@dataclass(frozen=True)
class Variance:
    """Current minus baseline: dates and duration in working days, cost in money. None when the
    task was not in the baseline."""

    baseline_start: Any
    baseline_finish: Any
    start_days: Decimal | None
    finish_days: Decimal | None
    duration_days: Decimal | None
    cost: Decimal | None


NO_BASELINE = Variance(None, None, None, None, None, None)


def variances(
    tasks: Iterable[Task], baseline: Baseline, calendar: WorkCalendar
) -> dict[int, Variance]:
    """The variance of each of ``tasks`` against ``baseline`` (one query for the rows)."""
    tasks = list(tasks)
    rows = {
        row.task_id: row
        for row in BaselineTask.objects.filter(
            baseline=baseline, task_id__in=[task.pk for task in tasks]
        )
    }
    return {task.pk: _variance(task, rows.get(task.pk), calendar) for task in tasks}


def _variance(task: Task, row: BaselineTask | None, calendar: WorkCalendar) -> Variance:
    if row is None:
        return NO_BASELINE
    return Variance(
        baseline_start=row.start,
        baseline_finish=row.finish,
        start_days=_working_days(calendar, row.start, task.start),
        finish_days=_working_days(calendar, row.finish, task.finish),
        duration_days=_days(task.duration - row.duration),
        cost=task.cost - row.cost,
    )


def _working_days(calendar: WorkCalendar, before: Any, now: Any) -> Decimal | None:
    if before is None or now is None:
        return None
    try:
        minutes = calendar.working_minutes(to_local(before), to_local(now))
    except ValueError:  # a date outside the calendar's range: compare calendar days instead
        return Decimal((now - before).days)
    return _days(minutes)


def _days(minutes: int) -> Decimal:
    return (Decimal(minutes) / MINUTES_PER_DAY).quantize(Decimal("0.1"))
