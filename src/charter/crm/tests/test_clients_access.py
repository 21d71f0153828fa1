"""A client user sees no CRM data of any client, through any page or API operation of the
client and contact area; managers and members read all of it."""

import pytest
from django.urls import reverse

from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(client_org):
    contact = ContactFactory(client=client_org)
    other = ContactFactory(client=client_org)
    pages = [
        reverse("crm:client_list"),
        reverse("crm:client_export") + "?format=csv",
        reverse("crm:client_detail", args=[client_org.pk]),
        reverse("crm:contact_list"),
        reverse("crm:contact_export") + "?format=xlsx",
        reverse("crm:contact_duplicates"),
        reverse("crm:contact_detail", args=[contact.pk]),
    ]
    apis = [
        "/api/v1/clients",
        f"/api/v1/clients/{client_org.pk}",
        "/api/v1/contacts",
        f"/api/v1/contacts/{contact.pk}",
    ]
    writes = [
        reverse("crm:client_create"),
        reverse("crm:client_edit", args=[client_org.pk]),
        reverse("crm:contact_create"),
        reverse("crm:contact_edit", args=[contact.pk]),
        reverse("crm:contact_merge", args=[contact.pk, other.pk]),
    ]
    return pages, apis, writes


def test_a_client_user_is_refused_everywhere(signed_in, targets, client_org):
    pages, apis, writes = targets
    portal = signed_in("client")
    for target in pages + writes:
        assert portal.get(target).status_code in (403, 404), target
        assert portal.post(target, {}).status_code in (403, 404, 405), target
    for target in apis:
        assert portal.get(target).status_code in (403, 404), target
    assert portal.post("/api/v1/contacts", {}, content_type="application/json").status_code == 403
    assert client_org.name not in portal.get(reverse("crm:contact_list")).content.decode()


@pytest.mark.parametrize("role", ["admin", "manager", "member"])
def test_staff_read_everything(signed_in, targets, role):
    pages, apis, _writes = targets
    http = signed_in(role)
    for target in pages + apis:
        assert http.get(target).status_code == 200, target
