"""An exported MSPDI file opens in MPXJ, the library ProjectLibre (and many other tools) read
Microsoft Project files with: every reference file our reader accepts is written by
``write_project`` and read back by MPXJ, which must see the same plan and report no errors.

MPXJ runs on the JVM (through JPype); the module is skipped only where no ``java`` is installed.
"""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

if shutil.which("java") is None:
    pytest.skip("MPXJ needs a Java runtime and `java` is not on PATH", allow_module_level=True)

import jpype
import mpxj  # noqa: F401  (importing it puts MPXJ's bundled jars on the JVM class path)

from charter.engine.calendar import CHINA_OFFICE_HOURS, Interval
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import MspdiBaseline, MspdiError, MspdiProject, read_project
from charter.engine.mspdi_writer import write_project
from charter.engine.tests.shared_data import shared_data
from charter.engine.tests.test_mspdi_writer import split_assignment

DATA = shared_data("mspdi")
READER = "org.mpxj.reader.UniversalProjectReader"  # picks the reader by the file's content
MPXJ_LINK_TYPES = {
    "FINISH_START": LinkType.FS,
    "START_START": LinkType.SS,
    "FINISH_FINISH": LinkType.FF,
    "START_FINISH": LinkType.SF,
}
MPXJ_CONSTRAINTS = {
    "AS_SOON_AS_POSSIBLE": Constraint.ASAP,
    "AS_LATE_AS_POSSIBLE": Constraint.ALAP,
    "MUST_START_ON": Constraint.MSO,
    "MUST_FINISH_ON": Constraint.MFO,
    "START_NO_EARLIER_THAN": Constraint.SNET,
    "START_NO_LATER_THAN": Constraint.SNLT,
    "FINISH_NO_EARLIER_THAN": Constraint.FNET,
    "FINISH_NO_LATER_THAN": Constraint.FNLT,
}


def accepted_files() -> list[Path]:
    """The reference files ``read_project`` takes (the others are Primavera P6 XML)."""
    accepted = []
    for path in sorted(DATA.glob("*.xml")):
        try:
            read_project(path)
        except MspdiError:
            continue
        accepted.append(path)
    return accepted


ACCEPTED = accepted_files()


@dataclass(frozen=True, slots=True)
class Export:
    """A project as written, and what MPXJ made of the file."""

    project: MspdiProject
    read: Any  # org.mpxj.ProjectFile
    binding_events: list[str]  # what MPXJ's MSPDI schema binding rejected while unmarshalling


@pytest.fixture(scope="module")
def jvm() -> None:
    """Starts the JVM once; JPype cannot restart it, so it stops only when Python exits."""
    if not jpype.isJVMStarted():
        jpype.startJVM()


@pytest.fixture(scope="module", params=ACCEPTED, ids=lambda path: path.name)
def export(
    request: pytest.FixtureRequest, jvm: None, tmp_path_factory: pytest.TempPathFactory
) -> Export:
    path = tmp_path_factory.mktemp("mpxj") / request.param.name
    return export_to(path, with_holidays(read_project(request.param)))


def export_to(path: Path, project: MspdiProject) -> Export:
    """Writes the project to ``path`` and has MPXJ read it."""
    path.write_bytes(write_project(project))
    return Export(project, jpype.JClass(READER)().read(str(path)), binding_events(path))


# --- the plan exported --------------------------------------------------------------------


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def with_holidays(project: MspdiProject) -> MspdiProject:
    """The project with a holiday week and a make-up workday (调休) on its calendar: no
    reference file has calendar exceptions, and a Chinese plan always has them."""
    monday = next_weekday(project.start.date() + timedelta(days=7), 0)
    holidays: dict[date, tuple[Interval, ...]] = {
        monday + timedelta(days=offset): () for offset in range(3)
    }
    holidays[monday + timedelta(days=5)] = CHINA_OFFICE_HOURS  # the Saturday after
    holidays[monday + timedelta(days=11)] = ()  # a lone Friday, apart from the run
    calendar = project.calendars[project.calendar_uid]
    changed = replace(calendar, exceptions={**calendar.exceptions, **holidays})
    return replace(project, calendars={**project.calendars, calendar.uid: changed})


# --- what MPXJ reads ----------------------------------------------------------------------


@jpype.JImplements("jakarta.xml.bind.ValidationEventHandler", deferred=True)
class EventCollector:
    """Collects what JAXB reports (unknown elements, values that do not parse) and goes on."""

    def __init__(self) -> None:
        self.events: list[str] = []

    @jpype.JOverride
    def handleEvent(self, event: Any) -> bool:  # the Java interface's method name
        line = event.getLocator().getLineNumber()
        self.events.append(f"line {line}: {event.getMessage()}")
        return True


def binding_events(path: Path) -> list[str]:
    """Unmarshals the file with the JAXB classes MPXJ's MSPDIReader reads through. MPXJ
    itself drops what they reject without a word, so this is where a misspelt or misnested
    element, or a value that does not parse, shows."""
    schema = jpype.JClass("org.mpxj.mspdi.schema.Project")
    context = jpype.JClass("jakarta.xml.bind.JAXBContext").newInstance(
        "org.mpxj.mspdi.schema", schema.class_.getClassLoader()
    )
    unmarshaller = context.createUnmarshaller()
    collector = EventCollector()
    unmarshaller.setEventHandler(collector)
    unmarshaller.unmarshal(jpype.JClass("java.io.File")(str(path)))
    return collector.events


def java_list(items: Any) -> list[Any]:
    return list(items) if items is not None else []


def java_date(day: date) -> Any:
    return jpype.JClass("java.time.LocalDate").of(day.year, day.month, day.day)


def minutes(duration: Any, read: Any) -> int:
    """An MPXJ Duration in any unit -> minutes, with the file's minutes per day and week."""
    unit = jpype.JClass("org.mpxj.TimeUnit").MINUTES
    return round(float(duration.convertUnits(unit, read.getProjectProperties()).getDuration()))


def per_hour(rate: Any, read: Any) -> Decimal:
    """An MPXJ Rate (amount per any time unit) -> amount per hour."""
    one_unit = jpype.JClass("org.mpxj.Duration").getInstance(1, rate.getUnits())
    hourly = Decimal(str(float(rate.getAmount()))) * 60 / minutes(one_unit, read)
    return hourly.normalize()


def local_datetime(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def text(value: Any) -> str:
    return "" if value is None else str(value)


def number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(float(value.doubleValue()))).normalize()


def uid(entity: Any) -> int | None:
    return None if entity is None else int(entity.getUniqueID())


def by_uid(items: Any) -> dict[int, Any]:
    return {int(item.getUniqueID()): item for item in java_list(items)}


# --- the tests ----------------------------------------------------------------------------


def test_the_reference_files_give_mspdi_projects() -> None:
    assert len(ACCEPTED) >= 9, f"MSPDI reference files missing under {DATA}"


def test_mpxj_reads_the_file_as_mspdi_without_errors(export: Export) -> None:
    assert str(export.read.getProjectProperties().getFileType()) == "MSPDI"
    assert [str(error) for error in java_list(export.read.getIgnoredErrors())] == []
    assert export.binding_events == []


def test_the_binding_check_reports_an_unknown_element(jvm: None, tmp_path: Path) -> None:
    written = write_project(read_project(DATA / "sample.xml"))
    path = tmp_path / "unknown.xml"
    path.write_bytes(written.replace(b"<Priority>", b"<Priorty>1</Priorty><Priority>", 1))
    [event] = binding_events(path)
    assert 'local:"Priorty"' in event


def test_mpxj_sees_the_same_project_fields(export: Export) -> None:
    ours, read = export.project, export.read.getProjectProperties()
    assert text(read.getName()) == ours.name
    assert local_datetime(read.getStartDate()) == ours.start
    assert uid(read.getDefaultCalendar()) == ours.calendar_uid
    assert int(read.getMinutesPerDay()) == ours.minutes_per_day
    assert int(read.getMinutesPerWeek()) == ours.minutes_per_week
    assert int(read.getDaysPerMonth()) == ours.days_per_month


def test_mpxj_sees_the_same_tasks(export: Export) -> None:
    read = by_uid(export.read.getTasks())
    assert sorted(read) == sorted(task.uid for task in export.project.tasks)
    for task in export.project.tasks:
        theirs = read[task.uid]
        assert text(theirs.getName()) == task.name, task.uid
        assert int(theirs.getOutlineLevel()) == task.outline_level, task.uid
        assert minutes(theirs.getDuration(), export.read) == task.duration, task.uid
        assert local_datetime(theirs.getStart()) == task.start, task.uid
        assert local_datetime(theirs.getFinish()) == task.finish, task.uid
        assert bool(theirs.getSummary()) == task.summary, task.uid
        assert bool(theirs.getMilestone()) == task.milestone, task.uid
        assert MPXJ_CONSTRAINTS[str(theirs.getConstraintType().name())] == task.constraint
        assert local_datetime(theirs.getConstraintDate()) == task.constraint_date, task.uid
        assert uid(theirs.getCalendar()) == task.calendar_uid, task.uid


def relations(export: Export) -> Iterator[tuple[int, int, LinkType, int]]:
    for task in java_list(export.read.getTasks()):
        for relation in java_list(task.getPredecessors()):
            yield (
                int(relation.getPredecessorTask().getUniqueID()),
                int(task.getUniqueID()),
                MPXJ_LINK_TYPES[str(relation.getType().name())],
                minutes(relation.getLag(), export.read),
            )


def test_mpxj_sees_the_same_predecessor_links(export: Export) -> None:
    ours = sorted(
        (link.predecessor_uid, task.uid, link.type, link.lag_minutes)
        for task in export.project.tasks
        for link in task.links
    )
    assert sorted(relations(export)) == ours


def baseline_as_read(task: Any, number_: int, read: Any) -> MspdiBaseline:
    """Baseline ``number_`` of an MPXJ task: MPXJ has BaselineStart() for the plain
    baseline and BaselineStart(n) for Baseline1..10."""
    args = (number_,) if number_ else ()
    duration = task.getBaselineDuration(*args)
    return MspdiBaseline(
        number=number_,
        start=local_datetime(task.getBaselineStart(*args)),
        finish=local_datetime(task.getBaselineFinish(*args)),
        duration=None if duration is None else minutes(duration, read),
        cost=number(task.getBaselineCost(*args)),
    )


def baselines(export: Export) -> Iterator[tuple[MspdiBaseline, MspdiBaseline]]:
    """(ours, as MPXJ read it) for every baseline of every task."""
    read = by_uid(export.read.getTasks())
    for task in export.project.tasks:
        for baseline in task.baselines:
            yield baseline, baseline_as_read(read[task.uid], baseline.number, export.read)


def test_mpxj_sees_the_same_baseline_dates_and_durations(export: Export) -> None:
    for ours, theirs in baselines(export):
        assert (theirs.start, theirs.finish) == (ours.start, ours.finish)
        assert theirs.duration == ours.duration


def test_mpxj_sees_the_same_baseline_costs(jvm: None, tmp_path: Path) -> None:
    project = read_project(DATA / "task-baselines-project2010-mspdi.xml")
    export = export_to(tmp_path / "costs.xml", project)
    costs = [(ours.cost, theirs.cost) for ours, theirs in baselines(export) if ours.cost]
    assert costs, "the file should carry baseline costs"
    assert [theirs for _, theirs in costs] == [ours for ours, _ in costs]


def test_mpxj_sees_the_same_resources(export: Export) -> None:
    read = by_uid(export.read.getResources())
    assert sorted(read) == sorted(resource.uid for resource in export.project.resources)
    for resource in export.project.resources:
        theirs = read[resource.uid]
        assert text(theirs.getName()) == resource.name, resource.uid
        assert str(theirs.getType().name()) == resource.type.name, resource.uid
        assert number(theirs.getMaxUnits()) == resource.max_units * 100, resource.uid
        assert per_hour(theirs.getStandardRate(), export.read) == resource.standard_rate


def test_mpxj_sees_the_same_assignments(export: Export) -> None:
    read = {
        (int(item.getTaskUniqueID()), int(item.getResourceUniqueID())): item
        for item in java_list(export.read.getResourceAssignments())
    }
    ours = {(item.task_uid, item.resource_uid): item for item in export.project.assignments}
    assert sorted(read) == sorted(ours)
    for key, assignment in ours.items():
        theirs = read[key]
        assert number(theirs.getUnits()) == assignment.units * 100, key
        assert minutes(theirs.getWork(), export.read) == assignment.work, key
        assert local_datetime(theirs.getStart()) == assignment.start, key
        assert local_datetime(theirs.getFinish()) == assignment.finish, key


def test_mpxj_sees_the_same_calendars(export: Export) -> None:
    read = by_uid(export.read.getCalendars())
    ours = export.project.calendars
    assert {key: text(calendar.getName()) for key, calendar in read.items()} == {
        key: calendar.name for key, calendar in ours.items()
    }
    assert {key: uid(calendar.getParent()) for key, calendar in read.items()} == {
        key: calendar.base_uid for key, calendar in ours.items()
    }
    for key, calendar in ours.items():
        assert dict(week_as_read(read[key])) == calendar.week, key


def week_as_read(calendar: Any) -> Iterator[tuple[int, tuple[Interval, ...]]]:
    """The weekdays (0 = Monday) a calendar defines itself, with their hours; those it
    inherits from its base calendar (DEFAULT in MPXJ) are left out, as in MspdiCalendar."""
    for weekday in range(7):
        day = jpype.JClass("java.time.DayOfWeek").of(weekday + 1)
        kind = str(calendar.getCalendarDayType(day).name())
        if kind != "DEFAULT":
            hours = java_list(calendar.getCalendarHours(day)) if kind == "WORKING" else []
            yield weekday, tuple(sorted(map(interval, hours)))


def interval(hours: Any) -> Interval:
    """An MPXJ LocalTimeRange -> (start, end) minutes of the day; midnight ends the day."""
    return hours.getStart().toSecondOfDay() // 60, hours.getEnd().toSecondOfDay() // 60 or 1440


def test_mpxj_sees_the_calendar_exceptions(export: Export) -> None:
    ours = export.project.calendars[export.project.calendar_uid]
    calendar = by_uid(export.read.getCalendars())[ours.uid]
    minutes_unit = jpype.JClass("org.mpxj.TimeUnit").MINUTES
    for day, hours in sorted(ours.exceptions.items()):
        assert calendar.getException(java_date(day)) is not None, day
        work = calendar.getWork(java_date(day), minutes_unit).getDuration()
        assert round(float(work)) == sum(end - start for start, end in hours), day
        assert bool(calendar.isWorkingDate(java_date(day))) == bool(hours), day
    assert any(not hours for hours in ours.exceptions.values()), "no non-working exception"


def splits(task: Any) -> list[tuple[datetime | None, datetime | None]]:
    """MPXJ's runs of work of a task (``getWorkSplits``; the ``getSplits`` of older MPXJ
    versions listed the pauses between them too): one run for a task that is not split."""
    return [
        (local_datetime(part.getStart()), local_datetime(part.getEnd()))
        for part in java_list(task.getWorkSplits())
    ]


def test_mpxj_reads_the_split_from_the_remaining_work(jvm: None, tmp_path: Path) -> None:
    """Thursday 1 October worked, Friday 2 paused, Monday 5 worked (8:00-17:00 days)."""
    project = split_assignment()
    task = replace(project.tasks[0], duration=960, finish=datetime(2026, 10, 5, 17))
    export = export_to(tmp_path / "split.xml", replace(project, tasks=[task]))
    assert [str(error) for error in java_list(export.read.getIgnoredErrors())] == []
    assert export.binding_events == []
    assert splits(by_uid(export.read.getTasks())[1]) == [
        (datetime(2026, 10, 1, 8), datetime(2026, 10, 1, 17)),
        (datetime(2026, 10, 5, 8), datetime(2026, 10, 5, 17)),
    ]


def test_mpxj_sees_no_split_in_work_over_a_weekend(jvm: None, tmp_path: Path) -> None:
    project = split_assignment()
    [assignment] = project.assignments
    friday, monday = datetime(2026, 10, 2, 17), datetime(2026, 10, 5, 8)
    work = (
        (friday.replace(hour=8), friday, 480),
        (friday, monday, 0),
        (monday, monday.replace(hour=17), 480),
    )
    assignment = replace(assignment, remaining_work=work)
    export = export_to(tmp_path / "weekend.xml", replace(project, assignments=[assignment]))
    assert splits(by_uid(export.read.getTasks())[1]) == [
        (friday.replace(hour=8), monday.replace(hour=17))
    ]
