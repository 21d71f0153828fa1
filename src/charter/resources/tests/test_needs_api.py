"""Roles, skills, rates, needs, candidates, assigning from a need and replacing a generic
resource through the API: problem+json with field paths, ETags, and rates for managers only."""

import datetime
from decimal import Decimal

import pytest

from charter.planning.adapters import to_aware
from charter.planning.models import Task
from charter.resources.models import Assignment, RateChange, Resource, Role, Skill, TaskNeed

pytestmark = pytest.mark.django_db
JSON = "application/json"
W1 = datetime.date(2026, 12, 7)


@pytest.fixture
def task(project):
    task = project.tasks.filter(is_summary=False).order_by("position").first()
    start = to_aware(datetime.datetime(2026, 12, 7, 9))
    Task.objects.filter(pk=task.pk).update(
        start=start, finish=start + datetime.timedelta(days=4, hours=9)
    )
    task.refresh_from_db()
    return task


def test_roles_and_skills_crud(signed_in):
    http = signed_in("manager")
    created = http.post("/api/v1/roles", {"name": "后端工程师"}, content_type=JSON)
    assert created.status_code == 201 and created["ETag"] == '"1"'
    url = f"/api/v1/roles/{created.json()['id']}"
    twice = http.post("/api/v1/roles", {"name": "后端工程师"}, content_type=JSON)
    assert twice.status_code == 422 and twice["Content-Type"] == "application/problem+json"
    assert http.patch(url, {"description": "x"}, content_type=JSON).status_code == 428
    patched = http.patch(
        url, {"description": "写服务"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert (patched.status_code, patched["ETag"]) == (200, '"2"')
    assert [r["name"] for r in signed_in("member").get("/api/v1/roles").json()] == ["后端工程师"]
    assert (
        signed_in("member").post("/api/v1/roles", {"name": "x"}, content_type=JSON).status_code
        == 403
    )
    skill = http.post("/api/v1/skills", {"name": "Go"}, content_type=JSON).json()
    assert http.get(f"/api/v1/skills/{skill['id']}").status_code == 200
    assert http.delete(f"/api/v1/skills/{skill['id']}").status_code == 204
    assert http.delete(url).status_code == 204
    assert not Role.objects.exists() and not Skill.objects.exists()


def test_resource_skills_profile_and_rates_for_managers_only(signed_in):
    http, member = signed_in("manager"), signed_in("member")
    wang = Resource.objects.create(name="王工", standard_rate=Decimal("100"))
    skill = Skill.objects.create(name="PostgreSQL")
    base = f"/api/v1/resources/{wang.pk}"
    added = http.post(f"{base}/skills", {"skill_id": skill.pk, "level": 4}, content_type=JSON)
    assert added.status_code == 201 and added.json()["skill_name"] == "PostgreSQL"
    again = http.post(f"{base}/skills", {"skill_id": skill.pk}, content_type=JSON)
    assert again.status_code == 422 and "skill_id" in again.content.decode()
    bad = http.post(f"{base}/skills", {"skill_id": skill.pk, "level": 9}, content_type=JSON)
    assert bad.status_code == 422
    row = f"/api/v1/resource-skills/{added.json()['id']}"
    assert (
        http.patch(row, {"level": 5}, content_type=JSON, headers={"If-Match": '"1"'}).json()[
            "level"
        ]
        == 5
    )
    assert member.get(f"{base}/skills").json()[0]["level"] == 5

    rate = http.post(
        f"{base}/rates", {"effective_from": "2026-12-10", "cost_rate": "200"}, content_type=JSON
    )
    assert rate.status_code == 201 and rate.json()["currency"] == "CNY"
    same_day = http.post(
        f"{base}/rates", {"effective_from": "2026-12-10", "cost_rate": "1"}, content_type=JSON
    )
    assert same_day.status_code == 422 and "effective_from" in same_day.content.decode()
    assert member.get(f"{base}/rates").status_code == 403
    change = f"/api/v1/rate-changes/{rate.json()['id']}"
    assert member.delete(change).status_code == 403
    stale = http.patch(change, {"cost_rate": "3"}, content_type=JSON, headers={"If-Match": '"9"'})
    assert stale.status_code == 412
    assert http.delete(change).status_code == 204 and not RateChange.objects.exists()


def test_needs_candidates_assign_and_needs_by_week(signed_in, task, project):
    http, member, client = signed_in("manager"), signed_in("member"), signed_in("client")
    role = Role.objects.create(name="后端")
    wang = Resource.objects.create(name="王工", role=role, standard_rate=Decimal("100"))
    made = http.post(
        f"/api/v1/tasks/{task.pk}/needs",
        {"role_id": role.pk, "effort_hours": "20", "quantity": 2},
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    need = made.json()
    assert (
        http.post(
            f"/api/v1/tasks/{task.pk}/needs", {"role_id": 999, "effort_hours": 1}, content_type=JSON
        ).status_code
        == 422
    )
    assert [n["id"] for n in member.get(f"/api/v1/tasks/{task.pk}/needs").json()] == [need["id"]]
    assert client.get(f"/api/v1/tasks/{task.pk}/needs").status_code == 403
    url = f"/api/v1/needs/{need['id']}"
    patched = http.patch(url, {"note": "上线前"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert patched.json()["note"] == "上线前"
    [candidate] = member.get(f"{url}/candidates").json()
    assert candidate["resource_id"] == wang.pk and candidate["role_match"]
    assert (
        member.post(f"{url}/assign", {"resource_id": wang.pk}, content_type=JSON).status_code == 403
    )
    assigned = http.post(f"{url}/assign", {"resource_id": wang.pk}, content_type=JSON)
    assert assigned.status_code == 201 and assigned.json()["work"] == 600
    again = http.post(f"{url}/assign", {"resource_id": wang.pk}, content_type=JSON)
    assert again.status_code == 422 and "resource_id" in again.content.decode()

    report = http.get(
        f"/api/v1/projects/{project.pk}/needs-by-week", {"start": "2026-11-30", "weeks": 4}
    )
    assert report.status_code == 200
    body = report.json()
    assert body["roles"][0]["role_name"] == "后端" and body["money"] is not None
    assert body["equipment"] == [] and body["materials"] == []
    assert member.get(f"/api/v1/projects/{project.pk}/needs-by-week").json()["money"] is None
    assert client.get(f"/api/v1/projects/{project.pk}/needs-by-week").status_code == 403
    assert http.delete(url).status_code == 204 and not TaskNeed.objects.exists()


def test_replace_a_generic_resource(signed_in, task):
    http = signed_in("manager")
    generic = Resource.objects.create(name="后端 ×2", max_units=2, is_placeholder=True)
    assignment = Assignment.objects.create(task=task, resource=generic, units=2, work=600)
    wang = Resource.objects.create(name="王工")
    url = f"/api/v1/assignments/{assignment.pk}/replace"
    stale = http.post(url, {"person_id": wang.pk}, content_type=JSON, headers={"If-Match": '"5"'})
    assert stale.status_code == 412
    done = http.post(url, {"person_id": wang.pk}, content_type=JSON)
    assert done.status_code == 200 and done.json()["resource_id"] == wang.pk
    assert (done.json()["work"], Decimal(done.json()["units"])) == (600, 2)
    refused = http.post(url, {"person_id": wang.pk}, content_type=JSON)
    assert refused.status_code == 422
