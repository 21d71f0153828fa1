"""Goals and scope through the API: CRUD with ETag / If-Match, and the confirmation state."""

import pytest

from charter.discovery.choices import Decision
from charter.discovery.services import documents
from charter.discovery.tests.factories import make_document, make_requirement, sent_request
from charter.planning.models import Goal, ScopeItem
from charter.planning.tests.factories import make_project
from charter.planning.tests.matrix_goals import make_goal, make_scope_item
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _patch(http, url, body, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return http.patch(url, body, content_type="application/json", **headers)


def test_goals_are_created_read_edited_and_deleted(project, signed_in):
    requirement = make_requirement(project)
    http = signed_in("manager")
    created = http.post(
        f"{API}/projects/{project.pk}/goals",
        {
            "title": "月结天数",
            "target": "3",
            "unit": "天",
            "baseline_value": "10",
            "due_date": "2027-06-30",
            "requirement_ids": [requirement.pk],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["requirement_codes"] == [requirement.code] and body["version"] == 1
    url = f"{API}/goals/{body['id']}"
    read = http.get(url)
    assert read["ETag"] == '"1"' and read.json()["title"] == "月结天数"
    assert _patch(http, url, {"target": "2"}).status_code == 428
    edited = _patch(http, url, {"target": "2", "requirement_ids": []}, '"1"')
    assert edited.status_code == 200 and edited["ETag"] == '"2"'
    assert edited.json()["requirement_ids"] == []
    stale = _patch(http, url, {"title": "旧"}, '"1"')
    assert stale.status_code == 412 and stale["Content-Type"] == "application/problem+json"
    listing = http.get(f"{API}/projects/{project.pk}/goals").json()
    assert [goal["target"] for goal in listing] == ["2.00"]
    assert http.delete(url).status_code == 204
    assert not Goal.objects.exists()


def test_bad_goal_input_names_the_fields(project, signed_in, users, client_org):
    foreign = make_requirement(make_project(client_org, manager=users["manager"]))
    http = signed_in("manager")
    response = http.post(
        f"{API}/projects/{project.pk}/goals",
        {
            "title": "月结天数",
            "target": "3",
            "unit": "天",
            "due_date": "2027-06-30",
            "requirement_ids": [foreign.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["requirement_ids"]
    response = http.post(
        f"{API}/projects/{project.pk}/goals",
        {"title": "", "target": "x", "unit": "天", "due_date": "2027-06-30"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"title", "target"}


def test_scope_statements_through_the_api(project, signed_in):
    http = signed_in("manager")
    created = http.post(
        f"{API}/projects/{project.pk}/scope",
        {"text": "人力资源模块", "in_scope": False},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["in_scope"] is False
    url = f"{API}/scope-items/{created.json()['id']}"
    assert http.get(url)["ETag"] == '"1"'
    edited = _patch(http, url, {"in_scope": True}, '"1"')
    assert edited.status_code == 200 and edited.json()["in_scope"] is True
    make_scope_item(project, text="移动端")
    texts = [item["text"] for item in http.get(f"{API}/projects/{project.pk}/scope").json()]
    assert texts == ["人力资源模块", "移动端"]
    assert http.delete(url).status_code == 204
    assert ScopeItem.objects.count() == 1


def test_other_projects_are_404_and_members_read_only(project, signed_in, users, client_org):
    goal = make_goal(project)
    elsewhere = make_goal(make_project(client_org, manager=users["manager"]), title="别处")
    member = signed_in("member")
    assert member.get(f"{API}/goals/{goal.pk}").status_code == 200
    assert member.get(f"{API}/goals/{elsewhere.pk}").status_code == 404
    assert member.get(f"{API}/projects/{elsewhere.project_id}/goals").status_code == 404
    assert member.delete(f"{API}/goals/{goal.pk}").status_code == 403


def test_the_confirmation_state_says_who_confirmed_and_what_changed(project, signed_in, users):
    goal = make_goal(project)
    http = signed_in("member")
    url = f"{API}/projects/{project.pk}/goals/confirmation"
    assert http.get(url).json()["state"] == "never_confirmed"
    contact = ContactFactory(client=project.client, name="陈静")
    document = make_document(project, actor=users["manager"])
    documents.update_document(document, actor=None, expected_version=2, confirmers=[contact])
    version = documents.publish_document(document, actor=None)
    request, _token = sent_request(version, contact=contact)
    documents.decide(
        request, decision=Decision.CONFIRMED, content_hash=version.content_hash, ip="10.0.0.8"
    )
    body = http.get(url).json()
    assert body["state"] == "confirmed" and body["confirmed_version"] == 1
    assert body["confirmed_by"][0]["contact"] == "陈静"
    assert body["confirmed_by"][0]["decided_hash"] == version.content_hash
    _patch(signed_in("manager"), f"{API}/goals/{goal.pk}", {"unit": "工作日"}, '"1"')
    body = http.get(url).json()
    assert body["state"] == "changed"
    assert body["changes"]["goals"] == [
        {
            "title": "月结天数",
            "kind": "changed",
            "fields": [{"field": "unit", "old": "天", "new": "工作日"}],
        }
    ]
