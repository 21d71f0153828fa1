"""Clients through the API: list with the HTML list's filters, reads, manager writes."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    read_with_etag,
    set_etag,
    update_with_if_match,
)
from charter.crm.choices import CompanySize, Lifecycle
from charter.crm.filtersets import ClientFilterSet, FilterSet, owners
from charter.crm.models import Client
from charter.crm.services import clients as services

router = Router(tags=["clients"])

SORTS = "name, -name, created, -created, lifecycle, -lifecycle"


class ExternalIdOut(Schema):
    system: str = Field(description="The connected CRM, e.g. zoho or fxiaoke.")
    external_id: str = Field(description="The record's id in that system.")


class ClientOut(Schema):
    id: int = Field(description="The client's ID; refer to it elsewhere as `crm.client:ID`.")
    name: str = Field(description="Full registered name, unique.")
    short_name: str = Field(description="How the team usually calls the client.")
    industry: str = Field(description="Industry, free text.")
    size: CompanySize | str = Field(description="Head count band; empty when unknown.")
    region: str = Field(description="Province/city or country.")
    address: str
    website: str
    uscc: str = Field(description="Unified social credit code (统一社会信用代码), or empty.")
    owner: int | None = Field(description="User ID of the account owner.")
    lifecycle: Lifecycle = Field(description="lead, prospect, active or former.")
    auto_convert_won: bool = Field(description="Won deals become projects automatically.")
    tags: list[str] = Field(description="Tag names.")
    created_at: datetime.datetime
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    updated_at: datetime.datetime = Field(description="When it was last edited.")

    @staticmethod
    def resolve_owner(client: Client) -> int | None:
        return client.owner_id

    @staticmethod
    def resolve_tags(client: Client) -> list[str]:
        return services.tag_names(client)


class ClientDetailOut(ClientOut):
    external_ids: list[ExternalIdOut] = Field(description="Ids in connected CRMs (read-only).")

    @staticmethod
    def resolve_external_ids(client: Client) -> list[Any]:
        return list(services.external_ids(client))


class ClientIn(Schema):
    name: str = Field(max_length=200, description="Full registered name, unique.")
    short_name: str = Field("", max_length=60, description="How the team usually calls it.")
    industry: str = Field("", max_length=80)
    size: CompanySize | None = Field(None, description="Head count band.")
    region: str = Field("", max_length=80, description="Province/city or country.")
    address: str = Field("", max_length=255)
    website: str = Field("", max_length=200, description="A http(s) URL.")
    uscc: str = Field("", max_length=18, description="Checked (with its check character) if given.")
    owner: int | None = Field(None, description="User ID of a staff member.")
    lifecycle: Lifecycle = Field(Lifecycle.LEAD)
    auto_convert_won: bool = False
    tags: list[str] = Field([], description="Tag names; new ones are created.")


class ClientPatch(Schema):
    name: str | None = Field(None, max_length=200, description="Full registered name, unique.")
    short_name: str | None = Field(None, max_length=60, description="Short name.")
    industry: str | None = Field(None, max_length=80)
    size: CompanySize | None = None
    region: str | None = Field(None, max_length=80)
    address: str | None = Field(None, max_length=255)
    website: str | None = Field(None, max_length=200)
    uscc: str | None = Field(None, max_length=18)
    owner: int | None = Field(None, description="User ID of a staff member; null for none.")
    lifecycle: Lifecycle | None = None
    auto_convert_won: bool | None = None
    tags: list[str] | None = Field(None, description="Replaces all tags.")


class ClientFilters(Schema):
    q: str = Field("", description="Words found in the name, short name, USCC, region or industry.")
    lifecycle: Lifecycle | None = None
    owner: int | None = Field(None, description="Owner's user ID.")
    tag: str | None = Field(None, description="A tag name.")
    industry: str | None = None
    region: str | None = None
    sort: str | None = Field(None, description=f"One of: {SORTS}.")


def filtered(filterset: FilterSet) -> Any:
    """The filterset's rows; unlike the HTML list, an invalid filter value is a 422."""
    if not filterset.is_valid():
        raise ValidationError(
            {
                name: [str(message) for message in messages]
                for name, messages in filterset.errors.items()
            }
        )
    return filterset.qs


def _fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Payload fields as the service takes them: the owner as a user, blanks for nulls."""
    if "owner" in payload and payload["owner"] is not None:
        owner = owners().filter(pk=payload["owner"]).first()
        if owner is None:
            raise ValidationError({"owner": _("There is no active staff member with this ID.")})
        payload["owner"] = owner
    if "tags" in payload:
        tags = payload.pop("tags")
        if tags is not None:
            payload["tags"] = services.parse_tags(",".join(tags))
    # A null text or choice means "empty"; the service then says which are required.
    return {
        name: "" if value is None and name != "owner" else value for name, value in payload.items()
    }


@router.get("", response=list[ClientOut], summary="Clients, with search, filters and sort")
@policy.api_requires("crm.client", "list")
@paginate(LimitOffsetPagination)
def list_clients(request: HttpRequest, filters: Query[ClientFilters]) -> object:
    clients = Client.objects.for_user(request.user, "list")
    return filtered(ClientFilterSet(filters.dict(exclude_none=True), queryset=clients))


@router.post("", response={201: ClientDetailOut}, summary="Add a client")
@policy.api_requires("crm.client", "add")
def create_client(request: HttpRequest, response: HttpResponse, payload: ClientIn) -> object:
    client = services.create_client(actor=request.user, **_fields(payload.dict()))
    set_etag(response, client)
    return client


@router.get("/{client_id}", response=ClientDetailOut, summary="One client (with its ETag)")
@policy.api_requires("crm.client", "detail")
def get_client(request: HttpRequest, response: HttpResponse, client_id: int) -> object:
    return read_with_etag(response, Client.objects.for_user(request.user, "detail"), pk=client_id)


@router.patch(
    "/{client_id}",
    response=ClientDetailOut,
    summary="Edit a client (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("crm.client", "change")
def update_client(
    request: HttpRequest, response: HttpResponse, client_id: int, payload: ClientPatch
) -> object:
    client = get_object_or_404(Client.objects.for_user(request.user, "change"), pk=client_id)
    return update_with_if_match(
        request,
        response,
        services.update_client,
        client,
        **_fields(payload.dict(exclude_unset=True)),
    )
