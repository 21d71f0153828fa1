"""Meetings through the API: a project's meetings, schedule, read/change/cancel one, its
minutes and action items, and an action item made a plan task. Scheduling, a change and a
cancellation e-mail the attendees their calendar invitation, as the pages do."""

import datetime
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from charter.comms import meetings as services
from charter.comms.models import ActionItem, Meeting, MeetingStatus
from charter.core import policy
from charter.core.api import IF_MATCH, read_with_etag, request_field_names, update_with_if_match
from charter.crm.models import Contact
from charter.planning.forms import colleagues
from charter.planning.querysets import visible_project

router = Router(tags=["meetings"])

NAIVE = "Without an offset it is read as a time of `time_zone`."


class MeetingOut(Schema):
    id: int
    project_id: int
    title: str
    agenda: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    time_zone: str = Field(description="IANA name; the invitation shows the times in it.")
    location: str
    video_link: str
    organizer_id: int
    contact_ids: list[int] = Field(description="Contacts of the project's client invited.")
    colleague_ids: list[int] = Field(description="Colleagues invited.")
    uid: str = Field(description="The iCalendar UID: the same in every version sent.")
    sequence: int = Field(description="The iCalendar SEQUENCE: raised by each version sent.")
    status: MeetingStatus
    minutes: str
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_contact_ids(obj: Meeting) -> list[int]:
        return [contact.pk for contact in obj.contacts.all()]

    @staticmethod
    def resolve_colleague_ids(obj: Meeting) -> list[int]:
        return [user.pk for user in obj.colleagues.all()]


class MeetingIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime.datetime = Field(description=NAIVE)
    ends_at: datetime.datetime = Field(description=f"After the start. {NAIVE}")
    time_zone: str = Field("", description="IANA name; empty: your own time zone.")
    location: str = Field("", max_length=200)
    video_link: str = Field("", max_length=500)
    agenda: str = ""
    contact_ids: list[int] = Field(default_factory=list)
    colleague_ids: list[int] = Field(default_factory=list)


class MeetingPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    starts_at: datetime.datetime | None = Field(None, description=NAIVE)
    ends_at: datetime.datetime | None = Field(None, description=NAIVE)
    time_zone: str | None = Field(None, min_length=1)
    location: str | None = Field(None, max_length=200)
    video_link: str | None = Field(None, max_length=500)
    agenda: str | None = None
    contact_ids: list[int] | None = Field(None, description="Replaces the invited contacts.")
    colleague_ids: list[int] | None = Field(None, description="Replaces the invited colleagues.")


class MinutesIn(Schema):
    minutes: str


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    text: str
    owner_id: int | None
    due_date: datetime.date | None
    task_id: int | None = Field(description="The plan task made from it, if any.")


class ActionItemIn(Schema):
    text: str = Field(min_length=1, max_length=500)
    owner_id: int | None = Field(None, description="The project manager or a team member.")
    due_date: datetime.date | None = None


# ---- ids in, objects for the services ---------------------------------------------------------

PEOPLE = {"contacts": "contact_ids", "colleagues": "colleague_ids"}


def _rows(request: HttpRequest, name: str) -> Any:
    return Contact.objects.for_user(request.user) if name == "contacts" else colleagues()


def _service_fields(request: HttpRequest, values: dict[str, Any], zone: str) -> dict[str, Any]:
    """Ids become contacts and colleagues (unknown ones: 422); naive times are read in
    ``zone``."""
    for name, id_field in PEOPLE.items():
        if values.get(id_field) is None:
            values.pop(id_field, None)
            continue
        ids = set(values.pop(id_field))
        found = list(_rows(request, name).filter(pk__in=ids))
        if missing := sorted(ids - {row.pk for row in found}):
            raise ValidationError(
                {id_field: _("Unknown ids: %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
            )
        values[name] = found
    for name in ("starts_at", "ends_at"):
        if values.get(name) is not None and timezone.is_naive(values[name]):
            values[name] = values[name].replace(tzinfo=_zone(zone))
    return values


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("Not a known time zone.")}) from None


def _meeting(request: HttpRequest, meeting_id: int, action: str) -> Meeting:
    return get_object_or_404(Meeting.objects.for_user(request.user, action), pk=meeting_id)


# ---- meetings --------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/meetings",
    response=list[MeetingOut],
    summary="A project's meetings, earliest first",
)
@policy.api_requires("comms.meeting", "view")
def project_meetings(request: HttpRequest, project_id: int) -> Any:
    project = visible_project(request.user, project_id)
    return (
        Meeting.objects.for_user(request.user)
        .filter(project=project)
        .prefetch_related("contacts", "colleagues")
    )


@router.post(
    "/projects/{project_id}/meetings",
    response={201: MeetingOut},
    summary="Schedule a meeting; every attendee is e-mailed a calendar invitation",
)
@policy.api_requires("comms.meeting", "add")
def schedule_meeting(request: HttpRequest, project_id: int, payload: MeetingIn) -> Any:
    project = visible_project(request.user, project_id)
    values = payload.dict()
    values["time_zone"] = values["time_zone"] or services.default_time_zone(request.user)
    values = _service_fields(request, values, values["time_zone"])
    people = {name: values.pop(name) for name in PEOPLE}
    with request_field_names(PEOPLE):
        meeting = services.schedule_meeting(project, actor=request.user, fields=values, **people)
    return Status(201, meeting)


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="A meeting")
@policy.api_requires("comms.meeting", "view")
def get_meeting(request: HttpRequest, response: HttpResponse, meeting_id: int) -> Any:
    return read_with_etag(response, Meeting.objects.for_user(request.user), pk=meeting_id)


@router.patch(
    "/meetings/{meeting_id}",
    response=MeetingOut,
    summary="Change a meeting (needs If-Match); attendees get the updated invitation",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("comms.meeting", "change")
def update_meeting(
    request: HttpRequest, response: HttpResponse, meeting_id: int, payload: MeetingPatch
) -> Any:
    meeting = _meeting(request, meeting_id, "change")
    values = payload.dict(exclude_unset=True)
    changes = _service_fields(request, values, values.get("time_zone") or meeting.time_zone)
    with request_field_names(PEOPLE):
        return update_with_if_match(request, response, services.update_meeting, meeting, **changes)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response=MeetingOut,
    summary="Cancel a meeting; every attendee is e-mailed the cancellation",
)
@policy.api_requires("comms.meeting", "cancel")
def cancel_meeting(request: HttpRequest, meeting_id: int) -> Any:
    return services.cancel_meeting(_meeting(request, meeting_id, "cancel"), actor=request.user)


@router.put(
    "/meetings/{meeting_id}/minutes",
    response=MeetingOut,
    summary="Record a meeting's minutes (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("comms.meeting", "change")
def put_minutes(
    request: HttpRequest, response: HttpResponse, meeting_id: int, payload: MinutesIn
) -> Any:
    meeting = _meeting(request, meeting_id, "change")
    return update_with_if_match(
        request, response, services.record_minutes, meeting, minutes=payload.minutes
    )


# ---- action items ----------------------------------------------------------------------------


@router.get(
    "/meetings/{meeting_id}/action-items",
    response=list[ActionItemOut],
    summary="A meeting's action items",
)
@policy.api_requires("comms.meeting", "view")
def action_items(request: HttpRequest, meeting_id: int) -> Any:
    return _meeting(request, meeting_id, "view").action_items.all()


@router.post(
    "/meetings/{meeting_id}/action-items",
    response={201: ActionItemOut},
    summary="Add an action item to a meeting",
)
@policy.api_requires("comms.meeting", "change")
def add_action_item(request: HttpRequest, meeting_id: int, payload: ActionItemIn) -> Any:
    meeting = _meeting(request, meeting_id, "change")
    owner = None
    if payload.owner_id is not None:
        owner = services.team(meeting.project).filter(pk=payload.owner_id).first()
        if owner is None:
            raise ValidationError({"owner_id": _("The owner must be on the project team.")})
    item = services.add_action_item(
        meeting, actor=request.user, text=payload.text, owner=owner, due_date=payload.due_date
    )
    return Status(201, item)


@router.post(
    "/action-items/{item_id}/task",
    response={201: ActionItemOut},
    summary="Make an action item a task at the end of the project's plan",
)
@policy.api_requires("planning.task", "change")
def plan_action_item(request: HttpRequest, item_id: int) -> Any:
    visible = Meeting.objects.for_user(request.user)
    item = get_object_or_404(ActionItem.objects.filter(meeting__in=visible), pk=item_id)
    services.plan_action_item(item, actor=request.user)
    item.refresh_from_db()
    return Status(201, item)
