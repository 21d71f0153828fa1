"""Clients through the API: scoped reads, manager writes, ETag/If-Match edits with audit."""

import pytest
from django.test import Client as HttpClient

from charter.core.models import AuditEvent
from charter.core.tests.test_api import assert_problem, bearer, fields
from charter.crm.models import Client
from charter.testing.factories import ClientFactory

JSON = "application/json"


def url(client):
    return f"/api/v1/clients/{client.pk}"


def bearer_client(user):
    return HttpClient(headers=bearer(user))


@pytest.mark.django_db
def test_search_by_name_or_short_name(signed_in, client_org, other_client_org):
    http = signed_in("member")
    found = http.get("/api/v1/clients", {"q": "northwind"}).json()
    assert [item["name"] for item in found["items"]] == ["Northwind Trading Ltd"]
    assert http.get("/api/v1/clients", {"q": "云栖"}).json()["count"] == 1
    assert http.get("/api/v1/clients", {"q": "  "}).json()["count"] == 2


@pytest.mark.django_db
def test_client_users_see_only_their_own_client(signed_in, client_org, other_client_org):
    portal = signed_in("client")
    own = portal.get(url(client_org))
    assert own.status_code == 200 and own.json()["name"] == client_org.name
    assert_problem(portal.get(url(other_client_org)), 404)
    # No client list for them (crm.client "list" policy), exactly as in the HTML portal.
    assert_problem(portal.get("/api/v1/clients"), 403)


@pytest.mark.django_db
def test_get_answers_the_etag(signed_in, client_org):
    response = signed_in("member").get(url(client_org))
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


@pytest.mark.django_db
def test_managers_create_clients_with_an_audit_event(users):
    response = bearer_client(users["manager"]).post(
        "/api/v1/clients", {"name": "杭州星河数据有限公司", "short_name": "星河"}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    created = Client.objects.get(pk=response.json()["id"])
    event = AuditEvent.objects.for_object(created).get()
    assert (event.action, event.actor) == ("created", users["manager"])
    assert event.changes == {"name": [None, "杭州星河数据有限公司"], "short_name": [None, "星河"]}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "client"])
def test_other_roles_cannot_create_or_edit(signed_in, client_org, role):
    http = signed_in(role)
    assert_problem(http.post("/api/v1/clients", {"name": "x"}, content_type=JSON), 403)
    patch = http.patch(
        url(client_org), {"name": "x"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert_problem(patch, 403)
    assert Client.objects.get(pk=client_org.pk).version == 1


@pytest.mark.django_db
def test_patch_with_if_match_writes_and_audits_the_diff(signed_in, users, client_org):
    response = signed_in("manager").patch(
        url(client_org), {"short_name": "云栖"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert response.json()["short_name"] == "云栖"
    client_org.refresh_from_db()
    assert (client_org.short_name, client_org.name, client_org.version) == (
        "云栖",
        "上海云栖科技有限公司",
        2,
    )
    event = AuditEvent.objects.for_object(client_org).get()
    assert event.changes == {"short_name": ["云栖科技", "云栖"]}
    assert event.actor == users["manager"]


@pytest.mark.django_db
def test_patch_without_if_match_is_428(signed_in, client_org):
    response = signed_in("manager").patch(url(client_org), {"name": "x"}, content_type=JSON)
    assert_problem(response, 428)
    assert Client.objects.get(pk=client_org.pk).name == client_org.name


@pytest.mark.django_db
def test_patch_with_an_unreadable_if_match_is_412(signed_in, client_org):
    http = signed_in("manager")
    response = http.patch(
        url(client_org), {"name": "x"}, content_type=JSON, headers={"If-Match": "*"}
    )
    assert_problem(response, 412)


@pytest.mark.django_db
def test_invalid_patch_is_422_and_writes_nothing(signed_in, client_org, other_client_org):
    http = signed_in("manager")
    for change, field in [({"name": ""}, "name"), ({"name": other_client_org.name}, "name")]:
        response = http.patch(
            url(client_org), change, content_type=JSON, headers={"If-Match": '"1"'}
        )
        assert fields(assert_problem(response, 422)) == {field: f"#/{field}"}
    client_org.refresh_from_db()
    assert (client_org.name, client_org.version) == ("上海云栖科技有限公司", 1)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_two_editors_first_wins_second_gets_412_and_writes_nothing(users, client_org):
    """Both read version 1; the first PATCH wins; the second is refused whole."""
    first, second = bearer_client(users["manager"]), bearer_client(users["admin"])
    etags = [http.get(url(client_org))["ETag"] for http in (first, second)]
    assert etags == ['"1"', '"1"']

    won = first.patch(
        url(client_org), {"short_name": "甲"}, content_type=JSON, headers={"If-Match": etags[0]}
    )
    assert won.status_code == 200 and won["ETag"] == '"2"'
    lost = second.patch(
        url(client_org),
        {"name": "Overwritten Ltd", "short_name": "乙"},
        content_type=JSON,
        headers={"If-Match": etags[1]},
    )
    body = assert_problem(lost, 412)
    assert body["detail"]

    client_org.refresh_from_db()
    assert (client_org.name, client_org.short_name, client_org.version) == (
        "上海云栖科技有限公司",
        "甲",
        2,
    )
    assert AuditEvent.objects.for_object(client_org).count() == 1
    assert second.get(url(client_org))["ETag"] == '"2"'


@pytest.mark.django_db
def test_client_list_costs_constant_queries(users, django_assert_max_num_queries):
    ClientFactory.create_batch(20)
    http = bearer_client(users["member"])
    with django_assert_max_num_queries(4):
        response = http.get("/api/v1/clients")
    assert response.json()["count"] == Client.objects.count()
