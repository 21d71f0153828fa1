"""iCalendar invitations (RFC 5545 objects, RFC 5546 methods) built with ``icalendar``.

Pure: plain dataclasses in, the VCALENDAR text out (CRLF line ends, long lines folded, TEXT
values escaped by the library). Times are written in the meeting's own zone with a VTIMEZONE
describing it, so a calendar shows the meeting at the right moment wherever it is opened.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Charter//Meetings//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invitation:
    """One version of a meeting as its attendees receive it. ``method`` is REQUEST (a new or
    changed meeting) or CANCEL; ``sequence`` must rise with every version sent."""

    method: str
    uid: str
    sequence: int
    title: str
    description: str
    location: str
    starts_at: datetime.datetime  # aware
    ends_at: datetime.datetime  # aware
    time_zone: str  # IANA name
    organizer: Person
    attendees: tuple[Person, ...]
    stamp: datetime.datetime  # aware: when this version was made
    url: str = ""


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["cn"] = vText(person.name)
    return address


def _attendee(person: Person, method: str) -> vCalAddress:
    address = _address(person)
    address.params["cutype"] = vText("INDIVIDUAL")
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("NEEDS-ACTION")
    if method == REQUEST:  # a cancellation expects no answer
        address.params["rsvp"] = vText("TRUE")
    return address


def _event(invitation: Invitation) -> Event:
    zone = zoneinfo.ZoneInfo(invitation.time_zone)
    event = Event()
    event.add("uid", invitation.uid)
    event.add("dtstamp", invitation.stamp.astimezone(datetime.UTC))
    event.add("sequence", invitation.sequence)
    event.add("dtstart", invitation.starts_at.astimezone(zone))
    event.add("dtend", invitation.ends_at.astimezone(zone))
    event.add("summary", invitation.title)
    if invitation.description:
        event.add("description", invitation.description)
    if invitation.location:
        event.add("location", invitation.location)
    if invitation.url:
        event.add("url", invitation.url)
    event.add("status", "CANCELLED" if invitation.method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event["organizer"] = _address(invitation.organizer)
    for person in invitation.attendees:
        event.add("attendee", _attendee(person, invitation.method), encode=False)
    return event


def build_calendar(invitation: Invitation) -> str:
    """The VCALENDAR of ``invitation``. ValueError for a method other than REQUEST or CANCEL
    or an invitation without attendees (RFC 5546 requires one)."""
    if invitation.method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported iTIP method {invitation.method!r}")
    if not invitation.attendees:
        raise ValueError("an invitation needs at least one attendee")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", invitation.method)
    calendar.add_component(_event(invitation))
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
