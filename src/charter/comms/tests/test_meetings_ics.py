"""The invitation builder alone: no database."""

import datetime
import zoneinfo

import pytest
from icalendar import Calendar

from charter.comms import ics

START = datetime.datetime(2026, 3, 8, 6, 30, tzinfo=datetime.UTC)  # New York's DST starts


def _invitation(**fields) -> ics.Invitation:
    values = {
        "method": ics.REQUEST,
        "uid": "charter-meeting-1@example.com",
        "sequence": 2,
        "title": "Review; scope, budget",
        "description": "Line one\nLine two, with a comma; and \\ backslash",
        "location": "Room 3",
        "starts_at": START,
        "ends_at": START + datetime.timedelta(hours=1),
        "time_zone": "America/New_York",
        "organizer": ics.Person("Project Office", "pmo@example.com"),
        "attendees": (ics.Person("Alice", "alice@example.com"),),
        "stamp": START,
        **fields,
    }
    return ics.Invitation(**values)


def _event(text: str):
    return Calendar.from_ical(text).walk("VEVENT")[0]


def test_times_are_written_in_the_meetings_zone_with_its_vtimezone():
    text = ics.build_calendar(_invitation())
    assert "DTSTART;TZID=America/New_York:20260308T013000\r\n" in text
    assert [tz["tzid"] for tz in Calendar.from_ical(text).walk("VTIMEZONE")] == ["America/New_York"]
    event = _event(text)
    assert event.decoded("dtstart") == START
    assert event.decoded("dtstart").tzinfo == zoneinfo.ZoneInfo("America/New_York")
    assert event.decoded("dtstamp") == START and "DTSTAMP:20260308T063000Z" in text


def test_a_utc_meeting_is_written_in_utc():
    text = ics.build_calendar(_invitation(time_zone="UTC"))
    assert "DTSTART:20260308T063000Z\r\n" in text
    assert _event(text).decoded("dtstart") == START


def test_text_values_are_escaped_and_come_back_unchanged():
    invitation = _invitation()
    text = ics.build_calendar(invitation)
    assert "SUMMARY:Review\\; scope\\, budget\r\n" in text
    event = _event(text)
    assert str(event["summary"]) == invitation.title
    assert str(event["description"]) == invitation.description
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_a_request_asks_each_attendee_to_answer_and_a_cancel_does_not():
    request = _event(ics.build_calendar(_invitation()))["attendee"]
    assert (request.params["RSVP"], request.params["PARTSTAT"]) == ("TRUE", "NEEDS-ACTION")
    assert request.params["ROLE"] == "REQ-PARTICIPANT"
    cancel = _event(ics.build_calendar(_invitation(method=ics.CANCEL)))
    assert str(cancel["status"]) == "CANCELLED" and "RSVP" not in cancel["attendee"].params


def test_an_invitation_needs_a_known_method_and_an_attendee():
    with pytest.raises(ValueError):
        ics.build_calendar(_invitation(method="PUBLISH"))
    with pytest.raises(ValueError):
        ics.build_calendar(_invitation(attendees=()))
