"""The pipeline through the API: opportunities (with ETag/If-Match and moves) and stages."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import IF_MATCH, expected_version, read_with_etag, set_etag
from charter.crm.choices import Currency, StageKind
from charter.crm.forms_pipeline import colleagues
from charter.crm.models import Client, Opportunity, Stage
from charter.crm.services import pipeline as services

opportunities = Router(tags=["opportunities"])
stages = Router(tags=["stages"])

Probability = Annotated[int, Field(ge=0, le=100)]


# ---- schemas -----------------------------------------------------------------------------------


class StageOut(Schema):
    id: int = Field(description="The stage's ID (`stage_id` elsewhere).")
    name_zh: str = Field(description="Chinese name.")
    name_en: str = Field(description="English name.")
    order: int = Field(description="Position in the pipeline; lower comes first.")
    kind: StageKind = Field(description="open, won or lost: won and lost stages close a deal.")
    probability: int = Field(description="Default probability (%) of deals moving in.")


class StageIn(Schema):
    name_zh: str = Field(min_length=1, max_length=40, description="Chinese name.")
    name_en: str = Field(min_length=1, max_length=40, description="English name.")
    kind: StageKind = Field(StageKind.OPEN, description="open, won or lost.")
    probability: Probability = Field(10, description="Default probability (%).")


class StagePatch(Schema):
    name_zh: str | None = Field(None, min_length=1, max_length=40, description="Chinese name.")
    name_en: str | None = Field(None, min_length=1, max_length=40, description="English name.")
    kind: StageKind | None = Field(None, description="open, won or lost.")
    probability: Probability | None = Field(None, description="Default probability (%).")
    position: int | None = Field(
        None, ge=1, description="Move the stage to this place in the pipeline (1 = first)."
    )


class OpportunityOut(Schema):
    id: int = Field(description="The opportunity's ID; refer to it as `crm.opportunity:ID`.")
    client_id: int = Field(description="ID of the client.")
    title: str
    amount: Decimal = Field(description="The deal's value, in `currency`.")
    currency: Currency
    expected_close: datetime.date | None = Field(description="When the deal should close.")
    probability: int = Field(description="Chance of winning (%).")
    weighted_amount: Decimal = Field(description="amount * probability / 100, in `currency`.")
    owner_id: int | None = Field(description="ID of the user who owns the deal.")
    stage_id: int = Field(description="ID of its pipeline stage.")
    stage_kind: StageKind = Field(description="Kind of its stage: open, won or lost.")
    next_step: str
    lost_reason: str = Field(description="Why it was lost (lost stages only).")
    closed_at: datetime.datetime | None = Field(description="When it was won or lost.")
    created_at: datetime.datetime
    version: int = Field(description="Raised by every saved change; the ETag is this in quotes.")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_stage_kind(deal: Opportunity) -> str:
        return deal.stage.kind


class OpportunityIn(Schema):
    client_id: int = Field(description="ID of the client.")
    title: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    currency: Currency = Field(Currency.CNY)
    expected_close: datetime.date | None = None
    probability: Probability | None = Field(None, description="Empty: the stage's default.")
    owner_id: int | None = Field(None, description="Empty: you.")
    stage_id: int | None = Field(None, description="Empty: the first open stage.")
    next_step: str = Field("", max_length=255)
    lost_reason: str = Field("", max_length=255, description="Required in a lost stage.")


class OpportunityPatch(Schema):
    client_id: int | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: Currency | None = None
    expected_close: datetime.date | None = None
    probability: Probability | None = None
    owner_id: int | None = None
    stage_id: int | None = Field(
        None, description="Changing it brings the stage's probability unless you send one."
    )
    next_step: str | None = Field(None, max_length=255)
    lost_reason: str | None = Field(None, max_length=255)


class MoveIn(Schema):
    stage_id: int = Field(description="The stage to move the deal to.")
    lost_reason: str = Field("", max_length=255, description="Required for a lost stage.")


class OpportunityFilter(FilterSchema):
    stage_id: int | None = Field(None, description="Only deals in this stage.")
    owner_id: int | None = Field(None, description="Only deals of this owner.")
    client_id: int | None = Field(None, description="Only deals of this client.")
    kind: Annotated[StageKind | None, FilterLookup("stage__kind")] = Field(
        None, description="Only open, won or lost deals."
    )
    month: str | None = Field(
        None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Expected close month, YYYY-MM."
    )
    q: Annotated[str | None, FilterLookup("title__icontains")] = Field(
        None, description="Part of the title."
    )

    def filter_month(self, value: str | None) -> Q:
        if not value:
            return Q()
        year, month = value.split("-")
        return Q(expected_close__year=int(year), expected_close__month=int(month))


# ---- helpers -----------------------------------------------------------------------------------


def _resolve(request: HttpRequest, fields: dict[str, Any]) -> dict[str, Any]:
    """Payload ids as the services take them: objects the caller may use, else a field error."""
    lookups = {
        "client_id": ("client", Client.objects.for_user(request.user, "detail")),
        "owner_id": ("owner", colleagues()),
        "stage_id": ("stage", Stage.objects.all()),
    }
    for key, (name, rows) in lookups.items():
        if key not in fields:
            continue
        pk = fields.pop(key)
        fields[name] = None if pk is None else rows.filter(pk=pk).first()
        if pk is not None and fields[name] is None:
            raise ValidationError({key: _("There is nothing with this ID that you can use.")})
    return fields


def _deals(request: HttpRequest, action: str = "view") -> Any:
    return Opportunity.objects.for_user(request.user, action).select_related("stage")


# ---- opportunities -----------------------------------------------------------------------------


@opportunities.get("", response=list[OpportunityOut], summary="Opportunities")
@policy.api_requires("crm.opportunity", "view")
@paginate(LimitOffsetPagination)
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFilter]) -> object:
    return filters.filter(_deals(request)).order_by("-created_at", "-pk")


@opportunities.post("", response={201: OpportunityOut}, summary="Add an opportunity")
@policy.api_requires("crm.opportunity", "add")
def create_opportunity(
    request: HttpRequest, response: HttpResponse, payload: OpportunityIn
) -> object:
    fields = _resolve(request, payload.dict())
    if fields["client"] is None:  # the schema requires it; keep the checker content
        raise ValidationError({"client_id": _("Choose the client.")})
    fields["owner"] = fields["owner"] or request.user
    deal = services.create_opportunity(actor=request.user, **fields)
    set_etag(response, deal)
    return deal


@opportunities.get(
    "/{opportunity_id}", response=OpportunityOut, summary="One opportunity (with its ETag)"
)
@policy.api_requires("crm.opportunity", "view")
def get_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: int) -> object:
    return read_with_etag(response, _deals(request), pk=opportunity_id)


@opportunities.patch(
    "/{opportunity_id}",
    response=OpportunityOut,
    summary="Edit an opportunity (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("crm.opportunity", "change")
def update_opportunity(
    request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: OpportunityPatch
) -> object:
    deal = get_object_or_404(_deals(request, "change"), pk=opportunity_id)
    version = expected_version(request)
    changes = _resolve(request, payload.dict(exclude_unset=True))
    for required in ("client", "stage", "title", "amount", "currency", "probability"):
        if required in changes and changes[required] is None:
            raise ValidationError({required: _("This field cannot be empty.")})
    deal = services.update_opportunity(
        deal, actor=request.user, expected_version=version, **changes
    )
    set_etag(response, deal)
    return deal


@opportunities.post(
    "/{opportunity_id}/move",
    response=OpportunityOut,
    summary="Move an opportunity to another stage (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("crm.opportunity", "change")
def move_opportunity(
    request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: MoveIn
) -> object:
    deal = get_object_or_404(_deals(request, "change"), pk=opportunity_id)
    version = expected_version(request)
    stage = _resolve(request, {"stage_id": payload.stage_id})["stage"]
    deal = services.move_opportunity(
        deal,
        stage=stage,
        actor=request.user,
        expected_version=version,
        lost_reason=payload.lost_reason,
    )
    set_etag(response, deal)
    return deal


# ---- stages ------------------------------------------------------------------------------------


@stages.get("", response=list[StageOut], summary="Pipeline stages, in order")
@policy.api_requires("crm.stage", "view")
def list_stages(request: HttpRequest) -> object:
    return Stage.objects.order_by("order", "pk")


@stages.post("", response={201: StageOut}, summary="Add a stage at the end (managers)")
@policy.api_requires("crm.stage", "change")
def create_stage(request: HttpRequest, payload: StageIn) -> object:
    return services.create_stage(actor=request.user, **payload.dict())


@stages.patch("/{stage_id}", response=StageOut, summary="Rename, re-kind or reorder a stage")
@policy.api_requires("crm.stage", "change")
def update_stage(request: HttpRequest, stage_id: int, payload: StagePatch) -> object:
    stage = get_object_or_404(Stage, pk=stage_id)
    changes = payload.dict(exclude_unset=True)
    position = changes.pop("position", None)
    for name in list(changes):
        if changes[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    return services.update_stage(stage, actor=request.user, position=position, **changes)


@stages.delete("/{stage_id}", response={204: None}, summary="Delete an empty stage")
@policy.api_requires("crm.stage", "change")
def delete_stage(request: HttpRequest, stage_id: int) -> object:
    stage = get_object_or_404(Stage, pk=stage_id)
    services.delete_stage(stage, actor=request.user)
    return Status(204, None)
