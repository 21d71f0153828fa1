import pytest

from charter.core.models import AuditEvent
from charter.planning.models import ProjectIssue, Risk
from charter.planning.tests.factories import make_project
from charter.planning.tests.matrix_raid import make_entry

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_create_list_read_patch_and_delete_a_risk(signed_in, users, project):
    http = signed_in("member")
    base = f"/api/v1/projects/{project.pk}/risks"
    created = http.post(
        base,
        {
            "title": "硬件到货延迟",
            "probability": 4,
            "impact": 5,
            "response": "transfer",
            "owner_id": users["member"].pk,
            "review_date": "2026-12-20",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["score"], body["owner_id"], body["status"]) == (20, users["member"].pk, "open")
    listed = http.get(base).json()
    assert listed["count"] == 3  # the two template risks too, highest score first
    assert listed["items"][0]["title"] == "硬件到货延迟"
    in_cell = http.get(base, {"probability": 4, "impact": 5}).json()["items"]
    assert [row["id"] for row in in_cell] == [body["id"]]
    url = f"/api/v1/risks/{body['id']}"
    assert http.get(url)["ETag"] == '"1"'
    patched = http.patch(
        url, {"status": "occurred"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert (patched.status_code, patched["ETag"], patched.json()["status"]) == (
        200,
        '"2"',
        "occurred",
    )
    stale = http.patch(url, {"impact": 1}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert AuditEvent.objects.filter(action="status_changed").count() == 1
    assert signed_in("member").delete(url).status_code == 403
    assert signed_in("manager").delete(url).status_code == 204
    assert not Risk.objects.filter(pk=body["id"]).exists()


def test_an_edit_without_if_match_is_428(signed_in, project):
    risk = make_entry(project, "risks")
    response = signed_in("member").patch(
        f"/api/v1/risks/{risk.pk}", {"impact": 1}, content_type=JSON
    )
    assert response.status_code == 428


def test_invalid_values_are_422_with_field_paths(signed_in, users, project):
    http = signed_in("member")
    base = f"/api/v1/projects/{project.pk}/risks"
    response = http.post(base, {"title": "x", "probability": 6}, content_type=JSON)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["probability"]
    response = http.post(base, {"title": "x", "owner_id": users["client"].pk}, content_type=JSON)
    assert [error["field"] for error in response.json()["errors"]] == ["owner_id"]
    response = http.post(base, {"title": "x", "owner_id": 999_999}, content_type=JSON)
    assert [error["field"] for error in response.json()["errors"]] == ["owner_id"]


def test_resolving_an_issue_needs_a_resolution(signed_in, project):
    issue = make_entry(project, "issues")
    url = f"/api/v1/issues/{issue.pk}"
    http = signed_in("member")
    refused = http.patch(
        url, {"status": "resolved"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "resolution"
    resolved = http.patch(
        url,
        {"status": "resolved", "resolution": "按原范围验收", "agreed_by": "客户项目经理"},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert resolved.status_code == 200
    assert resolved.json()["resolved_at"] is not None
    assert ProjectIssue.objects.get().agreed_by == "客户项目经理"


def test_a_decision_names_an_issue_of_its_project(signed_in, users, client_org, project):
    own = make_entry(project, "issues")
    foreign = make_entry(make_project(client_org, manager=users["manager"]), "issues")
    http = signed_in("member")
    base = f"/api/v1/projects/{project.pk}/decisions"
    data = {"title": "改用钉钉审批", "decided_by": "客户 CIO", "decided_on": "2026-12-03"}
    refused = http.post(base, {**data, "issue_id": foreign.pk}, content_type=JSON)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "issue_id"
    created = http.post(base, {**data, "issue_id": own.pk}, content_type=JSON)
    assert created.json()["issue_id"] == own.pk
    assert [row["title"] for row in http.get(base, {"issue_id": own.pk}).json()["items"]] == [
        "改用钉钉审批"
    ]


def test_lists_filter_by_status_owner_and_severity(signed_in, users, project):
    make_entry(project, "issues", title="严重", severity=4, owner=users["member"])
    make_entry(project, "issues", title="一般", severity=2, status="escalated")
    http = signed_in("member")
    base = f"/api/v1/projects/{project.pk}/issues"

    def titles(**params):
        return [row["title"] for row in http.get(base, params).json()["items"]]

    assert titles() == ["严重", "一般"]
    assert titles(severity=2) == ["一般"]
    assert titles(status="escalated") == ["一般"]
    assert titles(owner_id=users["member"].pk) == ["严重"]
    assert http.get(base, {"status": "nonsense"}).status_code == 422


def test_a_patch_changes_only_what_is_sent(signed_in, users, project):
    assumption = make_entry(project, "assumptions", notes="来自启动会")
    response = signed_in("member").patch(
        f"/api/v1/assumptions/{assumption.pk}",
        {"status": "valid"},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert response.json()["notes"] == "来自启动会"
    assert response.json()["status"] == "valid"


def test_null_is_refused_where_a_value_is_required(signed_in, users, project):
    risk = make_entry(project, "risks", owner=users["member"])
    url = f"/api/v1/risks/{risk.pk}"
    http = signed_in("member")
    refused = http.patch(url, {"description": None}, content_type=JSON, headers={"If-Match": '"1"'})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "description"
    cleared = http.patch(url, {"owner_id": None}, content_type=JSON, headers={"If-Match": '"1"'})
    assert cleared.json()["owner_id"] is None


def test_another_members_project_is_404(signed_in, users, client_org):
    stranger = make_project(client_org, manager=users["manager"])
    risk = make_entry(stranger, "risks")
    http = signed_in("member")
    assert http.get(f"/api/v1/projects/{stranger.pk}/risks").status_code == 404
    assert http.get(f"/api/v1/risks/{risk.pk}").status_code == 404
    response = http.post(f"/api/v1/projects/{stranger.pk}/risks", {"title": "x"}, content_type=JSON)
    assert response.status_code == 404
