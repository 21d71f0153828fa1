import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.accounts import services
from charter.accounts.choices import Language, Role
from charter.accounts.models import ApiToken, User
from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    read_with_etag,
    set_etag,
    update_with_if_match,
)
from charter.crm.models import Client

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int = Field(description="Your user ID.")
    username: str = Field(description="The name you sign in with.")
    display_name: str = Field(description="Your name as colleagues and clients see it.")
    email: str = Field(description="Your e-mail address.")
    role: Role = Field(description="What you may do: admin, manager, member or client.")
    client: int | None = Field(description="ID of your client organisation (client users only).")
    language: Language = Field(description="Interface and e-mail language.")
    time_zone: str = Field(description="IANA time zone that dates are shown in.")

    @staticmethod
    def resolve_client(user: User) -> int | None:
        return user.client_id


class MePatch(Schema):
    display_name: str | None = Field(None, max_length=150, description="Name as others see it.")
    language: Language | None = Field(None, description="Interface and e-mail language.")
    time_zone: str | None = Field(None, max_length=64, description="IANA name, e.g. Asia/Shanghai.")


class UserOut(MeOut):
    is_active: bool = Field(description="Whether the account may sign in.")
    last_login: datetime.datetime | None = Field(description="When the person last signed in.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")


class UserIn(Schema):
    username: str = Field(max_length=150, description="The name to sign in with; unique.")
    display_name: str = Field("", max_length=150, description="Name as others see it.")
    email: str = Field("", max_length=254, description="E-mail address.")
    role: Role = Field(Role.MEMBER, description="admin, manager, member or client.")
    client: int | None = Field(None, description="Client organisation ID; client users only.")
    language: Language = Field(Language.ZH_HANS, description="Interface and e-mail language.")
    time_zone: str = Field("Asia/Shanghai", max_length=64, description="IANA time zone.")
    password: str | None = Field(
        None, description="Initial password; without one the account cannot sign in until a reset."
    )


class UserPatch(Schema):
    display_name: str | None = Field(None, max_length=150, description="Name as others see it.")
    email: str | None = Field(None, max_length=254, description="E-mail address.")
    role: Role | None = Field(None, description="admin, manager, member or client.")
    client: int | None = Field(None, description="Client organisation ID; client users only.")
    language: Language | None = Field(None, description="Interface and e-mail language.")
    time_zone: str | None = Field(None, max_length=64, description="IANA time zone.")
    is_active: bool | None = Field(None, description="False deactivates the account.")


class UserFilter(FilterSchema):
    role: Role | None = Field(None, description="Only users with this role.")
    is_active: bool | None = Field(None, description="Only active (true) or inactive (false).")
    q: Annotated[
        str | None,
        FilterLookup(["username__icontains", "display_name__icontains", "email__icontains"]),
    ] = Field(None, description="Part of the username, name or e-mail address.")


class TokenOut(Schema):
    id: int = Field(description="Token ID, for revoking it.")
    name: str = Field(description="What the token is for.")
    prefix: str = Field(description="The token's visible part, to recognise it (chr_PREFIX_…).")
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None = Field(description="Last use, to within minutes.")
    expires_at: datetime.datetime | None = Field(description="Stops working then; null: never.")
    revoked_at: datetime.datetime | None = Field(description="Revoked then; null: still valid.")
    is_active: bool = Field(description="Whether the token still authenticates.")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")
    expires_at: datetime.datetime | None = Field(None, description="Optional expiry, future.")


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret, shown only this once: store it now.")


def _client_for(request: HttpRequest, client_id: int | None) -> Client | None:
    if client_id is None:
        return None
    client = Client.objects.for_user(request.user).filter(pk=client_id).first()
    if client is None:
        raise ValidationError({"client": _("There is no client organisation with this ID.")})
    return client


def _with_client(request: HttpRequest, fields: dict[str, Any]) -> dict[str, Any]:
    """Payload fields as the account services take them: the client as an object."""
    if "client" in fields:
        fields["client"] = _client_for(request, fields["client"])
    return fields


@router.get("/me", response=MeOut, summary="Your profile")
@policy.api_requires("accounts.profile", "view")
def me(request: HttpRequest) -> object:
    return request.user


@router.patch("/me", response=MeOut, summary="Change your name, language or time zone")
@policy.api_requires("accounts.profile", "change")
def update_me(request: HttpRequest, payload: MePatch) -> object:
    user = request.user
    fields = {name: getattr(user, name) for name in services.PROFILE_FIELDS}
    fields.update(payload.dict(exclude_unset=True))
    # Only the user edits their own profile, so no If-Match: the version just read is the base.
    return services.update_profile(user, expected_version=user.version, **fields)


@router.get("/users", response=list[UserOut], summary="Users (administrators)")
@policy.api_requires("accounts.user", "view")
@paginate(LimitOffsetPagination)
def list_users(request: HttpRequest, filters: Query[UserFilter]) -> object:
    return filters.filter(User.objects.for_user(request.user))


@router.post("/users", response={201: UserOut}, summary="Add a user (administrators)")
@policy.api_requires("accounts.user", "add")
def create_user(request: HttpRequest, response: HttpResponse, payload: UserIn) -> object:
    fields = _with_client(request, payload.dict())
    user = services.create_user(actor=request.user, **fields)
    set_etag(response, user)
    return user


@router.get("/users/{user_id}", response=UserOut, summary="One user (with its ETag)")
@policy.api_requires("accounts.user", "view")
def get_user(request: HttpRequest, response: HttpResponse, user_id: int) -> object:
    return read_with_etag(response, User.objects.for_user(request.user), pk=user_id)


@router.patch(
    "/users/{user_id}",
    response=UserOut,
    summary="Edit a user (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("accounts.user", "change")
def update_user(
    request: HttpRequest, response: HttpResponse, user_id: int, payload: UserPatch
) -> object:
    user = get_object_or_404(User.objects.for_user(request.user, "change"), pk=user_id)
    return update_with_if_match(
        request,
        response,
        services.update_user,
        user,
        **_with_client(request, payload.dict(exclude_unset=True)),
    )


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
@policy.api_requires("accounts.apitoken", "view")
@paginate(LimitOffsetPagination)
def list_tokens(request: HttpRequest) -> object:
    return ApiToken.objects.for_user(request.user)


@router.post("/tokens", response={201: NewTokenOut}, summary="Create an API token")
@policy.api_requires("accounts.apitoken", "add")
def create_token(request: HttpRequest, payload: TokenIn) -> object:
    token, raw = services.create_api_token(request.user, **payload.dict())
    return NewTokenOut(**TokenOut.from_orm(token).dict(), token=raw)


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of your tokens")
@policy.api_requires("accounts.apitoken", "delete")
def revoke_token(request: HttpRequest, token_id: int) -> object:
    token = get_object_or_404(ApiToken.objects.for_user(request.user, "delete"), pk=token_id)
    services.revoke_api_token(token, actor=request.user)
    return Status(204, None)
