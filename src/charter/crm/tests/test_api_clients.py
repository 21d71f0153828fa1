"""Clients through the API: scoped reads, manager writes, ETag/If-Match edits with audit."""

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from charter.core.models import AuditEvent
from charter.core.tests.test_api import assert_problem, bearer, fields
from charter.crm.models import Client
from charter.crm.services.clients import create_client, update_client
from charter.crm.validators import uscc_check_character
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
def test_client_users_get_no_crm_client_data(signed_in, client_org, other_client_org):
    """Not even their own organisation's CRM record: the portal shows them what is shared."""
    portal = signed_in("client")
    assert_problem(portal.get(url(client_org)), 403)
    assert_problem(portal.get(url(other_client_org)), 403)
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
    # Only what was given (and the lifecycle's default) is recorded, not every empty field.
    assert event.changes == {
        "name": [None, "杭州星河数据有限公司"],
        "short_name": [None, "星河"],
        "lifecycle": [None, "lead"],
        "auto_convert_won": [None, False],
    }


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


# ---- the full client record, filters and tags ---------------------------------------------------


def valid_uscc(body="91310000MA1FL1234"):
    return body + uscc_check_character(body)


@pytest.mark.django_db
def test_create_with_every_field_and_tags(users):
    code = valid_uscc()
    payload = {
        "name": "深圳前海微众数据有限公司",
        "short_name": "微众",
        "industry": "金融",
        "size": "200-999",
        "region": "广东 深圳",
        "address": "前海路 1 号",
        "website": "https://example.cn",
        "uscc": code.lower(),
        "owner": users["member"].pk,
        "lifecycle": "prospect",
        "auto_convert_won": True,
        "tags": ["VIP", "金融", "vip", " "],
    }
    response = bearer_client(users["manager"]).post("/api/v1/clients", payload, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["uscc"] == code  # stored upper-case
    assert body["tags"] == ["VIP", "金融"]
    assert (body["owner"], body["lifecycle"], body["size"]) == (
        users["member"].pk,
        "prospect",
        "200-999",
    )
    assert body["external_ids"] == []
    event = AuditEvent.objects.get(action="created")
    assert event.changes["tags"] == [None, ["VIP", "金融"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uscc": valid_uscc()[:17] + ("0" if valid_uscc()[17] != "0" else "1")}, "uscc"),
        ({"uscc": "123"}, "uscc"),
        ({"website": "not a url"}, "website"),
        ({"owner": 999999}, "owner"),
        ({"lifecycle": None}, "lifecycle"),
    ],
)
def test_invalid_fields_are_422_on_that_field(signed_in, client_org, change, field):
    response = signed_in("manager").patch(
        url(client_org), change, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert fields(assert_problem(response, 422)) == {field: f"#/{field}"}
    assert Client.objects.get(pk=client_org.pk).version == 1


@pytest.mark.django_db
def test_patch_replaces_tags_and_audits_them(signed_in, client_org):
    http = signed_in("manager")
    first = http.patch(
        url(client_org), {"tags": ["a", "b"]}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert first.json()["tags"] == ["a", "b"]
    second = http.patch(
        url(client_org), {"tags": ["b"]}, content_type=JSON, headers={"If-Match": '"2"'}
    )
    assert second.json()["tags"] == ["b"]
    changes = [event.changes for event in AuditEvent.objects.for_object(client_org).order_by("pk")]
    assert changes == [{"tags": [[], ["a", "b"]]}, {"tags": [["a", "b"], ["b"]]}]


@pytest.mark.django_db
def test_list_filters_are_the_html_lists(signed_in, users, client_org, other_client_org):
    update_client(
        client_org,
        actor=users["manager"],
        expected_version=1,
        industry="软件",
        region="上海",
        lifecycle="active",
        owner=users["member"],
        tags=["VIP"],
    )
    http = signed_in("member")

    def names(**params):
        response = http.get("/api/v1/clients", params)
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    assert names(q="软件") == [client_org.name]
    assert names(q="上海 云栖") == [client_org.name]  # every word must match some field
    assert names(lifecycle="active") == [client_org.name]
    assert names(owner=users["member"].pk) == [client_org.name]
    assert names(tag="vip") == [client_org.name]
    assert names(region="上海", industry="软件") == [client_org.name]
    assert names(sort="-name") == sorted([client_org.name, other_client_org.name], reverse=True)
    assert names(sort="lifecycle") == [other_client_org.name, client_org.name]  # lead < active
    assert http.get("/api/v1/clients", {"q": "x"}).json()["items"][0:1] == []
    assert_problem(http.get("/api/v1/clients", {"sort": "size"}), 422)
    assert_problem(http.get("/api/v1/clients", {"lifecycle": "nope"}), 422)


@pytest.mark.django_db
def test_client_list_with_tags_costs_the_same_for_more_rows(users):
    http = bearer_client(users["member"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            body = http.get("/api/v1/clients", {"limit": 100}).json()
        assert all(len(item["tags"]) == 2 for item in body["items"] if item["name"][0] == "A")
        return len(captured)

    queries()  # the token's first use is stamped once; later requests cost no write
    for index in range(5):
        create_client(actor=users["manager"], name=f"A{index}", tags=["x", f"t{index}"])
    few = queries()
    for index in range(5, 15):
        create_client(actor=users["manager"], name=f"A{index}", tags=["x", f"t{index}"])
    assert queries() == few
