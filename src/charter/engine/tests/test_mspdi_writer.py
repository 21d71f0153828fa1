import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.engine.calendar import Interval
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import (
    CONSTRAINT_TYPES,
    NAMESPACE,
    MspdiAssignment,
    MspdiCalendar,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    PredecessorLink,
    ResourceType,
    parse_project_text,
    read_project,
)
from charter.engine.mspdi_writer import (
    DEFAULT_CURRENCY,
    format_clock,
    format_duration,
    schema_order,
    write_project,
)
from charter.engine.tests.shared_data import shared_data

DATA = shared_data("mspdi")
# Children the writer gives that no reference file shows under that parent; each one's place
# was checked by hand against mspdi_pj12.xsd (Calendar: WeekDays, Exceptions, WorkWeeks; Task:
# ActualStart, ActualFinish, ActualDuration; the Exception and TimePeriod sequences).
SCHEMA_ONLY = {
    ("Calendar", "Exceptions"),
    ("Exceptions", "Exception"),
    *(
        ("Exception", tag)
        for tag in (
            "EnteredByOccurrences",
            "TimePeriod",
            "Occurrences",
            "Type",
            "DayWorking",
            "WorkingTimes",
        )
    ),
    ("TimePeriod", "FromDate"),
    ("TimePeriod", "ToDate"),
    ("Task", "ActualFinish"),
}
PROJECT_FIELDS = (
    "name",
    "title",
    "start",
    "finish",
    "calendar_uid",
    "minutes_per_day",
    "minutes_per_week",
    "days_per_month",
    "calendars",
    "tasks",
    "resources",
    "assignments",
)


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


@cache
def reference_files() -> tuple[Path, ...]:
    """The MSPDI files among the reference files (the others are Primavera P6 XML)."""
    files = tuple(
        path
        for path in sorted(DATA.glob("*.xml"))
        if ET.parse(path).getroot().tag == f"{{{NAMESPACE}}}Project"  # noqa: S314
    )
    assert len(files) >= 9, f"reference files missing under {DATA}"
    return files


@cache
def reference_order() -> tuple[dict[str, set[tuple[str, str]]], dict[str, set[str]]]:
    """From the files Microsoft Project saved: element name -> the (a, b) pairs of children
    with an ``a`` before a ``b``; and element name -> the names of its children."""
    before: dict[str, set[tuple[str, str]]] = {}
    children: dict[str, set[str]] = {}
    for path in reference_files():
        for element in ET.parse(path).getroot().iter():  # noqa: S314
            tags = list(dict.fromkeys(local(child.tag) for child in element))
            name = local(element.tag)
            children.setdefault(name, set()).update(tags)
            pairs = before.setdefault(name, set())
            pairs.update((a, b) for i, a in enumerate(tags) for b in tags[i + 1 :])
    return before, children


def order_errors(root: ET.Element) -> Iterator[str]:
    """Children out of the writer's schema order, or in an order the reference files
    contradict, for every element of a written document."""
    before, _ = reference_order()
    order = schema_order()
    for element in root.iter():
        name = local(element.tag)
        tags = [local(child.tag) for child in element]
        ranks = [order[name].index(tag) if tag in order.get(name, []) else -1 for tag in tags]
        if -1 in ranks or ranks != sorted(ranks):
            yield f"{name}: {tags} is not in the order {order.get(name)}"
        yield from (
            f"{name}: {a} before {b}, the reference files have {b} before {a}"
            for i, a in enumerate(tags)
            for b in tags[i + 1 :]
            if a != b and (b, a) in before.get(name, set())
        )


def round_trip(project: MspdiProject) -> MspdiProject:
    return parse_project_text(write_project(project).decode())


# --- the writer's schema order ---------------------------------------------------------------


def test_the_schema_order_agrees_with_the_reference_files() -> None:
    before, children = reference_order()
    unseen = set()
    for name, tags in schema_order().items():
        for i, a in enumerate(tags):
            assert not [b for b in tags[i + 1 :] if (b, a) in before.get(name, set())], name
        unseen |= {(name, tag) for tag in tags if tag not in children.get(name, set())}
    assert unseen == SCHEMA_ONLY


def test_the_order_check_catches_a_swapped_pair() -> None:
    root = ET.fromstring(write_project(read_project(DATA / "mspdirelations.xml")))  # noqa: S314
    task = root.find(f"{{{NAMESPACE}}}Tasks/{{{NAMESPACE}}}Task")
    assert task is not None
    start, finish = task.find(f"{{{NAMESPACE}}}Start"), task.find(f"{{{NAMESPACE}}}Finish")
    assert start is not None and finish is not None
    start.tag, finish.tag = finish.tag, start.tag
    assert len(list(order_errors(root))) == 2


# --- every reference file survives write -> read ---------------------------------------------


@pytest.mark.parametrize("path", reference_files(), ids=lambda path: path.name)
def test_a_reference_file_survives_write_and_read(path: Path) -> None:
    project = read_project(path)
    written = write_project(project)
    again = parse_project_text(written.decode())
    for name in PROJECT_FIELDS:
        assert getattr(again, name) == getattr(project, name), name
    assert again.currency_code == (project.currency_code or DEFAULT_CURRENCY)
    assert list(order_errors(ET.fromstring(written))) == []  # noqa: S314


def test_the_reference_files_keep_their_content_through_the_round_trip() -> None:
    """Guards the round-trip test against comparing empty reads: the files hold links,
    baselines, resources, assignments and a night shift that ends at midnight."""
    projects = {path.name: round_trip(read_project(path)) for path in reference_files()}
    assert sum(len(task.links) for p in projects.values() for task in p.tasks) >= 5
    assert sum(len(task.baselines) for p in projects.values() for task in p.tasks) >= 98
    assert sum(len(p.assignments) for p in projects.values()) >= 5
    assert {r.email for r in projects["resource-misc-project2010-mspdi.xml"].resources} >= {
        "resource1@example.com"
    }
    assert projects["sample.xml"].calendar_week(2)[0] == ((23 * 60, 24 * 60),)


# --- the document ------------------------------------------------------------------------------


def minimal_project(**fields: object) -> MspdiProject:
    office: tuple[Interval, ...] = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
    week = {day: office if day < 5 else () for day in range(7)}
    calendar = MspdiCalendar(uid=1, name="Standard", base_uid=None, week=week, exceptions={})
    task = MspdiTask(
        uid=1,
        id=1,
        name="设计评审",
        outline_level=1,
        summary=False,
        milestone=False,
        manual=False,
        duration=480,
        duration_format=7,
        start=datetime(2026, 10, 1, 8),
        finish=datetime(2026, 10, 1, 17),
        constraint=Constraint.ASAP,
        constraint_date=None,
        calendar_uid=None,
    )
    project = MspdiProject(
        name="Plan",
        start=datetime(2026, 10, 1, 8),
        calendar_uid=1,
        minutes_per_day=480,
        calendars={1: calendar},
        tasks=[task],
    )
    return replace(project, **fields)  # type: ignore[arg-type]


def test_the_document_is_utf8_mspdi_with_a_declaration() -> None:
    written = write_project(minimal_project())
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    root = ET.fromstring(written)  # noqa: S314
    assert root.tag == f"{{{NAMESPACE}}}Project"
    assert [local(child.tag) for child in root][:2] == ["SaveVersion", "Name"]
    assert "设计评审".encode() in written


def test_consecutive_exception_days_with_the_same_hours_are_one_exception() -> None:
    holidays = dict.fromkeys([date(2026, 10, day) for day in (1, 2, 3, 7)], ())
    saturday: dict[date, tuple[Interval, ...]] = {date(2026, 10, 10): ((9 * 60, 24 * 60),)}
    project = minimal_project()
    calendar = replace(project.calendars[1], exceptions={**holidays, **saturday})
    written = write_project(replace(project, calendars={1: calendar})).decode()
    assert written.count("<Exception>") == 3
    assert "<FromDate>2026-10-01T00:00:00</FromDate>" in written
    assert "<ToDate>2026-10-03T23:59:00</ToDate>" in written
    assert "<ToTime>00:00:00</ToTime>" in written
    assert round_trip(replace(project, calendars={1: calendar})).calendars == {1: calendar}


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "PT0H0M0S"), (450, "PT7H30M0S"), (43200, "PT720H0M0S"), (-90, "-PT1H30M0S")],
)
def test_durations_are_written_as_hours_and_minutes(minutes: int, text: str) -> None:
    assert format_duration(minutes) == text


def test_the_end_of_the_day_is_written_as_midnight() -> None:
    assert (format_clock(0), format_clock(8 * 60 + 30), format_clock(24 * 60)) == (
        "00:00:00",
        "08:30:00",
        "00:00:00",
    )


def split_assignment(**fields: object) -> MspdiProject:
    """The minimal project's task worked by one person with a pause on Friday 2 October."""
    work = (
        (datetime(2026, 10, 1, 8), datetime(2026, 10, 1, 17), 480),
        (datetime(2026, 10, 1, 17), datetime(2026, 10, 5, 8), 0),
        (datetime(2026, 10, 5, 8), datetime(2026, 10, 5, 17), 480),
    )
    assignment = MspdiAssignment(
        uid=3,
        task_uid=1,
        resource_uid=1,
        work=960,
        start=datetime(2026, 10, 1, 8),
        finish=datetime(2026, 10, 5, 17),
        remaining_work=work,
    )
    return minimal_project(
        resources=[MspdiResource(uid=1, id=1, name="王芳", type=ResourceType.WORK)],
        assignments=[replace(assignment, **fields)],  # type: ignore[arg-type]
    )


def test_remaining_work_is_written_as_timephased_data_and_read_back() -> None:
    project = split_assignment()
    written = write_project(project)
    assert round_trip(project).assignments == project.assignments
    assert list(order_errors(ET.fromstring(written))) == []  # noqa: S314
    root = ET.fromstring(written)  # noqa: S314
    periods = root.findall(f".//{{{NAMESPACE}}}Assignment/{{{NAMESPACE}}}TimephasedData")
    assert [[(local(e.tag), e.text) for e in period] for period in periods][1] == [
        ("Type", "1"),
        ("UID", "3"),
        ("Start", "2026-10-01T17:00:00"),
        ("Finish", "2026-10-05T08:00:00"),
        ("Unit", "2"),
        ("Value", "PT0H0M0S"),
    ]


def test_an_assignment_without_remaining_work_writes_no_timephased_data() -> None:
    assert b"TimephasedData" not in write_project(split_assignment(remaining_work=()))


# --- random plans survive write -> read ------------------------------------------------------

DAY_ONE = datetime(2026, 1, 5)
moments = st.integers(0, 400 * 24 * 60).map(lambda minute: DAY_ONE + timedelta(minutes=minute))
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")), max_size=30)


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[Interval, ...]:
    """Up to three sorted, separate working periods in a day, possibly to midnight."""
    bounds = sorted(draw(st.sets(st.integers(0, 24 * 4), max_size=6)))
    pairs = list(zip(bounds[::2], bounds[1::2], strict=False))
    return tuple((start * 15, end * 15) for start, end in pairs)


@st.composite
def calendars(draw: st.DrawFn) -> MspdiCalendar:
    days = st.dates(date(2026, 1, 1), date(2027, 12, 31))
    return MspdiCalendar(
        uid=1,
        name=draw(names),
        base_uid=None,
        week={day: draw(day_hours()) for day in range(7)},
        exceptions=draw(st.dictionaries(days, day_hours(), max_size=12)),
    )


@st.composite
def links(draw: st.DrawFn, earlier: list[int]) -> tuple[PredecessorLink, ...]:
    return tuple(
        PredecessorLink(
            predecessor_uid=uid,
            type=draw(st.sampled_from(list(LinkType))),
            lag_tenths=draw(st.integers(-48_000, 480_000)),
            lag_format=draw(st.sampled_from([3, 5, 7, 8, 9, 19, 39])),
        )
        for uid in draw(
            st.lists(st.sampled_from(earlier), max_size=3, unique=True) if earlier else st.just([])
        )
    )


@st.composite
def plans(draw: st.DrawFn) -> MspdiProject:
    count = draw(st.integers(1, 12))
    levels = [1]
    for _ in range(count - 1):
        levels.append(draw(st.integers(1, levels[-1] + 1)))
    tasks = [
        MspdiTask(
            uid=uid,
            id=uid,
            name=draw(names),
            outline_level=level,
            summary=draw(st.booleans()),
            milestone=draw(st.booleans()),
            manual=draw(st.booleans()),
            duration=draw(st.integers(0, 100_000)),
            duration_format=draw(st.sampled_from([7, 8, 5, 53])),
            start=draw(moments),
            finish=draw(moments),
            constraint=draw(st.sampled_from(list(CONSTRAINT_TYPES.values()))),
            constraint_date=draw(st.none() | moments),
            calendar_uid=draw(st.sampled_from([None, 1])),
            links=draw(links(list(range(1, uid)))),
            wbs=draw(names),
            percent_complete=draw(st.integers(0, 100)),
            notes=draw(names),
        )
        for uid, level in enumerate(levels, start=1)
    ]
    return minimal_project(calendars={1: draw(calendars())}, tasks=tasks, title=draw(names))


@settings(max_examples=60)
@given(plans())
def test_random_plans_survive_write_and_read(plan: MspdiProject) -> None:
    written = write_project(plan)
    again = parse_project_text(written.decode())
    assert again.tasks == plan.tasks
    assert again.calendars == plan.calendars
    assert (again.name, again.title, again.start) == (plan.name, plan.title, plan.start)
    assert list(order_errors(ET.fromstring(written))) == []  # noqa: S314
