import pytest
from icalendar import Calendar

from charter.comms.models import Meeting, OutboxMessage
from charter.comms.tests.matrix_meetings import START, make_meeting
from charter.planning.models import Task
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _payload(project, **fields):
    return {
        "title": "周例会",
        "starts_at": "2026-12-03T10:00:00",  # naive: read in time_zone
        "ends_at": "2026-12-03T11:00:00",
        "time_zone": "Asia/Shanghai",
        "contact_ids": [ContactFactory(client=project.client).pk],
        **fields,
    }


def test_schedule_read_patch_cancel(project, signed_in, users):
    http = signed_in("member")
    created = http.post(
        f"/api/v1/projects/{project.pk}/meetings",
        _payload(project),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["starts_at"] == "2026-12-03T10:00:00+08:00"
    assert (body["sequence"], body["organizer_id"]) == (0, users["member"].pk)
    url = f"/api/v1/meetings/{body['id']}"
    read = http.get(url)
    assert read["ETag"] == '"1"'
    assert http.patch(url, {"title": "改"}, content_type="application/json").status_code == 428
    changed = http.patch(
        url, {"location": "会议室 B"}, content_type="application/json", headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200 and changed.json()["sequence"] == 1
    stale = http.patch(
        url, {"location": "C"}, content_type="application/json", headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    cancelled = http.post(f"{url}/cancel")
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 2)
    methods = [
        Calendar.from_ical(m.calendar)["method"] for m in OutboxMessage.objects.order_by("pk")
    ]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]


def test_bad_input_names_the_fields(project, signed_in, other_client_org):
    http = signed_in("member")
    url = f"/api/v1/projects/{project.pk}/meetings"
    stranger = ContactFactory(client=other_client_org).pk
    response = http.post(
        url,
        _payload(project, ends_at="2026-12-03T09:00:00", contact_ids=[stranger]),
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"ends_at", "contact_ids"}
    response = http.post(
        url, _payload(project, time_zone="Mars/Base"), content_type="application/json"
    )
    assert {e["field"] for e in response.json()["errors"]} == {"time_zone"}
    assert not Meeting.objects.exists()


def test_minutes_action_items_and_a_task(project, signed_in, users):
    meeting = make_meeting(project)
    http = signed_in("manager")
    url = f"/api/v1/meetings/{meeting.pk}"
    minutes = http.put(
        f"{url}/minutes",
        {"minutes": "纪要"},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert minutes.json()["minutes"] == "纪要" and minutes["ETag"] == '"2"'
    item = http.post(
        f"{url}/action-items",
        {"text": "更新计划", "owner_id": users["member"].pk, "due_date": "2026-12-08"},
        content_type="application/json",
    ).json()
    refused = http.post(
        f"{url}/action-items",
        {"text": "x", "owner_id": users["admin"].pk},
        content_type="application/json",
    )
    assert refused.status_code == 422
    task = http.post(f"/api/v1/action-items/{item['id']}/task")
    assert task.status_code == 201
    assert Task.objects.get(pk=task.json()["task_id"]).name == "更新计划"
    assert http.get(f"{url}/action-items").json()[0]["task_id"] == task.json()["task_id"]
    assert START.year == 2026
