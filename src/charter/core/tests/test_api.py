"""The API's shared behaviour: authentication, problem+json errors, pagination, OpenAPI, docs."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from django.utils import timezone

from charter.accounts.models import ApiToken
from charter.accounts.services import create_api_token, revoke_api_token
from charter.core.checks import api_path_view, iter_patterns
from charter.core.models import AuditEvent
from charter.crm.models import Client
from charter.crm.services import clients as crm_services
from charter.testing.factories import ClientFactory

PROBLEM = "application/problem+json"


def bearer(user, **kwargs):
    """Headers that authenticate as ``user`` with a fresh personal token."""
    _token, raw = create_api_token(user, name="test", **kwargs)
    return {"Authorization": f"Bearer {raw}"}


def assert_problem(response, status):
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    return body


def fields(body):
    return {error["field"]: error["pointer"] for error in body["errors"]}


# ---- authentication --------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(users):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(users["manager"])
    refused = http.post("/api/v1/clients", {"name": "甲"}, content_type="application/json")
    body = assert_problem(refused, 403)
    assert "X-CSRFToken" in body["detail"]
    assert not Client.objects.filter(name="甲").exists()

    http.get("/api/v1/docs")  # like the docs page or any page, this sets the CSRF cookie
    token = http.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = http.post(
        "/api/v1/clients",
        {"name": "甲"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201, accepted.content
    assert Client.objects.filter(name="甲").exists()


@pytest.mark.django_db
def test_session_reads_need_no_csrf_token(users):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(users["member"])
    assert http.get("/api/v1/me").json()["username"] == "member"


@pytest.mark.django_db
def test_anonymous_requests_get_401_with_www_authenticate(db):
    for response in [
        HttpClient().get("/api/v1/me"),
        HttpClient(enforce_csrf_checks=True).post(
            "/api/v1/clients", {"name": "x"}, content_type="application/json"
        ),
    ]:
        assert_problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_valid_token_authenticates_without_csrf(users):
    http = HttpClient(enforce_csrf_checks=True)
    headers = bearer(users["manager"])
    assert http.get("/api/v1/me", headers=headers).json()["username"] == "manager"
    created = http.post(
        "/api/v1/clients", {"name": "乙"}, content_type="application/json", headers=headers
    )
    assert created.status_code == 201


def _revoked(user):
    token, raw = create_api_token(user, name="old")
    revoke_api_token(token, actor=user)
    return raw


def _expired(user):
    day = datetime.timedelta(days=1)
    token, raw = create_api_token(user, name="old", expires_at=timezone.now() + day)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - day)
    return raw


def _inactive_owner(user):
    _token, raw = create_api_token(user, name="old")
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    return raw


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_token",
    [
        _revoked,
        _expired,
        _inactive_owner,
        lambda user: "chr_0000_not-a-real-token",
        lambda user: "garbage",
        lambda user: "",
    ],
    ids=["revoked", "expired", "inactive-owner", "unknown", "garbage", "empty"],
)
def test_bad_tokens_get_401(users, make_token):
    raw = make_token(users["member"])
    response = HttpClient().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="charter"'


@pytest.mark.django_db
def test_a_bad_token_is_refused_even_with_a_session(signed_in):
    http = signed_in("admin")
    assert_problem(http.get("/api/v1/me", headers={"Authorization": "Bearer chr_x_y"}), 401)


@pytest.mark.django_db
def test_tokens_are_stored_hashed(users):
    token, raw = create_api_token(users["member"], name="ci")
    stored = [str(value) for row in ApiToken.objects.values_list() for value in row]
    events = [str(event.changes) for event in AuditEvent.objects.all()]
    # The secret is all after "chr_<prefix>_"; token_urlsafe may put "_" in it too.
    secret = raw.split("_", 2)[2]
    assert all(raw not in value and secret not in value for value in stored + events)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()


# ---- problem+json errors ---------------------------------------------------------------------


@pytest.mark.django_db
def test_forbidden_is_403_problem(signed_in):
    response = signed_in("member").post(
        "/api/v1/clients", {"name": "丙"}, content_type="application/json"
    )
    assert_problem(response, 403)
    assert not Client.objects.filter(name="丙").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/clients/999999", "/api/v1/nothing/here", "/api/v1/"])
def test_not_found_is_404_problem(signed_in, path):
    body = assert_problem(signed_in("admin").get(path), 404)
    assert body["instance"] == path


@pytest.mark.django_db
def test_wrong_method_is_405_problem_with_allow(signed_in):
    response = signed_in("admin").put("/api/v1/me", {}, content_type="application/json")
    assert_problem(response, 405)
    assert response["Allow"] == "GET, PATCH"


@pytest.mark.django_db
def test_unreadable_json_is_400_problem(signed_in):
    response = signed_in("manager").post(
        "/api/v1/clients", "{not json", content_type="application/json"
    )
    assert_problem(response, 400)


@pytest.mark.django_db
def test_invalid_body_is_422_with_field_paths(signed_in):
    response = signed_in("manager").post(
        "/api/v1/clients", {"short_name": "x" * 61}, content_type="application/json"
    )
    body = assert_problem(response, 422)
    assert fields(body) == {"name": "#/name", "short_name": "#/short_name"}
    assert all(error["detail"] for error in body["errors"])


@pytest.mark.django_db
def test_service_validation_error_is_422_with_field_path(signed_in, client_org):
    response = signed_in("manager").post(
        "/api/v1/clients", {"name": client_org.name}, content_type="application/json"
    )
    body = assert_problem(response, 422)
    assert fields(body) == {"name": "#/name"}
    assert Client.objects.filter(name=client_org.name).count() == 1


@pytest.mark.django_db
def test_unexpected_error_is_500_problem_without_details(signed_in, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(crm_services, "create_client", explode)
    response = signed_in("manager").post(
        "/api/v1/clients", {"name": "丁"}, content_type="application/json"
    )
    body = assert_problem(response, 500)
    assert "secret internals" not in response.content.decode()
    assert body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_token_users_get_their_own_language(users, language):
    users["member"].language = language
    users["member"].save()
    other = "zh-hans" if language == "en" else "en"
    response = HttpClient().get(
        "/api/v1/users", headers={**bearer(users["member"]), "Accept-Language": other}
    )
    assert_problem(response, 403)
    assert response["Content-Language"] == language


# ---- pagination ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lists_page_with_a_total_count_in_a_stable_order(signed_in, django_assert_max_num_queries):
    ClientFactory.create_batch(7)
    total = Client.objects.count()
    http = signed_in("member")
    names = []
    for offset in range(0, total, 3):
        with django_assert_max_num_queries(4):
            page = http.get("/api/v1/clients", {"limit": 3, "offset": offset}).json()
        assert page["count"] == total
        names += [item["name"] for item in page["items"]]
    assert names == list(Client.objects.order_by("name").values_list("name", flat=True))


@pytest.mark.django_db
def test_limit_is_capped_by_the_setting(signed_in):
    http = signed_in("member")
    highest = settings.NINJA_PAGINATION_MAX_LIMIT
    assert http.get("/api/v1/clients", {"limit": highest}).status_code == 200
    body = assert_problem(http.get("/api/v1/clients", {"limit": highest + 1}), 422)
    assert fields(body) == {"limit": "#/limit"}


# ---- OpenAPI and docs ------------------------------------------------------------------------


def _routed_operations():
    found = set()
    for route, _name, pattern in iter_patterns():
        path_view = api_path_view(pattern.callback)
        for operation in path_view.operations if path_view else []:
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            found |= {(method.lower(), path) for method in operation.methods}
    return found


@pytest.mark.django_db
def test_openapi_is_valid_and_lists_every_operation(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    documented = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert documented == _routed_operations()
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], path
            assert operation["summary"], (method, path)
            problem = operation["responses"]["default"]["content"][PROBLEM]
            assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}


@pytest.mark.django_db
def test_openapi_documents_fields_and_if_match(client):
    schema = client.get("/api/v1/openapi.json").json()
    client_in = schema["components"]["schemas"]["ClientIn"]["properties"]
    assert client_in["name"]["description"]
    patch = schema["paths"]["/api/v1/clients/{client_id}"]["patch"]
    assert {"in": "header", "name": "If-Match"}.items() <= patch["parameters"][-1].items()


@pytest.mark.django_db
def test_docs_use_the_bundled_swagger_ui(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert not re.search(r"https?://", html)
    assert finders.find("ninja/swagger-ui-bundle.js")
