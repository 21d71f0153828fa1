"""Utilisation: every resource × ISO week across the projects a user may see, allocated work
against capacity (``charter.engine.utilisation``), and the tasks behind one cell.

A page costs a constant number of queries whatever the number of resources and weeks: the
resources, the assignments of the tasks overlapping the window, the calendars they use and
those calendars' exceptions, each in one query; then one engine calendar per distinct calendar.

By role (the portfolio view): the rows of every work resource shown, added up per role
(``charter.engine.utilisation.combine``) at the cost of one more query for the roles. A role's
work is that of all its people, named and generic; its capacity that of its active ones.

Which calendar: a resource's capacity is counted on its own calendar, else the default shared
calendar (a resource without one works the company's usual hours across projects); an
assignment's work is spread on the resource's calendar, else the task's own, else its
project's, else the default one.
"""

import datetime
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from charter.engine.utilisation import (
    Capacity,
    Load,
    NoWorkingTime,
    ResourceRow,
    WeekCell,
    WorkingTime,
    calendar_range,
    combine,
    utilisation,
    weeks_from,
)
from charter.planning.adapters import to_aware, to_local, work_calendars
from charter.planning.models import Calendar, Project, Task
from charter.resources.choices import ResourceKind
from charter.resources.models import Assignment, Resource, Role

NO_ROLE = "none"  # the key of the row of work resources without a role
DEFAULT_WEEKS = 12
MAX_WEEKS = 52
PER_PAGE = 50
LIGHT_BELOW = Fraction(80, 100)  # under 80 %: lightly loaded; 80–100 %: well loaded
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Window:
    """``weeks`` consecutive ISO weeks (their Mondays)."""

    weeks: tuple[datetime.date, ...]

    @classmethod
    def of(cls, start: datetime.date | None = None, weeks: int = DEFAULT_WEEKS) -> "Window":
        """The ``weeks`` weeks (1 to 52) from the week of ``start`` (default: this week)."""
        count = min(max(int(weeks), 1), MAX_WEEKS)
        return cls(weeks_from(start or timezone.localdate(), count))

    @property
    def start(self) -> datetime.date:
        return self.weeks[0]

    @property
    def end(self) -> datetime.date:
        """The Monday after the last week."""
        return self.weeks[-1] + datetime.timedelta(days=7)

    def shifted(self, weeks: int) -> datetime.date:
        return self.start + datetime.timedelta(days=7 * weeks)


@dataclass(frozen=True)
class Cell:
    week: datetime.date
    allocated_hours: Decimal
    capacity_hours: Decimal
    percent: int | None  # None: allocated in a week without working time
    level: str  # "empty", "light" (< 80 %), "full" (80–100 %), "over" (> 100 %)
    task_count: int

    @property
    def over(self) -> bool:
        return self.level == "over"


@dataclass(frozen=True)
class Row:
    resource: Resource
    cells: list[Cell]
    allocated_hours: Decimal
    capacity_hours: Decimal
    percent: int | None
    level: str

    @property
    def over(self) -> bool:
        return any(cell.over for cell in self.cells)


@dataclass(frozen=True)
class TaskLine:
    """One task loading a resource in a week."""

    task: Task
    project: Project
    hours: Decimal
    units: Decimal  # the assignment's, 1 = 100 %
    work_hours: Decimal  # the assignment's whole work


@dataclass(frozen=True)
class WeekDetail:
    resource: Resource
    cell: Cell
    tasks: list[TaskLine]


def hours(minutes: Fraction) -> Decimal:
    return (Decimal(minutes.numerator) / Decimal(minutes.denominator) / 60).quantize(TENTH)


def _level(allocated: Fraction, capacity: Fraction) -> tuple[int | None, str]:
    if not allocated:
        return (0 if capacity else None), "empty"
    if not capacity:
        return None, "over"
    ratio = allocated / capacity
    percent = int((Decimal(ratio.numerator) * HUNDRED / Decimal(ratio.denominator)).quantize(1))
    if ratio > 1:
        return percent, "over"
    return percent, ("light" if ratio < LIGHT_BELOW else "full")


def _cell(cell: WeekCell) -> Cell:
    percent, level = _level(cell.allocated, cell.capacity)
    return Cell(
        week=cell.week,
        allocated_hours=hours(cell.allocated),
        capacity_hours=hours(cell.capacity),
        percent=percent,
        level=level,
        task_count=len(cell.tasks),
    )


def _row(resource: Resource, row: ResourceRow) -> Row:
    percent, level = _level(row.allocated, row.capacity)
    return Row(
        resource=resource,
        cells=[_cell(cell) for cell in row.weeks],
        allocated_hours=hours(row.allocated),
        capacity_hours=hours(row.capacity),
        percent=percent,
        level=level,
    )


# ---- loading ----------------------------------------------------------------------------------


def _moment(day: datetime.date) -> datetime.datetime:
    return to_aware(datetime.datetime.combine(day, datetime.time()))


def scheduled_local(moment: datetime.datetime | None) -> datetime.datetime:
    local = to_local(moment)
    if local is None:  # the window's query keeps scheduled tasks only
        raise ValueError("an unscheduled task has no load to spread")
    return local


def task_load(resource: Hashable, key: Hashable, task: Task, work: int, calendar: Hashable) -> Load:
    """``work`` minutes of ``resource`` over scheduled ``task`` (none in a split task's
    pauses), as the engine spreads them; ``key`` names the load's share in a cell."""
    return Load(
        resource=resource,
        task=key,
        start=scheduled_local(task.start),
        finish=scheduled_local(task.finish),
        work=work,
        calendar=calendar,
        gaps=tuple((scheduled_local(first), scheduled_local(last)) for first, last in task.gaps),
    )


def _in_window(user: Any, window: Window) -> Any:
    """The assignments ``user`` may see on scheduled tasks overlapping the window."""
    return Assignment.objects.for_user(user).filter(
        task__start__lt=_moment(window.end),
        task__finish__gte=_moment(window.start),
    )


def pool(
    user: Any, window: Window, *, kind: str = ResourceKind.WORK, project: Project | None = None
) -> list[Resource]:
    """The resources to show, by name, in one query: those of ``kind`` ("" for any) that are
    active or loaded in the window; with ``project``, only those assigned to its tasks."""
    loaded = _in_window(user, window).filter(resource=OuterRef("pk"))
    rows = Resource.objects.for_user(user).filter(Q(is_active=True) | Q(Exists(loaded)))
    if kind:
        rows = rows.filter(kind=kind)
    if project is not None:
        rows = rows.filter(
            Exists(Assignment.objects.filter(resource=OuterRef("pk"), task__project=project))
        )
    return list(rows.order_by("name", "pk"))


def calendars_with_default(wanted: Iterable[int | None]) -> tuple[dict[int, Calendar], int]:
    """The calendars ``wanted`` (ids, None ignored) and the default shared calendar, in one
    query; with the default calendar's id (created once, as the plans do, when missing)."""
    calendars = {
        calendar.pk: calendar
        for calendar in Calendar.objects.filter(
            Q(pk__in=[pk for pk in wanted if pk]) | Q(is_default=True, project__isnull=True)
        )
    }
    for calendar in calendars.values():
        if calendar.is_default and calendar.project_id is None:
            return calendars, calendar.pk
    from charter.planning.services.calendars import default_calendar

    calendar = default_calendar()
    calendars[calendar.pk] = calendar
    return calendars, calendar.pk


def engine_calendars_of(
    calendars: dict[int, Calendar], first: datetime.date, last: datetime.date
) -> dict[Hashable, WorkingTime]:
    """One engine calendar per calendar over ``first``..``last``, in one query; a calendar
    with no working minute in the range counts as never working."""
    built = work_calendars(calendars.values(), first, last)
    return {pk: calendar or NoWorkingTime() for pk, calendar in built.items()}


def _compute(
    user: Any, window: Window, resources: Sequence[Resource], weeks: Sequence[datetime.date]
) -> tuple[list[ResourceRow], dict[tuple[int, int], Assignment]]:
    """The engine's rows for ``resources`` and the assignments by (resource id, task id)."""
    if not resources:
        return [], {}
    assignments = list(
        _in_window(user, window)
        .filter(resource_id__in=[resource.pk for resource in resources])
        .select_related("task__project")
    )
    calendars, default = calendars_with_default(
        {r.calendar_id for r in resources}
        | {a.task.calendar_id or a.task.project.calendar_id for a in assignments}
    )
    by_id = {resource.pk: resource for resource in resources}
    loads = [
        task_load(
            a.resource_id,
            a.task_id,
            a.task,
            a.work,
            by_id[a.resource_id].calendar_id
            or a.task.calendar_id
            or a.task.project.calendar_id
            or default,
        )
        for a in assignments
    ]
    capacities = [
        Capacity(resource.pk, resource.max_units, resource.calendar_id or default)
        for resource in resources
    ]
    first, last = calendar_range(loads, weeks)
    engine_calendars = engine_calendars_of(calendars, first, last)
    rows = utilisation(capacities, loads, engine_calendars, weeks)
    return rows, {(a.resource_id, a.task_id): a for a in assignments}


def rows_for(user: Any, window: Window, resources: Sequence[Resource]) -> list[Row]:
    """The heat map's rows of ``resources`` over the window."""
    rows, _assignments = _compute(user, window, resources, window.weeks)
    by_id = {resource.pk: resource for resource in resources}
    return [_row(by_id[row.resource], row) for row in rows]  # type: ignore[index]


def heat_map(
    user: Any,
    window: Window,
    *,
    kind: str = ResourceKind.WORK,
    project: Project | None = None,
    over_only: bool = False,
    page: Any = 1,
    per_page: int = PER_PAGE,
) -> Page[Any]:
    """A page of rows (``page.object_list`` holds ``Row``s). Over-allocated only: every
    resource is computed to know which to keep; otherwise only those of the page."""
    resources = pool(user, window, kind=kind, project=project)
    if over_only:
        rows = [row for row in rows_for(user, window, resources) if row.over]
        return Paginator(rows, per_page).get_page(page)
    shown = Paginator(resources, per_page).get_page(page)
    return Page(rows_for(user, window, list(shown.object_list)), shown.number, shown.paginator)


def week_detail(user: Any, resource: Resource, week: datetime.date) -> WeekDetail:
    """The tasks loading ``resource`` in the week of ``week``, most hours first."""
    window = Window.of(week, 1)
    [row], assignments = _compute(user, window, [resource], window.weeks)
    [cell] = row.weeks
    lines = []
    for share in cell.tasks:
        assignment = assignments[(resource.pk, share.task)]  # type: ignore[index]
        lines.append(
            TaskLine(
                task=assignment.task,
                project=assignment.task.project,
                hours=hours(share.minutes),
                units=assignment.units,
                work_hours=hours(Fraction(assignment.work)),
            )
        )
    return WeekDetail(resource=resource, cell=_cell(cell), tasks=lines)


# ---- by role ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleCell(Cell):
    generic_hours: Decimal  # of the allocated hours, those of generic resources (not staffed)


@dataclass(frozen=True)
class RoleLoadRow:
    role: Role | None  # None: the work resources without a role
    people: int  # the role's work resources shown, generic ones included
    generic: int
    cells: list[RoleCell]
    allocated_hours: Decimal
    capacity_hours: Decimal
    generic_hours: Decimal
    percent: int | None
    level: str

    @property
    def key(self) -> str:
        """The role's id, or ``NO_ROLE``: how URLs name the row."""
        return NO_ROLE if self.role is None else str(self.role.pk)

    @property
    def over(self) -> bool:
        return any(cell.over for cell in self.cells)


@dataclass(frozen=True)
class RoleLoadWeek:
    """A role's week and the rows (one cell each) of its resources, most hours first."""

    role: Role | None
    cell: RoleCell
    resources: list[Row]


def role_of_key(key: str) -> Role | None:
    """The role a URL names by ``RoleLoadRow.key``: its id, or ``NO_ROLE`` for None. Http404 for
    any other key or an unknown role."""
    if key == NO_ROLE:
        return None
    if not key.isdigit():
        raise Http404
    return get_object_or_404(Role, pk=int(key))


def _role_row(
    role: Role | None,
    members: Sequence[Resource],
    rows: dict[Hashable, ResourceRow],
    weeks: Sequence[datetime.date],
) -> RoleLoadRow:
    key = NO_ROLE if role is None else role.pk
    active = {member.pk for member in members if member.is_active}
    total = combine(key, [rows[member.pk] for member in members], weeks, capacity_of=active)
    generic = [member for member in members if member.is_placeholder]
    unstaffed = combine(key, [rows[member.pk] for member in generic], weeks)
    cells = []
    for cell, part in zip(total.weeks, unstaffed.weeks, strict=True):
        shown = _cell(cell)
        values = {field.name: getattr(shown, field.name) for field in fields(Cell)}
        cells.append(RoleCell(**values, generic_hours=hours(part.allocated)))
    percent, level = _level(total.allocated, total.capacity)
    return RoleLoadRow(
        role=role,
        people=len(members),
        generic=len(generic),
        cells=cells,
        allocated_hours=hours(total.allocated),
        capacity_hours=hours(total.capacity),
        generic_hours=hours(unstaffed.allocated),
        percent=percent,
        level=level,
    )


def role_map(
    user: Any,
    window: Window,
    *,
    project: Project | None = None,
    over_only: bool = False,
    page: Any = 1,
    per_page: int = PER_PAGE,
) -> Page[Any]:
    """A page of ``RoleLoadRow``s: every role by name (with ``project``, those with a resource on
    it), then the work resources without a role if any. The resources are those ``pool``
    shows (work only); every one is computed, as the roles add them all up."""
    resources = pool(user, window, project=project)
    rows, _assignments = _compute(user, window, resources, window.weeks)
    by_id = {row.resource: row for row in rows}
    members: dict[int | None, list[Resource]] = defaultdict(list)
    for resource in resources:
        members[resource.role_id].append(resource)
    roles = [
        role
        for role in Role.objects.order_by("name", "pk")
        if project is None or role.pk in members
    ]
    role_rows = [_role_row(role, members[role.pk], by_id, window.weeks) for role in roles]
    if members[None]:
        role_rows.append(_role_row(None, members[None], by_id, window.weeks))
    if over_only:
        role_rows = [row for row in role_rows if row.over]
    return Paginator(role_rows, per_page).get_page(page)


def role_week(
    user: Any, role: Role | None, week: datetime.date, *, project: Project | None = None
) -> RoleLoadWeek:
    """The resources of ``role`` (None: without a role) in the week of ``week``, as
    ``role_map`` adds them up with the same ``project``, most hours first."""
    window = Window.of(week, 1)
    role_id = None if role is None else role.pk
    members = [r for r in pool(user, window, project=project) if r.role_id == role_id]
    rows, _assignments = _compute(user, window, members, window.weeks)
    by_id = {row.resource: row for row in rows}
    lines = [_row(member, by_id[member.pk]) for member in members]
    lines.sort(key=lambda line: -line.allocated_hours)  # stable: by name among equals
    [cell] = _role_row(role, members, by_id, window.weeks).cells
    return RoleLoadWeek(role=role, cell=cell, resources=lines)
