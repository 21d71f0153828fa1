"""Whether a contact unsubscribed from non-essential messages, through the API: read it, and
record or undo an unsubscribe the contact asked for (the same services as the contact page)."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from charter.comms import unsubscribe as services
from charter.comms.models import ContactOptOut, OptOutSource
from charter.core import policy
from charter.crm.models import Contact

router = Router(tags=["contacts"])


class SubscriptionOut(Schema):
    unsubscribed: bool = Field(
        description="True: only essential messages reach the contact (status reports and "
        "notices are left out)."
    )
    since: datetime.datetime | None = Field(description="When the unsubscribe was recorded.")
    source: OptOutSource | None = Field(
        description="How: `link` (the contact used the link in an e-mail) or `staff` "
        "(the team recorded it)."
    )


class SubscriptionIn(Schema):
    unsubscribed: bool = Field(
        description="True records an unsubscribe (again: nothing changes); false undoes it."
    )


def _subscription(contact: Contact) -> dict[str, Any]:
    opt_out = ContactOptOut.objects.filter(contact=contact).first()
    return {
        "unsubscribed": opt_out is not None,
        "since": opt_out.opted_out_at if opt_out else None,
        "source": opt_out.source if opt_out else None,
    }


def _contact(request: HttpRequest, contact_id: int) -> Contact:
    return get_object_or_404(Contact.objects.for_user(request.user), pk=contact_id)


@router.get(
    "/contacts/{contact_id}/subscription",
    response=SubscriptionOut,
    summary="Whether a contact unsubscribed from non-essential messages",
)
@policy.api_requires("comms.optout", "view")
def get_subscription(request: HttpRequest, contact_id: int) -> Any:
    return _subscription(_contact(request, contact_id))


@router.put(
    "/contacts/{contact_id}/subscription",
    response=SubscriptionOut,
    summary="Record that a contact unsubscribed, or undo it",
)
@policy.api_requires("comms.optout", "change")
def put_subscription(request: HttpRequest, contact_id: int, payload: SubscriptionIn) -> Any:
    contact = _contact(request, contact_id)
    if payload.unsubscribed:
        services.unsubscribe(contact, source=OptOutSource.STAFF, actor=request.user)
    else:
        services.resubscribe(contact, actor=request.user)
    return _subscription(contact)
