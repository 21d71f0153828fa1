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


def test_the_needs_tab_lists_needs_to_staff_and_assigns_from_there(signed_in, project):
    from django.urls import reverse

    from charter.resources.services.needs_report import staffing

    http = signed_in("manager")
    task = _scheduled_task(project)
    role = Role.objects.create(name="后端")
    need = TaskNeed.objects.create(task=task, role=role, effort_hours=Decimal("16"))
    half = Resource.objects.create(name="半职后端", role=role)
    Assignment.objects.create(task=task, resource=half, work=6 * 60)
    Assignment.objects.create(task=task, resource=Resource.objects.create(name="无角色"), work=600)
    wang = Resource.objects.create(name="王工", role=role)

    [row] = staffing(project)
    assert (row.need, row.assigned_hours, row.shortfall_hours) == (need, 6, 10)
    tab = reverse("resources:project_needs", args=[project.pk])
    body = http.get(tab).content.decode()
    assert 'data-testid="needs-staffing"' in body and f'data-need="{need.pk}" data-short' in body
    candidates = reverse("resources:need_candidates", args=[need.pk])
    fragment = http.get(candidates, headers={"HX-Request": "true"}).content.decode()
    assert "王工" in fragment and f'name="next" value="{tab}"' in fragment
    assert http.get(candidates)["Location"].endswith("#needs")  # without HTMX: the task page
    assigned = http.post(
        reverse("resources:need_assign", args=[need.pk]), {"resource": wang.pk, "next": tab}
    )
    assert assigned["Location"] == tab
    [row] = staffing(project)
    assert not row.short
    outside = http.post(
        reverse("resources:need_assign", args=[need.pk]),
        {"resource": half.pk, "next": "https://evil.example/"},
    )
    assert outside["Location"].endswith("#needs")
    member = signed_in("member").get(candidates, headers={"HX-Request": "true"})
    assert member.status_code == 200 and "need-assign" not in member.content.decode()
    assert signed_in("client").get(candidates).status_code == 403


def test_the_staffing_list_query_count_does_not_grow(signed_in, project):
    from django.urls import reverse

    http = signed_in("manager")
    task = _scheduled_task(project)
    tab = reverse("resources:project_needs", args=[project.pk])
    _grow(task, 1, 0)
    with CaptureQueriesContext(connection) as few:
        http.get(tab)
    _grow(task, 4, 1)
    with CaptureQueriesContext(connection) as many:
        body = http.get(tab).content.decode()
    assert body.count('data-testid="show-candidates"') == 5
    assert len(many) == len(few)
