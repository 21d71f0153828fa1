"""A communication plan item's occurrences through the API: those in a window, what an
owner does to one occurrence (its words, skip, restore, send now, preview), and the
occurrences of the items the caller owns this week. The same services as the pages; an
occurrence is named by its item and its rule date."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from charter.comms import occurrences as occurrence_verbs
from charter.comms import scheduler, templating
from charter.comms.models import (
    CommunicationItem,
    CommunicationKind,
    CommunicationOccurrence,
    OccurrenceStatus,
)
from charter.comms.querysets import visible_item
from charter.core import policy
from charter.crm.choices import Channel

router = Router(tags=["communication plan"])

DEFAULT_WEEKS = 8
LONGEST_WINDOW = datetime.timedelta(days=366)
MY_WEEK_LONGEST = 31


class OccurrenceOut(Schema):
    item_id: int
    nominal_on: datetime.date = Field(description="The rule's date: names the occurrence.")
    on: datetime.date = Field(description="The day it is due, moved off a day off.")
    due_at: datetime.datetime
    status: OccurrenceStatus
    edited: bool = Field(description="It has words of its own.")
    actionable: bool = Field(
        description="Planned and still ahead of the scheduler: it can be edited, skipped or "
        "sent now. A missed one is not actionable but can still be sent late (not a meeting)."
    )
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


def _upcoming(found: occurrence_verbs.Upcoming) -> dict[str, Any]:
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


def _occurrence(item: CommunicationItem, row: CommunicationOccurrence) -> dict[str, Any]:
    return _upcoming(occurrence_verbs.Upcoming(item, row.nominal_on, row.on, row.due_at, row))


# ---- occurrences -----------------------------------------------------------------------------


@router.get(
    "/communications/{item_id}/occurrences",
    response=list[OccurrenceOut],
    summary="An item's occurrences in a window (default: the next eight weeks)",
)
@policy.api_requires("comms.communication", "view")
def occurrences(request: HttpRequest, item_id: int, window: Query[WindowQuery]) -> Any:
    item = visible_item(request.user, item_id, "view")
    first = window.first or timezone.localdate()
    last = window.last or first + datetime.timedelta(weeks=DEFAULT_WEEKS)
    if last < first:
        raise ValidationError({"last": _("The last date comes before the first.")})
    if last - first > LONGEST_WINDOW:
        raise ValidationError({"last": _("Ask for at most a year at a time.")})
    rows = CommunicationItem.objects.filter(pk=item.pk)
    return [_upcoming(found) for found in occurrence_verbs.upcoming(rows, first, last)]


def _act(request: HttpRequest, item_id: int, nominal_on: datetime.date, act: Any) -> Any:
    item = visible_item(request.user, item_id, "change")
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
    return _act(request, item_id, nominal_on, occurrence_verbs.skip_occurrence)


@router.post(
    "/communications/{item_id}/occurrences/{nominal_on}/restore",
    response=OccurrenceOut,
    summary="Plan a skipped occurrence again while it is still ahead",
)
@policy.api_requires("comms.communication", "change")
def restore_occurrence(request: HttpRequest, item_id: int, nominal_on: datetime.date) -> Any:
    return _act(request, item_id, nominal_on, occurrence_verbs.restore_occurrence)


@router.post(
    "/communications/{item_id}/occurrences/{nominal_on}/send",
    response=OccurrenceOut,
    summary="Send an occurrence now: ahead of its time, or late when it was missed",
    description=(
        "A planned occurrence the scheduler has not reached is sent ahead of its time and not "
        "again on its date; a missed one is sent late, except a meeting (its time has passed). "
        "Refused (422) when the item is switched off, or the occurrence was sent or skipped."
    ),
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
    item = visible_item(request.user, item_id, "change")
    row = occurrence_verbs.edit_occurrence(
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
    item = visible_item(request.user, item_id, "view")
    row = occurrence_verbs.occurrence_of(item, nominal_on)
    if row is None:
        raise Http404
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
    found = occurrence_verbs.upcoming(items, today, today + datetime.timedelta(days=query.days))
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
