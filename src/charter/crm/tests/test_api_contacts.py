"""Contacts through the API: filters, ETag/If-Match edits, E.164 mobiles, merge."""

import pytest

from charter.core.models import AuditEvent
from charter.core.tests.test_api import assert_problem, fields
from charter.crm.models import Contact
from charter.testing.factories import ContactFactory

JSON = "application/json"
pytestmark = pytest.mark.django_db


def url(contact):
    return f"/api/v1/contacts/{contact.pk}"


def test_create_normalises_the_mobile_and_audits(signed_in, users, client_org):
    response = signed_in("member").post(
        "/api/v1/contacts",
        {"client": client_org.pk, "name": "赵敏", "mobile": "139-1234-5678", "influence": 4},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    body = response.json()
    assert (body["mobile"], body["client"], body["influence"]) == (
        "+8613912345678",
        client_org.pk,
        4,
    )
    contact = Contact.objects.get(pk=body["id"])
    assert AuditEvent.objects.for_object(contact).get().actor == users["member"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mobile": "12"}, "mobile"),
        ({"email": "not-an-email"}, "email"),
        ({"influence": 6}, "influence"),
        ({"client": 999999}, "client"),
        ({"name": ""}, "name"),
    ],
)
def test_invalid_input_is_422_on_the_field(signed_in, client_org, payload, field):
    body = {"client": client_org.pk, "name": "x", **payload}
    response = signed_in("member").post("/api/v1/contacts", body, content_type=JSON)
    assert fields(assert_problem(response, 422)) == {field: f"#/{field}"}
    assert not Contact.objects.exists()


def test_list_filters_and_search(signed_in, client_org, other_client_org):
    ContactFactory(client=client_org, name="王伟", decision_role="sponsor", mobile="+8613800138000")
    ContactFactory(client=other_client_org, name="Ann", decision_role="key_user")
    http = signed_in("member")

    def names(**params):
        return [item["name"] for item in http.get("/api/v1/contacts", params).json()["items"]]

    assert names() == ["Ann", "王伟"]
    assert names(client=client_org.pk) == ["王伟"]
    assert names(decision_role="key_user") == ["Ann"]
    assert names(q="138001") == ["王伟"]
    assert_problem(http.get("/api/v1/contacts", {"decision_role": "boss"}), 422)


def test_get_etag_and_patch_with_if_match(signed_in, client_org):
    contact = ContactFactory(client=client_org, name="王伟")
    http = signed_in("member")
    assert http.get(url(contact))["ETag"] == '"1"'
    assert_problem(http.patch(url(contact), {"title": "CIO"}, content_type=JSON), 428)
    ok = http.patch(
        url(contact),
        {"title": "CIO", "mobile": "+44 20 7946 0958"},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    assert ok.json()["mobile"] == "+442079460958"
    stale = http.patch(
        url(contact), {"title": "CEO"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert_problem(stale, 412)
    assert Contact.objects.get(pk=contact.pk).title == "CIO"


def test_merge_through_the_api(signed_in, client_org):
    survivor = ContactFactory(client=client_org, name="王伟", mobile="")
    duplicate = ContactFactory(client=client_org, name="王 伟", mobile="+8613800138000")
    response = signed_in("manager").post(
        f"{url(survivor)}/merge", {"duplicate_id": duplicate.pk}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    assert response.json()["mobile"] == "+8613800138000"
    assert response["ETag"] == '"2"'
    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    missing = signed_in("manager").post(
        f"{url(survivor)}/merge", {"duplicate_id": duplicate.pk}, content_type=JSON
    )
    assert fields(assert_problem(missing, 422)) == {"duplicate_id": "#/duplicate_id"}
    itself = signed_in("manager").post(
        f"{url(survivor)}/merge", {"duplicate_id": survivor.pk}, content_type=JSON
    )
    assert_problem(itself, 422)


def test_members_cannot_merge(signed_in, client_org):
    a, b = ContactFactory(client=client_org), ContactFactory(client=client_org)
    response = signed_in("member").post(
        f"{url(a)}/merge", {"duplicate_id": b.pk}, content_type=JSON
    )
    assert_problem(response, 403)
    assert Contact.objects.count() == 2


def test_list_costs_constant_queries(signed_in, django_assert_max_num_queries):
    ContactFactory.create_batch(20)
    http = signed_in("member")
    with django_assert_max_num_queries(4):
        assert http.get("/api/v1/contacts").json()["count"] == 20
