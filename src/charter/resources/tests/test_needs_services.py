"""Roles, skills and needs: the verbs (validation, audit, stale edits), needs by week with
hand-checked hours and money on the default calendar (8 working hours a day, Monday to Friday),
candidates in rank order, assigning from a need and replacing a generic resource."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.adapters import to_aware
from charter.planning.models import Task
from charter.resources.choices import ResourceKind
from charter.resources.models import Assignment, Resource, ResourceSkill, TaskNeed
from charter.resources.services import needs as services
from charter.resources.services import needs_report, pool, rates

pytestmark = pytest.mark.django_db

W1 = datetime.date(2026, 12, 7)  # a Monday
W2 = datetime.date(2026, 12, 14)
HOUR = 60


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return to_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _task(project, index: int, start: datetime.date, finish: datetime.date) -> Task:
    task = project.tasks.filter(is_summary=False).order_by("position")[index]
    Task.objects.filter(pk=task.pk).update(start=_at(start, 9), finish=_at(finish, 18))
    task.refresh_from_db()
    return task


@pytest.fixture
def backend(manager):
    return services.create_role(actor=manager, name=" 后端工程师 ", description="写服务")


@pytest.fixture
def postgres(manager):
    return services.create_skill(actor=manager, name="PostgreSQL")


def test_roles_and_skills_are_unique_audited_and_protected(manager, backend, postgres, project):
    assert backend.name == "后端工程师"
    with pytest.raises(ValidationError) as error:
        services.create_role(actor=manager, name="后端工程师")
    assert "name" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.create_skill(actor=manager, name="  ")
    services.update_role(backend, actor=manager, expected_version=1, description="API")
    with pytest.raises(StaleEdit):
        services.update_role(backend, actor=manager, expected_version=1, name="x")
    services.update_skill(postgres, actor=manager, expected_version=1, name="PG")
    assert AuditEvent.objects.filter(action__in=["created", "updated"]).count() >= 4
    task = _task(project, 0, W1, W2)
    services.create_need(task, actor=manager, role=backend, effort_hours=Decimal("8"))
    with pytest.raises(ValidationError):
        services.delete_role(backend, actor=manager)
    wang = Resource.objects.create(name="王工")
    services.add_resource_skill(wang, postgres, actor=manager, level=4)
    with pytest.raises(ValidationError):
        services.delete_skill(postgres, actor=manager)
    assert AuditEvent.objects.filter(action="deleted").count() == 0
    unused = services.create_skill(actor=manager, name="Go")
    services.delete_skill(unused, actor=manager)
    assert AuditEvent.objects.filter(action="deleted").count() == 1


def test_resource_skills_levels_once_per_pair(manager, postgres):
    wang = Resource.objects.create(name="王工")
    row = services.add_resource_skill(wang, postgres, actor=manager, level=2)
    with pytest.raises(ValidationError) as error:
        services.add_resource_skill(wang, postgres, actor=manager, level=3)
    assert "skill" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.update_resource_skill(row, actor=manager, expected_version=1, level=6)
    assert "level" in error.value.error_dict
    row.refresh_from_db()
    services.update_resource_skill(row, actor=manager, expected_version=1, level=5)
    assert ResourceSkill.objects.get().level == 5
    assert AuditEvent.objects.filter(action="skill_changed").exists()
    services.delete_resource_skill(row, actor=manager)
    assert not ResourceSkill.objects.exists()


def test_a_generic_resource_is_a_person_without_colleague(manager, backend, users):
    generic = Resource.objects.create(name="高级后端 ×2", max_units=2)
    pool.update_resource(
        generic,
        actor=manager,
        expected_version=1,
        role=backend,
        is_placeholder=True,
        cost_per_use=Decimal("10"),
    )
    generic.refresh_from_db()
    assert generic.is_placeholder and generic.role == backend and generic.version == 2
    person = Resource.objects.create(name="成员", user=users["member"])
    with pytest.raises(ValidationError):
        pool.update_resource(person, actor=manager, expected_version=1, is_placeholder=True)
    server = Resource.objects.create(name="服务器", kind=ResourceKind.MATERIAL)
    with pytest.raises(ValidationError):
        pool.update_resource(server, actor=manager, expected_version=1, is_placeholder=True)


def test_needs_are_validated_audited_and_versioned(manager, backend, postgres, project):
    task = _task(project, 0, W1, W2)
    need = services.create_need(
        task,
        actor=manager,
        role=backend,
        skill=postgres,
        min_level=3,
        quantity=2,
        effort_hours=Decimal("80"),
    )
    assert AuditEvent.objects.get(action="need_added").changes["need"] == [
        None,
        "后端工程师 ×2 · PostgreSQL ≥ 3 · 80 h",
    ]
    for bad in ({"quantity": 0}, {"min_level": 6}, {"effort_hours": Decimal("-1")}):
        with pytest.raises(ValidationError):
            services.create_need(task, actor=manager, role=backend, **{"effort_hours": 1, **bad})
    summary = project.tasks.filter(is_summary=True).first()
    if summary is not None:
        with pytest.raises(ValidationError):
            services.create_need(summary, actor=manager, role=backend, effort_hours=1)
    services.update_need(need, actor=manager, expected_version=1, quantity=3)
    with pytest.raises(StaleEdit):
        services.update_need(need, actor=manager, expected_version=1, quantity=4)
    services.delete_need(need, actor=manager)
    assert not TaskNeed.objects.exists()
    assert AuditEvent.objects.filter(action__in=["need_changed", "need_removed"]).count() == 2


def test_needs_by_week_hours_equipment_and_money(manager, backend, project):
    # The need: 80 h over Mon 7 – Fri 18 Dec (10 working days) = 40 h a week.
    long_task = _task(project, 0, W1, datetime.date(2026, 12, 18))
    services.create_need(long_task, actor=manager, role=backend, effort_hours=Decimal("80"))
    # 王工 (backend) 16 h over Mon 7 – Fri 11 Dec: 3.2 h a day, all in W1.
    wang = Resource.objects.create(
        name="王工", role=backend, standard_rate=Decimal("100"), cost_per_use=Decimal("50")
    )
    short_task = _task(project, 1, W1, datetime.date(2026, 12, 11))
    Assignment.objects.create(task=short_task, resource=wang, work=16 * HOUR)
    rates.add_rate_change(
        wang, actor=manager, effective_from=datetime.date(2026, 12, 10), cost_rate=200
    )
    # Three servers (material, 10 a unit) on the long task; someone without a role.
    server = Resource.objects.create(
        name="服务器", kind=ResourceKind.MATERIAL, standard_rate=Decimal("10")
    )
    Assignment.objects.create(task=long_task, resource=server, units=Decimal("3"), work=0)
    Assignment.objects.create(
        task=long_task, resource=Resource.objects.create(name="无角色"), work=8 * HOUR
    )

    report = needs_report.needs_by_week(project, W1, 3)
    assert report.weeks == (W1, W2, W2 + datetime.timedelta(days=7))
    [row] = report.roles
    assert row.role == backend
    cells = [(c.needed_hours, c.assigned_hours, c.short) for c in row.weeks]
    assert cells == [
        (Decimal("40.0"), Decimal("16.0"), True),
        (Decimal("40.0"), Decimal("0.0"), True),
        (Decimal("0.0"), Decimal("0.0"), False),
    ]
    assert row.weeks[0].shortfall_hours == Decimal("24.0")
    [servers] = report.material_weeks
    assert (servers.resource, [c.quantity for c in servers.weeks]) == (server, [3, 0, 0])
    # 王工: 9.6 h at 100 (Mon–Wed) + 6.4 h at 200 (Thu–Fri) + 50 per use = 2290;
    # servers: 3 × 10 = 30; the person without a role or rate: 0.
    [december] = report.money
    assert (december.month, december.currency, december.amount) == (
        datetime.date(2026, 12, 1),
        "CNY",
        Decimal("2320.00"),
    )
    assert report.total_money == {"CNY": Decimal("2320.00")}
    without_money = needs_report.needs_by_week(project, W1, 3, with_money=False)
    assert without_money.money == [] and without_money.roles == report.roles


def test_candidates_rank_role_then_skill_level_then_free_hours(manager, backend, postgres, project):
    task = _task(project, 0, W1, datetime.date(2026, 12, 11))
    other = _task(project, 1, W1, datetime.date(2026, 12, 11))
    need = services.create_need(
        task, actor=manager, role=backend, skill=postgres, min_level=3, effort_hours=40
    )

    def person(name, role=None, level=None, **fields):
        resource = Resource.objects.create(name=name, role=role, **fields)
        if level:
            ResourceSkill.objects.create(resource=resource, skill=postgres, level=level)
        return resource

    free = person("甲", backend, 4)
    busy = person("乙", backend, 4)
    Assignment.objects.create(task=other, resource=busy, work=30 * HOUR)
    expert = person("丙", backend, 5)
    weak = person("丁", backend, 2)
    outsider = person("戊", None, 5)
    person("占位", backend, 5, is_placeholder=True)
    person("离职", backend, 5, is_active=False)
    person("材料", kind=ResourceKind.MATERIAL)
    on_task = person("已在", backend, 5)
    Assignment.objects.create(task=task, resource=on_task, work=HOUR)

    found = services.candidates(need, user=manager)
    assert [c.resource for c in found] == [expert, free, busy, weak, outsider]
    first = found[0]
    assert first.role_match and first.level == 5 and first.meets_level
    assert first.capacity_hours == Decimal("40.0") and first.free_hours == Decimal("40.0")
    assert found[2].allocated_hours == Decimal("30.0") and found[2].free_hours == Decimal("10.0")
    assert not found[3].meets_level and not found[4].role_match


def test_assign_from_need_at_its_effort(manager, backend, project):
    task = project.tasks.filter(is_summary=False).order_by("position")[0]
    need = services.create_need(task, actor=manager, role=backend, quantity=2, effort_hours=20)
    wang = Resource.objects.create(name="王工", role=backend)
    assignment = services.assign_from_need(need, wang, actor=manager)
    assert (assignment.units, assignment.work) == (1, 10 * HOUR)  # an equal share
    generic = Resource.objects.create(name="后端 ×2", max_units=2, is_placeholder=True)
    assignment = services.assign_from_need(need, generic, actor=manager)
    assert (assignment.units, assignment.work) == (2, 20 * HOUR)
    with pytest.raises(ValidationError):
        services.assign_from_need(need, wang, actor=manager)  # already on the task
    server = Resource.objects.create(name="服务器", kind=ResourceKind.MATERIAL)
    with pytest.raises(ValidationError):
        services.assign_from_need(need, server, actor=manager)


def test_replace_placeholder_keeps_units_and_work(manager, backend, project):
    task = project.tasks.filter(is_summary=False).order_by("position")[0]
    generic = Resource.objects.create(
        name="后端 ×2", max_units=2, is_placeholder=True, role=backend
    )
    assignment = Assignment.objects.create(
        task=task, resource=generic, units=Decimal("2"), work=40 * HOUR
    )
    wang = Resource.objects.create(name="王工", role=backend)
    li = Resource.objects.create(name="李工")
    assert services.replacement_candidates(task, [backend.pk]) == {backend.pk: [wang, li]}
    Assignment.objects.create(task=task, resource=li, work=HOUR)
    with pytest.raises(ValidationError) as error:
        services.replace_placeholder(assignment, li, actor=manager)
    assert "person" in error.value.error_dict
    with pytest.raises(StaleEdit):
        services.replace_placeholder(assignment, wang, actor=manager, expected_version=7)
    assignment.refresh_from_db()
    services.replace_placeholder(assignment, wang, actor=manager, expected_version=1)
    assignment.refresh_from_db()
    assert (assignment.resource, assignment.units, assignment.work) == (wang, 2, 40 * HOUR)
    assert AuditEvent.objects.filter(action="placeholder_replaced").exists()
    with pytest.raises(ValidationError) as error:
        services.replace_placeholder(assignment, li, actor=manager)
    assert "resource" in error.value.error_dict  # 王工 is no generic resource


def test_needs_of_one_role_on_a_task_share_its_assigned_hours(manager, backend, project):
    """Two needs of the role on one task: the 30 hours assigned to the role there are shared
    20 : 10 by their effort (40 and 20 hours), not counted in full for each."""
    task = _task(project, 0, W1, W1 + datetime.timedelta(days=4))
    big = services.create_need(task, actor=manager, role=backend, effort_hours=Decimal("40"))
    small = services.create_need(task, actor=manager, role=backend, effort_hours=Decimal("20"))
    person = Resource.objects.create(name="王工", role=backend)
    generic = Resource.objects.create(name="通用后端", role=backend, is_placeholder=True)
    Assignment.objects.create(task=task, resource=person, work=18 * HOUR)
    Assignment.objects.create(task=task, resource=generic, work=12 * HOUR)
    rows = {row.need: row for row in needs_report.staffing(project)}
    assert rows[big].assigned_hours == 20 and rows[big].shortfall_hours == 20
    assert rows[small].assigned_hours == 10 and rows[small].shortfall_hours == 10
    lone = _task(project, 1, W1, W1)
    alone = services.create_need(lone, actor=manager, role=backend, effort_hours=Decimal("8"))
    Assignment.objects.create(task=lone, resource=person, work=8 * HOUR)
    rows = {row.need: row for row in needs_report.staffing(project)}
    assert rows[alone].assigned_hours == 8 and not rows[alone].short
