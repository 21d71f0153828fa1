"""MS Project XML exchange: every reference file the reader accepts imports with the counts the
file holds; export → import → export gives the same plan; refusals write nothing; each
conversion the mapping makes is reported."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

# Loaded before planning.adapters, which imports it back (a cycle the adapters' owner fixes).
import charter.planning.services  # noqa: F401
from charter.core.models import AuditEvent
from charter.engine.calendar import MS_PROJECT_STANDARD_HOURS
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import MspdiCalendar, MspdiProject, MspdiTask, PredecessorLink
from charter.engine.mspdi_writer import write_project
from charter.planning.adapters import schedule_project, to_aware, to_local
from charter.planning.models import (
    Baseline,
    BaselineTask,
    Calendar,
    CalendarException,
    Dependency,
    Project,
    Task,
)
from charter.planning.services import exchange
from charter.planning.services.baselines import save_baseline
from charter.planning.services.wbs import renumber
from charter.planning.tests.factories import make_project
from charter.resources.models import Assignment, Resource

pytestmark = pytest.mark.django_db

DATA = Path("/work/shared/data/mspdi")
FILES = sorted(DATA.glob("*.xml"))
P6_ROOT = b"<APIBusinessObjects"


def accepted_files() -> list[Path]:
    return [path for path in FILES if P6_ROOT not in path.read_bytes()[:400]]


def refused_files() -> list[Path]:
    return [path for path in FILES if P6_ROOT in path.read_bytes()[:400]]


@pytest.fixture
def project(client_org, manager):
    return make_project(client_org, manager=manager)


def test_both_kinds_of_reference_files_are_there():
    assert len(accepted_files()) >= 9 and len(refused_files()) == 3


@pytest.mark.parametrize("path", accepted_files(), ids=lambda path: path.name)
def test_every_mspdi_file_imports_with_the_counts_it_holds(path, project, manager):
    data = path.read_bytes()
    source = exchange.read_mspdi(data)
    tasks = [task for task in source.tasks if task.uid != 0]
    uids = {task.uid for task in tasks}
    links = [link for task in tasks for link in task.links if link.predecessor_uid in uids]
    numbers = {baseline.number for task in tasks for baseline in task.baselines}
    resources = [resource for resource in source.resources if resource.uid != 0]
    assignments = [a for a in source.assignments if a.task_uid in uids]

    report = exchange.import_plan(project, data, actor=manager, replace=True)

    assert report.counts == {
        "tasks": len(tasks),
        "links": len(links),
        "calendars": report.calendars,
        "baselines": len(numbers),
        "resources": len(resources),
        "assignments": len(assignments),
    }
    assert Task.objects.filter(project=project).count() == len(tasks)
    imported = Resource.objects.filter(external_uid__in=[r.uid for r in resources])
    assert sorted(imported.values_list("name", flat=True)) == sorted(r.name for r in resources)
    assert Assignment.objects.filter(task__project=project).count() == len(assignments)
    assert Dependency.objects.filter(project=project).count() == len(links)
    assert Baseline.objects.filter(project=project).count() == len(numbers)
    project.refresh_from_db()
    assert project.start_date == source.start.date()
    assert project.calendar.project_id == project.pk
    assert project.calendar.name == source.calendars[source.calendar_uid].name
    assert report.calendars == Calendar.objects.filter(project=project).count() >= 1
    assert not Task.objects.filter(project=project, start__isnull=True).exists()
    assert all(warning in report.not_mapped for warning in source.warnings)
    assert not any("resources yet" in line for line in report.not_mapped)


def test_the_file_order_gives_the_outline_and_the_uid_is_kept(project, manager):
    data = (DATA / "sample.xml").read_bytes()
    exchange.import_plan(project, data, actor=manager, replace=True)
    rows = {row.external_uid: row for row in Task.objects.filter(project=project)}
    assert rows[1].is_summary and rows[1].parent is None
    assert rows[2].parent_id == rows[1].pk and rows[2].wbs == "1.1"
    assert rows[21].constraint_type == "SNET" and rows[21].constraint_date is not None
    link = Dependency.objects.get(successor=rows[10])
    assert (link.predecessor_id, link.type, link.lag) == (rows[9].pk, "FS", 0)


@pytest.mark.parametrize("path", refused_files(), ids=lambda path: path.name)
def test_primavera_files_are_refused_with_the_reason_and_nothing_changes(path, project, manager):
    before = list(Task.objects.filter(project=project).values_list("pk", flat=True))
    with pytest.raises(ValidationError) as refused:
        exchange.import_plan(project, path.read_bytes(), actor=manager, replace=True)
    message = refused.value.messages[0]
    assert "not a Microsoft Project XML file" in message and "APIBusinessObjects" in message
    assert list(Task.objects.filter(project=project).values_list("pk", flat=True)) == before


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<Project xmlns='http://schemas.microsoft.com/project'><Name>x", "not well-formed XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed XML"),
        (b"<plan/>", "not a Microsoft Project XML file"),
        (
            b"<Project xmlns='http://schemas.microsoft.com/project'><Name>x</Name></Project>",
            "has no StartDate",
        ),
    ],
)
def test_bad_files_are_refused_cleanly(data, reason, empty_project, manager):
    with pytest.raises(ValidationError) as refused:
        exchange.import_plan(empty_project, data, actor=manager, replace=False)
    assert reason in refused.value.messages[0]
    assert not Calendar.objects.filter(project=empty_project).exists()


def test_a_file_over_the_size_limit_is_refused(empty_project, manager, monkeypatch):
    monkeypatch.setattr(exchange, "MAX_UPLOAD_BYTES", 1024 * 1024)
    data = b" " * (1024 * 1024 + 1)
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        exchange.import_plan(empty_project, data, actor=manager, replace=False)


def test_without_replace_a_plan_with_tasks_is_refused_and_nothing_is_written(project, manager):
    before = list(Task.objects.filter(project=project).values_list("pk", "name"))
    calendars = Calendar.objects.count()
    data = (DATA / "sample.xml").read_bytes()
    with pytest.raises(ValidationError) as refused:
        exchange.import_plan(project, data, actor=manager, replace=False)
    assert "replace" in refused.value.message_dict
    assert list(Task.objects.filter(project=project).values_list("pk", "name")) == before
    assert Calendar.objects.count() == calendars
    assert not AuditEvent.objects.filter(action="imported").exists()


def test_an_import_is_audited_once_with_its_counts(project, manager):
    before = Task.objects.filter(project=project).count()
    data = (DATA / "mspdirelations.xml").read_bytes()
    exchange.import_plan(project, data, actor=manager, replace=True)
    event = AuditEvent.objects.get(action="imported")
    assert event.object_id == str(project.pk) and event.actor == manager
    assert event.changes["tasks"] == [before, 5]
    assert event.changes["links"] == [None, 4]
    assert event.changes["replaced"] == [None, True]


def test_importing_again_updates_the_calendars_instead_of_copying_them(empty_project, manager):
    data = (DATA / "calendar-calendars-project2010-mspdi.xml").read_bytes()
    exchange.import_plan(empty_project, data, actor=manager, replace=False)
    first = list(Calendar.objects.filter(project=empty_project).values_list("pk", "version"))
    exceptions = CalendarException.objects.filter(calendar__project=empty_project).count()
    exchange.import_plan(empty_project, data, actor=manager, replace=True)
    again = list(Calendar.objects.filter(project=empty_project).values_list("pk", "version"))
    assert [pk for pk, _v in again] == [pk for pk, _v in first]
    assert [version for _pk, version in again] == [version + 1 for _pk, version in first]
    assert CalendarException.objects.filter(calendar__project=empty_project).count() == exceptions


# ---- round trip -----------------------------------------------------------------------------


def _aware(*parts: int) -> datetime.datetime:
    return to_aware(datetime.datetime(*parts))


def _rich_plan(project: Project, manager) -> None:
    """The template's plan plus a task on its own calendar, every link type with leads and
    lags, constraints, progress, notes, priority and two baselines."""
    six_days = Calendar.objects.create(
        project=project,
        name="六天工作制",
        working_weekdays="012345",
        hours="08:00-12:00,13:00-17:00",
    )
    CalendarException.objects.create(calendar=six_days, day=datetime.date(2026, 12, 19))
    CalendarException.objects.create(
        calendar=six_days, day=datetime.date(2026, 12, 20), working=True, hours="09:00-12:00"
    )
    tasks = {task.name: task for task in Task.objects.filter(project=project)}
    acceptance = Task.objects.create(
        project=project,
        name="用户验收",
        order=99,
        duration=960,
        calendar=six_days,
        constraint_type="SNET",
        constraint_date=_aware(2026, 12, 21, 9),
        priority=800,
        notes="客户签字确认",
    )
    Task.objects.filter(pk=tasks["制定项目计划"].pk).update(percent_complete=40, duration=1440)
    Task.objects.filter(pk=tasks["关键用户访谈"].pk).update(
        constraint_type="FNLT", constraint_date=_aware(2027, 1, 29, 18)
    )
    for predecessor, successor, kind, lag in [
        ("项目启动会", "制定项目计划", "FS", 0),
        ("制定项目计划", "关键用户访谈", "SS", 240),
        ("关键用户访谈", "用户验收", "FF", -480),
        ("项目启动会", "用户验收", "SF", 960),
    ]:
        Dependency.objects.create(
            project=project,
            predecessor=tasks.get(predecessor, acceptance),
            successor=tasks.get(successor, acceptance),
            type=kind,
            lag=lag,
        )
    _assign_resources(tasks, acceptance)
    renumber(project)
    schedule_project(project)
    save_baseline(project, actor=manager, number=0)
    save_baseline(project, actor=manager, number=3, name="客户确认版")


RESOURCE_FIELDS = (
    "name", "kind", "initials", "email", "max_units", "standard_rate", "currency", "calendar_id",
)  # fmt: skip


def _assign_resources(tasks: dict[str, Task], acceptance: Task) -> None:
    """People on a late shift and on the project calendar, a material and a cost item."""
    late_shift = Calendar.objects.create(
        name="晚班", working_weekdays="01234", hours="14:00-22:00", holiday_country=""
    )
    CalendarException.objects.create(calendar=late_shift, day=datetime.date(2026, 12, 14))
    wang, li, server, travel = (
        Resource.objects.create(
            name="王工", initials="W", email="wang@example.com", max_units=Decimal("1.50"),
            standard_rate=Decimal("120.50"), calendar=late_shift,
        ),
        Resource.objects.create(name="李工", max_units=Decimal("0.50"), standard_rate=80),
        Resource.objects.create(name="测试服务器", kind="material", standard_rate=Decimal("3.25")),
        Resource.objects.create(name="差旅费", kind="cost"),
    )  # fmt: skip
    Resource.objects.create(name="未分配的人")  # in the pool, on no task: not exported
    for task, resource, units, work in [
        (tasks["关键用户访谈"], wang, "0.50", 960),
        (tasks["制定项目计划"], li, "1", 1440),
        (tasks["制定项目计划"], server, "2", 0),
        (acceptance, li, "0.75", 720),
        (acceptance, travel, "1", 0),
    ]:
        Assignment.objects.create(task=task, resource=resource, units=Decimal(units), work=work)


def _pool(project: Project) -> list[tuple]:
    rows = Resource.objects.filter(assignments__task__project=project).distinct()
    return sorted(rows.values_list(*RESOURCE_FIELDS))


def _assignments(project: Project) -> list[tuple]:
    rows = Assignment.objects.filter(task__project=project)
    return sorted(rows.values_list("task__name", "resource__name", "units", "work"))


def _dates(project: Project) -> list[tuple]:
    rows = Task.objects.filter(project=project).order_by("position")
    return [(row.name, row.wbs, row.start, row.finish) for row in rows]


def _calendars(parsed: MspdiProject) -> dict:
    return {uid: (c.name, c.week, c.exceptions) for uid, c in parsed.calendars.items()}


def test_export_then_import_then_export_gives_the_same_plan(project, empty_project, manager):
    _rich_plan(project, manager)
    first = exchange.export_plan(project)
    pool = _pool(project)
    Resource.objects.update(is_active=False)  # so the import creates them again
    report = exchange.import_plan(empty_project, first, actor=manager, replace=False)
    second = exchange.export_plan(empty_project)

    before, after = exchange.read_mspdi(first), exchange.read_mspdi(second)
    assert report.counts == {
        "tasks": 6, "links": 4, "calendars": 2, "baselines": 2, "resources": 4, "assignments": 5,
    }  # fmt: skip
    assert after.tasks == before.tasks
    assert after.resources == before.resources
    assert after.assignments == before.assignments
    assert _pool(empty_project) == pool
    assert _assignments(empty_project) == _assignments(project)
    assert Calendar.objects.filter(name="晚班").count() == 1  # the equal shared one is reused
    assert _calendars(after) == _calendars(before)
    assert (after.start, after.finish, after.calendar_uid) == (
        before.start,
        before.finish,
        before.calendar_uid,
    )
    assert _dates(empty_project) == _dates(project)
    # What the comparison covers is really in the file.
    assert {link.type for task in before.tasks for link in task.links} == set(LinkType)
    assert {link.lag_tenths for task in before.tasks for link in task.links} == {
        0,
        2400,
        -4800,
        9600,
    }
    accepted = next(task for task in before.tasks if task.name == "用户验收")
    assert accepted.constraint is Constraint.SNET and accepted.calendar_uid == 2
    assert accepted.priority == 800 and accepted.notes == "客户签字确认"
    assert before.calendars[2].week[5] == MS_PROJECT_STANDARD_HOURS
    assert before.calendars[2].exceptions == {
        datetime.date(2026, 12, 19): (),
        datetime.date(2026, 12, 20): ((540, 720),),
    }
    assert {b.number for task in before.tasks for b in task.baselines} == {0, 3}
    assert [task.outline_level for task in before.tasks] == [1, 2, 2, 1, 2, 1]
    assert {(r.name, r.type.value, r.max_units, r.standard_rate) for r in before.resources} == {
        ("王工", "work", Decimal("1.50"), Decimal("120.50")),
        ("李工", "work", Decimal("0.50"), Decimal("80.00")),
        ("测试服务器", "material", Decimal("1.00"), Decimal("3.25")),
        ("差旅费", "cost", Decimal("1.00"), Decimal("0.00")),
    }
    wang = next(r for r in before.resources if r.name == "王工")
    assert before.calendar_week(wang.calendar_uid)[0] == ((14 * 60, 22 * 60),)
    assert before.calendar_exceptions(wang.calendar_uid) == {datetime.date(2026, 12, 14): ()}
    assert {(a.units, a.work) for a in before.assignments} >= {(Decimal("0.50"), 960)}
    assert report.not_mapped == ['resource 1 "差旅费" is a cost resource: the costs entered on '
                                 "its assignments are not imported"]  # fmt: skip


def test_the_export_carries_the_computed_dates_and_baselines(project, manager):
    _rich_plan(project, manager)
    parsed = exchange.read_mspdi(exchange.export_plan(project))
    rows = list(Task.objects.filter(project=project).order_by("position"))
    assert [(t.start, t.finish) for t in parsed.tasks] == [
        (to_local(row.start), to_local(row.finish)) for row in rows
    ]
    saved = BaselineTask.objects.get(baseline__number=3, task=rows[-1])
    mapped = next(b for b in parsed.tasks[-1].baselines if b.number == 3)
    assert (mapped.start, mapped.duration) == (to_local(saved.start), saved.duration)
    assert parsed.tasks[0].summary and parsed.tasks[0].duration > 0


# ---- conversions ----------------------------------------------------------------------------

MONDAY = datetime.datetime(2026, 12, 7, 8)
FRIDAY_HOURS = ((8 * 60, 12 * 60),)


def _file(tasks: list[MspdiTask], week: dict | None = None) -> bytes:
    standard = {day: MS_PROJECT_STANDARD_HOURS if day < 5 else () for day in range(7)}
    calendar = MspdiCalendar(1, "Standard", None, week or standard, {})
    return write_project(
        MspdiProject(
            name="t",
            start=MONDAY,
            calendar_uid=1,
            minutes_per_day=480,
            calendars={1: calendar},
            tasks=tasks,
        )
    )


def _task(uid: int, level: int = 1, duration: int = 480, **fields) -> MspdiTask:
    values = {
        "uid": uid, "id": uid, "name": f"T{uid}", "outline_level": level, "summary": False,
        "milestone": False, "manual": False, "duration": duration, "duration_format": 7,
        "start": None, "finish": None, "constraint": Constraint.ASAP, "constraint_date": None,
        "calendar_uid": None, **fields,
    }  # fmt: skip
    return MspdiTask(**values)


def test_conversions_are_made_and_reported(empty_project, manager):
    week = {day: MS_PROJECT_STANDARD_HOURS if day < 4 else () for day in range(7)}
    week[4] = FRIDAY_HOURS
    data = _file(
        [
            _task(1, summary=True),
            _task(2, level=2, duration=960),
            _task(3, level=2, duration=2880, duration_format=8, start=MONDAY,
                  finish=MONDAY + datetime.timedelta(days=2)),
            _task(4, constraint=Constraint.SNET, links=(
                PredecessorLink(2, LinkType.FS, 50, 19),
                PredecessorLink(3, LinkType.SS, 14400, 8),
                PredecessorLink(99, LinkType.FS, 0, 7),
            )),
            _task(5, level=1, links=(PredecessorLink(4, LinkType.FS, 0, 7),
                                     PredecessorLink(4, LinkType.SS, 0, 7))),
            _task(6, level=2, links=(PredecessorLink(5, LinkType.FS, 0, 7),)),
        ],
        week,
    )  # fmt: skip
    report = exchange.import_plan(empty_project, data, actor=manager, replace=False)
    rows = {row.external_uid: row for row in Task.objects.filter(project=empty_project)}
    links = {
        (link.predecessor.external_uid, link.successor.external_uid): link
        for link in Dependency.objects.filter(project=empty_project).select_related(
            "predecessor", "successor"
        )
    }
    text = "\n".join(report.not_mapped)
    assert rows[3].duration == 960  # two calendar days from Monday 08:00: 16 working hours
    assert links[2, 4].lag == 480  # 50 % of task 2's 2 days
    assert links[3, 4].lag == 480  # one elapsed day is one working day
    assert rows[4].constraint_type == "ASAP"
    assert set(links) == {(2, 4), (3, 4), (4, 5)}
    for expected in (
        "other working hours on Friday",
        "Task 3 “T3” has an elapsed duration",
        "in percent of its predecessor's duration: it is imported as 1 d",
        "has an elapsed lag: it is imported as 1 d",
        "comes from task 99, which is not in the plan",
        "linked to task 4 twice",
        "its own summary task",
        "constraint without a date",
    ):
        assert expected in text, expected
    calendar = Calendar.objects.get(project=empty_project)
    assert (calendar.working_weekdays, calendar.hours) == ("01234", "08:00-12:00,13:00-17:00")


def test_a_loop_of_links_is_refused_and_nothing_is_written(empty_project, manager):
    data = _file(
        [
            _task(1, links=(PredecessorLink(2, LinkType.FS, 0, 7),)),
            _task(2, links=(PredecessorLink(1, LinkType.FS, 0, 7),)),
        ]
    )
    with pytest.raises(ValidationError, match="loop"):
        exchange.import_plan(empty_project, data, actor=manager, replace=False)
    assert not Task.objects.filter(project=empty_project).exists()
    assert not Calendar.objects.filter(project=empty_project).exists()


def test_a_manually_scheduled_task_keeps_its_dates(empty_project, manager):
    start, finish = datetime.datetime(2026, 12, 9, 8), datetime.datetime(2026, 12, 10, 17)
    data = _file([_task(1, manual=True, start=start, finish=finish)])
    exchange.import_plan(empty_project, data, actor=manager, replace=False)
    row = Task.objects.get(project=empty_project)
    assert (row.constraint_type, row.duration) == ("MSO", 960)
    assert (to_local(row.start), to_local(row.finish)) == (start, finish)
