"""Conversion, projects and templates through the API."""

from decimal import Decimal

import pytest

from charter.core.tests.test_api import assert_problem
from charter.crm.choices import DecisionRole, StageKind
from charter.planning.models import Project, ProjectTemplate
from charter.planning.tests.factories import make_project, make_template, stage, won_deal
from charter.testing.factories import ContactFactory, InteractionFactory, OpportunityFactory

JSON = "application/json"


def convert_url(deal):
    return f"/api/v1/opportunities/{deal.pk}/convert"


@pytest.fixture
def body(users):
    def make(**fields):
        template = fields.pop("template", None) or make_template()
        return {
            "template_id": template.pk,
            "manager_id": users["manager"].pk,
            "start_date": "2026-12-01",
            **fields,
        }

    return make


@pytest.mark.django_db
def test_convert_creates_then_returns_the_existing_project(signed_in, client_org, body):
    deal = won_deal(client_org, amount=Decimal("250000.00"))
    sponsor = ContactFactory(client=client_org, influence=5, interest=2)
    note = InteractionFactory(client=client_org, opportunity=deal)
    http = signed_in("manager")
    payload = body(
        stakeholders=[{"contact_id": sponsor.pk, "role": "sponsor"}], interaction_ids=[note.pk]
    )
    created = http.post(convert_url(deal), payload, content_type=JSON)
    assert created.status_code == 201, created.content
    data = created.json()
    assert created["ETag"] == '"1"'
    assert data["budget"] == "250000.00" and data["currency"] == "CNY"
    assert data["opportunity_id"] == deal.pk and data["client"]["id"] == client_org.pk
    assert data["stakeholders"] == [
        {
            "contact_id": sponsor.pk,
            "name": sponsor.name,
            "role": "sponsor",
            "influence": 5,
            "interest": 2,
        }
    ]
    assert [r["score"] for r in data["risks"]] == [16, 12]
    assert [k["title"] for k in data["kickoff"]] == ["确认项目章程", "建立企业微信项目群"]
    again = http.post(convert_url(deal), body(), content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    another = http.post(convert_url(deal), body(force_new=True), content_type=JSON)
    assert another.status_code == 201 and another.json()["id"] != data["id"]


@pytest.mark.django_db
def test_convert_refuses_bad_requests_as_problems(
    signed_in, users, client_org, other_client_org, body
):
    http = signed_in("manager")
    open_deal = OpportunityFactory(client=client_org, stage=stage(StageKind.OPEN))
    assert_problem(http.post(convert_url(open_deal), body(), content_type=JSON), 422)
    deal = won_deal(client_org)
    stranger = ContactFactory(client=other_client_org)
    wrong = body(stakeholders=[{"contact_id": stranger.pk, "role": "sponsor"}])
    response = http.post(convert_url(deal), wrong, content_type=JSON)
    assert_problem(response, 422)
    assert response.json()["errors"][0]["field"] == "stakeholders"
    member_manager = body(manager_id=users["member"].pk)
    response = http.post(convert_url(deal), member_manager, content_type=JSON)
    assert response.json()["errors"][0]["field"] == "manager_id"
    assert_problem(
        http.post(convert_url(deal), body(template=None) | {"template_id": 0}, content_type=JSON),
        422,
    )
    assert not Project.objects.exists()
    assert_problem(signed_in("member").post(convert_url(deal), body(), content_type=JSON), 403)


@pytest.mark.django_db
def test_projects_list_filter_and_scope(signed_in, users, client_org, other_client_org):
    mine = make_project(client_org, manager=users["manager"])
    mine.members.add(users["member"])
    other = make_project(other_client_org, manager=users["admin"])
    manager = signed_in("manager")
    assert manager.get("/api/v1/projects").json()["count"] == 2
    found = manager.get("/api/v1/projects", {"client_id": other_client_org.pk}).json()
    assert [p["code"] for p in found["items"]] == [other.code]
    assert manager.get("/api/v1/projects", {"q": mine.code}).json()["count"] == 1
    member = signed_in("member")
    assert [p["id"] for p in member.get("/api/v1/projects").json()["items"]] == [mine.pk]
    assert_problem(member.get(f"/api/v1/projects/{other.pk}"), 404)
    assert_problem(signed_in("client").get(f"/api/v1/projects/{mine.pk}"), 403)


@pytest.mark.django_db
def test_patch_project_needs_if_match(signed_in, users, client_org):
    project = make_project(client_org, manager=users["manager"])
    http = signed_in("manager")
    url = f"/api/v1/projects/{project.pk}"
    assert http.get(url)["ETag"] == '"1"'
    changed = http.patch(
        url,
        {"budget": "99.50", "status": "executing", "manager_id": users["admin"].pk},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.content
    assert changed["ETag"] == '"2"'
    assert (
        changed.json()["budget"] == "99.50" and changed.json()["manager"]["id"] == users["admin"].pk
    )
    project.refresh_from_db()
    assert users["admin"] in project.members.all()
    stale = http.patch(url, {"name": "x"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)
    negative = http.patch(url, {"budget": "-1"}, content_type=JSON, headers={"If-Match": '"2"'})
    assert_problem(negative, 422)


@pytest.mark.django_db
def test_templates_create_patch_clone_delete(signed_in, users, client_org):
    http = signed_in("manager")
    created = http.post(
        "/api/v1/project-templates",
        {
            "name": "Consulting engagement",
            "language": "en",
            "phases": [{"name": "Kick-off", "tasks": [{"name": "Meeting", "is_milestone": True}]}],
            "risks": [{"title": "Scope creep", "probability": 4, "impact": 2}],
            "checklist": ["Charter signed"],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    template_id = created.json()["id"]
    url = f"/api/v1/project-templates/{template_id}"
    patched = http.patch(
        url,
        {"checklist": ["Charter signed", "Team introduced"], "is_default": True},
        content_type=JSON,
        headers={"If-Match": created["ETag"]},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["checklist"] == ["Charter signed", "Team introduced"]
    assert patched.json()["phases"][0]["tasks"][0]["name"] == "Meeting"  # untouched
    assert patched.json()["is_default"] is True
    copy = http.post(f"{url}/clone")
    assert copy.status_code == 201 and copy.json()["name"] == "Consulting engagement (copy)"
    assert http.delete(f"/api/v1/project-templates/{copy.json()['id']}").status_code == 204
    bad = http.post("/api/v1/project-templates", {"name": "x", "language": "fr"}, content_type=JSON)
    assert_problem(bad, 422)
    used = make_project(client_org, manager=users["manager"]).template
    assert_problem(http.delete(f"/api/v1/project-templates/{used.pk}"), 422)
    assert ProjectTemplate.objects.filter(pk=used.pk).exists()


@pytest.mark.django_db
def test_template_communications_carry_a_type_and_a_checked_rule(signed_in):
    http = signed_in("manager")
    report = {
        "content": "Weekly status report",
        "kind": "status_report",
        "rule": "FREQ=WEEKLY;BYDAY=FR",
    }
    created = http.post(
        "/api/v1/project-templates",
        {"name": "Reports", "communications": [report, {"content": "Kick-off notice"}]},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    rows = [(c["kind"], c["rule"], c["channel"]) for c in created.json()["communications"]]
    assert rows == [("status_report", "FREQ=WEEKLY;BYDAY=FR", "email"), ("custom", "", "email")]
    url = f"/api/v1/project-templates/{created.json()['id']}"
    for rule in ("FREQ=HOURLY", "not a rule"):
        bad = http.patch(
            url,
            {"communications": [{"content": "x"}, {**report, "rule": rule}]},
            content_type=JSON,
            headers={"If-Match": created["ETag"]},
        )
        body = assert_problem(bad, 422)
        assert [error["field"] for error in body["errors"]] == ["communications.1.rule"]
    unknown = http.post(
        "/api/v1/project-templates",
        {"name": "x", "communications": [{"content": "x", "kind": "newsletter"}]},
        content_type=JSON,
    )
    assert [e["field"] for e in assert_problem(unknown, 422)["errors"]] == ["communications.0.kind"]
    assert ProjectTemplate.objects.get().communications.count() == 2  # nothing half-written


@pytest.mark.django_db
def test_the_project_endpoint_costs_the_same_however_big(signed_in, users, client_org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_project(client_org, manager=users["manager"])
    big = make_project(client_org, manager=users["manager"])
    for _ in range(4):
        big.stakeholders.create(
            contact=ContactFactory(client=client_org), role=DecisionRole.KEY_USER
        )
    http = signed_in("manager")
    http.get(f"/api/v1/projects/{small.pk}")
    with CaptureQueriesContext(connection) as small_queries:
        http.get(f"/api/v1/projects/{small.pk}")
    with CaptureQueriesContext(connection) as big_queries:
        http.get(f"/api/v1/projects/{big.pk}")
    assert len(small_queries) == len(big_queries)


@pytest.mark.django_db
def test_patch_sets_the_team(signed_in, users, client_org):
    http = signed_in("manager")
    project = make_project(client_org, manager=users["manager"])
    url = f"/api/v1/projects/{project.pk}"
    etag = http.get(url)["ETag"]
    response = http.patch(
        url,
        {"team_ids": [users["member"].pk]},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 200
    assert {member["id"] for member in response.json()["team"]} == {
        users["member"].pk,
        users["manager"].pk,
    }
    refused = http.patch(
        url,
        {"team_ids": [users["client"].pk]},
        content_type="application/json",
        headers={"If-Match": response["ETag"]},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "team_ids"
