"""Equipment (Primavera's "nonlabor"): worked in time like people (default work, units above 0,
its calendar schedules the task, leveled, exported to MSPDI as a work resource, costed per
hour) but never a colleague, a generic resource or a candidate for a need; and the Needs tab's
equipment (peak daily use against the quantity owned) and materials by week, hand-checked on
the default calendar (8 working hours a day, Monday to Friday)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from charter.engine.mspdi_elements import ResourceType
from charter.planning.adapters import to_aware, to_local
from charter.planning.models import Task
from charter.planning.services import calendars
from charter.planning.services.mspdi_export import plan_as_mspdi
from charter.resources.choices import TIME_BASED, ResourceKind
from charter.resources.models import Assignment, Resource
from charter.resources.services import leveling as services_leveling
from charter.resources.services import needs, needs_report
from charter.resources.services import pool as services
from charter.resources.tests.matrix_leveling import add, clash, empty_project

pytestmark = pytest.mark.django_db

W1 = datetime.date(2026, 12, 7)  # a Monday
W2 = datetime.date(2026, 12, 14)
W3 = datetime.date(2026, 12, 21)
HOUR = 60
DAY = 8 * HOUR


@pytest.fixture
def bare(client_org, manager):
    return empty_project(client_org, manager)


def _crane(manager, **fields):
    fields.setdefault("max_units", Decimal("2"))
    return services.create_resource(
        actor=manager, name="塔吊", kind=ResourceKind.EQUIPMENT, **fields
    )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return to_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _dated(project, index: int, start: datetime.date, finish: datetime.date) -> Task:
    task = project.tasks.filter(is_summary=False).order_by("position")[index]
    Task.objects.filter(pk=task.pk).update(start=_at(start, 9), finish=_at(finish, 18))
    task.refresh_from_db()
    return task


def test_the_kinds_worked_in_time_are_people_and_equipment():
    assert set(TIME_BASED) == {ResourceKind.WORK, ResourceKind.EQUIPMENT}
    assert ResourceKind.EQUIPMENT.label == "Equipment"


def test_equipment_is_never_a_colleague_nor_generic(manager, users):
    with pytest.raises(ValidationError) as error:
        _crane(manager, user=users["member"])
    assert set(error.value.error_dict) == {"user"}
    with pytest.raises(ValidationError) as error:
        _crane(manager, is_placeholder=True)
    assert set(error.value.error_dict) == {"is_placeholder"}
    assert not Resource.objects.exists()
    generic = services.create_resource(actor=manager, name="高级后端", is_placeholder=True)
    with pytest.raises(ValidationError) as error:
        services.update_resource(
            generic, actor=manager, expected_version=1, kind=ResourceKind.EQUIPMENT
        )
    assert set(error.value.error_dict) == {"is_placeholder"}
    assert Resource.objects.get(pk=generic.pk).kind == ResourceKind.WORK


def test_equipment_works_the_task_duration_at_more_than_0_percent(bare, manager):
    task = add(bare, manager, "吊装", days=3)
    crane = _crane(manager)
    assignment = services.assign(task, crane, actor=manager, units=Decimal("2"))
    assert assignment.work == 2 * 3 * DAY  # like a person: duration × units
    with pytest.raises(ValidationError) as error:
        services.update_assignment(
            assignment, actor=manager, expected_version=assignment.version, units=Decimal("0")
        )
    assert "units" in error.value.error_dict
    cement = services.create_resource(actor=manager, name="水泥", kind=ResourceKind.MATERIAL)
    assert services.assign(task, cement, actor=manager, units=Decimal("0")).work == 0


def test_a_task_worked_by_equipment_is_scheduled_on_its_calendar(bare, manager):
    # The project starts Tuesday 1 December 2026; the crane is serviced that day.
    own = calendars.create_calendar(actor=manager, name="塔吊日历")
    calendars.add_exception(own, actor=manager, day=datetime.date(2026, 12, 1), name="保养")
    task = add(bare, manager, "吊装", days=1)
    assert to_local(task.start).date() == datetime.date(2026, 12, 1)
    services.assign(task, _crane(manager, calendar=own), actor=manager)
    task.refresh_from_db()
    assert to_local(task.start).date() == datetime.date(2026, 12, 2)


def test_leveling_spreads_equipment_over_the_quantity_owned(bare, manager):
    one = _crane(manager, max_units=Decimal("1"))
    clash(bare, manager, one)
    proposal = services_leveling.propose(bare, actor=manager, options={})
    assert [move["resources"] for move in proposal.result["moves"]] == [["塔吊"]]
    assert proposal.result["over_before"] == 2 and proposal.result["over_after"] == 0


def test_two_cranes_owned_take_both_tasks_at_once(bare, manager):
    clash(bare, manager, _crane(manager, max_units=Decimal("2")))
    proposal = services_leveling.propose(bare, actor=manager, options={})
    assert proposal.result["moves"] == [] and proposal.result["over_before"] == 0


def test_mspdi_exports_equipment_as_a_work_resource_with_its_calendar(bare, manager):
    task = add(bare, manager, "吊装")
    services.assign(task, _crane(manager, standard_rate=Decimal("150")), actor=manager)
    cement = services.create_resource(actor=manager, name="水泥", kind=ResourceKind.MATERIAL)
    services.assign(task, cement, actor=manager, units=Decimal("5"))
    exported = {resource.name: resource for resource in plan_as_mspdi(bare).resources}
    crane = exported["塔吊"]
    assert crane.type is ResourceType.WORK and crane.max_units == 2
    assert crane.standard_rate == 150 and crane.calendar_uid is not None
    assert exported["水泥"].type is ResourceType.MATERIAL
    assert exported["水泥"].calendar_uid is None


def test_equipment_is_never_a_candidate_for_a_need(manager, project):
    task = _dated(project, 0, W1, datetime.date(2026, 12, 11))
    role = needs.create_role(actor=manager, name="吊装工")
    need = needs.create_need(task, actor=manager, role=role, effort_hours=Decimal("8"))
    crane = _crane(manager, role=role)
    person = services.create_resource(actor=manager, name="王工", role=role)
    names = [c.resource.name for c in needs.candidates(need, user=manager)]
    assert "王工" in names and "塔吊" not in names
    with pytest.raises(ValidationError):
        needs.assign_from_need(need, crane, actor=manager)
    assert needs.assign_from_need(need, person, actor=manager).resource == person


def test_needs_report_equipment_peak_by_week_materials_and_money(manager, project, signed_in):
    crane = _crane(manager, standard_rate=Decimal("100"), cost_per_use=Decimal("50"))
    cement = services.create_resource(
        actor=manager, name="水泥", kind=ResourceKind.MATERIAL, standard_rate=Decimal("3")
    )
    # A: Mon 7 – Wed 9 Dec, 1 crane for 24 h; B: Wed 9 – Fri 11 Dec, 2 cranes;
    # C: Mon 14 – Tue 15 Dec, 1 crane. On Wednesday 3 are in use, 2 are owned.
    a = _dated(project, 0, W1, datetime.date(2026, 12, 9))
    b = _dated(project, 1, datetime.date(2026, 12, 9), datetime.date(2026, 12, 11))
    c = _dated(project, 2, W2, datetime.date(2026, 12, 15))
    Assignment.objects.create(task=a, resource=crane, units=1, work=24 * HOUR)
    Assignment.objects.create(task=b, resource=crane, units=2, work=0)
    Assignment.objects.create(task=c, resource=crane, units=1, work=0)
    Assignment.objects.create(task=a, resource=cement, units=10, work=0)
    Assignment.objects.create(task=c, resource=cement, units=5, work=0)

    report = needs_report.needs_by_week(project, W1, 3)
    [row] = report.equipment_weeks
    assert row.resource == crane
    assert [(cell.week, cell.peak, cell.owned, cell.over) for cell in row.weeks] == [
        (W1, Decimal("3"), Decimal("2"), True),
        (W2, Decimal("1"), Decimal("2"), False),
        (W3, Decimal("0"), Decimal("2"), False),
    ]
    assert (row.peak, row.over) == (Decimal("3"), True)
    [material] = report.material_weeks
    assert material.resource == cement
    assert [cell.quantity for cell in material.weeks] == [10, 5, 0]
    assert material.quantity == 15
    assert report.roles == []
    # Crane: 24 h × 100 + 3 uses × 50 = 2550; cement: 15 × 3 = 45.
    [december] = report.money
    assert december.amount == Decimal("2595.00")
    body = (
        signed_in("manager")
        .get(f"/api/v1/projects/{project.pk}/needs-by-week", {"start": W1, "weeks": 3})
        .json()
    )
    [crane_out] = body["equipment"]
    assert [(Decimal(w["peak"]), Decimal(w["owned"]), w["over"]) for w in crane_out["weeks"]] == [
        (3, 2, True),
        (1, 2, False),
        (0, 2, False),
    ]
    assert [Decimal(w["quantity"]) for w in body["materials"][0]["weeks"]] == [10, 5, 0]


def test_a_day_off_of_the_equipment_is_not_a_day_in_use(manager, project):
    own = calendars.create_calendar(actor=manager, name="塔吊日历")
    calendars.add_exception(own, actor=manager, day=datetime.date(2026, 12, 9), name="保养")
    crane = _crane(manager, calendar=own)
    a = _dated(project, 0, W1, datetime.date(2026, 12, 9))
    b = _dated(project, 1, datetime.date(2026, 12, 9), datetime.date(2026, 12, 11))
    Assignment.objects.create(task=a, resource=crane, units=1, work=16 * HOUR)
    Assignment.objects.create(task=b, resource=crane, units=2, work=16 * HOUR)
    [row] = needs_report.needs_by_week(project, W1, 1).equipment_weeks
    # Wednesday overlaps, but the crane does not work that day: the peak is B's 2.
    assert [(cell.peak, cell.over) for cell in row.weeks] == [(Decimal("2"), False)]


def test_days_in_use_of_a_task_without_working_time_is_its_first_day(manager, project):
    crane = _crane(manager)
    saturday = datetime.date(2026, 12, 12)
    weekend = _dated(project, 0, saturday, datetime.date(2026, 12, 13))
    Assignment.objects.create(task=weekend, resource=crane, units=1, work=0)
    [row] = needs_report.needs_by_week(project, W1, 2).equipment_weeks
    assert [cell.peak for cell in row.weeks] == [Decimal("1"), Decimal("0")]
