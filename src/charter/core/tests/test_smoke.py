import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_dashboard_for_each_role(signed_in):
    for role in ["admin", "manager", "member", "client"]:
        response = signed_in(role).get(reverse("core:dashboard"))
        assert response.status_code == 200, role


def test_anonymous_dashboard_redirects_to_login(client, db):
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
