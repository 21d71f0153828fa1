"""Split tasks through MS Project XML: the export writes a split task's assignments' work over
time as Microsoft Project keeps a split, MPXJ reads the split from it, and the import turns it
back into the task's pauses, from our file and from Microsoft Project's one period a day."""

import datetime
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

# Loaded before planning.adapters, which imports it back (see test_exchange_services).
import charter.planning.services  # noqa: F401
from charter.engine.mspdi_writer import write_project
from charter.planning.models import Project, Task
from charter.planning.services import exchange
from charter.planning.services import plan as services
from charter.planning.tests.factories import make_project
from charter.resources.models import Assignment, Resource

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 480
PLANNING = "制定项目计划"  # three days from Tuesday 1 December 2026, 9:00-18:00 days


def local(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour)


@pytest.fixture
def split_project(client_org, manager) -> Project:
    """The planning task worked by one person, paused on Wednesday and Thursday."""
    project = make_project(client_org, manager=manager)
    task = Task.objects.get(project=project, name=PLANNING)
    person = Resource.objects.create(name="李工", standard_rate=80)
    Assignment.objects.create(task=task, resource=person, units=Decimal(1), work=3 * DAY)
    services.update_task(
        task, actor=manager, expected_version=task.version, fields={"pauses": [[DAY, 2 * DAY]]}
    )
    return project


def imported_task(project: Project, data: bytes, manager) -> Task:
    exchange.import_plan(project, data, actor=manager, replace=False)
    return Task.objects.get(project=project, name=PLANNING)


def test_a_split_task_is_written_as_work_and_a_pause_over_time(split_project):
    source = exchange.read_mspdi(exchange.export_plan(split_project))
    [assignment] = source.assignments
    assert assignment.remaining_work == (
        (local(1, 9), local(1, 18), DAY),
        (local(1, 18), local(4, 9), 0),
        (local(4, 9), local(7, 18), 2 * DAY),
    )


def test_a_task_that_is_not_split_gets_no_work_over_time(split_project, manager):
    task = Task.objects.get(project=split_project, name=PLANNING)
    services.update_task(task, actor=manager, expected_version=task.version, fields={"pauses": []})
    assert b"TimephasedData" not in exchange.export_plan(split_project)


def test_export_then_import_gives_the_same_pauses_and_segments(
    split_project, empty_project, manager
):
    before = Task.objects.get(project=split_project, name=PLANNING)
    after = imported_task(empty_project, exchange.export_plan(split_project), manager)
    assert after.pauses == before.pauses == [[DAY, 2 * DAY]]
    assert after.segment_moments == before.segment_moments
    assert after.segment_moments[1][0] == datetime.datetime(2026, 12, 4, 9, tzinfo=SHANGHAI)


def test_microsoft_projects_days_give_the_pause_and_not_the_weekend(
    split_project, empty_project, manager
):
    """One period a day from 9:00 to 9:00, days off with no work: Wednesday and Thursday are
    the pause, the weekend between Friday and Monday is not one."""
    source = exchange.read_mspdi(exchange.export_plan(split_project))
    work = [DAY, 0, 0, DAY, 0, 0]
    days = tuple(
        (local(day, 9), local(day + 1, 9), minutes) for day, minutes in enumerate(work, start=1)
    )
    [assignment] = source.assignments
    daily = replace(assignment, remaining_work=(*days, (local(7, 9), local(7, 18), DAY)))
    task = imported_task(
        empty_project, write_project(replace(source, assignments=[daily])), manager
    )
    assert task.pauses == [[DAY, 2 * DAY]]


def test_mpxj_reads_the_split_of_the_export(split_project, tmp_path: Path):
    if shutil.which("java") is None:
        pytest.skip("MPXJ needs a Java runtime and `java` is not on PATH")
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the JVM class path)

    if not jpype.isJVMStarted():
        jpype.startJVM()
    path = tmp_path / "split.xml"
    path.write_bytes(exchange.export_plan(split_project))
    read = jpype.JClass("org.mpxj.reader.UniversalProjectReader")().read(str(path))
    assert [str(error) for error in read.getIgnoredErrors()] == []
    [task] = [task for task in read.getTasks() if str(task.getName()) == PLANNING]
    runs = [(str(part.getStart()), str(part.getEnd())) for part in task.getWorkSplits()]
    assert runs == [
        ("2026-12-01T09:00", "2026-12-01T18:00"),
        ("2026-12-04T09:00", "2026-12-07T18:00"),
    ]
