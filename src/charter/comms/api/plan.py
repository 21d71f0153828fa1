"""The communication plan's items through the API: a project's items, add one, read/change/
remove one. The same services as the pages."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from charter.comms import plan
from charter.comms.meetings import default_time_zone
from charter.comms.models import (
    ChatRobot,
    CommunicationItem,
    CommunicationKind,
    MessageTemplate,
    ShiftChoice,
)
from charter.comms.querysets import visible_item
from charter.core import policy
from charter.core.api import IF_MATCH, read_with_etag, request_field_names, update_with_if_match
from charter.crm.choices import Channel
from charter.crm.models import Contact
from charter.discovery.models import Campaign
from charter.planning.forms import colleagues
from charter.planning.models import Project
from charter.planning.querysets import visible_project

router = Router(tags=["communication plan"])

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


# ---- items -----------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/communications",
    response=list[ItemOut],
    summary="A project's communication plan",
)
@policy.api_requires("comms.communication", "view")
def project_items(request: HttpRequest, project_id: int) -> Any:
    project = visible_project(request.user, project_id)
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
    project = visible_project(request.user, project_id)
    values = payload.dict()
    values["time_zone"] = values["time_zone"] or default_time_zone(request.user)
    values["starts_on"] = values["starts_on"] or timezone.localdate()
    if values["owner_id"] is None:
        values["owner_id"] = request.user.pk
    values = _service_fields(request, project, values)
    people = {name: values.pop(name) for name in MANY}
    with request_field_names(API_NAMES):
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
    item = visible_item(request.user, item_id, "change")
    changes = _service_fields(request, item.project, payload.dict(exclude_unset=True))
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field cannot be null.")})
    with request_field_names(API_NAMES):
        return update_with_if_match(request, response, plan.update_item, item, **changes)


@router.delete(
    "/communications/{item_id}",
    response={204: None},
    summary="Remove an item from the plan; what it sent stays in the message log",
)
@policy.api_requires("comms.communication", "delete")
def delete_item(request: HttpRequest, item_id: int) -> Any:
    plan.delete_item(visible_item(request.user, item_id, "delete"), actor=request.user)
    return Status(204, None)
