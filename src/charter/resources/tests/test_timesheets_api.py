"""Timesheets through the API: own week with ETag, If-Match on PUT, row errors at their paths,
submit, the approval queue, approve and reject, costs hidden from members."""

import datetime
from decimal import Decimal

import pytest

from charter.resources.choices import TimesheetStatus
from charter.resources.services import pool as services
from charter.resources.services import timesheets as sheets

pytestmark = pytest.mark.django_db

MONDAY = "2026-12-07"
URL = f"/api/v1/timesheets/{MONDAY}"


@pytest.fixture
def task(project):
    return project.tasks.filter(is_summary=False).order_by("position")[1]


def _put(http, body, etag='"1"'):
    return http.put(URL, body, content_type="application/json", HTTP_IF_MATCH=etag)


def test_the_week_reads_with_an_etag_and_needs_a_monday(signed_in):
    http = signed_in("member")
    response = http.get(URL)
    assert response.status_code == 200 and response["ETag"] == '"1"'
    assert response.json()["status"] == "draft" and response.json()["entries"] == []
    assert http.get("/api/v1/timesheets/2026-12-08").status_code == 404


def test_put_replaces_the_entries_with_if_match(signed_in, task):
    http = signed_in("member")
    body = {"entries": [{"task_id": task.pk, "day": MONDAY, "minutes": 90, "note": "访谈"}]}
    assert http.put(URL, body, content_type="application/json").status_code == 428
    response = _put(http, body)
    assert response.status_code == 200 and response["ETag"] == '"2"'
    data = response.json()
    assert data["total_minutes"] == 90 and data["entries"][0]["cost"] is None
    assert _put(http, body).status_code == 412


def test_bad_rows_answer_422_at_their_paths(signed_in, task):
    body = {
        "entries": [
            {"task_id": task.pk, "day": MONDAY, "minutes": 60},
            {"task_id": task.pk, "day": "2026-12-20", "minutes": 60},
            {"task_id": 999999, "day": MONDAY, "minutes": 60},
        ]
    }
    response = _put(signed_in("member"), body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"entries.1.day", "entries.2.task"}
    assert "#/entries/1/day" in {error["pointer"] for error in response.json()["errors"]}
    too_much = {"entries": [{"task_id": task.pk, "day": MONDAY, "minutes": 1441}]}
    assert _put(signed_in("member"), too_much).status_code == 422


def test_submit_approve_and_costs(signed_in, users, task):
    services.create_resource(
        actor=users["manager"], name="成员", user=users["member"], standard_rate=Decimal("100")
    )
    member = signed_in("member")
    _put(member, {"entries": [{"task_id": task.pk, "day": MONDAY, "minutes": 120}]})
    response = member.post(f"{URL}/submit", HTTP_IF_MATCH='"2"')
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    sheet_id = response.json()["id"]
    assert member.get("/api/v1/timesheets/to-approve").status_code == 403
    assert member.post(f"/api/v1/timesheets/{sheet_id}/approve").status_code == 403

    manager = signed_in("manager")
    queue = manager.get("/api/v1/timesheets/to-approve").json()
    assert [row["id"] for row in queue["items"]] == [sheet_id]
    assert (
        manager.post(f"/api/v1/timesheets/{sheet_id}/approve", HTTP_IF_MATCH='"1"').status_code
        == 412
    )
    response = manager.post(f"/api/v1/timesheets/{sheet_id}/approve")
    data = response.json()
    assert response.status_code == 200 and data["status"] == "approved" and data["has_rate"]
    assert data["entries"][0]["cost"] == "200.00"
    assert member.get(URL).json()["entries"][0]["cost"] is None
    locked = _put(member, {"entries": []}, etag=response["ETag"])
    assert locked.status_code == 422 and "locked" in locked.json()["errors"][0]["detail"]


def test_reject_needs_a_note(signed_in, users, task):
    member = users["member"]
    sheet = sheets.week_of(member, datetime.date(2026, 12, 7))
    sheet = sheets.save_entries(
        sheet, actor=member, expected_version=1, rows=[sheets.Row(task, sheet.week_start, 60)]
    )
    sheet = sheets.submit(sheet, actor=member, expected_version=sheet.version)
    manager = signed_in("manager")
    url = f"/api/v1/timesheets/{sheet.pk}/reject"
    assert manager.post(url, {"note": ""}, content_type="application/json").status_code == 422
    response = manager.post(url, {"note": "补充说明"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["rejection_note"] == "补充说明"
    sheet.refresh_from_db()
    assert sheet.status == TimesheetStatus.REJECTED


def test_another_persons_sheet_is_404(signed_in, users):
    sheet = sheets.week_of(users["admin"], datetime.date(2026, 12, 7))
    response = signed_in("manager").post(f"/api/v1/timesheets/{sheet.pk}/approve")
    assert response.status_code == 404
