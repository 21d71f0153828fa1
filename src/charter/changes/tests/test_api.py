"""Change requests through the API: create, list with filters, read, edit with If-Match,
decide, implement, delete; the 412/422/428 answers, who may do what, and a list whose cost does
not grow with its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.changes.models import ChangeRequest
from charter.changes.services import create_change_request, decide_change_request
from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import make_project
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _base(project):
    return f"/api/v1/projects/{project.pk}/change-requests"


def _url(change, suffix=""):
    return f"/api/v1/change-requests/{change if isinstance(change, int) else change.pk}{suffix}"


def _raise(project, users, **fields):
    return create_change_request(
        project, actor=users["member"], **{"title": "增加移动端审批", **fields}
    )


def _fields(response):
    return [error["field"] for error in response.json()["errors"]]


def test_raise_list_read_edit_decide_and_implement(signed_in, users, client_org, project):
    contact = ContactFactory(client=client_org, name="王经理")
    confirmed = make_requirement(project, title="审批流程", status="confirmed")
    proposed = make_requirement(project, title="移动端", status="proposed")
    member = signed_in("member")
    created = member.post(
        _base(project),
        {
            "title": "审批改到手机上",
            "description": "客户希望在企业微信中审批",
            "reason": "出差多",
            "requested_by_id": contact.pk,
            "requested_on": "2026-12-03",
            "requirement_ids": [proposed.pk, confirmed.pk],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    body = created.json()
    assert {key: body[key] for key in ("code", "status", "requested_by_name", "version")} == {
        "code": "CR-001",
        "status": "proposed",
        "requested_by_name": "王经理",
        "version": 1,
    }
    assert body["requirement_ids"] == [confirmed.pk, proposed.pk]
    assert body["requirement_codes"] == [confirmed.code, proposed.code]
    assert (body["requested_on"], body["client_visible"]) == ("2026-12-03", False)

    _raise(project, users, title="增加报表导出")
    listed = member.get(_base(project)).json()
    assert listed["count"] == 2
    assert [row["code"] for row in listed["items"]] == ["CR-002", "CR-001"]
    assert member.get(_base(project), {"q": "企业微信"}).json()["count"] == 1
    assert member.get(_base(project), {"status": "approved"}).json()["count"] == 0
    assert member.get(_base(project), {"status": "maybe"}).status_code == 422

    url = _url(body["id"])
    assert member.get(url)["ETag"] == '"1"'
    manager = signed_in("manager")
    patched = manager.patch(
        url,
        {"title": "审批改到企业微信", "requirement_ids": [confirmed.pk]},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.content
    assert (patched["ETag"], patched.json()["requirement_codes"]) == ('"2"', [confirmed.code])
    assert patched.json()["requested_by_id"] == contact.pk  # untouched when not sent

    decided = manager.post(
        _url(body["id"], "/decision"),
        {"status": "approved", "note": "指导委员会同意"},
        content_type=JSON,
        headers={"If-Match": '"2"'},
    )
    assert decided.status_code == 200, decided.content
    assert decided["ETag"] == '"3"'
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by_name"] == str(users["manager"])
    assert decided.json()["decision_note"] == "指导委员会同意"
    assert decided.json()["decided_at"]
    confirmed.refresh_from_db()
    proposed.refresh_from_db()
    assert (confirmed.status, proposed.status) == ("changed", "proposed")

    done = manager.post(_url(body["id"], "/implemented"), headers={"If-Match": '"3"'})
    assert (done.status_code, done["ETag"], done.json()["status"]) == (200, '"4"', "implemented")
    assert member.get(_base(project), {"status": "implemented"}).json()["count"] == 1


def test_a_stale_write_is_412_and_writes_nothing(signed_in, users, project):
    change = _raise(project, users)
    http = signed_in("manager")
    assert (
        http.patch(
            _url(change), {"reason": "一"}, content_type=JSON, headers={"If-Match": '"1"'}
        ).status_code
        == 200
    )
    stale = http.patch(
        _url(change), {"reason": "二"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    decision = http.post(
        _url(change, "/decision"),
        {"status": "rejected"},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert decision.status_code == 412
    change.refresh_from_db()
    assert (change.reason, change.status, change.version) == ("一", "proposed", 2)


def test_writes_without_if_match_are_428(signed_in, users, project):
    change = _raise(project, users)
    http = signed_in("manager")
    assert http.patch(_url(change), {"reason": "一"}, content_type=JSON).status_code == 428
    decision = http.post(_url(change, "/decision"), {"status": "approved"}, content_type=JSON)
    assert decision.status_code == 428
    assert http.post(_url(change, "/implemented")).status_code == 428


def test_unknown_or_foreign_references_are_422_on_the_request_field(
    signed_in, users, client_org, other_client_org, project
):
    other_project = make_project(client_org, manager=users["manager"])
    http = signed_in("member")
    cases = [
        ({"requested_by_id": 999_999}, "requested_by_id"),
        ({"requested_by_id": ContactFactory(client=other_client_org).pk}, "requested_by_id"),
        ({"requirement_ids": [999_999]}, "requirement_ids"),
        ({"requirement_ids": [make_requirement(other_project).pk]}, "requirement_ids"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"requested_on": "not a date"}, "requested_on"),
    ]
    for extra, field in cases:
        response = http.post(_base(project), {"title": "改需求", **extra}, content_type=JSON)
        assert response.status_code == 422, extra
        assert _fields(response) == [field], extra
    assert not ChangeRequest.objects.exists()

    change = _raise(project, users)
    manager = signed_in("manager")
    patches = [
        ({"requested_by_id": ContactFactory(client=other_client_org).pk}, "requested_by_id"),
        ({"requirement_ids": [999_999]}, "requirement_ids"),
        ({"title": None}, "title"),
    ]
    for patch, field in patches:
        response = manager.patch(
            _url(change), patch, content_type=JSON, headers={"If-Match": '"1"'}
        )
        assert response.status_code == 422, patch
        assert _fields(response) == [field], patch
    wrong = manager.post(
        _url(change, "/decision"),
        {"status": "implemented"},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert (wrong.status_code, _fields(wrong)) == (422, ["status"])
    change.refresh_from_db()
    assert (change.version, change.status) == (1, "proposed")


def test_a_decided_request_is_not_edited_deleted_or_decided_again(signed_in, users, project):
    change = _raise(project, users)
    decide_change_request(change, actor=users["manager"], expected_version=1, status="rejected")
    http = signed_in("manager")
    edit = http.patch(_url(change), {"title": "改"}, content_type=JSON, headers={"If-Match": '"2"'})
    assert edit.status_code == 422
    assert "CR-001" in edit.json()["errors"][0]["detail"]
    assert http.delete(_url(change)).status_code == 422
    again = http.post(
        _url(change, "/decision"),
        {"status": "approved"},
        content_type=JSON,
        headers={"If-Match": '"2"'},
    )
    assert (again.status_code, _fields(again)) == (422, ["status"])
    implemented = http.post(_url(change, "/implemented"), headers={"If-Match": '"2"'})
    assert (implemented.status_code, _fields(implemented)) == (422, ["status"])
    change.refresh_from_db()
    assert (change.title, change.status, change.version) == ("增加移动端审批", "rejected", 2)


def test_a_proposed_request_is_deleted(signed_in, users, project):
    change = _raise(project, users)
    assert signed_in("manager").delete(_url(change)).status_code == 204
    assert not ChangeRequest.objects.filter(pk=change.pk).exists()
    assert signed_in("manager").get(_url(change)).status_code == 404


def test_members_raise_and_read_managers_edit_decide_and_delete(signed_in, users, project):
    change = _raise(project, users)
    member = signed_in("member")
    if_match = {"headers": {"If-Match": '"1"'}}
    assert member.get(_url(change)).status_code == 200
    assert (
        member.patch(_url(change), {"reason": "x"}, content_type=JSON, **if_match).status_code
        == 403
    )
    decision = member.post(
        _url(change, "/decision"), {"status": "approved"}, content_type=JSON, **if_match
    )
    assert decision.status_code == 403
    assert member.post(_url(change, "/implemented"), **if_match).status_code == 403
    assert member.delete(_url(change)).status_code == 403
    change.refresh_from_db()
    assert (change.status, change.version) == ("proposed", 1)


def test_client_users_get_403(signed_in, users, project):
    change = _raise(project, users, client_visible=True)
    client = signed_in("client")
    assert client.get(_base(project)).status_code == 403
    assert client.post(_base(project), {"title": "改"}, content_type=JSON).status_code == 403
    assert client.get(_url(change)).status_code == 403
    assert client.delete(_url(change)).status_code == 403
    assert not ChangeRequest.objects.exclude(pk=change.pk).exists()


def test_another_teams_requests_are_404_for_a_member(signed_in, users, client_org):
    other = make_project(client_org, manager=users["manager"])
    change = create_change_request(other, actor=users["manager"], title="别的项目")
    member = signed_in("member")
    assert member.get(_base(other)).status_code == 404
    assert member.post(_base(other), {"title": "改"}, content_type=JSON).status_code == 404
    assert member.get(_url(change)).status_code == 404
    assert signed_in("manager").get(_url(change)).status_code == 200


def test_the_list_costs_the_same_queries_for_2_or_12_requests(
    signed_in, users, client_org, project
):
    requirements = [make_requirement(project, title=f"需求 {i}") for i in range(3)]
    contact = ContactFactory(client=client_org)
    http = signed_in("member")
    counts = []
    for total in (2, 12):
        while ChangeRequest.objects.filter(project=project).count() < total:
            change = _raise(project, users, requested_by=contact, requirements=requirements)
            decide_change_request(
                change, actor=users["manager"], expected_version=1, status="rejected"
            )
        with CaptureQueriesContext(connection) as queries:
            response = http.get(_base(project), {"limit": 50})
        assert response.json()["count"] == total
        counts.append(len(queries))
    assert counts[0] == counts[1]
    row = response.json()["items"][0]
    assert row["requirement_codes"] == [r.code for r in requirements]
    assert row["decided_by_name"] == str(users["manager"])
