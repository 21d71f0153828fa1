"""Signing in and out, changing and resetting passwords, and invitation links."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from charter.core.models import AuditEvent
from charter.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def reset_link(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)


def test_sign_in_sets_the_users_language_cookie_and_redirects_to_the_dashboard(client, users):
    users["member"].language = "zh-hans"
    users["member"].save()
    response = client.post(reverse("accounts:login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    dashboard = client.get(response["Location"], headers={"accept-language": "en"})
    assert '<html lang="zh-hans">' in dashboard.content.decode()


def test_sign_in_with_a_wrong_password_shows_an_error(client, users):
    response = client.post(reverse("accounts:login"), {"username": "member", "password": "nope"})
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_sign_out(signed_in):
    http = signed_in("member")
    response = http.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert http.get(reverse("core:dashboard")).status_code == 302


def test_change_password_audits_and_keeps_the_session(signed_in, users):
    http = signed_in("member")
    page = http.get(reverse("accounts:password_change"))
    assert 'name="old_password"' in page.content.decode()
    response = http.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "blue-lantern-47",
            "new_password2": "blue-lantern-47",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    assert http.get(response["Location"]).status_code == 200
    users["member"].refresh_from_db()
    assert users["member"].check_password("blue-lantern-47")
    event = AuditEvent.objects.get(action="password_changed")
    assert event.actor == users["member"] and event.object_id == str(users["member"].pk)
    assert event.changes == {}


def test_change_password_errors_are_shown_on_the_fields(signed_in, users):
    response = signed_in("member").post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "123", "new_password2": "456"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("is-invalid") >= 2
    assert "invalid-feedback" in html
    users["member"].refresh_from_db()
    assert users["member"].check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="password_changed").exists()


def test_password_reset_round_trip_in_the_users_language(client, users):
    member = users["member"]
    member.language = "zh-hans"
    member.save()
    response = client.post(reverse("accounts:password_reset"), {"email": member.email.upper()})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    html = message.alternatives[0]
    assert html.mimetype == "text/html"
    assert '<html lang="zh-hans">' in html.content  # rendered in the user's language
    link = reset_link(message)
    assert link in html.content

    form_page = client.get(link, follow=True)
    assert 'data-testid="set-password-form"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "quiet-harbour-82", "new_password2": "quiet-harbour-82"},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    member.refresh_from_db()
    assert member.check_password("quiet-harbour-82")
    assert AuditEvent.objects.filter(action="password_changed", object_id=str(member.pk)).exists()
    # The link works once.
    again = client.get(link, follow=True)
    assert 'data-testid="invalid-reset-link"' in again.content.decode()


def test_password_reset_email_is_in_english_for_an_english_user(client, users):
    client.post(reverse("accounts:password_reset"), {"email": users["manager"].email})
    assert mail.outbox[0].subject == "Reset your Charter password"
    assert '<html lang="en">' in mail.outbox[0].alternatives[0].content
    assert "Choose a new password" in mail.outbox[0].alternatives[0].content


def test_password_reset_for_an_unknown_or_inactive_address_looks_the_same(client, users):
    inactive = UserFactory(is_active=False)
    for email in ["nobody@example.com", inactive.email]:
        response = client.post(reverse("accounts:password_reset"), {"email": email})
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    page = client.get(reverse("accounts:password_reset_done"))
    assert 'data-testid="password-reset-sent"' in page.content.decode()


def test_password_reset_with_an_invalid_address_shows_a_field_error(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert mail.outbox == []


def test_a_tampered_reset_link_is_refused(client, users):
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"})
    response = client.get(url)
    assert 'data-testid="invalid-reset-link"' in response.content.decode()


def test_signed_out_pages_use_the_plain_layout(client, db):
    for name in [
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
    ]:
        html = client.get(reverse(name)).content.decode()
        assert "sidebar-menu" not in html, name
        assert 'data-testid="language-switcher"' in html, name
