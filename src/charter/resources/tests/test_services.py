"""Resource and assignment services: validation, versioning, audit and rescheduling."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.services import calendars
from charter.resources.models import Assignment, Resource
from charter.resources.services import pool as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(project):
    return project.tasks.filter(is_summary=False).order_by("position").first()


@pytest.fixture
def resource(users):
    return services.create_resource(actor=users["manager"], name=" 王工 ", user=users["member"])


def _actions(obj):
    return list(AuditEvent.objects.for_object(obj).values_list("action", flat=True))


def test_create_strips_the_name_and_records_who_created_it(resource):
    assert resource.name == "王工"
    assert _actions(resource) == ["created"]


def test_a_client_user_is_never_a_resource(users):
    with pytest.raises(ValidationError) as error:
        services.create_resource(actor=users["manager"], name="客户", user=users["client"])
    assert "user" in error.value.error_dict and not Resource.objects.exists()


def test_a_project_calendar_is_not_a_resource_calendar(users, project):
    own = calendars.create_calendar(actor=users["manager"], name="项目日历", project=project)
    with pytest.raises(ValidationError) as error:
        services.create_resource(actor=users["manager"], name="王工", calendar=own)
    assert "calendar" in error.value.error_dict


def test_update_is_versioned_and_audited(users, resource):
    services.update_resource(
        resource, actor=users["manager"], expected_version=1, standard_rate=Decimal("300")
    )
    assert resource.version == 2
    event = AuditEvent.objects.for_object(resource).get(action="updated")
    assert event.changes == {"standard_rate": ["0.00", "300"]}
    with pytest.raises(StaleEdit):
        services.update_resource(resource, actor=users["manager"], expected_version=1, name="旧")


def test_an_inactive_resource_cannot_be_assigned(users, resource, task):
    services.deactivate_resource(resource, actor=users["manager"], expected_version=1)
    with pytest.raises(ValidationError) as error:
        services.assign(task, resource, actor=users["manager"])
    assert "resource" in error.value.error_dict and not Assignment.objects.exists()


def test_a_person_works_at_more_than_zero_units(users, resource, task):
    with pytest.raises(ValidationError) as error:
        services.assign(task, resource, actor=users["manager"], units=Decimal("0"))
    assert "units" in error.value.error_dict
    material = services.create_resource(actor=users["manager"], name="服务器", kind="material")
    assert services.assign(task, material, actor=users["manager"], units=Decimal("0")).work == 0


def test_assign_defaults_work_to_duration_times_units_and_audits_the_task(users, resource, task):
    assignment = services.assign(task, resource, actor=users["manager"], units=Decimal("0.5"))
    assert assignment.work == task.duration // 2
    event = AuditEvent.objects.for_object(task).get(action="assigned")
    assert event.changes["assignment"][1].startswith("王工 50%")


def test_assigning_twice_is_refused_with_a_clear_message(users, resource, task):
    services.assign(task, resource, actor=users["manager"])
    with pytest.raises(ValidationError) as error:
        services.assign(task, resource, actor=users["manager"])
    assert "already assigned" in str(error.value.error_dict["resource"])


def test_assignment_changes_reschedule_the_project(users, resource, task, monkeypatch):
    scheduled = []
    monkeypatch.setattr(services, "schedule_project", scheduled.append)
    assignment = services.assign(task, resource, actor=users["manager"])
    services.update_assignment(assignment, actor=users["manager"], expected_version=1, work=600)
    services.unassign(assignment, actor=users["manager"])
    assert scheduled == [task.project] * 3
    assert {"assigned", "assignment_changed", "unassigned"} <= set(_actions(task))
    assert not Assignment.objects.exists()


def test_update_assignment_is_versioned(users, resource, task):
    assignment = services.assign(task, resource, actor=users["manager"])
    services.update_assignment(assignment, actor=users["manager"], expected_version=1, work=60)
    with pytest.raises(StaleEdit):
        services.update_assignment(assignment, actor=users["manager"], expected_version=1, work=1)
    assert Assignment.objects.get().work == 60


def test_a_new_resource_calendar_reschedules_the_projects_it_works_on(
    users, resource, task, monkeypatch
):
    services.assign(task, resource, actor=users["manager"])
    shared = calendars.create_calendar(actor=users["manager"], name="夜班")
    scheduled = []
    monkeypatch.setattr(services, "schedule_project", scheduled.append)
    services.update_resource(resource, actor=users["manager"], expected_version=1, name="王工")
    assert scheduled == []
    services.update_resource(resource, actor=users["manager"], expected_version=2, calendar=shared)
    assert scheduled == [task.project]


def test_delete_is_refused_while_assigned(users, resource, task):
    assignment = services.assign(task, resource, actor=users["manager"])
    with pytest.raises(ValidationError) as error:
        services.delete_resource(resource, actor=users["manager"])
    assert "assigned to 1 task" in error.value.messages[0]
    services.unassign(assignment, actor=users["manager"])
    services.delete_resource(resource, actor=users["manager"])
    assert not Resource.objects.exists()
    assert AuditEvent.objects.filter(action="deleted", object_repr="王工").exists()


def test_filter_counts_only_the_assignments_the_user_may_see(users, resource, task, client_org):
    from charter.planning.tests.factories import make_project

    other = make_project(client_org, manager=users["manager"])
    other_task = other.tasks.filter(is_summary=False).first()
    services.assign(task, resource, actor=users["manager"])
    services.assign(other_task, resource, actor=users["manager"])
    rows = Resource.objects.all()
    assert services.filter_resources(rows, user=users["manager"]).get().assignment_count == 2
    assert services.filter_resources(rows, user=users["member"]).get().assignment_count == 1
    assert services.filter_resources(rows, user=users["member"], q="member").exists()
    assert not services.filter_resources(rows, user=users["member"], active=False).exists()
    assert not services.filter_resources(rows, user=users["member"], kind="cost").exists()
