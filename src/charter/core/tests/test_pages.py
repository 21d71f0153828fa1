import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import path, reverse

from charter.core import audit


def boom(request):
    raise RuntimeError("broken on purpose")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden)]
handler500 = "charter.core.views.server_error"
handler403 = "charter.core.views.permission_denied"


@pytest.mark.django_db
def test_404_page_for_signed_in_user_uses_the_shell(signed_in):
    response = signed_in("member").get("/no/such/page/")
    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()
    assert "sidebar-menu" in response.content.decode()


@pytest.mark.django_db
def test_404_page_for_anonymous_in_chinese(client):
    response = client.get("/no/such/page/", headers={"accept-language": "zh-hans"})
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "sidebar-menu" not in response.content.decode()


@pytest.mark.django_db
def test_403_page(signed_in):
    response = signed_in("client").get(reverse("crm:client_list"))
    assert response.status_code == 403
    assert 'data-testid="error-403"' in response.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_500_page_is_rendered_without_context(users):
    http = HttpClient(raise_request_exception=False)
    http.force_login(users["member"])
    response = http.get("/boom/")
    assert response.status_code == 500
    assert 'data-testid="error-500"' in response.content.decode()


@pytest.mark.django_db
def test_dashboard_shows_recent_activity_with_constant_queries(
    signed_in, users, client_org, django_assert_max_num_queries
):
    manager = signed_in("manager")
    with django_assert_max_num_queries(20) as few:
        manager.get(reverse("core:dashboard"))
    for index in range(30):
        audit.record(
            client_org, "updated", actor=users["manager"], changes={"n": [index, index + 1]}
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager.get(reverse("core:dashboard"))
    assert len(response.context["recent"]) == 10


@pytest.mark.django_db
def test_client_dashboard_shows_their_organisation(signed_in, client_org):
    response = signed_in("client").get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert client_org.name in response.content.decode()
    assert response.context["client"] == client_org


@pytest.mark.django_db
def test_user_language_wins_over_the_browser(signed_in, users):
    users["member"].language = "zh-hans"
    users["member"].save()
    response = signed_in("member").get(reverse("core:dashboard"), headers={"accept-language": "en"})
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db
def test_language_switch_is_saved_to_the_profile(signed_in, users):
    http = signed_in("member")
    response = http.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    users["member"].refresh_from_db()
    assert users["member"].language == "zh-hans"


@pytest.mark.django_db
def test_language_switch_refuses_offsite_next(client):
    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
