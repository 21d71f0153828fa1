"""Contacts through the API: list with filters, reads with ETag, edits with If-Match, merge."""

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
from charter.crm.api.clients import filtered
from charter.crm.choices import Channel, DecisionRole
from charter.crm.filtersets import ContactFilterSet
from charter.crm.models import Client, Contact
from charter.crm.services import contacts as services

router = Router(tags=["contacts"])

MOBILE_HELP = (
    "Chinese numbers as dialled (13800138000); others with + and country code. Stored E.164."
)


class ContactOut(Schema):
    id: int
    client: int = Field(description="The client organisation's ID.")
    name: str
    title: str
    department: str
    email: str
    mobile: str = Field(description="E.164, e.g. +8613800138000, or empty.")
    wechat_id: str
    preferred_channel: Channel
    language: str = Field(description="zh-hans or en.")
    notes: str
    decision_role: DecisionRole = Field(description="Role in the client's decisions.")
    influence: int = Field(description="Power over the project, 1 to 5.")
    interest: int = Field(description="Interest in the project, 1 to 5.")
    created_at: datetime.datetime
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_client(contact: Contact) -> int:
        return contact.client_id


class ContactIn(Schema):
    client: int = Field(description="The client organisation's ID.")
    name: str = Field(max_length=120)
    title: str = Field("", max_length=120)
    department: str = Field("", max_length=120)
    email: str = Field("", max_length=254)
    mobile: str = Field("", max_length=32, description=MOBILE_HELP)
    wechat_id: str = Field("", max_length=64)
    preferred_channel: Channel = Channel.EMAIL
    language: str = Field("zh-hans", description="zh-hans or en.")
    notes: str = ""
    decision_role: DecisionRole = DecisionRole.OTHER
    influence: int = Field(3, ge=1, le=5, description="Power over the project, 1 to 5.")
    interest: int = Field(3, ge=1, le=5, description="Interest in the project, 1 to 5.")


class ContactPatch(Schema):
    client: int | None = Field(None, description="The client organisation's ID.")
    name: str | None = Field(None, max_length=120)
    title: str | None = Field(None, max_length=120)
    department: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254)
    mobile: str | None = Field(None, max_length=32, description=MOBILE_HELP)
    wechat_id: str | None = Field(None, max_length=64)
    preferred_channel: Channel | None = None
    language: str | None = None
    notes: str | None = None
    decision_role: DecisionRole | None = None
    influence: int | None = Field(None, ge=1, le=5)
    interest: int | None = Field(None, ge=1, le=5)


class ContactFilters(Schema):
    q: str = Field("", description="Words found in the name, e-mail, mobile or title.")
    client: int | None = Field(None, description="Only this client's contacts.")
    decision_role: DecisionRole | None = None


class MergeIn(Schema):
    duplicate_id: int = Field(description="The contact merged into this one, then deleted.")


def _fields(request: HttpRequest, payload: dict[str, Any]) -> dict[str, Any]:
    """Payload fields as the service takes them: the client as an object, blanks for nulls."""
    if "client" in payload:
        client = Client.objects.for_user(request.user, "detail").filter(pk=payload["client"])
        payload["client"] = client.first()
        if payload["client"] is None:
            raise ValidationError({"client": _("There is no client organisation with this ID.")})
    return {name: "" if value is None else value for name, value in payload.items()}


@router.get("", response=list[ContactOut], summary="Contacts, with search and filters")
@policy.api_requires("crm.contact", "view")
@paginate(LimitOffsetPagination)
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> object:
    contacts = Contact.objects.for_user(request.user)
    params = filters.dict(exclude_none=True)
    return filtered(ContactFilterSet(params, queryset=contacts, user=request.user))


@router.post("", response={201: ContactOut}, summary="Add a contact")
@policy.api_requires("crm.contact", "add")
def create_contact(request: HttpRequest, response: HttpResponse, payload: ContactIn) -> object:
    contact = services.create_contact(actor=request.user, **_fields(request, payload.dict()))
    set_etag(response, contact)
    return contact


@router.get("/{contact_id}", response=ContactOut, summary="One contact (with its ETag)")
@policy.api_requires("crm.contact", "view")
def get_contact(request: HttpRequest, response: HttpResponse, contact_id: int) -> object:
    return read_with_etag(response, Contact.objects.for_user(request.user), pk=contact_id)


@router.patch(
    "/{contact_id}",
    response=ContactOut,
    summary="Edit a contact (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("crm.contact", "change")
def update_contact(
    request: HttpRequest, response: HttpResponse, contact_id: int, payload: ContactPatch
) -> object:
    contact = get_object_or_404(Contact.objects.for_user(request.user, "change"), pk=contact_id)
    return update_with_if_match(
        request,
        response,
        services.update_contact,
        contact,
        **_fields(request, payload.dict(exclude_unset=True)),
    )


@router.post(
    "/{contact_id}/merge",
    response=ContactOut,
    summary="Merge another contact into this one (managers)",
)
@policy.api_requires("crm.contact", "merge")
def merge_contact(
    request: HttpRequest, response: HttpResponse, contact_id: int, payload: MergeIn
) -> object:
    """This contact survives; the duplicate's references move here and it is deleted."""
    contacts = Contact.objects.for_user(request.user, "merge")
    survivor = get_object_or_404(contacts, pk=contact_id)
    duplicate = contacts.filter(pk=payload.duplicate_id).first()
    if duplicate is None:
        raise ValidationError({"duplicate_id": _("There is no contact with this ID.")})
    survivor = services.merge_contacts(survivor, duplicate, actor=request.user)
    set_etag(response, survivor)
    return survivor
