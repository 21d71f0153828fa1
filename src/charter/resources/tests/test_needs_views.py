"""The pages: roles and skills, a resource's skills / role / rate history (rates for managers
only), a task's Needs panel with candidates and Assign, replacing a generic resource, and the
project's Needs tab, whose query count does not grow with roles, needs and assignments."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.planning.adapters import to_aware
from charter.planning.models import Task
from charter.resources.choices import ResourceKind
from charter.resources.models import (
    Assignment,
    RateChange,
    Resource,
    ResourceSkill,
    Role,
    Skill,
    TaskNeed,
)

pytestmark = pytest.mark.django_db
W1 = datetime.date(2026, 12, 7)


def _scheduled(project, index=0, days=4):
    task = project.tasks.filter(is_summary=False).order_by("position")[index]
    start = to_aware(datetime.datetime(2026, 12, 7, 9))
    finish = start + datetime.timedelta(days=days, hours=9)
    Task.objects.filter(pk=task.pk).update(start=start, finish=finish)
    task.refresh_from_db()
    return task


def test_roles_page_add_edit_delete_and_empty_states(signed_in):
    http = signed_in("manager")
    page = http.get(reverse("resources:roles"))
    assert page.status_code == 200 and b"No roles yet." in page.content
    assert b"No skills yet." in page.content
    assert http.post(reverse("resources:role_add"), {"name": "后端工程师"}).status_code == 302
    role = Role.objects.get()
    http.post(reverse("resources:role_edit", args=[role.pk]), {"name": "后端", "version": 1})
    role.refresh_from_db()
    assert role.name == "后端"
    stale = http.post(
        reverse("resources:role_edit", args=[role.pk]), {"name": "x", "version": 1}, follow=True
    )
    assert b"Someone else saved" in stale.content
    http.post(reverse("resources:skill_add"), {"name": "Go"})
    page = http.get(reverse("resources:roles"))
    assert "后端".encode() in page.content and b"data-confirm" in page.content
    member_page = signed_in("member").get(reverse("resources:roles"))
    assert member_page.status_code == 200 and b"role-form" not in member_page.content
    http.post(reverse("resources:skill_delete", args=[Skill.objects.get().pk]))
    http.post(reverse("resources:role_delete", args=[role.pk]))
    assert not Role.objects.exists() and not Skill.objects.exists()


def test_resource_page_skills_and_rates_for_managers_only(signed_in):
    http = signed_in("manager")
    role = Role.objects.create(name="后端")
    wang = Resource.objects.create(
        name="王工", standard_rate=Decimal("100"), role=role, cost_per_use=12
    )
    skill = Skill.objects.create(name="PostgreSQL")
    url = reverse("resources:resource_detail", args=[wang.pk])
    http.post(
        reverse("resources:resource_skill_add", args=[wang.pk]), {"skill": skill.pk, "level": 4}
    )
    http.post(
        reverse("resources:rate_add", args=[wang.pk]),
        {
            "effective_from": "2026-12-10",
            "cost_rate": "234.5",
            "bill_rate": "400",
            "currency": "CNY",
        },
    )
    assert ResourceSkill.objects.get().level == 4 and RateChange.objects.count() == 1
    page = http.get(url).content.decode()
    assert 'data-testid="rate-history"' in page and "234.50" in page and "rate-form" in page
    member = signed_in("member").get(url).content.decode()
    assert "PostgreSQL" in member and "后端" in member
    assert "rate-history" not in member and "234.50" not in member and "cost-per-use" not in member
    assert "cost per use" in page.lower() and "cost per use" not in member.lower()  # history too
    assert (
        signed_in("member")
        .post(reverse("resources:rate_add", args=[wang.pk]), {"cost_rate": 1})
        .status_code
        == 403
    )
    change = RateChange.objects.get()
    http.post(reverse("resources:rate_delete", args=[change.pk]))
    assert not RateChange.objects.exists()


def test_task_needs_panel_candidates_assign_and_replace(signed_in, project):
    http = signed_in("manager")
    task = _scheduled(project)
    role = Role.objects.create(name="后端")
    wang = Resource.objects.create(name="王工", role=role)
    url = task.get_absolute_url()
    page = http.get(url).content.decode()
    assert 'data-testid="task-needs"' in page and "No needs yet" in page
    added = http.post(
        reverse("resources:need_add", args=[task.pk]),
        {"need-role": role.pk, "need-min_level": 1, "need-quantity": 1, "need-effort_hours": "16"},
    )
    assert added.status_code == 302 and added["Location"].endswith("#needs")
    need = TaskNeed.objects.get()
    page = http.get(url).content.decode()
    assert 'data-testid="candidates"' in page and "王工" in page and "need-assign" in page
    http.post(reverse("resources:need_assign", args=[need.pk]), {"resource": wang.pk})
    assert Assignment.objects.get(task=task, resource=wang).work == 16 * 60

    generic = Resource.objects.create(name="后端 ×2", is_placeholder=True, role=role, max_units=2)
    placeholder = Assignment.objects.create(task=task, resource=generic, units=2, work=600)
    li = Resource.objects.create(name="李工", role=role)
    page = http.get(url).content.decode()
    assert "Replace with a person" in page and "李工" in page
    http.post(
        reverse("resources:placeholder_replace", args=[placeholder.pk]),
        {"person": li.pk, "version": placeholder.version},
    )
    placeholder.refresh_from_db()
    assert (placeholder.resource, placeholder.work) == (li, 600)
    member_page = signed_in("member").get(url).content.decode()
    assert "task-needs" in member_page and "need-form" not in member_page
    http.post(reverse("resources:need_delete", args=[need.pk]))
    assert not TaskNeed.objects.exists()


def _grow(project, roles: int, offset: int) -> None:
    tasks = list(project.tasks.filter(is_summary=False).order_by("position"))
    for n in range(roles):
        role = Role.objects.create(name=f"角色 {offset + n}")
        task = tasks[n % len(tasks)]
        TaskNeed.objects.create(task=task, role=role, effort_hours=Decimal("40"))
        person = Resource.objects.create(name=f"人 {offset + n}", role=role, standard_rate=50)
        RateChange.objects.create(resource=person, effective_from=W1, cost_rate=60, bill_rate=90)
        Assignment.objects.create(task=task, resource=person, work=20 * 60)
        tool = Resource.objects.create(name=f"设备 {offset + n}", kind=ResourceKind.MATERIAL)
        Assignment.objects.create(task=task, resource=tool, units=2, work=0)
        # One crane owned, two in use: over the quantity owned.
        crane = Resource.objects.create(
            name=f"吊车 {offset + n}", kind=ResourceKind.EQUIPMENT, standard_rate=80
        )
        Assignment.objects.create(task=task, resource=crane, units=2, work=16 * 60)


def test_needs_tab_shortfall_money_and_constant_queries(signed_in, project):
    from charter.planning.adapters import schedule_project

    http = signed_in("manager")
    url = reverse("resources:project_needs", args=[project.pk])
    empty = http.get(url, {"start": "2026-11-30", "weeks": 6})
    assert empty.status_code == 200 and b"No needs or role assignments yet." in empty.content
    _grow(project, 2, 0)
    schedule_project(project)
    with CaptureQueriesContext(connection) as few:
        page = http.get(url, {"start": "2026-11-30", "weeks": 6})
    body = page.content.decode()
    assert "角色 0" in body and "data-short" in body and "设备 1" in body
    assert "Equipment and materials by week" in body
    assert 'data-equipment="' in body and "吊车 1" in body and "data-over" in body
    assert 'data-testid="needs-money"' in body
    _grow(project, 6, 10)
    schedule_project(project)
    with CaptureQueriesContext(connection) as many:
        http.get(url, {"start": "2026-11-30", "weeks": 12})
    assert len(many) == len(few)
    member = signed_in("member").get(url, {"start": "2026-11-30"}).content.decode()
    assert "角色 0" in member and "needs-money" not in member
    assert signed_in("client").get(url).status_code == 403
