"""The communication plan through the API: a project's items, read/change/remove one, its
occurrences in a window, what an owner does to one occurrence (its words, skip, restore, send
now, preview), and the occurrences of the items the caller owns this week. The same services
as the pages; an occurrence is named by its item and its rule date."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from charter.comms import plan, scheduler, templating
from charter.comms.meetings import default_time_zone
from charter.comms.models import (
    ChatRobot,
    CommunicationItem,
    CommunicationKind,
    CommunicationOccurrence,
    MessageTemplate,
    OccurrenceStatus,
    ShiftChoice,
)
from charter.comms.views_plan import occurrence_of
from charter.core import policy
from charter.core.api import IF_MATCH, read_with_etag, update_with_if_match
from charter.crm.choices import Channel
from charter.crm.models import Contact
from charter.discovery.models import Campaign
from charter.planning.forms import colleagues
from charter.planning.models import Project

router = Router(tags=["communication plan"])

DEFAULT_WEEKS = 8
LONGEST_WINDOW = datetime.timedelta(days=366)
MY_WEEK_LONGEST = 31
# PATCH fields that may be left out but not sent as null.
NOT_NULL = (
    "kind",
    "content",
    "audience",
    "frequency",
    "rule",
    "channel",
    "starts_on",
    "send_time",
    "time_zone",
    "shift",
    "meeting_minutes",
    "location",
    "is_active",
    "client_visible",
    "essential",
    "order",
)


class ItemOut(Schema):
    id: int
    project_id: int
    kind: CommunicationKind
    content: str = Field(description="What is sent.")
    audience: str = Field(description="Who it is for, in words.")
    frequency: str = Field(description="How often, in words; the rule decides the dates.")
    rule: str = Field(description="An iCalendar RRULE value; empty: once, on `starts_on`.")
    channel: Channel
    template_id: int | None = Field(description="Null: the default template of `kind`.")
    robot_id: int | None
    campaign_id: int | None
    contact_ids: list[int] = Field(description="Contacts of the project's client it goes to.")
    colleague_ids: list[int] = Field(description="Colleagues it goes to.")
    starts_on: datetime.date
    ends_on: datetime.date | None
    send_time: datetime.time = Field(description="Time of day in `time_zone`.")
    time_zone: str
    shift: ShiftChoice = Field(description="What happens to a date on a day off.")
    meeting_minutes: int
    location: str
    is_active: bool = Field(description="False: a draft that sends nothing.")
    client_visible: bool
    essential: bool = Field(description="Reaches contacts who unsubscribed from the others.")
    owner_id: int | None
    order: int
    next_nominal_on: datetime.date | None = Field(description="The rule date of the next one.")
    next_on: datetime.date | None = Field(description="The day the next one is due.")
    next_due_at: datetime.datetime | None = Field(description="When the scheduler acts on it.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_contact_ids(obj: CommunicationItem) -> list[int]:
        return [contact.pk for contact in obj.contacts.all()]

    @staticmethod
    def resolve_colleague_ids(obj: CommunicationItem) -> list[int]:
        return [user.pk for user in obj.colleagues.all()]


class ItemIn(Schema):
    kind: CommunicationKind = CommunicationKind.CUSTOM
    content: str = Field(min_length=1, max_length=200)
    audience: str = Field("", max_length=200)
    frequency: str = Field("", max_length=120)
    rule: str = Field("", max_length=500, description="An RRULE value; empty: once.")
    channel: Channel
    template_id: int | None = Field(None, description="Null: the default template of `kind`.")
    robot_id: int | None = Field(
        None, description="Needed by WeCom, DingTalk, Feishu and Slack items."
    )
    campaign_id: int | None = Field(None, description="Needed by survey items.")
    contact_ids: list[int] = Field(default_factory=list)
    colleague_ids: list[int] = Field(default_factory=list)
    starts_on: datetime.date | None = Field(None, description="Null: today.")
    ends_on: datetime.date | None = None
    send_time: datetime.time = datetime.time(9, 0)
    time_zone: str = Field("", description="IANA name; empty: your own time zone.")
    shift: ShiftChoice = ShiftChoice.NEXT
    meeting_minutes: int = Field(60, ge=1, le=1440)
    location: str = Field("", max_length=500)
    is_active: bool = True
    client_visible: bool = False
    essential: bool = False
    owner_id: int | None = Field(None, description="Null on create: you.")
    order: int = Field(0, ge=0, le=32767)


class ItemPatch(Schema):
    kind: CommunicationKind | None = None
    content: str | None = Field(None, min_length=1, max_length=200)
    audience: str | None = Field(None, max_length=200)
    frequency: str | None = Field(None, max_length=120)
    rule: str | None = Field(None, max_length=500)
    channel: Channel | None = None
    template_id: int | None = Field(None, description="Null: the default template of `kind`.")
    robot_id: int | None = None
    campaign_id: int | None = None
    contact_ids: list[int] | None = Field(None, description="Replaces the contacts.")
    colleague_ids: list[int] | None = Field(None, description="Replaces the colleagues.")
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    send_time: datetime.time | None = None
    time_zone: str | None = Field(None, min_length=1)
    shift: ShiftChoice | None = None
    meeting_minutes: int | None = Field(None, ge=1, le=1440)
    location: str | None = Field(None, max_length=500)
    is_active: bool | None = None
    client_visible: bool | None = None
    essential: bool | None = None
    owner_id: int | None = None
    order: int | None = Field(None, ge=0, le=32767)


class OccurrenceOut(Schema):
    item_id: int
    nominal_on: datetime.date = Field(description="The rule's date: names the occurrence.")
    on: datetime.date = Field(description="The day it is due, moved off a day off.")
    due_at: datetime.datetime
    status: OccurrenceStatus
    edited: bool = Field(description="It has words of its own.")
    actionable: bool = Field(description="Still ahead: it can be edited, skipped or sent now.")
    subject: str = Field(description="Its own subject; empty: the template's.")
    body: str = Field(description="Its own text; empty: the template's.")
    outcome: str = Field(description="What happened when it was handled.")


class MyOccurrenceOut(OccurrenceOut):
    project_id: int
    project: str
    content: str
    kind: CommunicationKind
    channel: Channel


class WordsIn(Schema):
    subject: str = Field("", max_length=200, description="Empty: the template's.")
    body: str = Field("", description="Empty: the template's.")


class RecipientOut(Schema):
    name: str
    email: str
    language: str


class PreviewOut(Schema):
    language: str
    subject: str
    text: str
    html: str
    recipients: list[RecipientOut] = Field(description="Who an e-mail of it goes to.")
    left_out: int = Field(description="Contacts left out because they unsubscribed.")


class WindowQuery(Schema):
    first: datetime.date | None = Field(None, description="Default: today.")
    last: datetime.date | None = Field(None, description="Default: eight weeks on.")


class PreviewQuery(Schema):
    language: Literal["zh-hans", "en"] = "zh-hans"


class MyWeekQuery(Schema):
    days: int = Field(7, ge=1, le=MY_WEEK_LONGEST, description="How many days ahead.")


# ---- ids in, objects for the services ---------------------------------------------------------

ONE = {
    "template": "template_id",
    "robot": "robot_id",
    "campaign": "campaign_id",
    "owner": "owner_id",
}
MANY = {"contacts": "contact_ids", "colleagues": "colleague_ids"}
API_NAMES = {**ONE, **MANY}


def _choices(request: HttpRequest, project: Project, name: str) -> Any:
    return {
        "template": MessageTemplate.objects.for_user(request.user),
        "robot": ChatRobot.objects.for_user(request.user),
        "campaign": Campaign.objects.filter(project=project),
        "owner": colleagues(),
        "contacts": Contact.objects.for_user(request.user),
        "colleagues": colleagues(),
    }[name]


def _unknown(field: str, ids: Any) -> ValidationError:
    return ValidationError(
        {field: _("Unknown ids: %(ids)s.") % {"ids": ", ".join(map(str, sorted(ids)))}}
    )


def _service_fields(
    request: HttpRequest, project: Project, values: dict[str, Any]
) -> dict[str, Any]:
    """Ids become the objects the services take (unknown ones: 422 on the id field)."""
    for name, field in ONE.items():
        if field not in values:
            continue
        pk = values.pop(field)
        if pk is None:
            values[name] = None
            continue
        found = _choices(request, project, name).filter(pk=pk).first()
        if found is None:
            raise _unknown(field, [pk])
        values[name] = found
    for name, field in MANY.items():
        if field not in values:
            continue
        ids = set(values.pop(field) or ())
        found = list(_choices(request, project, name).filter(pk__in=ids))
        if missing := ids - {row.pk for row in found}:
            raise _unknown(field, missing)
        values[name] = found
    return values


@contextmanager
def _api_field_names() -> Iterator[None]:
    """Report the services' errors under the request's ``*_id(s)`` names."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {API_NAMES.get(name, name): errors for name, errors in error.error_dict.items()}
        ) from error


def _item(request: HttpRequest, item_id: int, action: str) -> CommunicationItem:
    rows = CommunicationItem.objects.for_user(request.user, action).select_related(
        "project__client", "owner", "robot", "template", "campaign"
    )
    return get_object_or_404(rows, pk=item_id)


def _occurrence(item: CommunicationItem, row: CommunicationOccurrence) -> dict[str, Any]:
    actionable = (
        row.status == OccurrenceStatus.PLANNED
        and item.is_active
        and item.next_nominal_on is not None
        and row.nominal_on >= item.next_nominal_on
    )
    return {
        "item_id": item.pk,
        "nominal_on": row.nominal_on,
        "on": row.on,
        "due_at": row.due_at,
        "status": row.status,
        "edited": bool(row.subject or row.body),
        "actionable": actionable,
        "subject": row.subject,
        "body": row.body,
        "outcome": row.outcome,
    }


def _upcoming(found: plan.Upcoming) -> dict[str, Any]:
    row = found.row
    return {
        "item_id": found.item.pk,
        "nominal_on": found.nominal_on,
        "on": found.on,
        "due_at": found.due_at,
        "status": found.status,
        "edited": found.edited,
        "actionable": found.actionable,
        "subject": row.subject if row else "",
        "body": row.body if row else "",
        "outcome": row.outcome if row else "",
    }


# ---- items -----------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/communications",
    response=list[ItemOut],
    summary="A project's communication plan",
)
@policy.api_requires("comms.communication", "view")
def project_items(request: HttpRequest, project_id: int) -> Any:
    project = get_object_or_404(Project.objects.for_user(request.user), pk=project_id)
    return (
        CommunicationItem.objects.for_user(request.user)
        .filter(project=project)
        .prefetch_related("contacts", "colleagues")
    )


@router.post(
    "/projects/{project_id}/communications",
    response={201: ItemOut},
    summary="Add an item to a project's communication plan",
)
@policy.api_requires("comms.communication", "add")
def create_item(request: HttpRequest, project_id: int, payload: ItemIn) -> Any:
    project = get_object_or_404(Project.objects.for_user(request.user), pk=project_id)
    values = payload.dict()
    values["time_zone"] = values["time_zone"] or default_time_zone(request.user)
    values["starts_on"] = values["starts_on"] or timezone.localdate()
    if values["owner_id"] is None:
        values["owner_id"] = request.user.pk
    values = _service_fields(request, project, values)
    people = {name: values.pop(name) for name in MANY}
    with _api_field_names():
        item = plan.create_item(project, actor=request.user, **people, **values)
    return Status(201, item)


@router.get("/communications/{item_id}", response=ItemOut, summary="A communication plan item")
@policy.api_requires("comms.communication", "view")
def get_item(request: HttpRequest, response: HttpResponse, item_id: int) -> Any:
    return read_with_etag(response, CommunicationItem.objects.for_user(request.user), pk=item_id)


@router.patch(
    "/communications/{item_id}",
    response=ItemOut,
    summary="Change a communication plan item (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("comms.communication", "change")
def update_item(
    request: HttpRequest, response: HttpResponse, item_id: int, payload: ItemPatch
) -> Any:
    item = _item(request, item_id, "change")
    changes = _service_fields(request, item.project, payload.dict(exclude_unset=True))
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field cannot be null.")})
    with _api_field_names():
        return update_with_if_match(request, response, plan.update_item, item, **changes)


@router.delete(
    "/communications/{item_id}",
    response={204: None},
    summary="Remove an item from the plan; what it sent stays in the message log",
)
@policy.api_requires("comms.communication", "delete")
def delete_item(request: HttpRequest, item_id: int) -> Any:
    plan.delete_item(_item(request, item_id, "delete"), actor=request.user)
    return Status(204, None)


# ---- occurrences -----------------------------------------------------------------------------


@router.get(
    "/communications/{item_id}/occurrences",
    response=list[OccurrenceOut],
    summary="An item's occurrences in a window (default: the next eight weeks)",
)
@policy.api_requires("comms.communication", "view")
def occurrences(request: HttpRequest, item_id: int, window: Query[WindowQuery]) -> Any:
    item = _item(request, item_id, "view")
    first = window.first or timezone.localdate()
    last = window.last or first + datetime.timedelta(weeks=DEFAULT_WEEKS)
    if last < first:
        raise ValidationError({"last": _("The last date comes before the first.")})
    if last - first > LONGEST_WINDOW:
        raise ValidationError({"last": _("Ask for at most a year at a time.")})
    rows = CommunicationItem.objects.filter(pk=item.pk)
    return [_upcoming(found) for found in plan.upcoming(rows, first, last)]


def _act(request: HttpRequest, item_id: int, nominal_on: datetime.date, act: Any) -> Any:
    item = _item(request, item_id, "change")
    row = act(item, nominal_on, actor=request.user)
    item.refresh_from_db()
    return _occurrence(item, row)


@router.post(
    "/communications/{item_id}/occurrences/{nominal_on}/skip",
    response=OccurrenceOut,
    summary="Send nothing this time",
)
@policy.api_requires("comms.communication", "change")
def skip_occurrence(request: HttpRequest, item_id: int, nominal_on: datetime.date) -> Any:
    return _act(request, item_id, nominal_on, plan.skip_occurrence)


@router.post(
    "/communications/{item_id}/occurrences/{nominal_on}/restore",
    response=OccurrenceOut,
    summary="Plan a skipped occurrence again while it is still ahead",
)
@policy.api_requires("comms.communication", "change")
def restore_occurrence(request: HttpRequest, item_id: int, nominal_on: datetime.date) -> Any:
    return _act(request, item_id, nominal_on, plan.restore_occurrence)


@router.post(
    "/communications/{item_id}/occurrences/{nominal_on}/send",
    response=OccurrenceOut,
    summary="Send an occurrence now, ahead of its time",
)
@policy.api_requires("comms.communication", "change")
def send_occurrence(request: HttpRequest, item_id: int, nominal_on: datetime.date) -> Any:
    return _act(request, item_id, nominal_on, scheduler.send_now)


@router.put(
    "/communications/{item_id}/occurrences/{nominal_on}",
    response=OccurrenceOut,
    summary="Give one occurrence words of its own (empty: the template's)",
)
@policy.api_requires("comms.communication", "change")
def edit_occurrence(
    request: HttpRequest, item_id: int, nominal_on: datetime.date, payload: WordsIn
) -> Any:
    item = _item(request, item_id, "change")
    row = plan.edit_occurrence(
        item, nominal_on, actor=request.user, subject=payload.subject, body=payload.body
    )
    return _occurrence(item, row)


@router.get(
    "/communications/{item_id}/occurrences/{nominal_on}/preview",
    response=PreviewOut,
    summary="An occurrence's words as they will be sent, in Chinese or English, and to whom",
)
@policy.api_requires("comms.communication", "view")
def preview_occurrence(
    request: HttpRequest, item_id: int, nominal_on: datetime.date, query: Query[PreviewQuery]
) -> Any:
    item = _item(request, item_id, "view")
    row = occurrence_of(item, nominal_on)
    recipients, left_out = scheduler.email_recipients(item)
    reader = next(
        (r.name for r in recipients if templating.language_of(r.language) == query.language),
        recipients[0].name if recipients else "",
    )
    words = scheduler.render_for(item, row, language=query.language, recipient=reader)
    return {
        "language": query.language,
        "subject": words.subject,
        "text": words.text,
        "html": words.html,
        "recipients": [
            {"name": r.name, "email": r.email, "language": templating.language_of(r.language)}
            for r in recipients
        ],
        "left_out": left_out,
    }


@router.get(
    "/me/communications",
    response=list[MyOccurrenceOut],
    summary="The occurrences of the plan items you own, from today on",
)
@policy.api_requires("comms.communication", "view")
def my_occurrences(request: HttpRequest, query: Query[MyWeekQuery]) -> Any:
    items = CommunicationItem.objects.for_user(request.user).filter(owner_id=request.user.pk)
    today = timezone.localdate()
    found = plan.upcoming(items, today, today + datetime.timedelta(days=query.days))
    return [
        {
            **_upcoming(occurrence),
            "project_id": occurrence.item.project_id,
            "project": occurrence.item.project.name,
            "content": occurrence.item.content,
            "kind": occurrence.item.kind,
            "channel": occurrence.item.channel,
        }
        for occurrence in found
    ]
