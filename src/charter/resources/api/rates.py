"""A resource's rates over time through the API; for managers and administrators only."""

import datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from charter.core import policy
from charter.core.api import IF_MATCH, set_etag, update_with_if_match
from charter.crm.choices import Currency
from charter.resources.models import RateChange, Resource
from charter.resources.services import rates

router = Router(tags=["rates"])

RATE = "resources.rate"


class RateChangeOut(Schema):
    id: int
    resource_id: int
    effective_from: datetime.date
    cost_rate: Decimal
    bill_rate: Decimal
    currency: Currency
    version: int


class RateChangeIn(Schema):
    effective_from: datetime.date
    cost_rate: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    bill_rate: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    currency: Currency | None = Field(None, description="Null: the resource's currency.")


class RateChangePatch(Schema):
    effective_from: datetime.date | None = None
    cost_rate: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    bill_rate: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    currency: Currency | None = None


def _resource(request: HttpRequest, resource_id: int) -> Resource:
    return get_object_or_404(Resource.objects.for_user(request.user), pk=resource_id)


@router.get(
    "/resources/{resource_id}/rates",
    response=list[RateChangeOut],
    summary="A resource's rate history, the latest first (managers)",
)
@policy.api_requires(RATE, "view")
def rate_history(request: HttpRequest, resource_id: int) -> object:
    return rates.rate_history(_resource(request, resource_id))


@router.post(
    "/resources/{resource_id}/rates",
    response={201: RateChangeOut},
    summary="Add a rate change (managers)",
)
@policy.api_requires(RATE, "change")
def add_rate_change(
    request: HttpRequest, response: HttpResponse, resource_id: int, payload: RateChangeIn
) -> object:
    resource = _resource(request, resource_id)
    values = payload.dict()
    values["currency"] = values["currency"] or ""
    change = rates.add_rate_change(resource, actor=request.user, **values)
    set_etag(response, change)
    return Status(201, change)


@router.patch(
    "/rate-changes/{change_id}",
    response=RateChangeOut,
    summary="Edit a rate change (managers; needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RATE, "change")
def update_rate_change(
    request: HttpRequest, response: HttpResponse, change_id: int, payload: RateChangePatch
) -> object:
    change = get_object_or_404(RateChange.objects.select_related("resource"), pk=change_id)
    changes = payload.dict(exclude_unset=True)
    return update_with_if_match(request, response, rates.update_rate_change, change, **changes)


@router.delete(
    "/rate-changes/{change_id}",
    response={204: None},
    summary="Delete a rate change (managers)",
)
@policy.api_requires(RATE, "change")
def delete_rate_change(request: HttpRequest, change_id: int) -> object:
    change = get_object_or_404(RateChange.objects.select_related("resource"), pk=change_id)
    rates.delete_rate_change(change, actor=request.user)
    return Status(204, None)
