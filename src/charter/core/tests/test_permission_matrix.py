"""Every URL and every API operation, requested by every role, answers as this table says.

A new URL or API operation without a row here fails ``test_every_endpoint_is_in_the_matrix``;
a view or operation without a declared policy fails the system check (charter.E001).
Columns: anonymous, admin, manager, member, client. LOGIN = redirected to sign in.
"""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from charter.accounts.services import create_api_token
from charter.core import services as core_services
from charter.core.checks import api_path_view, iter_patterns
from charter.testing.factories import UserFactory

LOGIN = "login"
ROLES = ["anonymous", "admin", "manager", "member", "client"]


def roles(*statuses: Any) -> dict[str, Any]:
    assert len(statuses) == len(ROLES)
    return dict(zip(ROLES, statuses, strict=True))


@dataclass
class Case:
    expect: dict[str, Any]
    kwargs: Any = field(default_factory=dict)  # dict, or callable(world) -> dict
    method: str = "get"
    data: Any = None  # dict, or callable(world) -> dict


@dataclass
class World:
    client_org: Any
    other_client_org: Any
    shared_file: Any
    internal_file: Any
    other_file: Any
    colleague: Any
    admin_token: Any
    attach: Any
    counter: Any = field(default_factory=lambda: iter(range(1, 10_000)))

    def fresh_file(self) -> Any:
        """A new internal file of the client, for cases that consume their object."""
        return self.attach(self.client_org, f"fresh-{next(self.counter)}.txt", False)

    def unique(self, text: str) -> str:
        return f"{text} {next(self.counter)}"


@pytest.fixture
def world(users, client_org, other_client_org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def attach(parent, name, visible):
        return core_services.add_attachment(
            parent,
            user=users["manager"],
            upload=SimpleUploadedFile(name, b"x"),
            client_visible=visible,
        )

    token, _raw = create_api_token(users["admin"], name="ci")
    return World(
        client_org=client_org,
        other_client_org=other_client_org,
        shared_file=attach(client_org, "shared.txt", True),
        internal_file=attach(client_org, "internal.txt", False),
        other_file=attach(other_client_org, "other.txt", True),
        colleague=UserFactory(username="colleague"),
        admin_token=token,
        attach=attach,
    )


# ---- HTML pages ------------------------------------------------------------------------------
HTML: dict[str, Case] = {
    "core:dashboard": Case(roles(LOGIN, 200, 200, 200, 200)),
    "core:health": Case(roles(200, 200, 200, 200, 200)),
    "core:history": Case(
        roles(LOGIN, 200, 200, 200, 403),
        kwargs=lambda w: {"label": "crm.client", "pk": w.client_org.pk},
    ),
    "core:attachments": Case(
        roles(LOGIN, 200, 200, 200, 200),
        kwargs=lambda w: {"label": "crm.client", "pk": w.client_org.pk},
    ),
    "core:attachment_download": Case(
        roles(LOGIN, 200, 200, 200, 404),
        kwargs=lambda w: {"attachment_id": w.internal_file.pk},
    ),
    "core:attachment_delete": Case(
        roles(LOGIN, 302, 302, 302, 403),
        kwargs=lambda w: {"attachment_id": w.fresh_file().pk},
        method="post",
    ),
    "crm:client_list": Case(roles(LOGIN, 200, 200, 200, 403)),
    "crm:client_detail": Case(
        roles(LOGIN, 200, 200, 200, 200), kwargs=lambda w: {"pk": w.client_org.pk}
    ),
    "accounts:login": Case(roles(200, 302, 302, 302, 302)),
    # Signing out always lands on the sign-in page (LOGOUT_REDIRECT_URL).
    "accounts:logout": Case(roles(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN), method="post"),
    "accounts:set_language": Case(
        roles(302, 302, 302, 302, 302), method="post", data={"language": "en"}
    ),
    "accounts:profile": Case(roles(LOGIN, 200, 200, 200, 200)),
    "accounts:password_change": Case(roles(LOGIN, 200, 200, 200, 200)),
    "accounts:password_change_done": Case(roles(LOGIN, 200, 200, 200, 200)),
    "accounts:password_reset": Case(roles(200, 200, 200, 200, 200)),
    "accounts:password_reset_done": Case(roles(200, 200, 200, 200, 200)),
    "accounts:password_reset_confirm": Case(
        roles(200, 200, 200, 200, 200), kwargs={"uidb64": "MQ", "token": "invalid-token"}
    ),
    "accounts:password_reset_complete": Case(roles(200, 200, 200, 200, 200)),
    "accounts:user_list": Case(roles(LOGIN, 200, 403, 403, 403)),
    "accounts:user_create": Case(roles(LOGIN, 200, 403, 403, 403)),
    "accounts:user_edit": Case(
        roles(LOGIN, 200, 403, 403, 403), kwargs=lambda w: {"pk": w.colleague.pk}
    ),
    "accounts:token_list": Case(roles(LOGIN, 200, 200, 200, 200)),
    "accounts:token_create": Case(roles(LOGIN, 200, 200, 200, 200)),
    # Tokens are personal: another person's token is 404, even for an administrator's own page.
    "accounts:token_revoke": Case(
        roles(LOGIN, 200, 404, 404, 404), kwargs=lambda w: {"pk": w.admin_token.pk}
    ),
    "admin": Case(roles(302, 200, 302, 302, 302)),  # the whole back office: the admin role only
    "api:openapi-json": Case(roles(200, 200, 200, 200, 200)),
    "api:openapi-view": Case(roles(200, 200, 200, 200, 200)),
    "api:api-root": Case(roles(404, 404, 404, 404, 404)),
    "api:unknown": Case(roles(404, 404, 404, 404, 404), kwargs={"rest": "no/such/thing"}),
    # ---- crm: clients & contacts
    # ---- crm: pipeline & interactions
    # ---- crm: import & export
    # ---- planning: projects, templates, conversion
}

# Same objects, other client: hidden from the client user exactly as if they did not exist.
HIDDEN_FROM_CLIENT = {
    "crm:client_detail": lambda w: {"pk": w.other_client_org.pk},
    "core:attachments": lambda w: {"label": "crm.client", "pk": w.other_client_org.pk},
    "core:attachment_download": lambda w: {"attachment_id": w.other_file.pk},
}

# ---- API operations: "METHOD /api/v1/route" ------------------------------------------------------
API: dict[str, Case] = {
    "GET /api/v1/me": Case(roles(401, 200, 200, 200, 200)),
    "GET /api/v1/clients": Case(roles(401, 200, 200, 200, 403)),
    "GET /api/v1/clients/<client_id>": Case(
        roles(401, 200, 200, 200, 200), kwargs=lambda w: {"client_id": w.client_org.pk}
    ),
    "POST /api/v1/clients": Case(
        roles(401, 201, 201, 403, 403), data=lambda w: {"name": w.unique("新客户")}
    ),
    # Writes without If-Match: 428 once the role may write.
    "PATCH /api/v1/clients/<client_id>": Case(
        roles(401, 428, 428, 403, 403), kwargs=lambda w: {"client_id": w.client_org.pk}
    ),
    "PATCH /api/v1/me": Case(roles(401, 200, 200, 200, 200), data={"time_zone": "UTC"}),
    "GET /api/v1/users": Case(roles(401, 200, 403, 403, 403)),
    "POST /api/v1/users": Case(roles(401, 201, 403, 403, 403), data={"username": "newcomer"}),
    "GET /api/v1/users/<user_id>": Case(
        roles(401, 200, 403, 403, 403), kwargs=lambda w: {"user_id": w.colleague.pk}
    ),
    "PATCH /api/v1/users/<user_id>": Case(
        roles(401, 428, 403, 403, 403), kwargs=lambda w: {"user_id": w.colleague.pk}
    ),
    "GET /api/v1/tokens": Case(roles(401, 200, 200, 200, 200)),
    "POST /api/v1/tokens": Case(roles(401, 201, 201, 201, 201), data={"name": "ci"}),
    "DELETE /api/v1/tokens/<token_id>": Case(
        roles(401, 204, 404, 404, 404), kwargs=lambda w: {"token_id": w.admin_token.pk}
    ),
    "GET /api/v1/attachments": Case(
        roles(401, 200, 200, 200, 200), data=lambda w: {"object": f"crm.client:{w.client_org.pk}"}
    ),
    # A JSON body instead of multipart: 422 once the role may upload.
    "POST /api/v1/attachments": Case(roles(401, 422, 422, 422, 403)),
    "GET /api/v1/attachments/<attachment_id>/download": Case(
        roles(401, 200, 200, 200, 404), kwargs=lambda w: {"attachment_id": w.internal_file.pk}
    ),
    "DELETE /api/v1/attachments/<attachment_id>": Case(
        roles(401, 204, 204, 204, 403), kwargs=lambda w: {"attachment_id": w.fresh_file().pk}
    ),
    "GET /api/v1/history": Case(
        roles(401, 200, 200, 200, 403), data=lambda w: {"object": f"crm.client:{w.client_org.pk}"}
    ),
    # ---- crm: clients & contacts
    # ---- crm: pipeline & interactions
    # ---- crm: import & export
    # ---- planning: projects, templates, conversion
}


def resolve(value, world):
    return value(world) if callable(value) else value


def request_as(signed_in, role, method, url, data):
    http = signed_in(role)
    if method == "get":
        return http.get(url, data or {})
    return (
        getattr(http, method)(url, data or {}, content_type="application/json")
        if url.startswith("/api/")
        else getattr(http, method)(url, data or {})
    )


def outcome(response):
    if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


def html_endpoints():
    names = set()
    for _route, name, pattern in iter_patterns():
        if api_path_view(pattern.callback) is not None:
            continue
        names.add("admin" if name.startswith("admin:") else name)
    return names


def api_operations():
    operations = set()
    for route, _name, pattern in iter_patterns():
        path_view = api_path_view(pattern.callback)
        if path_view is None:
            continue
        for operation in path_view.operations:
            for method in operation.methods:
                operations.add(f"{method} /{route}")
    return operations


def test_every_endpoint_is_in_the_matrix():
    assert html_endpoints() == set(HTML), "add a row to HTML for each new URL"
    assert api_operations() == set(API), "add a row to API for each new operation"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HTML))
def test_html_matrix(name, world, signed_in):
    case = HTML[name]
    for role in ROLES:
        url = (
            reverse("admin:index")
            if name == "admin"
            else reverse(name, kwargs=resolve(case.kwargs, world))
        )
        response = request_as(signed_in, role, case.method, url, resolve(case.data, world))
        assert outcome(response) == case.expect[role], f"{name} as {role}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HIDDEN_FROM_CLIENT))
def test_other_clients_objects_are_404_for_a_client_user(name, world, signed_in):
    url = reverse(name, kwargs=HIDDEN_FROM_CLIENT[name](world))
    assert signed_in("client").get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(API))
def test_api_matrix(key, world, signed_in):
    case = API[key]
    method, route = key.split(" ", 1)
    for role in ROLES:
        url = route
        for param, value in resolve(case.kwargs, world).items():
            url = url.replace(f"<{param}>", str(value)).replace(f"<int:{param}>", str(value))
        response = request_as(signed_in, role, method.lower(), url, resolve(case.data, world))
        assert outcome(response) == case.expect[role], f"{key} as {role}"
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", f"{key} as {role}"
