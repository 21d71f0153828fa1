"""The resource pool and task assignments through the API."""

from decimal import Decimal

import pytest

from charter.resources.models import Assignment, Resource
from charter.resources.services import pool as services

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def task(project):
    return project.tasks.filter(is_summary=False).order_by("position").first()


def test_create_list_read_patch_and_delete_a_resource(signed_in, users):
    http = signed_in("manager")
    created = http.post(
        "/api/v1/resources",
        {"name": "王工", "user_id": users["member"].pk, "standard_rate": "300", "max_units": 0.5},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["user_id"], Decimal(body["standard_rate"]), created["ETag"]) == (
        users["member"].pk,
        300,
        '"1"',
    )
    assert [row["name"] for row in http.get("/api/v1/resources", {"q": "王"}).json()["items"]] == [
        "王工"
    ]
    assert http.get("/api/v1/resources", {"active": "false"}).json()["count"] == 0
    url = f"/api/v1/resources/{body['id']}"
    assert http.get(url)["ETag"] == '"1"'
    patched = http.patch(url, {"is_active": False}, content_type=JSON, headers={"If-Match": '"1"'})
    assert (patched.status_code, patched["ETag"], patched.json()["is_active"]) == (
        200,
        '"2"',
        False,
    )
    stale = http.patch(url, {"name": "旧"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert http.patch(url, {"name": "新"}, content_type=JSON).status_code == 428
    assert http.delete(url).status_code == 204
    assert not Resource.objects.exists()


def test_rates_are_null_for_members(signed_in, users):
    resource = services.create_resource(
        actor=users["manager"], name="王工", standard_rate=Decimal("300")
    )
    member = signed_in("member")
    listed = member.get("/api/v1/resources").json()["items"][0]
    one = member.get(f"/api/v1/resources/{resource.pk}").json()
    assert (listed["standard_rate"], listed["currency"]) == (None, None)
    assert (one["standard_rate"], one["currency"]) == (None, None)
    assert signed_in("admin").get(f"/api/v1/resources/{resource.pk}").json()["currency"] == "CNY"


def test_a_client_user_or_unknown_calendar_is_422_on_its_field(signed_in, users):
    http = signed_in("manager")
    client_user = http.post(
        "/api/v1/resources", {"name": "客户", "user_id": users["client"].pk}, content_type=JSON
    )
    calendar = http.post("/api/v1/resources", {"name": "x", "calendar_id": 999}, content_type=JSON)
    assert client_user.status_code == calendar.status_code == 422
    assert client_user.json()["errors"][0]["field"] == "user_id"
    assert calendar.json()["errors"][0]["field"] == "calendar_id"


def test_deleting_an_assigned_resource_is_422_with_the_reason(signed_in, users, task):
    resource = services.create_resource(actor=users["manager"], name="王工")
    services.assign(task, resource, actor=users["manager"])
    response = signed_in("manager").delete(f"/api/v1/resources/{resource.pk}")
    assert response.status_code == 422
    assert "deactivate the resource" in response.json()["errors"][0]["detail"]


def test_assign_list_change_and_remove(signed_in, users, task):
    resource = services.create_resource(actor=users["manager"], name="王工")
    http = signed_in("manager")
    base = f"/api/v1/tasks/{task.pk}/assignments"
    created = http.post(base, {"resource_id": resource.pk, "units": 0.5}, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["resource_name"], body["work"]) == ("王工", task.duration // 2)
    again = http.post(base, {"resource_id": resource.pk}, content_type=JSON)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "resource_id"
    listed = signed_in("member").get(base).json()
    assert [row["id"] for row in listed] == [body["id"]]
    url = f"/api/v1/assignments/{body['id']}"
    patched = http.patch(url, {"work": 120}, content_type=JSON, headers={"If-Match": '"1"'})
    assert (patched.status_code, patched.json()["work"], patched["ETag"]) == (200, 120, '"2"')
    zero = http.patch(url, {"units": 0}, content_type=JSON, headers={"If-Match": '"2"'})
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "units"
    assert http.delete(url).status_code == 204
    assert not Assignment.objects.exists()


def test_a_task_of_a_project_the_member_is_not_on_is_404(signed_in, users, client_org):
    from charter.planning.tests.factories import make_project

    other = make_project(client_org, manager=users["manager"])
    other_task = other.tasks.filter(is_summary=False).first()
    assert signed_in("member").get(f"/api/v1/tasks/{other_task.pk}/assignments").status_code == 404
