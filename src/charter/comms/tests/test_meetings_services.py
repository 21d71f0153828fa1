import datetime
import zoneinfo
from email.message import EmailMessage
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from icalendar import Calendar

from charter.comms import meetings, outbox
from charter.comms.models import Meeting, MeetingStatus, OutboxMessage
from charter.comms.tests.matrix_meetings import START, make_meeting
from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.models import Task
from charter.testing.factories import ContactFactory, UserFactory
from charter.testing.fake_smtp import FakeSmtp

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _calendar(message: OutboxMessage) -> Any:
    return Calendar.from_ical(message.calendar)


def _event(message: OutboxMessage) -> Any:
    [event] = _calendar(message).walk("VEVENT")
    return event


def _messages(meeting: Meeting, method: str = "REQUEST") -> list[OutboxMessage]:
    prefix = f"meeting:{meeting.uid}:{meeting.sequence}:{method}:"
    return list(OutboxMessage.objects.filter(key__startswith=prefix).order_by("key"))


def _addresses(event: Any) -> dict[str, Any]:
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return {str(a).removeprefix("mailto:"): a.params for a in attendees}


@pytest.fixture
def zhang(project):
    return ContactFactory(client=project.client, name="张伟", email="zhang@example.com")


def test_scheduling_sends_each_language_a_request_with_every_field(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang], colleagues=[users["member"]])
    [english, chinese] = _messages(meeting)  # keys end in :en and :zh-hans
    assert (english.recipients, chinese.recipients) == ([users["member"].email], [zhang.email])
    assert english.subject == "Invitation: 项目启动会"
    assert "2026年12月3日" in chinese.body_text and "(Asia/Shanghai)" in chinese.body_text
    assert "When: Dec. 3, 2026, 10 a.m. – 11 a.m. (Asia/Shanghai)" in english.body_text
    assert "Where: Meeting room 3" in english.body_text
    assert "https://meet.example.com/42" in english.body_html
    assert english.calendar == chinese.calendar.replace(_dtstamp(chinese), _dtstamp(english))
    calendar = _calendar(english)
    assert (english.calendar_method, calendar["method"]) == ("REQUEST", "REQUEST")
    assert str(calendar["version"]) == "2.0"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    event = _event(english)
    assert str(event["uid"]) == meeting.uid and meeting.uid.startswith("charter-meeting-")
    assert event.decoded("sequence") == 0
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("dtstart") == START and event.decoded("dtend") == START + HOUR
    assert str(event["summary"]) == "项目启动会"
    assert str(event["location"]) == "Meeting room 3 / https://meet.example.com/42"
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["organizer"]) == f"mailto:{users['manager'].email}"
    assert event["organizer"].params["CN"] == str(users["manager"])
    attendees = _addresses(event)
    assert set(attendees) == {zhang.email, users["member"].email}
    for params in attendees.values():
        assert (params["RSVP"], params["PARTSTAT"]) == ("TRUE", "NEEDS-ACTION")
    assert attendees[zhang.email]["CN"] == "张伟"
    assert "\r\n" in english.calendar  # RFC 5545 line ends
    assert AuditEvent.objects.filter(action="created", object_id=str(meeting.pk)).exists()


HOUR = datetime.timedelta(hours=1)


def _dtstamp(message: OutboxMessage) -> str:
    return next(line for line in message.calendar.splitlines() if line.startswith("DTSTAMP"))


def test_an_update_resends_the_same_uid_with_a_higher_sequence(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang], colleagues=[users["member"]])
    uid = meeting.uid
    meetings.update_meeting(
        meeting,
        actor=users["manager"],
        expected_version=1,
        starts_at=START + HOUR,
        ends_at=START + 2 * HOUR,
    )
    assert (meeting.sequence, meeting.version) == (1, 2)
    [english, chinese] = _messages(meeting)
    assert english.subject == "Updated invitation: 项目启动会"
    event = _event(chinese)
    assert (str(event["uid"]), event.decoded("sequence")) == (uid, 1)
    assert event.decoded("dtstart") == START + HOUR
    assert OutboxMessage.objects.count() == 4


def test_an_edit_that_changes_nothing_sends_nothing(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang])
    meetings.update_meeting(meeting, actor=users["manager"], expected_version=1, title="项目启动会")
    assert (meeting.sequence, OutboxMessage.objects.count()) == (0, 1)


def test_someone_taken_off_the_list_gets_a_cancel(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang], colleagues=[users["member"]])
    meetings.update_meeting(meeting, actor=users["manager"], expected_version=1, colleagues=[])
    [request] = _messages(meeting)
    [cancel] = _messages(meeting, "CANCEL")
    assert (request.recipients, cancel.recipients) == ([zhang.email], [users["member"].email])
    assert set(_addresses(_event(request))) == {zhang.email}
    event = _event(cancel)
    assert (str(event["status"]), event.decoded("sequence")) == ("CANCELLED", 1)


def test_cancelling_sends_cancel_to_everyone_and_freezes_the_meeting(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang], colleagues=[users["member"]])
    meetings.cancel_meeting(meeting, actor=users["manager"])
    assert (meeting.status, meeting.sequence) == (MeetingStatus.CANCELLED, 1)
    [english, chinese] = _messages(meeting, "CANCEL")
    assert english.subject == "Cancelled: 项目启动会"
    calendar = _calendar(chinese)
    assert (chinese.calendar_method, calendar["method"]) == ("CANCEL", "CANCEL")
    event = _event(chinese)
    assert (str(event["uid"]), event.decoded("sequence")) == (meeting.uid, 1)
    assert str(event["status"]) == "CANCELLED"
    assert set(_addresses(event)) == {zhang.email, users["member"].email}
    assert "RSVP" not in _addresses(event)[zhang.email]
    with pytest.raises(ValidationError):
        meetings.cancel_meeting(meeting, actor=users["manager"])
    with pytest.raises(ValidationError):
        meetings.update_meeting(meeting, actor=users["manager"], expected_version=2, title="x")


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"ends_at": START}, "ends_at"),
        ({"ends_at": START - HOUR}, "ends_at"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_bad_times_are_refused_and_nothing_is_sent(project, zhang, fields, error_field):
    with pytest.raises(ValidationError) as error:
        make_meeting(project, contacts=[zhang], **fields)
    assert error_field in error.value.message_dict
    assert not Meeting.objects.exists() and not OutboxMessage.objects.exists()


def test_attendees_must_have_an_address_and_belong_to_the_client(project, other_client_org):
    silent = ContactFactory(client=project.client, email="")
    with pytest.raises(ValidationError) as error:
        make_meeting(project, contacts=[silent])
    assert "contacts" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_meeting(project, contacts=[ContactFactory(client=other_client_org)])
    assert "Not contacts of" in error.value.message_dict["contacts"][0]
    with pytest.raises(ValidationError) as error:
        make_meeting(project, colleagues=[UserFactory(is_active=False)])
    assert "colleagues" in error.value.message_dict
    assert not Meeting.objects.exists()


def test_a_stale_edit_is_refused(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang])
    meetings.record_minutes(meeting, actor=users["member"], expected_version=1, minutes="纪要")
    with pytest.raises(StaleEdit):
        meetings.update_meeting(
            Meeting.objects.get(pk=meeting.pk),
            actor=users["manager"],
            expected_version=1,
            title="改期",
        )
    assert Meeting.objects.get(pk=meeting.pk).title == "项目启动会"


def test_the_invitation_goes_out_with_a_matching_calendar_part(
    project, zhang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(project, contacts=[zhang])
    [sent] = mail.outbox
    [part] = [p for p in sent.message().walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_param("name") == "invite.ics"
    assert part.get_content_charset() == "utf-8"
    parsed = Calendar.from_ical(part.get_payload(decode=True))
    assert parsed["method"] == part.get_param("method")
    assert str(parsed.walk("VEVENT")[0]["uid"]) == meeting.uid


def test_over_smtp_the_cancel_part_says_method_cancel(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang])
    meetings.cancel_meeting(meeting, actor=users["manager"])
    [cancel] = _messages(meeting, "CANCEL")
    with FakeSmtp() as smtp, override_settings(MAILERS=smtp.mailers()):
        outbox.deliver(cancel.pk)
    [received] = smtp.messages
    part = _calendar_part(received)
    assert part["Content-Transfer-Encoding"] == "base64"
    assert part.get_param("method") == "CANCEL"
    payload = part.get_payload(decode=True)
    assert b"\r\nMETHOD:CANCEL\r\n" in payload
    assert Calendar.from_ical(payload)["method"] == "CANCEL"
    assert "2026年12月3日" in received.get_body(("plain",)).get_content()  # in 张伟's language


def _calendar_part(message: EmailMessage) -> Any:
    return next(p for p in message.walk() if p.get_content_type() == "text/calendar")


# ---- after the meeting -----------------------------------------------------------------------


def test_minutes_are_kept_without_sending(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang])
    meetings.record_minutes(meeting, actor=users["member"], expected_version=1, minutes=" 决定 ")
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.minutes, stored.version, stored.sequence) == ("决定", 2, 0)
    assert OutboxMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="minutes_recorded").exists()


def test_an_action_item_becomes_a_task_of_the_plan(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang])
    due = datetime.date(2026, 12, 10)
    item = meetings.add_action_item(
        meeting, actor=users["member"], text="整理需求清单", owner=users["member"], due_date=due
    )
    task = meetings.plan_action_item(item, actor=users["manager"])
    stored = Task.objects.get(pk=task.pk)
    assert (stored.project, stored.name, stored.owner) == (project, "整理需求清单", users["member"])
    assert (stored.duration, stored.constraint_type) == (480, "FNLT")
    assert stored.constraint_date.astimezone(SHANGHAI).date() == due
    item.refresh_from_db()
    assert item.task == stored
    with pytest.raises(ValidationError):
        meetings.plan_action_item(item, actor=users["manager"])
    assert Task.objects.filter(name="整理需求清单").count() == 1


def test_an_action_item_owner_must_be_on_the_team(project, users, zhang):
    meeting = make_meeting(project, contacts=[zhang])
    with pytest.raises(ValidationError) as error:
        meetings.add_action_item(meeting, actor=users["member"], text="x", owner=users["admin"])
    assert "owner" in error.value.message_dict
    assert not meeting.action_items.exists()


def test_split_by_time_puts_a_meeting_in_the_past_once_it_ended(project, zhang):
    meeting = make_meeting(project, contacts=[zhang])
    upcoming, past = meetings.split_by_time(Meeting.objects.all(), now=START + HOUR / 2)
    assert (list(upcoming), list(past)) == ([meeting], [])
    upcoming, past = meetings.split_by_time(Meeting.objects.all(), now=START + 2 * HOUR)
    assert (list(upcoming), list(past)) == ([], [meeting])
