"""An exported MSPDI file opens in MPXJ, the library ProjectLibre (and many other tools) read
Microsoft Project files with: every reference file our reader accepts is written by
``write_project`` and read back by MPXJ, which must see the same plan and report no errors.

MPXJ runs on the JVM (through JPype); the module is skipped only where no ``java`` is installed.
"""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

if shutil.which("java") is None:
    pytest.skip("MPXJ needs a Java runtime and `java` is not on PATH", allow_module_level=True)

import jpype
import mpxj  # noqa: F401  (importing it puts MPXJ's bundled jars on the JVM class path)

from charter.engine.calendar import CHINA_OFFICE_HOURS, Interval
from charter.engine.model import LinkType
from charter.engine.mspdi import MspdiCalendar, MspdiError, MspdiProject, read_project
from charter.engine.mspdi_writer import write_project
from charter.engine.tests.shared_data import shared_data

DATA = shared_data("mspdi")
MPXJ_LINK_TYPES = {
    "FINISH_START": LinkType.FS,
    "START_START": LinkType.SS,
    "FINISH_FINISH": LinkType.FF,
    "START_FINISH": LinkType.SF,
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
    project = with_holidays(read_project(request.param))
    path = tmp_path_factory.mktemp("mpxj") / request.param.name
    path.write_bytes(write_project(project))
    reader = jpype.JClass("org.mpxj.reader.UniversalProjectReader")()
    return Export(project, reader.read(str(path)), binding_events(path))


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
    def handleEvent(self, event: Any) -> bool:  # noqa: N802 (the Java interface's name)
        line = event.getLocator().getLineNumber()
        self.events.append(f"line {line}: {event.getMessage()}")
        return True


def binding_events(path: Path) -> list[str]:
    """Unmarshals the file with the JAXB classes MPXJ's MSPDIReader reads through. MPXJ
    itself drops what they reject without a word, so this is where a misspelt, misplaced or
    malformed element shows."""
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


def minutes(duration: Any, read: Any) -> int:
    """An MPXJ Duration in any unit -> minutes, with the file's minutes per day and week."""
    unit = jpype.JClass("org.mpxj.TimeUnit").MINUTES
    return round(float(duration.convertUnits(unit, read.getProjectProperties()).getDuration()))


def local_datetime(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def text(value: Any) -> str:
    return "" if value is None else str(value)


def tasks_by_uid(read: Any) -> dict[int, Any]:
    return {int(task.getUniqueID()): task for task in java_list(read.getTasks())}


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


def test_mpxj_sees_the_same_tasks(export: Export) -> None:
    read = tasks_by_uid(export.read)
    assert sorted(read) == sorted(task.uid for task in export.project.tasks)
    for task in export.project.tasks:
        theirs = read[task.uid]
        assert text(theirs.getName()) == task.name, task.uid
        assert int(theirs.getOutlineLevel()) == task.outline_level, task.uid
        assert minutes(theirs.getDuration(), export.read) == task.duration, task.uid
        assert local_datetime(theirs.getStart()) == task.start, task.uid
        assert local_datetime(theirs.getFinish()) == task.finish, task.uid


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


def test_mpxj_sees_the_same_resources_and_assignments(export: Export) -> None:
    read = export.read
    names = {int(res.getUniqueID()): text(res.getName()) for res in java_list(read.getResources())}
    assert names == {resource.uid: resource.name for resource in export.project.resources}
    pairs = sorted(
        (int(assignment.getTaskUniqueID()), int(assignment.getResourceUniqueID()))
        for assignment in java_list(read.getResourceAssignments())
    )
    ours = sorted((item.task_uid, item.resource_uid) for item in export.project.assignments)
    assert pairs == ours


def calendars_by_uid(read: Any) -> dict[int, Any]:
    return {int(calendar.getUniqueID()): calendar for calendar in java_list(read.getCalendars())}


def parent_uid(calendar: Any) -> int | None:
    parent = calendar.getParent()
    return None if parent is None else int(parent.getUniqueID())


def test_mpxj_sees_the_same_calendars(export: Export) -> None:
    read = calendars_by_uid(export.read)
    assert {uid: text(calendar.getName()) for uid, calendar in read.items()} == {
        uid: calendar.name for uid, calendar in export.project.calendars.items()
    }
    assert {uid: parent_uid(calendar) for uid, calendar in read.items()} == {
        uid: calendar.base_uid for uid, calendar in export.project.calendars.items()
    }


def exception_days(calendar: Any, ours: MspdiCalendar) -> Iterator[tuple[date, bool, int]]:
    """Each of our exception dates as MPXJ's calendar sees it: is it an exception, and its
    working minutes."""
    local_date = jpype.JClass("java.time.LocalDate")
    unit = jpype.JClass("org.mpxj.TimeUnit").MINUTES
    for day in sorted(ours.exceptions):
        moment = local_date.of(day.year, day.month, day.day)
        work = round(float(calendar.getWork(moment, unit).getDuration()))
        yield day, calendar.getException(moment) is not None, work


def test_mpxj_sees_the_calendar_exceptions(export: Export) -> None:
    ours = export.project.calendars[export.project.calendar_uid]
    calendar = calendars_by_uid(export.read)[ours.uid]
    expected = [
        (day, True, sum(end - start for start, end in hours))
        for day, hours in sorted(ours.exceptions.items())
    ]
    assert list(exception_days(calendar, ours)) == expected
    holidays = [day for day, hours in ours.exceptions.items() if not hours]
    assert holidays, "the project calendar should carry non-working exception dates"
    for day in holidays:
        assert not calendar.isWorkingDate(jpype.JClass("java.time.LocalDate").of(*day.timetuple()[:3]))
