import datetime

import pytest
from django.utils import timezone

from charter.comms import plan, unsubscribe
from charter.comms.models import (
    CommunicationItem,
    CommunicationOccurrence,
    OccurrenceStatus,
    OutboxMessage,
)
from charter.comms.tests.factories import missed_occurrence
from charter.comms.tests.matrix_plan import default_templates, first_day, make_item
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _payload(project, **fields):
    default_templates()
    return {
        "kind": "status_report",
        "content": "项目周报",
        "channel": "email",
        "rule": "FREQ=WEEKLY;BYDAY=FR",
        "starts_on": first_day(3).isoformat(),
        "shift": "keep",
        "contact_ids": [ContactFactory(client=project.client).pk],
        **fields,
    }


def test_create_list_read_patch_delete(project, signed_in, users):
    http = signed_in("member")
    created = http.post(
        f"/api/v1/projects/{project.pk}/communications", _payload(project), content_type=JSON
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["owner_id"], body["time_zone"], body["version"]) == (
        users["member"].pk,
        "Asia/Shanghai",
        1,
    )
    assert body["next_on"] is not None and len(body["contact_ids"]) == 1
    listed = http.get(f"/api/v1/projects/{project.pk}/communications").json()
    assert body["id"] in [row["id"] for row in listed]
    url = f"/api/v1/communications/{body['id']}"
    assert http.get(url)["ETag"] == '"1"'
    assert http.patch(url, {"content": "改"}, content_type=JSON).status_code == 428
    changed = http.patch(
        url,
        {"rule": "FREQ=WEEKLY;BYDAY=MO", "contact_ids": [], "is_active": False},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.content
    assert changed["ETag"] == '"2"'
    assert (changed.json()["rule"], changed.json()["contact_ids"]) == ("FREQ=WEEKLY;BYDAY=MO", [])
    occurrences = http.get(f"{url}/occurrences").json()
    assert occurrences == []  # switched off: nothing planned
    stale = http.patch(url, {"content": "旧"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert (
        http.patch(
            url, {"content": None}, content_type=JSON, headers={"If-Match": '"2"'}
        ).status_code
        == 422
    )
    assert http.delete(url).status_code == 204
    assert not CommunicationItem.objects.filter(pk=body["id"]).exists()
    assert http.get(url).status_code == 404


def test_bad_input_names_the_api_fields(project, signed_in, other_client_org):
    http = signed_in("member")
    url = f"/api/v1/projects/{project.pk}/communications"
    stranger = ContactFactory(client=other_client_org).pk
    response = http.post(
        url, _payload(project, rule="FREQ=HOURLY", contact_ids=[stranger]), content_type=JSON
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"rule", "contact_ids"}
    robot = http.post(url, _payload(project, channel="wecom"), content_type=JSON)
    assert [e["field"] for e in robot.json()["errors"]] == ["robot_id"]
    unknown = http.post(url, _payload(project, template_id=999999), content_type=JSON)
    assert [e["field"] for e in unknown.json()["errors"]] == ["template_id"]


def test_occurrences_window_and_actions(project, signed_in):
    item = make_item(project)
    http = signed_in("member")
    url = f"/api/v1/communications/{item.pk}/occurrences"
    listed = http.get(url).json()
    assert listed and listed[0]["nominal_on"] == item.next_nominal_on.isoformat()
    assert listed[0]["status"] == "planned" and listed[0]["actionable"] is True
    assert len(listed) in (8, 9)  # weekly over eight weeks
    first = item.starts_on + datetime.timedelta(weeks=2)
    window = http.get(url, {"first": first.isoformat(), "last": first.isoformat()}).json()
    assert [row["on"] for row in window] == [first.isoformat()]
    too_long = http.get(url, {"first": "2026-01-01", "last": "2028-01-01"})
    assert too_long.status_code == 422
    day = item.next_nominal_on.isoformat()
    edited = http.put(
        f"{url}/{day}",
        {"subject": "{{ project }}：特别说明", "body": "本周暂停。"},
        content_type=JSON,
    )
    assert edited.status_code == 200, edited.content
    assert (edited.json()["edited"], edited.json()["subject"]) == (True, "{{ project }}：特别说明")
    bad = http.put(f"{url}/{day}", {"subject": "{{ nope }}"}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "subject"
    skipped = http.post(f"{url}/{day}/skip")
    assert (skipped.json()["status"], skipped.json()["actionable"]) == ("skipped", False)
    assert http.post(f"{url}/{day}/skip").status_code == 422
    restored = http.post(f"{url}/{day}/restore")
    assert (restored.json()["status"], restored.json()["actionable"]) == ("planned", True)
    sent = http.post(f"{url}/{day}/send")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent" and "1 e-mail queued." in sent.json()["outcome"]
    [message] = OutboxMessage.objects.all()
    assert message.subject == f"{project.name}：特别说明"  # the occurrence's own words
    assert http.post(f"{url}/{day}/send").status_code == 422
    assert OutboxMessage.objects.count() == 1


def test_a_missed_occurrence_is_sent_late_but_not_a_meeting_or_a_switched_off_one(
    project, signed_in, users
):
    http = signed_in("member")
    item = make_item(project)
    row = missed_occurrence(item)
    url = f"/api/v1/communications/{item.pk}/occurrences/{row.nominal_on}/send"
    sent = http.post(url)
    assert sent.status_code == 200, sent.content
    assert (sent.json()["status"], sent.json()["actionable"]) == ("sent", False)
    assert OutboxMessage.objects.filter(occurrence=row).count() == 1
    assert http.post(url).status_code == 422  # once

    meeting = make_item(project, content="周例会", kind="meeting", location="会议室 A")
    missed_meeting = missed_occurrence(meeting)
    refused = http.post(
        f"/api/v1/communications/{meeting.pk}/occurrences/{missed_meeting.nominal_on}/send"
    )
    assert refused.status_code == 422
    assert "A missed meeting cannot be sent late" in refused.content.decode()

    switched_off = make_item(project, content="月报")
    missed_off = missed_occurrence(switched_off)
    plan.update_item(
        switched_off, actor=users["manager"], expected_version=switched_off.version, is_active=False
    )
    refused = http.post(
        f"/api/v1/communications/{switched_off.pk}/occurrences/{missed_off.nominal_on}/send"
    )
    assert refused.status_code == 422 and "switched off" in refused.content.decode()
    assert not OutboxMessage.objects.filter(occurrence__in=[missed_meeting, missed_off]).exists()
    for missed in (missed_meeting, missed_off):
        missed.refresh_from_db()
        assert missed.status == OccurrenceStatus.MISSED


def test_preview_in_each_language(project, users, signed_in):
    opted_out = ContactFactory(client=project.client)
    unsubscribe.unsubscribe(opted_out, source="staff", actor=users["manager"])
    item = make_item(
        project, contacts=[ContactFactory(client=project.client, name="李雷"), opted_out]
    )
    url = f"/api/v1/communications/{item.pk}/occurrences/{item.next_nominal_on}/preview"
    http = signed_in("member")
    chinese = http.get(url).json()
    assert chinese["subject"].startswith(f"{project.name}：项目周报")
    assert chinese["text"].startswith("李雷，您好")
    assert (len(chinese["recipients"]), chinese["left_out"]) == (1, 1)
    english = http.get(url, {"language": "en"}).json()
    assert english["subject"].startswith(f"{project.name}: weekly status")
    assert "<p>" in english["html"]
    assert http.get(url, {"language": "fr"}).status_code == 422
    odd = item.next_nominal_on + datetime.timedelta(days=1)
    missing = http.get(f"/api/v1/communications/{item.pk}/occurrences/{odd}/preview")
    assert missing.status_code == 404


def test_my_week(project, users, signed_in):
    mine = make_item(project, owner=users["member"], starts_on=first_day(1))
    make_item(project, content="别人的", starts_on=first_day(1))
    today = timezone.localdate()  # sent earlier today, ahead of its time
    CommunicationOccurrence.objects.create(
        item=mine, nominal_on=today, on=today, due_at=timezone.now(), status=OccurrenceStatus.SENT
    )
    rows = signed_in("member").get("/api/v1/me/communications").json()
    assert {row["item_id"] for row in rows} == {mine.pk}
    assert rows[0]["project"] == project.name and rows[0]["status"] == "sent"
    assert rows[-1]["nominal_on"] == mine.next_nominal_on.isoformat()
    assert signed_in("member").get("/api/v1/me/communications", {"days": 90}).status_code == 422
