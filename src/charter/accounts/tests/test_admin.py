"""Django's back office: registrations, read-only records, and the same account rules."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from charter.accounts.models import User
from charter.accounts.services import create_api_token
from charter.core import services as core_services
from charter.core.models import AuditEvent
from charter.crm.models import Client

pytestmark = pytest.mark.django_db


def test_every_registered_changelist_opens(signed_in, users, client_org):
    core_services.add_attachment(
        client_org, user=users["manager"], upload=SimpleUploadedFile("a.txt", b"x")
    )
    create_api_token(users["member"], name="ci")
    http = signed_in("admin")
    for model in [
        "accounts_user",
        "accounts_apitoken",
        "crm_client",
        "core_auditevent",
        "core_attachment",
    ]:
        assert http.get(reverse(f"admin:{model}_changelist")).status_code == 200, model


def test_api_token_is_read_only_and_hides_the_hash(signed_in, users):
    token, _raw = create_api_token(users["member"], name="ci")
    response = signed_in("admin").get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert token.token_hash not in html
    assert 'name="name"' not in html  # no editable input
    assert signed_in("admin").get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_audit_events_cannot_be_changed_or_deleted(signed_in, users, client_org):
    core_services.add_attachment(
        client_org, user=users["manager"], upload=SimpleUploadedFile("a.txt", b"x")
    )
    event = AuditEvent.objects.first()
    http = signed_in("admin")
    assert (
        http.post(
            reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def user_change_data(user, **changes):
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "language": user.language,
        "time_zone": user.time_zone,
        "role": user.role,
        "client": user.client_id or "",
        "is_active": "on" if user.is_active else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    return {key: value for key, value in {**data, **changes}.items() if value != ""}


def test_user_change_in_admin_is_versioned_audited_and_syncs_flags(signed_in, users):
    member = users["member"]
    response = signed_in("admin").post(
        reverse("admin:accounts_user_change", args=[member.pk]),
        user_change_data(member, role="admin"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert (member.role, member.is_staff, member.is_superuser, member.version) == (
        "admin",
        True,
        True,
        2,
    )
    assert AuditEvent.objects.get(action="updated", object_id=str(member.pk)).changes["role"] == [
        "member",
        "admin",
    ]


def test_admin_cannot_remove_own_access_in_the_back_office(signed_in, users):
    admin = users["admin"]
    response = signed_in("admin").post(
        reverse("admin:accounts_user_change", args=[admin.pk]),
        user_change_data(admin, is_active=""),
    )
    assert response.status_code == 200
    assert "your own administrator access" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_client_user_without_organisation_is_refused_in_the_back_office(signed_in, users):
    member = users["member"]
    response = signed_in("admin").post(
        reverse("admin:accounts_user_change", args=[member.pk]),
        user_change_data(member, role="client"),
    )
    assert response.status_code == 200
    assert User.objects.get(pk=member.pk).role == "member"


def test_user_add_in_admin(signed_in, users, client_org):
    response = signed_in("admin").post(
        reverse("admin:accounts_user_add"),
        {
            "username": "portal",
            "display_name": "Portal",
            "email": "p@example.com",
            "role": "client",
            "client": client_org.pk,
            "usable_password": "true",
            "password1": "green-otter-51",
            "password2": "green-otter-51",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = User.objects.get(username="portal")
    assert account.client == client_org and account.check_password("green-otter-51")
    assert AuditEvent.objects.filter(action="created", object_id=str(account.pk)).exists()


def test_users_cannot_be_deleted_in_the_back_office(signed_in, users):
    url = reverse("admin:accounts_user_delete", args=[users["member"].pk])
    assert signed_in("admin").post(url, {"post": "yes"}).status_code == 403


def test_client_change_in_admin_is_versioned(signed_in, users, client_org):
    response = signed_in("admin").post(
        reverse("admin:crm_client_change", args=[client_org.pk]),
        {"name": client_org.name, "short_name": "云栖", "lifecycle": client_org.lifecycle},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    client_org.refresh_from_db()
    assert (client_org.short_name, client_org.version) == ("云栖", 2)
    assert Client.objects.get(pk=client_org.pk).short_name == "云栖"
