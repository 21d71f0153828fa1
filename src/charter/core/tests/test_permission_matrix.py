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
from charter.changes.tests import matrix_changes
from charter.comms.tests import (
    matrix_comms,
    matrix_log,
    matrix_meetings,
    matrix_plan,
    matrix_templates,
    matrix_unsubscribe,
)
from charter.core import services as core_services
from charter.core.checks import api_path_view, iter_patterns
from charter.discovery.tests import matrix_areas as discovery_matrix
from charter.planning.tests import matrix_areas as planning_matrix
from charter.planning.tests.factories import planning_world
from charter.resources.tests import (
    matrix_budget,
    matrix_leveling,
    matrix_needs,
    matrix_resources,
    matrix_timesheets,
    matrix_utilisation,
)
from charter.testing.factories import (
    ImportJobFactory,
    InteractionFactory,
    OpportunityFactory,
    StageFactory,
    UserFactory,
)
from charter.testing.matrix import LOGIN, ROLES, Case, roles


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
    # The CRM's client page is staff-only (crm.client "detail"); the portal shows clients theirs.
    "crm:client_detail": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=lambda w: {"pk": w.client_org.pk}
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
    "crm:client_export": Case(roles(LOGIN, 200, 200, 200, 403), data={"format": "xlsx"}),
    "crm:client_create": Case(roles(LOGIN, 200, 200, 403, 403)),
    "crm:client_edit": Case(
        roles(LOGIN, 200, 200, 403, 403), kwargs=lambda w: {"pk": w.client_org.pk}
    ),
    "crm:contact_list": Case(roles(LOGIN, 200, 200, 200, 403)),
    "crm:contact_export": Case(roles(LOGIN, 200, 200, 200, 403), data={"format": "csv"}),
    "crm:contact_duplicates": Case(roles(LOGIN, 200, 200, 200, 403)),
    "crm:contact_create": Case(roles(LOGIN, 200, 200, 200, 403)),
    "crm:contact_detail": Case(
        roles(LOGIN, 200, 200, 200, 403),
        kwargs=lambda w: {"pk": w.client_org.contacts.create(name=w.unique("联系人")).pk},
    ),
    "crm:contact_edit": Case(
        roles(LOGIN, 200, 200, 200, 403),
        kwargs=lambda w: {"pk": w.client_org.contacts.create(name=w.unique("联系人")).pk},
    ),
    "crm:contact_merge": Case(
        roles(LOGIN, 200, 200, 403, 403),
        kwargs=lambda w: {
            "pk": w.client_org.contacts.create(name=w.unique("联系人")).pk,
            "other": w.client_org.contacts.create(name=w.unique("联系人")).pk,
        },
    ),
    # ---- crm: pipeline & interactions
    "crm:pipeline": Case(roles(LOGIN, 200, 200, 200, 403)),
    "crm:forecast": Case(roles(LOGIN, 200, 200, 200, 403)),
    "crm:stage_list": Case(roles(LOGIN, 200, 200, 403, 403)),
    "crm:stage_create": Case(roles(LOGIN, 200, 200, 403, 403)),
    "crm:stage_edit": Case(
        roles(LOGIN, 200, 200, 403, 403), kwargs=lambda w: {"pk": StageFactory().pk}
    ),
    "crm:stage_move": Case(
        roles(LOGIN, 302, 302, 403, 403),
        kwargs=lambda w: {"pk": StageFactory().pk},
        method="post",
        data={"direction": "up"},
    ),
    "crm:stage_delete": Case(
        roles(LOGIN, 302, 302, 403, 403),
        kwargs=lambda w: {"pk": StageFactory().pk},
        method="post",
    ),
    "crm:opportunity_list": Case(roles(LOGIN, 200, 200, 200, 403)),
    "crm:opportunity_create": Case(roles(LOGIN, 200, 200, 200, 403)),
    "crm:opportunity_detail": Case(
        roles(LOGIN, 200, 200, 200, 403),
        kwargs=lambda w: {"pk": OpportunityFactory(client=w.client_org).pk},
    ),
    "crm:opportunity_edit": Case(
        roles(LOGIN, 200, 200, 200, 403),
        kwargs=lambda w: {"pk": OpportunityFactory(client=w.client_org).pk},
    ),
    "crm:opportunity_move": Case(
        roles(LOGIN, 200, 200, 200, 403),
        kwargs=lambda w: {"pk": OpportunityFactory(client=w.client_org).pk},
    ),
    "crm:interaction_list": Case(
        roles(LOGIN, 200, 200, 200, 403), data=lambda w: {"client": w.client_org.pk}
    ),
    "crm:interaction_create": Case(
        roles(LOGIN, 200, 200, 200, 403), data=lambda w: {"client": w.client_org.pk}
    ),
    "crm:interaction_edit": Case(
        roles(LOGIN, 200, 200, 200, 403),
        kwargs=lambda w: {"pk": InteractionFactory(client=w.client_org).pk},
    ),
    "crm:interaction_follow_up_done": Case(
        roles(LOGIN, 302, 302, 302, 403),
        kwargs=lambda w: {"pk": InteractionFactory(client=w.client_org).pk},
        method="post",
    ),
    # ---- crm: import & export
    "crm:import_list": Case(roles(LOGIN, 200, 200, 403, 403)),
    "crm:import_detail": Case(
        roles(LOGIN, 200, 200, 403, 403), kwargs=lambda w: {"pk": ImportJobFactory().pk}
    ),
    "crm:import_check": Case(
        roles(LOGIN, 302, 302, 403, 403),
        kwargs=lambda w: {"pk": ImportJobFactory().pk},
        method="post",
        data={"name": "name"},
    ),
    "crm:import_commit": Case(
        roles(LOGIN, 302, 302, 403, 403),
        kwargs=lambda w: {"pk": ImportJobFactory(status="checked", to_create=1).pk},
        method="post",
    ),
    # ---- planning: projects, templates, conversion
    "planning:project_list": Case(roles(LOGIN, 200, 200, 200, 403)),
    # The member is on this project's team; other projects are 404 for members.
    "planning:project_detail": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=lambda w: {"pk": planning_world(w).project.pk}
    ),
    "planning:project_edit": Case(
        roles(LOGIN, 200, 200, 403, 403), kwargs=lambda w: {"pk": planning_world(w).project.pk}
    ),
    "planning:kickoff_toggle": Case(
        roles(LOGIN, 302, 302, 302, 403),
        kwargs=lambda w: {
            "pk": planning_world(w).project.pk,
            "item_id": planning_world(w).project.kickoff.first().pk,
        },
        method="post",
        data={"done": "on"},
    ),
    "planning:convert": Case(
        roles(LOGIN, 200, 200, 403, 403),
        kwargs=lambda w: {"opportunity_id": planning_world(w).won_deal.pk},
    ),
    "planning:template_list": Case(roles(LOGIN, 200, 200, 200, 403)),
    "planning:template_create": Case(roles(LOGIN, 200, 200, 403, 403)),
    "planning:template_detail": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=lambda w: {"pk": planning_world(w).template.pk}
    ),
    "planning:template_edit": Case(
        roles(LOGIN, 200, 200, 403, 403), kwargs=lambda w: {"pk": planning_world(w).template.pk}
    ),
    "planning:template_clone": Case(
        roles(LOGIN, 302, 302, 403, 403),
        kwargs=lambda w: {"pk": planning_world(w).template.pk},
        method="post",
    ),
    "planning:template_delete": Case(
        roles(LOGIN, 200, 200, 403, 403), kwargs=lambda w: {"pk": planning_world(w).template.pk}
    ),
}

# Same objects, other client: hidden from the client user exactly as if they did not exist.
HIDDEN_FROM_CLIENT = {
    "core:attachments": lambda w: {"label": "crm.client", "pk": w.other_client_org.pk},
    "core:attachment_download": lambda w: {"attachment_id": w.other_file.pk},
}

# ---- API operations: "METHOD /api/v1/route" ------------------------------------------------------
API: dict[str, Case] = {
    "GET /api/v1/me": Case(roles(401, 200, 200, 200, 200)),
    "GET /api/v1/clients": Case(roles(401, 200, 200, 200, 403)),
    "GET /api/v1/clients/<client_id>": Case(
        roles(401, 200, 200, 200, 403), kwargs=lambda w: {"client_id": w.client_org.pk}
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
    "GET /api/v1/contacts": Case(roles(401, 200, 200, 200, 403)),
    "POST /api/v1/contacts": Case(
        roles(401, 201, 201, 201, 403),
        data=lambda w: {"client": w.client_org.pk, "name": w.unique("联系人")},
    ),
    "GET /api/v1/contacts/<contact_id>": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=lambda w: {"contact_id": w.client_org.contacts.create(name=w.unique("联系人")).pk},
    ),
    "PATCH /api/v1/contacts/<contact_id>": Case(
        roles(401, 428, 428, 428, 403),
        kwargs=lambda w: {"contact_id": w.client_org.contacts.create(name=w.unique("联系人")).pk},
    ),
    "POST /api/v1/contacts/<contact_id>/merge": Case(
        roles(401, 200, 200, 403, 403),
        kwargs=lambda w: {"contact_id": w.client_org.contacts.create(name=w.unique("联系人")).pk},
        data=lambda w: {"duplicate_id": w.client_org.contacts.create(name=w.unique("重复")).pk},
    ),
    # ---- crm: pipeline & interactions
    "GET /api/v1/opportunities": Case(roles(401, 200, 200, 200, 403)),
    "POST /api/v1/opportunities": Case(
        roles(401, 201, 201, 201, 403),
        data=lambda w: {"client_id": w.client_org.pk, "title": w.unique("商机")},
    ),
    "GET /api/v1/opportunities/<opportunity_id>": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=lambda w: {"opportunity_id": OpportunityFactory(client=w.client_org).pk},
    ),
    "PATCH /api/v1/opportunities/<opportunity_id>": Case(
        roles(401, 428, 428, 428, 403),
        kwargs=lambda w: {"opportunity_id": OpportunityFactory(client=w.client_org).pk},
    ),
    "POST /api/v1/opportunities/<opportunity_id>/move": Case(
        roles(401, 428, 428, 428, 403),
        kwargs=lambda w: {"opportunity_id": OpportunityFactory(client=w.client_org).pk},
        data=lambda w: {"stage_id": StageFactory().pk},
    ),
    "GET /api/v1/stages": Case(roles(401, 200, 200, 200, 403)),
    "POST /api/v1/stages": Case(
        roles(401, 201, 201, 403, 403),
        data=lambda w: {"name_zh": w.unique("阶段"), "name_en": w.unique("Stage")},
    ),
    "PATCH /api/v1/stages/<stage_id>": Case(
        roles(401, 200, 200, 403, 403),
        kwargs=lambda w: {"stage_id": StageFactory().pk},
        data={"probability": 20},
    ),
    "DELETE /api/v1/stages/<stage_id>": Case(
        roles(401, 204, 204, 403, 403), kwargs=lambda w: {"stage_id": StageFactory().pk}
    ),
    "GET /api/v1/interactions": Case(roles(401, 200, 200, 200, 403)),
    "POST /api/v1/interactions": Case(
        roles(401, 201, 201, 201, 403),
        data=lambda w: {"client_id": w.client_org.pk, "kind": "call", "summary": "电话"},
    ),
    "GET /api/v1/interactions/<interaction_id>": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=lambda w: {"interaction_id": InteractionFactory(client=w.client_org).pk},
    ),
    # Without If-Match: 428 once the role may edit.
    "PATCH /api/v1/interactions/<interaction_id>": Case(
        roles(401, 428, 428, 428, 403),
        kwargs=lambda w: {"interaction_id": InteractionFactory(client=w.client_org).pk},
        data={"follow_up_done": True},
    ),
    # ---- crm: import & export
    # A JSON body instead of multipart: 422 once the role may import.
    "POST /api/v1/imports": Case(roles(401, 422, 422, 403, 403)),
    "GET /api/v1/imports/<import_id>": Case(
        roles(401, 200, 200, 403, 403), kwargs=lambda w: {"import_id": ImportJobFactory().pk}
    ),
    "POST /api/v1/imports/<import_id>/commit": Case(
        roles(401, 200, 200, 403, 403),
        kwargs=lambda w: {"import_id": ImportJobFactory(status="checked", to_create=1).pk},
    ),
    # ---- planning: projects, templates, conversion
    # Idempotent: the admin's call creates the project (201), the manager's finds it (200).
    "POST /api/v1/opportunities/<opportunity_id>/convert": Case(
        roles(401, 201, 200, 403, 403),
        kwargs=lambda w: {"opportunity_id": planning_world(w).won_deal.pk},
        data=lambda w: {
            "template_id": planning_world(w).template.pk,
            "manager_id": planning_world(w).project.manager_id,
            "start_date": "2026-12-01",
        },
    ),
    "GET /api/v1/projects": Case(roles(401, 200, 200, 200, 403)),
    "GET /api/v1/projects/<project_id>": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=lambda w: {"project_id": planning_world(w).project.pk},
    ),
    "PATCH /api/v1/projects/<project_id>": Case(
        roles(401, 428, 428, 403, 403),
        kwargs=lambda w: {"project_id": planning_world(w).project.pk},
    ),
    "GET /api/v1/project-templates": Case(roles(401, 200, 200, 200, 403)),
    "GET /api/v1/project-templates/<template_id>": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=lambda w: {"template_id": planning_world(w).template.pk},
    ),
    "POST /api/v1/project-templates": Case(
        roles(401, 201, 201, 403, 403), data=lambda w: {"name": w.unique("模板")}
    ),
    "PATCH /api/v1/project-templates/<template_id>": Case(
        roles(401, 428, 428, 403, 403),
        kwargs=lambda w: {"template_id": planning_world(w).template.pk},
    ),
    "POST /api/v1/project-templates/<template_id>/clone": Case(
        roles(401, 201, 201, 403, 403),
        kwargs=lambda w: {"template_id": planning_world(w).template.pk},
    ),
    "DELETE /api/v1/project-templates/<template_id>": Case(
        roles(401, 204, 204, 403, 403),
        kwargs=lambda w: {"template_id": planning_world(w).unused_template().pk},
    ),
}

HTML.update(discovery_matrix.HTML)
API.update(discovery_matrix.API)
HTML.update(matrix_changes.HTML)
API.update(matrix_changes.API)
HTML.update(planning_matrix.HTML)
API.update(planning_matrix.API)
HTML.update(matrix_resources.HTML)
API.update(matrix_resources.API)
HTML.update(matrix_timesheets.HTML)
API.update(matrix_timesheets.API)
HTML.update(matrix_utilisation.HTML)
API.update(matrix_utilisation.API)
HTML.update(matrix_leveling.HTML)
API.update(matrix_leveling.API)
HTML.update(matrix_needs.HTML)
API.update(matrix_needs.API)
HTML.update(matrix_budget.HTML)
API.update(matrix_budget.API)
HTML.update(matrix_comms.HTML)
API.update(matrix_comms.API)
HTML.update(matrix_meetings.HTML)
API.update(matrix_meetings.API)
HTML.update(matrix_plan.HTML)
API.update(matrix_plan.API)
HTML.update(matrix_log.HTML)
API.update(matrix_log.API)
HTML.update(matrix_unsubscribe.HTML)
API.update(matrix_unsubscribe.API)
HTML.update(matrix_templates.HTML)
API.update(matrix_templates.API)


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
