"""MS Project exchange of resources and assignments: what an import creates, matches in the
pool and reports; refusals write no resource; the export writes the plan's resources only."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

# Loaded before planning.adapters, which imports it back (a cycle the adapters' owner fixes).
import charter.planning.services  # noqa: F401
from charter.core.models import AuditEvent
from charter.engine.calendar import MS_PROJECT_STANDARD_HOURS
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import (
    NAMESPACE,
    NS,
    MspdiAssignment,
    MspdiCalendar,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    PredecessorLink,
    ResourceType,
)
from charter.engine.mspdi_writer import write_project
from charter.planning.adapters import to_local
from charter.planning.models import Calendar, Task
from charter.planning.services import exchange
from charter.planning.tests.factories import make_project
from charter.resources.models import Assignment, Resource

pytestmark = pytest.mark.django_db

SAMPLE = Path("/work/shared/data/mspdi/sample.xml")
MONDAY = datetime.datetime(2026, 12, 7, 8)
STANDARD = {day: MS_PROJECT_STANDARD_HOURS if day < 5 else () for day in range(7)}


def _task(uid: int, **fields) -> MspdiTask:
    values = {
        "uid": uid, "id": uid, "name": f"T{uid}", "outline_level": 1, "summary": False,
        "milestone": False, "manual": False, "duration": 480, "duration_format": 7,
        "start": None, "finish": None, "constraint": Constraint.ASAP, "constraint_date": None,
        "calendar_uid": None, **fields,
    }  # fmt: skip
    return MspdiTask(**values)


def _file(
    tasks: list[MspdiTask],
    resources: list[MspdiResource],
    assignments: list[MspdiAssignment],
    calendars: list[MspdiCalendar] = (),
    currency: str = "CNY",
) -> MspdiProject:
    return MspdiProject(
        name="t",
        start=MONDAY,
        calendar_uid=1,
        minutes_per_day=480,
        calendars={
            c.uid: c for c in [MspdiCalendar(1, "Standard", None, STANDARD, {}), *calendars]
        },
        tasks=tasks,
        resources=resources,
        assignments=assignments,
        currency_code=currency,
    )


def test_the_sample_file_brings_its_people_their_calendar_and_assignments(empty_project, manager):
    report = exchange.import_plan(empty_project, SAMPLE.read_bytes(), actor=manager, replace=False)

    first, second = Resource.objects.get(external_uid=1), Resource.objects.get(external_uid=2)
    assert (first.name, first.kind, first.initials, first.standard_rate) == (
        "First Resource",
        "work",
        "FR",
        Decimal("10.00"),
    )
    assert first.calendar is None  # built on the project calendar, changing nothing
    night = second.calendar
    assert (night.name, night.project, night.working_weekdays) == ("Night Shift", None, "012345")
    assert night.hours == "00:00-03:00,04:00-08:00,23:00-24:00"
    rows = Assignment.objects.filter(task__project=empty_project).order_by("external_uid")
    assert [(a.task.external_uid, a.resource_id, a.units, a.work) for a in rows] == [
        (2, first.pk, Decimal("0.50"), 12000),
        (2, second.pk, Decimal("0.75"), 18000),
    ]
    assert (report.resources, report.assignments) == (2, 2)
    created = AuditEvent.objects.filter(
        action="created", content_type=ContentType.objects.get_for_model(Resource)
    )
    assert sorted(created.values_list("object_id", flat=True)) == [str(first.pk), str(second.pk)]
    assert AuditEvent.objects.get(action="imported").changes["assignments"] == [None, 2]


def test_importing_again_matches_the_pool_instead_of_copying(empty_project, manager):
    data = SAMPLE.read_bytes()
    exchange.import_plan(empty_project, data, actor=manager, replace=False)
    resources, calendars = Resource.objects.count(), Calendar.objects.count()
    Resource.objects.filter(name="First Resource").update(standard_rate=99)

    report = exchange.import_plan(empty_project, data, actor=manager, replace=True)

    assert (Resource.objects.count(), Calendar.objects.count()) == (resources, calendars)
    assert Resource.objects.get(name="First Resource").standard_rate == 99  # the pool's kept
    assert Assignment.objects.filter(task__project=empty_project).count() == 2
    assert any(
        "2 resources of the file are already in the resource pool (First Resource, Second "
        "Resource)" in line
        for line in report.not_mapped
    )


def test_only_an_active_resource_of_the_same_type_is_matched(empty_project, manager):
    Resource.objects.create(name="First Resource", kind="material")
    Resource.objects.create(name="Second Resource", is_active=False)
    exchange.import_plan(empty_project, SAMPLE.read_bytes(), actor=manager, replace=False)
    assert Resource.objects.filter(name="First Resource").count() == 2
    assert Resource.objects.filter(name="Second Resource", is_active=True).count() == 1


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    element.text = text
    return element


def _with_details(project: MspdiProject) -> bytes:
    """The written file plus what the writer does not write: a material label, rates over
    time and availability over time."""
    root = ET.fromstring(write_project(project))  # noqa: S314
    resources = {
        r.findtext("p:UID", None, NS): r for r in root.findall("p:Resources/p:Resource", NS)
    }
    _add(resources["3"], "MaterialLabel", "台")
    rates = _add(resources["1"], "Rates")
    for start, amount in (("1984-01-01T00:00:00", "100"), ("2027-01-01T00:00:00", "120")):
        rate = _add(rates, "Rate")
        _add(rate, "RatesFrom", start)
        _add(rate, "StandardRate", amount)
    period = _add(_add(resources["2"], "AvailabilityPeriods"), "AvailabilityPeriod")
    _add(period, "AvailableFrom", "2027-01-01T08:00:00")
    _add(period, "AvailableUnits", "0.5")
    return ET.tostring(root)


def test_what_resources_hold_that_charter_does_not_keep_is_reported(empty_project, manager):
    closed = MspdiCalendar(2, "Closed", None, dict.fromkeys(range(7), ()), {})
    people = [
        MspdiResource(1, 1, "王工", ResourceType.WORK, standard_rate=Decimal(100)),
        MspdiResource(2, 2, "李工", ResourceType.WORK, email="not an address", calendar_uid=2),
        MspdiResource(3, 3, "服务器", ResourceType.MATERIAL),
        MspdiResource(4, 4, "王工", ResourceType.WORK),
    ]
    assignments = [
        MspdiAssignment(1, 1, 1, Decimal(1), 480),
        MspdiAssignment(2, 1, 4, Decimal(1), 480),
        MspdiAssignment(3, 99, 2, Decimal(1), 480),
        MspdiAssignment(4, 1, 42, Decimal(1), 480),
        MspdiAssignment(5, 1, 3, Decimal("12.345"), 0),
    ]
    data = _with_details(_file([_task(1)], people, assignments, [closed], currency="XYZ"))

    report = exchange.import_plan(empty_project, data, actor=manager, replace=False)

    text = "\n".join(report.not_mapped)
    for expected in (
        "Resource 3 “服务器” has a material label",
        "Resource 1 “王工” has rates that change over time",
        "Resource 2 “李工” is available at other units for periods of time",
        "Resource 2 “李工” has an e-mail address that is not one",
        "Resource 2 “李工”: Calendar “Closed” has no working day",
        "Resource 4 “王工” has the name and type of another resource of the file",
        "“王工” is assigned to task 1 twice",
        "Assignment 3 is on task 99, which is not in the plan",
        "Assignment 4 is of resource 42, which the file does not define",
        "The file's rates are in XYZ",
    ):
        assert expected in text, expected
    li = Resource.objects.get(name="李工")
    assert (li.email, li.calendar, li.currency) == ("", None, empty_project.currency)
    assert sorted(Assignment.objects.values_list("resource__name", "units")) == [
        ("服务器", Decimal("12.35")),
        ("王工", Decimal("1.00")),
    ]
    assert (report.resources, report.assignments) == (3, 2)


def test_a_refused_file_writes_no_resource_calendar_or_assignment(empty_project, manager):
    shift = MspdiCalendar(
        2, "晚班", None, {d: ((840, 1320),) if d < 5 else () for d in range(7)}, {}
    )
    data = write_project(
        _file(
            [
                _task(1, links=(PredecessorLink(2, LinkType.FS, 0, 7),)),
                _task(2, links=(PredecessorLink(1, LinkType.FS, 0, 7),)),
            ],
            [MspdiResource(1, 1, "王工", ResourceType.WORK, calendar_uid=2)],
            [MspdiAssignment(1, 1, 1)],
            [shift],
        )
    )
    with pytest.raises(ValidationError, match="loop"):
        exchange.import_plan(empty_project, data, actor=manager, replace=False)
    assert not Resource.objects.exists()
    assert not Assignment.objects.exists()
    assert not Calendar.objects.filter(name="晚班").exists()


def test_the_export_writes_the_plans_resources_and_assignments_only(client_org, manager):
    project = make_project(client_org, manager=manager)
    task = Task.objects.filter(project=project, children__isnull=True).order_by("position")[0]
    wang = Resource.objects.create(name="王工", initials="W", max_units=2)
    bricks = Resource.objects.create(name="砖", kind="material", standard_rate=Decimal("0.80"))
    Resource.objects.create(name="不在计划里")
    Assignment.objects.create(task=task, resource=wang, units=Decimal("0.5"), work=240)
    Assignment.objects.create(task=task, resource=bricks, units=Decimal(300))
    task.refresh_from_db()

    parsed = exchange.read_mspdi(exchange.export_plan(project))

    assert [(r.name, r.type, r.max_units) for r in parsed.resources] == [
        ("王工", ResourceType.WORK, Decimal("2.00")),
        ("砖", ResourceType.MATERIAL, Decimal("1.00")),
    ]
    work, material = parsed.resources
    assert material.calendar_uid is None
    resource_calendar = parsed.calendars[work.calendar_uid]
    assert (resource_calendar.name, resource_calendar.base_uid) == ("王工", parsed.calendar_uid)
    task_uid = next(t.uid for t in parsed.tasks if t.name == task.name)
    assert [(a.task_uid, a.resource_uid, a.units, a.work) for a in parsed.assignments] == [
        (task_uid, work.uid, Decimal("0.50"), 240),
        (task_uid, material.uid, Decimal("300.00"), 0),
    ]
    assert {(a.start, a.finish) for a in parsed.assignments} == {
        (to_local(task.start), to_local(task.finish))
    }


def test_a_shared_calendar_of_the_name_with_other_hours_is_left_alone(empty_project, manager):
    other = Calendar.objects.create(name="Night Shift", hours="20:00-23:00", holiday_country="")
    exchange.import_plan(empty_project, SAMPLE.read_bytes(), actor=manager, replace=False)
    other.refresh_from_db()
    assert (other.hours, other.version) == ("20:00-23:00", 1)
    calendar = Resource.objects.get(name="Second Resource").calendar
    assert (calendar.name, calendar.project) == (f"Night Shift ({empty_project.code})", None)
