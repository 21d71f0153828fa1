import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from charter.accounts.models import ApiToken
from charter.accounts.services import create_api_token, user_for_api_token

pytestmark = pytest.mark.django_db


def test_token_list_shows_only_your_tokens_with_constant_queries(
    signed_in, users, django_assert_max_num_queries
):
    create_api_token(users["manager"], name="someone else's")
    http = signed_in("member")
    assert 'class="empty"' in http.get(reverse("accounts:token_list")).content.decode()
    create_api_token(users["member"], name="job 0")
    with django_assert_max_num_queries(20) as few:
        http.get(reverse("accounts:token_list"))
    for index in range(1, 6):
        create_api_token(users["member"], name=f"job {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(reverse("accounts:token_list"))
    html = response.content.decode()
    assert all(f"job {index}" in html for index in range(6))
    assert "someone else" not in html


def test_create_shows_the_raw_token_once_and_it_works(signed_in, users):
    http = signed_in("client")
    assert 'data-testid="token-form"' in http.get(reverse("accounts:token_create")).content.decode()
    response = http.post(
        reverse("accounts:token_create"), {"name": "Excel export", "expires_at": ""}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw"]
    assert f'value="{raw}"' in response.content.decode()
    assert user_for_api_token(raw) == users["client"]
    listing = http.get(reverse("accounts:token_list")).content.decode()
    assert "Excel export" in listing and raw not in listing


def test_expiry_date_means_the_end_of_that_day_in_the_users_zone(signed_in, users):
    users["member"].time_zone = "Asia/Tokyo"
    users["member"].save()
    day = timezone.localdate() + datetime.timedelta(days=10)
    signed_in("member").post(
        reverse("accounts:token_create"), {"name": "ci", "expires_at": day.isoformat()}
    )
    token = ApiToken.objects.get(name="ci")
    local = token.expires_at.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
    assert (local.date(), local.time()) == (day + datetime.timedelta(days=1), datetime.time.min)


def test_expiry_in_the_past_is_refused(signed_in, users):
    past = timezone.localdate() - datetime.timedelta(days=2)
    response = signed_in("member").post(
        reverse("accounts:token_create"), {"name": "old", "expires_at": past.isoformat()}
    )
    assert response.status_code == 422
    assert "must be in the future" in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_name_is_required(signed_in, users):
    response = signed_in("member").post(reverse("accounts:token_create"), {"name": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["name"]


def test_revoke_asks_then_revokes(signed_in, users):
    token, raw = create_api_token(users["member"], name="laptop")
    http = signed_in("member")
    url = reverse("accounts:token_revoke", args=[token.pk])
    assert 'data-testid="token-revoke"' in http.get(url).content.decode()
    assert user_for_api_token(raw) == users["member"]
    response = http.post(url)
    assert response["Location"] == reverse("accounts:token_list")
    assert user_for_api_token(raw) is None
    assert "Revoked" in http.get(reverse("accounts:token_list")).content.decode()


def test_someone_elses_token_is_404(signed_in, users):
    token, raw = create_api_token(users["manager"], name="theirs")
    http = signed_in("admin")  # not even an administrator may revoke another person's token here
    assert http.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert http.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert user_for_api_token(raw) == users["manager"]
