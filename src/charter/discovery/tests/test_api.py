import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.discovery.models import Requirement
from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import make_project
from charter.testing.factories import OpportunityFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_create_list_read_and_patch(signed_in, users, project):
    http = signed_in("member")
    base = f"/api/v1/projects/{project.pk}/requirements"
    created = http.post(
        base,
        {"title": "单点登录", "priority": "must", "owner_id": users["member"].pk},
        content_type=JSON,
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["code"], body["project_id"], body["owner_id"]) == (
        "REQ-001",
        project.pk,
        users["member"].pk,
    )
    listed = http.get(base, {"priority": "must"}).json()
    assert [row["code"] for row in listed["items"]] == ["REQ-001"]
    url = f"/api/v1/requirements/{body['id']}"
    read = http.get(url)
    assert read["ETag"] == '"1"'
    patched = http.patch(
        url, {"status": "confirmed"}, content_type=JSON, headers={"If-Match": read["ETag"]}
    )
    assert patched.status_code == 200
    assert (patched.json()["status"], patched["ETag"]) == ("confirmed", '"2"')


def test_stale_or_missing_if_match(signed_in, project):
    requirement = make_requirement(project)
    http = signed_in("manager")
    url = f"/api/v1/requirements/{requirement.pk}"
    assert http.patch(url, {"title": "x"}, content_type=JSON).status_code == 428
    ok = http.patch(url, {"title": "新"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    stale = http.patch(url, {"title": "旧"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    requirement.refresh_from_db()
    assert requirement.title == "新"


def test_bad_input_is_a_problem_with_field_paths(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    http = signed_in("member")
    url = f"/api/v1/opportunities/{deal.pk}/requirements"
    latent = http.post(url, {"title": "x", "latent_need": True}, content_type=JSON)
    assert latent.status_code == 422
    assert [e["field"] for e in latent.json()["errors"]] == ["latent_evidence"]
    score = http.post(url, {"title": "x", "value": 9}, content_type=JSON)
    assert score.status_code == 422
    assert [e["field"] for e in score.json()["errors"]] == ["value"]
    owner = http.post(url, {"title": "x", "owner_id": 999999}, content_type=JSON)
    assert [e["field"] for e in owner.json()["errors"]] == ["owner_id"]
    assert not Requirement.objects.exists()


def test_a_deals_requirements_through_the_api(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    make_requirement(deal)
    rows = signed_in("member").get(f"/api/v1/opportunities/{deal.pk}/requirements").json()
    assert [(row["code"], row["opportunity_id"]) for row in rows["items"]] == [("REQ-001", deal.pk)]


def test_the_list_costs_the_same_with_more_rows(signed_in, project):
    http = signed_in("member")
    url = f"/api/v1/projects/{project.pk}/requirements"
    make_requirement(project)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for _ in range(5):
        make_requirement(project)
    with CaptureQueriesContext(connection) as more:
        assert len(http.get(url).json()["items"]) == 6
    assert len(more) == len(few)


def test_other_teams_and_client_users_get_nothing(signed_in, users, client_org):
    requirement = make_requirement(make_project(client_org, manager=users["manager"]))
    url = f"/api/v1/requirements/{requirement.pk}"
    assert signed_in("member").get(url).status_code == 404
    assert signed_in("client").get(url).status_code == 403
    project_url = f"/api/v1/projects/{requirement.project_id}/requirements"
    assert signed_in("member").get(project_url).status_code == 404
    assert signed_in("client").get(project_url).status_code == 403
