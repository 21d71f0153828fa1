import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import IF_MATCH, expected_version, set_etag
from charter.crm.services import clients as services
from charter.crm.models import Client

router = Router(tags=["clients"])


class ClientOut(Schema):
    id: int = Field(description="The client's ID; refer to it elsewhere as `crm.client:ID`.")
    name: str = Field(description="Full registered name, unique.")
    short_name: str = Field(description="How the team usually calls the client.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    updated_at: datetime.datetime = Field(description="When it was last edited.")


class ClientIn(Schema):
    name: str = Field(max_length=200, description="Full registered name, unique.")
    short_name: str = Field("", max_length=60, description="How the team usually calls it.")


class ClientPatch(Schema):
    name: str | None = Field(None, max_length=200, description="Full registered name, unique.")
    short_name: str | None = Field(None, max_length=60, description="Short name.")


@router.get("", response=list[ClientOut], summary="Clients you can see")
@policy.api_requires("crm.client", "list")
@paginate(LimitOffsetPagination)
def list_clients(
    request: HttpRequest, q: str = Query("", description="Part of the name or short name.")
) -> object:
    return Client.objects.for_user(request.user).search(q)


@router.post("", response={201: ClientOut}, summary="Add a client")
@policy.api_requires("crm.client", "add")
def create_client(request: HttpRequest, response: HttpResponse, payload: ClientIn) -> object:
    client = services.create_client(actor=request.user, **payload.dict())
    set_etag(response, client)
    return client


@router.get("/{client_id}", response=ClientOut, summary="One client (with its ETag)")
@policy.api_requires("crm.client", "view")
def get_client(request: HttpRequest, response: HttpResponse, client_id: int) -> object:
    client = get_object_or_404(Client.objects.for_user(request.user), pk=client_id)
    set_etag(response, client)
    return client


@router.patch(
    "/{client_id}",
    response=ClientOut,
    summary="Edit a client (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("crm.client", "change")
def update_client(
    request: HttpRequest, response: HttpResponse, client_id: int, payload: ClientPatch
) -> object:
    client = get_object_or_404(Client.objects.for_user(request.user, "change"), pk=client_id)
    client = services.update_client(
        client,
        actor=request.user,
        expected_version=expected_version(request),
        **payload.dict(exclude_unset=True),
    )
    set_etag(response, client)
    return client
