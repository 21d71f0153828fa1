"""What a project needs week by week (people by role, needed against assigned; equipment at its
peak against the quantity owned; materials), and its planned money per month: the project's
"Needs" tab; and each need against the people of its role assigned to its task.

``needs_by_week`` costs a constant number of queries whatever the number of tasks, needs,
assignments and weeks: the needs, the assignments, the calendars, their exceptions and the rate
histories, each in one query."""

import datetime
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Q

from charter.engine.utilisation import Load, calendar_range, spread, week_of, weeks_from
from charter.planning.models import Project
from charter.resources import utilisation
from charter.resources.choices import TIME_BASED, ResourceKind
from charter.resources.models import Assignment, Resource, Role, TaskNeed
from charter.resources.services.pool import MINUTES_PER_HOUR
from charter.resources.services.rates import RateBook

CENT = Decimal("0.01")
DAY = datetime.timedelta(days=1)


# ---- needs by week ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleWeek:
    week: datetime.date
    needed_hours: Decimal
    assigned_hours: Decimal

    @property
    def shortfall_hours(self) -> Decimal:
        return max(self.needed_hours - self.assigned_hours, Decimal(0))

    @property
    def short(self) -> bool:
        return self.shortfall_hours > 0


@dataclass(frozen=True)
class RoleRow:
    role: Role
    weeks: list[RoleWeek]

    @property
    def needed_hours(self) -> Decimal:
        return sum((cell.needed_hours for cell in self.weeks), Decimal(0))

    @property
    def assigned_hours(self) -> Decimal:
        return sum((cell.assigned_hours for cell in self.weeks), Decimal(0))

    @property
    def short(self) -> bool:
        return any(cell.short for cell in self.weeks)


@dataclass(frozen=True)
class EquipmentWeek:
    """Equipment in one ISO week: ``peak`` is the most units in use on one working day of the
    week (the units of its assignments whose task is in progress that day), ``owned`` its max
    units (the quantity owned)."""

    week: datetime.date
    peak: Decimal
    owned: Decimal

    @property
    def over(self) -> bool:
        return self.peak > self.owned


@dataclass(frozen=True)
class EquipmentRow:
    resource: Resource
    weeks: list[EquipmentWeek]

    @property
    def peak(self) -> Decimal:
        return max((cell.peak for cell in self.weeks), default=Decimal(0))

    @property
    def over(self) -> bool:
        return any(cell.over for cell in self.weeks)


@dataclass(frozen=True)
class MaterialWeek:
    """A material in one ISO week: the units of its assignments whose task starts that week
    (as its cost is counted on the task's first day)."""

    week: datetime.date
    quantity: Decimal


@dataclass(frozen=True)
class MaterialRow:
    resource: Resource
    weeks: list[MaterialWeek]

    @property
    def quantity(self) -> Decimal:
        return sum((cell.quantity for cell in self.weeks), Decimal(0))


@dataclass(frozen=True)
class MoneyMonth:
    month: datetime.date  # its first day
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class NeedsReport:
    weeks: tuple[datetime.date, ...]
    roles: list[RoleRow]
    money: list[MoneyMonth]
    equipment_weeks: list[EquipmentRow]
    material_weeks: list[MaterialRow]

    @property
    def total_money(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.money:
            totals[line.currency] += line.amount
        return dict(totals)


def daily_minutes(load: Load, calendar: Any) -> dict[datetime.date, Fraction]:
    """``load.work`` spread over the working minutes of each day of its task (a task without
    working time puts it all on its first day)."""
    if load.work <= 0:
        return {}
    by_day = load.minutes_by_day(calendar)
    total = sum(by_day.values())
    if total <= 0:
        return {load.start.date(): Fraction(load.work)}
    return {day: Fraction(load.work * minutes, total) for day, minutes in by_day.items()}


def days_in_use(
    load: Load, calendar: Any, first: datetime.date, last: datetime.date
) -> list[datetime.date]:
    """The days from ``first`` to ``last`` on which ``load``'s task is in progress: those with
    working time of it on ``calendar`` (a task without working time: the day it starts)."""
    worked = load.finish > load.start and load.minutes(calendar, load.start, load.finish) > 0
    if not worked:
        day = load.start.date()
        return [day] if first <= day <= last else []
    return list(load.minutes_by_day(calendar, first, last))


def _equipment_weeks(
    assignments: Sequence[Assignment],
    loads: dict[int, Load],
    calendars: dict[Hashable, Any],
    weeks: Sequence[datetime.date],
) -> list[EquipmentRow]:
    """Per equipment resource on the tasks and week: its peak daily use against what it owns."""
    first, last = weeks[0], weeks[-1] + 6 * DAY
    resources: dict[int, Resource] = {}
    in_use: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    for a in assignments:
        if a.resource.kind != ResourceKind.EQUIPMENT:
            continue
        resources.setdefault(a.resource_id, a.resource)
        load = loads[a.pk]
        for day in days_in_use(load, calendars[load.calendar], first, last):
            in_use[(a.resource_id, day)] += a.units
    peaks: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    for (resource_id, day), units in in_use.items():
        key = (resource_id, week_of(day))
        peaks[key] = max(peaks[key], units)
    return [
        EquipmentRow(
            resource,
            [EquipmentWeek(week, peaks[(resource.pk, week)], resource.max_units) for week in weeks],
        )
        for resource in sorted(resources.values(), key=lambda r: (r.name, r.pk))
    ]


def _material_weeks(
    assignments: Sequence[Assignment], loads: dict[int, Load], weeks: Sequence[datetime.date]
) -> list[MaterialRow]:
    """Per material on the tasks and week: the units used by the tasks starting that week."""
    resources: dict[int, Resource] = {}
    quantity: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    for a in assignments:
        if a.resource.kind != ResourceKind.MATERIAL:
            continue
        resources.setdefault(a.resource_id, a.resource)
        quantity[(a.resource_id, week_of(loads[a.pk].start.date()))] += a.units
    return [
        MaterialRow(resource, [MaterialWeek(week, quantity[(resource.pk, week)]) for week in weeks])
        for resource in sorted(resources.values(), key=lambda r: (r.name, r.pk))
    ]


def _money(
    assignments: Sequence[Assignment],
    loads: dict[int, Load],
    calendars: dict[Hashable, Any],
) -> list[MoneyMonth]:
    """Planned cost per month and currency: work (of people and equipment) × the cost rate of
    each day, material units
    × the rate of its first day, plus each assignment's cost per use on its first day."""
    book = RateBook({a.resource for a in assignments})
    sums: dict[tuple[datetime.date, str], Fraction] = defaultdict(Fraction)

    def add(resource: Resource, day: datetime.date, amount: Fraction) -> None:
        if amount:
            sums[(day.replace(day=1), book.currency_on(resource, day))] += amount

    for assignment in assignments:
        resource = assignment.resource
        load = loads.get(assignment.pk)
        if load is None:
            continue
        first = load.start.date()
        if resource.kind in TIME_BASED:
            for day, minutes in daily_minutes(load, calendars[load.calendar]).items():
                add(
                    resource,
                    day,
                    minutes / MINUTES_PER_HOUR * Fraction(book.cost_on(resource, day)),
                )
        elif resource.kind == ResourceKind.MATERIAL:
            add(
                resource,
                first,
                Fraction(assignment.units) * Fraction(book.cost_on(resource, first)),
            )
        add(resource, first, Fraction(resource.cost_per_use))
    return [
        MoneyMonth(
            month,
            currency,
            (Decimal(amount.numerator) / Decimal(amount.denominator)).quantize(
                CENT, rounding=ROUND_HALF_UP
            ),
        )
        for (month, currency), amount in sorted(sums.items())
    ]


def needs_by_week(
    project: Project, first: datetime.date, weeks: int, *, with_money: bool = True
) -> NeedsReport:
    """Per role and ISO week from the week of ``first``: the hours the project's tasks need
    (each need's effort spread over its task's working time on the project calendar) and the
    hours assigned to resources of the role (spread as in the utilisation heat map); per
    equipment resource on its tasks and week, the peak units in use on a working day against
    the quantity owned; per material and week, the units of the tasks starting in it; and,
    ``with_money`` (for those who may see rates), its planned cost per month."""
    week_days = weeks_from(first, min(max(int(weeks), 1), utilisation.MAX_WEEKS))
    scheduled = Q(task__start__isnull=False, task__finish__isnull=False)
    needs = list(
        TaskNeed.objects.filter(scheduled, task__project=project).select_related("role", "task")
    )
    assignments = list(
        Assignment.objects.filter(scheduled, task__project=project)
        .select_related("resource__role", "task")
        .order_by("task__position", "resource__name", "pk")
    )
    calendars, default = utilisation.calendars_with_default(
        {project.calendar_id}
        | {pk for a in assignments for pk in (a.resource.calendar_id, a.task.calendar_id)}
    )
    project_calendar = project.calendar_id or default

    def load(key: Any, row: Any, work: int, calendar: int) -> Load:
        return utilisation.task_load(key, row.pk, row.task, work, calendar)

    need_loads = [
        load(
            need.role_id,
            need,
            int((Decimal(need.effort_hours) * MINUTES_PER_HOUR).to_integral_value()),
            project_calendar,
        )
        for need in needs
    ]
    assignment_loads = {
        a.pk: load(
            a.resource.role_id,
            a,
            a.work,
            a.resource.calendar_id or a.task.calendar_id or project_calendar,
        )
        for a in assignments
    }
    first_day, last_day = calendar_range([*need_loads, *assignment_loads.values()], week_days)
    engine_calendars = utilisation.engine_calendars_of(calendars, first_day, last_day)

    # Keyed by (role id, week): the loads carry the role in the engine's resource slot.
    needed: dict[tuple[Hashable, datetime.date], Fraction] = defaultdict(Fraction)
    assigned: dict[tuple[Hashable, datetime.date], Fraction] = defaultdict(Fraction)
    roles: dict[int, Role] = {need.role_id: need.role for need in needs}
    for spec in need_loads:
        for week, minutes in spread(spec, engine_calendars[spec.calendar], week_days).items():
            needed[(spec.resource, week)] += minutes
    for a in assignments:
        if a.resource.kind != ResourceKind.WORK or a.resource.role is None:
            continue
        roles.setdefault(a.resource.role.pk, a.resource.role)
        spec = assignment_loads[a.pk]
        for week, minutes in spread(spec, engine_calendars[spec.calendar], week_days).items():
            assigned[(spec.resource, week)] += minutes
    rows = [
        RoleRow(
            role=role,
            weeks=[
                RoleWeek(
                    week,
                    utilisation.hours(needed[(role.pk, week)]),
                    utilisation.hours(assigned[(role.pk, week)]),
                )
                for week in week_days
            ],
        )
        for role in sorted(roles.values(), key=lambda role: (role.name, role.pk))
    ]
    money = _money(assignments, assignment_loads, engine_calendars) if with_money else []
    return NeedsReport(
        weeks=week_days,
        roles=rows,
        money=money,
        equipment_weeks=_equipment_weeks(
            assignments, assignment_loads, engine_calendars, week_days
        ),
        material_weeks=_material_weeks(assignments, assignment_loads, week_days),
    )


# ---- needs to staff --------------------------------------------------------------------------


@dataclass(frozen=True)
class Staffing:
    """A task's need against its share of the hours assigned on that task to people of the
    need's role (named or generic)."""

    need: TaskNeed
    assigned_hours: Decimal

    @property
    def shortfall_hours(self) -> Decimal:
        return max(Decimal(self.need.effort_hours) - self.assigned_hours, Decimal(0))

    @property
    def short(self) -> bool:
        return self.shortfall_hours > 0


def staffing(project: Project) -> list[Staffing]:
    """Every need of the project's tasks in plan order, each with the hours assigned on its
    task to people of its role. Needs of one role on one task share those hours in proportion
    to their effort (equally when none has any), so no hour is counted twice. Two queries."""
    needs = list(
        TaskNeed.objects.filter(task__project=project)
        .select_related("task", "role", "skill")
        .order_by("task__position", "role__name", "pk")
    )
    minutes: dict[tuple[int, int], int] = defaultdict(int)
    rows = Assignment.objects.filter(
        task_id__in={need.task_id for need in needs},
        resource__kind=ResourceKind.WORK,
        resource__role__isnull=False,
    ).values_list("task_id", "resource__role_id", "work")
    for task_id, role_id, work in rows:
        minutes[(task_id, role_id)] += work
    effort: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    count: dict[tuple[int, int], int] = defaultdict(int)
    for need in needs:
        effort[(need.task_id, need.role_id)] += Decimal(need.effort_hours)
        count[(need.task_id, need.role_id)] += 1

    def share(need: TaskNeed) -> Decimal:
        key = (need.task_id, need.role_id)
        hours = Decimal(minutes[key]) / MINUTES_PER_HOUR
        if count[key] > 1:
            if effort[key]:
                hours = hours * Decimal(need.effort_hours) / effort[key]
            else:
                hours /= count[key]
        return hours.quantize(CENT)

    return [Staffing(need, share(need)) for need in needs]
