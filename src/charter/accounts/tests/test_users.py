"""User administration pages (admin role)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.core.models import AuditEvent
from charter.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def edit_data(account, **changes):
    data = {
        "display_name": account.display_name,
        "email": account.email,
        "role": account.role,
        "client": account.client_id or "",
        "language": account.language,
        "time_zone": account.time_zone,
        "is_active": "on" if account.is_active else "",
        "version": account.version,
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


# ---- list ---------------------------------------------------------------------------------------


def test_list_counts_roles_and_costs_constant_queries(signed_in, django_assert_max_num_queries):
    http = signed_in("admin")
    with django_assert_max_num_queries(20) as few:
        http.get(reverse("accounts:user_list"))
    UserFactory.create_batch(30, role=Role.CLIENT)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(reverse("accounts:user_list"))
    assert len(response.context["page"].object_list) == 25
    tabs = {code: count for code, _label, count in response.context["role_tabs"]}
    assert tabs == {"": 34, "admin": 1, "manager": 1, "member": 1, "client": 31}


def test_list_search_and_filters(signed_in, users):
    UserFactory(
        username="zhangwei", display_name="Zebedee Quill", email="zw@corp.cn", is_active=False
    )
    http = signed_in("admin")
    names = lambda response: [u.username for u in response.context["page"].object_list]  # noqa: E731
    assert names(http.get(reverse("accounts:user_list"), {"q": "zebedee"})) == ["zhangwei"]
    assert names(http.get(reverse("accounts:user_list"), {"q": "ZW@corp"})) == ["zhangwei"]
    assert names(http.get(reverse("accounts:user_list"), {"q": "hangwe"})) == ["zhangwei"]
    assert names(http.get(reverse("accounts:user_list"), {"active": "no"})) == ["zhangwei"]
    assert names(http.get(reverse("accounts:user_list"), {"role": "manager"})) == ["manager"]
    assert "zhangwei" not in names(http.get(reverse("accounts:user_list"), {"active": "yes"}))


def test_list_answers_htmx_with_the_results_fragment(signed_in, users):
    response = signed_in("admin").get(
        reverse("accounts:user_list"), {"q": "manager"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="user-table"' in html and 'data-testid="role-tabs"' in html


def test_list_empty_search_shows_the_empty_state(signed_in, users):
    html = (
        signed_in("admin")
        .get(reverse("accounts:user_list"), {"q": "no-such-person"})
        .content.decode()
    )
    assert 'class="empty"' in html
    assert 'data-testid="user-table"' not in html


def test_other_roles_cannot_administer_users(signed_in, users):
    for role in ["manager", "member", "client"]:
        http = signed_in(role)
        assert http.get(reverse("accounts:user_list")).status_code == 403
        assert http.get(reverse("accounts:user_edit", args=[users["member"].pk])).status_code == 403


# ---- create -------------------------------------------------------------------------------------


def test_create_without_password_sends_an_invitation(signed_in, users):
    response = signed_in("admin").post(
        reverse("accounts:user_create"),
        {
            "username": "chenjing",
            "display_name": "陈静",
            "email": "chen@example.com",
            "role": "member",
            "language": "zh-hans",
            "time_zone": "Asia/Shanghai",
            "password": "",
        },
    )
    assert response["Location"] == reverse("accounts:user_list")
    account = User.objects.get(username="chenjing")
    assert not account.has_usable_password()
    assert AuditEvent.objects.filter(action="invited", object_id=str(account.pk)).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chen@example.com"]
    assert '<html lang="zh-hans">' in mail.outbox[0].alternatives[0].content
    link = re.search(r"http://testserver/accounts/password/reset/\S+/", mail.outbox[0].body).group(
        0
    )

    invitee = signed_in("anonymous")
    form = invitee.get(link, follow=True)
    invitee.post(
        form.redirect_chain[-1][0],
        {"new_password1": "red-kite-1942", "new_password2": "red-kite-1942"},
    )
    assert invitee.login(username="chenjing", password="red-kite-1942")


def test_create_with_a_password_sends_no_invitation(signed_in, users):
    response = signed_in("admin").post(
        reverse("accounts:user_create"),
        {
            "username": "ops",
            "role": "manager",
            "language": "en",
            "time_zone": "UTC",
            "password": "amber-falcon-77",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="ops").check_password("amber-falcon-77")
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="invited").exists()


def test_create_form_shows_the_client_field_for_client_users(signed_in, users, client_org):
    page = signed_in("admin").get(reverse("accounts:user_create"))
    html = page.content.decode()
    assert "data-client-field" in html and "data-role-select" in html
    response = signed_in("admin").post(
        reverse("accounts:user_create"),
        {
            "username": "buyer",
            "email": "b@example.com",
            "role": "client",
            "language": "en",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 422
    assert "Choose the client organisation" in response.content.decode()
    assert not User.objects.filter(username="buyer").exists()
    signed_in("admin").post(
        reverse("accounts:user_create"),
        {
            "username": "buyer",
            "email": "b@example.com",
            "role": "client",
            "client": client_org.pk,
            "language": "en",
            "time_zone": "UTC",
        },
    )
    assert User.objects.get(username="buyer").client == client_org


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "member"}, "username"),  # taken
        ({"username": "x y"}, "username"),
        ({"email": ""}, "email"),  # neither invitation address nor password
        ({"password": "123"}, "password"),
        ({"time_zone": "Nowhere/City"}, "time_zone"),
    ],
)
def test_create_refuses_bad_input(signed_in, users, data, field):
    base = {
        "username": "newbie",
        "email": "n@example.com",
        "role": "member",
        "language": "en",
        "time_zone": "UTC",
    }
    response = signed_in("admin").post(reverse("accounts:user_create"), {**base, **data})
    assert response.status_code == 422
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert User.objects.count() == 4
    assert mail.outbox == []


# ---- edit ---------------------------------------------------------------------------------------


def test_edit_changes_role_and_links_history(signed_in, users, client_org):
    member = users["member"]
    http = signed_in("admin")
    page = http.get(reverse("accounts:user_edit", args=[member.pk])).content.decode()
    assert reverse("core:history", args=["accounts.user", member.pk]) in page
    response = http.post(
        reverse("accounts:user_edit", args=[member.pk]),
        edit_data(member, role="client", client=client_org.pk),
    )
    assert response["Location"] == reverse("accounts:user_list")
    member.refresh_from_db()
    assert (member.role, member.client, member.version) == ("client", client_org, 2)
    history = http.get(reverse("core:history", args=["accounts.user", member.pk]))
    assert history.status_code == 200 and "client" in history.content.decode()


def test_deactivating_keeps_the_account(signed_in, users):
    member = users["member"]
    signed_in("admin").post(
        reverse("accounts:user_edit", args=[member.pk]), edit_data(member, is_active="")
    )
    member.refresh_from_db()
    assert member.is_active is False


def test_stale_edit_shows_the_message_and_keeps_the_input(signed_in, users):
    member = users["member"]
    data = edit_data(member, display_name="Edited here")
    User.objects.filter(pk=member.pk).update(version=2)  # someone saved meanwhile
    response = signed_in("admin").post(reverse("accounts:user_edit", args=[member.pk]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this record" in html
    assert 'value="Edited here"' in html
    member.refresh_from_db()
    assert member.display_name != "Edited here"


def test_admin_cannot_remove_own_access(signed_in, users):
    admin = users["admin"]
    response = signed_in("admin").post(
        reverse("accounts:user_edit", args=[admin.pk]), edit_data(admin, role="member")
    )
    assert response.status_code == 422
    assert "your own administrator access" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_another_admin_can_be_deactivated_while_one_remains(signed_in, users):
    second = UserFactory(role=Role.ADMIN)
    response = signed_in("admin").post(
        reverse("accounts:user_edit", args=[second.pk]), edit_data(second, is_active="")
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert not second.is_active


def test_edit_of_unknown_user_is_404(signed_in, users):
    assert signed_in("admin").get(reverse("accounts:user_edit", args=[99999])).status_code == 404
