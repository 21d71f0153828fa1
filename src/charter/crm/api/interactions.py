"""Interactions through the API: list by client or opportunity, log, read with its ETag, edit
with If-Match."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import IF_MATCH, expected_version, read_with_etag, set_etag
from charter.crm.choices import InteractionKind
from charter.crm.forms_pipeline import colleagues
from charter.crm.models import Client, Contact, Interaction, Opportunity
from charter.crm.services import interactions as services

router = Router(tags=["interactions"])


class InteractionOut(Schema):
    id: int
    client_id: int = Field(description="ID of the client.")
    opportunity_id: int | None = Field(description="ID of the opportunity it was about, if any.")
    kind: InteractionKind = Field(description="call, meeting, email, visit or note.")
    occurred_at: datetime.datetime = Field(description="When it happened.")
    summary: str
    contact_ids: list[int] = Field(description="IDs of the client's contacts who took part.")
    user_ids: list[int] = Field(description="IDs of the colleagues who took part.")
    follow_up_on: datetime.date | None = Field(description="When to follow up.")
    follow_up_done: bool
    owner_id: int | None = Field(description="Whose follow-up it is.")
    created_at: datetime.datetime
    version: int = Field(description="Raised by every saved change; the ETag is this in quotes.")

    @staticmethod
    def resolve_contact_ids(interaction: Interaction) -> list[int]:
        return [contact.pk for contact in interaction.contacts.all()]

    @staticmethod
    def resolve_user_ids(interaction: Interaction) -> list[int]:
        return [user.pk for user in interaction.users.all()]


class InteractionIn(Schema):
    client_id: int = Field(description="ID of the client.")
    opportunity_id: int | None = Field(None, description="ID of one of the client's deals.")
    kind: InteractionKind
    occurred_at: datetime.datetime | None = Field(None, description="Empty: now.")
    summary: str = Field(min_length=1)
    contact_ids: list[int] = Field([], description="Contacts of the client who took part.")
    user_ids: list[int] = Field([], description="Colleagues who took part.")
    follow_up_on: datetime.date | None = None
    owner_id: int | None = Field(None, description="Whose follow-up it is; empty: you.")


class InteractionPatch(Schema):
    opportunity_id: int | None = None
    kind: InteractionKind | None = None
    occurred_at: datetime.datetime | None = None
    summary: str | None = Field(None, min_length=1)
    contact_ids: list[int] | None = None
    user_ids: list[int] | None = None
    follow_up_on: datetime.date | None = None
    follow_up_done: bool | None = Field(None, description="true closes the follow-up.")
    owner_id: int | None = None


class InteractionFilter(Schema):
    client_id: int | None = Field(None, description="Only this client's interactions.")
    opportunity_id: int | None = Field(None, description="Only this deal's interactions.")
    due: bool = Field(False, description="Only your own open follow-ups due by today.")


def _some(rows: Any, ids: list[int], field: str) -> list[Any]:
    found = list(rows.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({field: _("Some of these IDs name nothing you can use.")})
    return found


def _one(rows: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = rows.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("There is nothing with this ID that you can use.")})
    return found


def _resolve(request: HttpRequest, fields: dict[str, Any]) -> dict[str, Any]:
    """Payload ids as the services take them (objects), each checked against what the caller
    may see; the services check that they belong to the interaction's client."""
    user = request.user
    if "opportunity_id" in fields:
        opportunity = _one(
            Opportunity.objects.for_user(user), fields.pop("opportunity_id"), "opportunity_id"
        )
        fields["opportunity"] = opportunity
    if "owner_id" in fields:
        fields["owner"] = _one(colleagues(), fields.pop("owner_id"), "owner_id") or user
    if "contact_ids" in fields:
        ids = fields.pop("contact_ids")
        fields["contacts"] = (
            None if ids is None else _some(Contact.objects.for_user(user), ids, "contact_ids")
        )
    if "user_ids" in fields:
        ids = fields.pop("user_ids")
        fields["users"] = None if ids is None else _some(colleagues(), ids, "user_ids")
    return fields


@router.get("", response=list[InteractionOut], summary="Interactions of a client or a deal")
@policy.api_requires("crm.interaction", "view")
@paginate(LimitOffsetPagination)
def list_interactions(request: HttpRequest, filters: Query[InteractionFilter]) -> object:
    if filters.due:
        return services.due_follow_ups(request.user).prefetch_related("contacts", "users")
    rows = services.interactions_for(request.user)
    if filters.client_id is not None:
        rows = rows.filter(client_id=filters.client_id)
    if filters.opportunity_id is not None:
        rows = rows.filter(opportunity_id=filters.opportunity_id)
    return rows


@router.post("", response={201: InteractionOut}, summary="Log an interaction")
@policy.api_requires("crm.interaction", "add")
def create_interaction(
    request: HttpRequest, response: HttpResponse, payload: InteractionIn
) -> object:
    fields = _resolve(request, payload.dict())
    fields["client"] = _one(
        Client.objects.for_user(request.user, "detail"), fields.pop("client_id"), "client_id"
    )
    if fields["occurred_at"] is None:
        del fields["occurred_at"]
    interaction = services.log_interaction(actor=request.user, **fields)
    set_etag(response, interaction)
    return interaction


@router.get("/{interaction_id}", response=InteractionOut, summary="One interaction (with its ETag)")
@policy.api_requires("crm.interaction", "view")
def get_interaction(request: HttpRequest, response: HttpResponse, interaction_id: int) -> object:
    return read_with_etag(response, services.interactions_for(request.user), pk=interaction_id)


@router.patch(
    "/{interaction_id}",
    response=InteractionOut,
    summary="Edit an interaction (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("crm.interaction", "change")
def update_interaction(
    request: HttpRequest, response: HttpResponse, interaction_id: int, payload: InteractionPatch
) -> object:
    interaction = get_object_or_404(
        Interaction.objects.for_user(request.user, "change").select_related("client"),
        pk=interaction_id,
    )
    version = expected_version(request)
    changes = _resolve(request, payload.dict(exclude_unset=True))
    for name in ("kind", "occurred_at", "summary", "follow_up_done"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    interaction = services.update_interaction(
        interaction, actor=request.user, expected_version=version, **changes
    )
    set_etag(response, interaction)
    return interaction
