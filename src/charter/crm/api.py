from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.crm.models import Client

router = Router(tags=["clients"])


class ClientOut(Schema):
    id: int
    name: str
    short_name: str
    version: int


@router.get("", response=list[ClientOut], summary="Clients you can see")
@policy.api_requires("crm.client", "list")
@paginate(LimitOffsetPagination)
def list_clients(request: HttpRequest) -> object:
    return Client.objects.for_user(request.user)


@router.get("/{client_id}", response=ClientOut, summary="One client")
@policy.api_requires("crm.client", "view")
def get_client(request: HttpRequest, client_id: int) -> object:
    return get_object_or_404(Client.objects.for_user(request.user), pk=client_id)
