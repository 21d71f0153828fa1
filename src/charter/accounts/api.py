from django.http import HttpRequest
from ninja import Router, Schema

from charter.core import policy

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    role: str
    client_id: int | None
    language: str
    time_zone: str


@router.get("/me", response=MeOut, summary="The signed-in user")
@policy.api_requires("accounts.profile", "view")
def me(request: HttpRequest) -> object:
    return request.user
