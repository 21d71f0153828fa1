"""Account services against the database: rules, versions, audit and queued e-mails."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from charter.accounts import services
from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.accounts.tasks import send_account_email
from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
SITE = "https://charter.example.com/"


def test_the_last_active_admin_cannot_be_demoted(users):
    with pytest.raises(ValidationError, match="at least one active administrator"):
        services.update_user(users["admin"], actor=None, expected_version=1, role=Role.MANAGER)
    assert User.objects.get(pk=users["admin"].pk).role == Role.ADMIN


def test_an_admin_cannot_deactivate_themselves_even_with_other_admins(users):
    UserFactory(role=Role.ADMIN)
    admin = users["admin"]
    with pytest.raises(ValidationError, match="your own administrator access"):
        services.update_user(admin, actor=admin, expected_version=1, is_active=False)


def test_demoting_one_of_two_admins_syncs_back_office_flags(users):
    second = UserFactory(role=Role.ADMIN)
    services.update_user(second, actor=users["admin"], expected_version=1, role=Role.MEMBER)
    second.refresh_from_db()
    assert (second.role, second.is_staff, second.is_superuser, second.version) == (
        "member",
        False,
        False,
        2,
    )


def test_update_user_refuses_a_stale_version_and_writes_nothing(users):
    member = users["member"]
    with pytest.raises(StaleEdit):
        services.update_user(member, actor=users["admin"], expected_version=7, display_name="x")
    assert User.objects.get(pk=member.pk).display_name != "x"
    assert not AuditEvent.objects.filter(action="updated").exists()


def test_set_preferences_moves_the_version_on(users):
    member = users["member"]
    services.set_preferences(member, language="zh-hans", time_zone="Asia/Tokyo")
    assert member.version == 2
    with pytest.raises(StaleEdit):  # an administrator's form opened before the switch
        services.update_user(
            User.objects.get(pk=member.pk), actor=users["admin"], expected_version=1, role="manager"
        )


def test_set_preferences_refuses_an_unknown_time_zone(users):
    with pytest.raises(ValidationError):
        services.set_preferences(users["member"], language="en", time_zone="Moon/Base")
    assert User.objects.get(pk=users["member"].pk).time_zone == "Asia/Shanghai"


def test_update_profile_audits_the_diff(users):
    member = users["member"]
    services.update_profile(
        member,
        expected_version=1,
        display_name="Han Mei",
        email=member.email,
        language="en",
        time_zone="UTC",
    )
    event = AuditEvent.objects.get(action="updated")
    assert set(event.changes) == {"display_name", "time_zone"}


def test_change_password_is_audited_without_the_password(users):
    services.change_password(users["member"], password="violet-harbour-3", actor=users["member"])
    event = AuditEvent.objects.get(action="password_changed")
    assert "violet-harbour-3" not in str(event.changes)
    assert User.objects.get(pk=users["member"].pk).check_password("violet-harbour-3")


def test_add_user_without_password_invites_in_one_transaction(users):
    account = services.add_user(
        actor=users["admin"], base_url=SITE, username="li", email="li@example.com", role=Role.MEMBER
    )
    assert not account.has_usable_password()
    assert AuditEvent.objects.filter(action="invited", object_id=str(account.pk)).count() == 1
    assert mail.outbox[0].to == ["li@example.com"]
    assert "https://charter.example.com/accounts/password/reset/" in mail.outbox[0].body


def test_add_user_needs_an_address_or_a_password(users):
    with pytest.raises(ValidationError) as error:
        services.add_user(actor=users["admin"], base_url=SITE, username="li", role=Role.MEMBER)
    assert "email" in error.value.error_dict
    assert not User.objects.filter(username="li").exists()


def test_a_failed_creation_sends_nothing(users):
    with pytest.raises(ValidationError), transaction.atomic():
        services.add_user(
            actor=users["admin"],
            base_url=SITE,
            username="li",
            email="li@example.com",
            role=Role.CLIENT,
        )
    assert mail.outbox == []
    assert not User.objects.filter(username="li").exists()


def test_request_password_reset_matches_the_address_case_insensitively(users):
    UserFactory(email="Shared@Example.com")
    UserFactory(email="shared@example.com", is_active=False)
    assert services.request_password_reset("SHARED@example.COM", base_url=SITE) == 1
    assert services.request_password_reset("", base_url=SITE) == 0
    assert len(mail.outbox) == 1


def test_the_task_sends_nothing_to_an_account_deactivated_meanwhile(users):
    member = users["member"]
    member.is_active = False
    member.save()
    result = send_account_email.enqueue(member.pk, "password_reset", SITE)
    assert result.return_value is False
    assert mail.outbox == []


def test_the_task_builds_links_under_a_sub_path(users):
    send_account_email.enqueue(users["member"].pk, "invitation", "https://example.com/charter/")
    assert "https://example.com/charter/accounts/password/reset/" in mail.outbox[0].body
