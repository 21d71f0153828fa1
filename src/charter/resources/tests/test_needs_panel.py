"""A task page's Needs panel costs the same number of queries whatever the number of needs,
skills, candidates and generic resources on the task."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.planning.adapters import to_aware
from charter.planning.models import Task
from charter.resources.models import Assignment, Resource, ResourceSkill, Role, Skill, TaskNeed

pytestmark = pytest.mark.django_db


def _scheduled_task(project):
    task = project.tasks.filter(is_summary=False).order_by("position")[0]
    start = to_aware(datetime.datetime(2026, 12, 7, 9))
    Task.objects.filter(pk=task.pk).update(start=start, finish=start + datetime.timedelta(days=4))
    task.refresh_from_db()
    return task


def _grow(task, count: int, offset: int) -> None:
    for n in range(offset, offset + count):
        role = Role.objects.create(name=f"角色 {n}")
        skill = Skill.objects.create(name=f"技能 {n}")
        TaskNeed.objects.create(
            task=task, role=role, skill=skill, min_level=2, effort_hours=Decimal("8")
        )
        person = Resource.objects.create(name=f"人 {n}", role=role)
        ResourceSkill.objects.create(resource=person, skill=skill, level=3)
        generic = Resource.objects.create(name=f"通用 {n}", role=role, is_placeholder=True)
        Assignment.objects.create(task=task, resource=generic, work=60)


def _page(http, task):
    with CaptureQueriesContext(connection) as queries:
        body = http.get(task.get_absolute_url()).content.decode()
    return body, len(queries)


def test_the_needs_panel_query_count_does_not_grow_with_needs(signed_in, project):
    http = signed_in("manager")
    task = _scheduled_task(project)
    _grow(task, 1, 0)
    few_body, few = _page(http, task)
    assert few_body.count('data-testid="candidates"') == 1
    _grow(task, 5, 1)
    many_body, many = _page(http, task)
    assert many_body.count('data-testid="candidates"') == 6
    assert many_body.count("data-placeholder=") == 6
    assert "人 5" in many_body and "技能 5 ≥ 2" in many_body
    assert many == few
