"""Profile, user administration and API tokens through the API."""

import pytest
from django.test import Client as HttpClient

from charter.accounts.models import ApiToken, User
from charter.accounts.services import create_api_token
from charter.core.models import AuditEvent
from charter.core.tests.test_api import assert_problem, bearer, fields
from charter.testing.factories import UserFactory

JSON = "application/json"


def user_url(user):
    return f"/api/v1/users/{user.pk}"


# ---- /me -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_me_shows_the_own_profile(signed_in, users, client_org):
    body = signed_in("client").get("/api/v1/me").json()
    assert (body["username"], body["role"], body["client"]) == ("client", "client", client_org.pk)


@pytest.mark.django_db
def test_patch_me_changes_name_language_and_time_zone_without_if_match(signed_in, users):
    response = signed_in("member").patch(
        "/api/v1/me",
        {"display_name": "王小明", "language": "zh-hans", "time_zone": "Europe/Berlin"},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    member = User.objects.get(pk=users["member"].pk)
    assert (member.display_name, member.language, member.time_zone) == (
        "王小明",
        "zh-hans",
        "Europe/Berlin",
    )
    assert response.json()["time_zone"] == "Europe/Berlin"


@pytest.mark.django_db
def test_patch_me_leaves_unsent_fields_alone(signed_in, users):
    signed_in("member").patch("/api/v1/me", {"time_zone": "UTC"}, content_type=JSON)
    member = User.objects.get(pk=users["member"].pk)
    assert (member.display_name, member.email, member.time_zone) == (
        users["member"].display_name,
        users["member"].email,
        "UTC",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [({"time_zone": "Mars/Olympus"}, "time_zone"), ({"language": "fr"}, "language")],
)
def test_patch_me_refuses_invalid_values_with_the_field_path(signed_in, users, change, field):
    response = signed_in("member").patch("/api/v1/me", change, content_type=JSON)
    assert fields(assert_problem(response, 422)) == {field: f"#/{field}"}
    member = User.objects.get(pk=users["member"].pk)
    assert (member.time_zone, member.language) == (users["member"].time_zone, "en")


@pytest.mark.django_db
def test_patch_me_cannot_change_role(signed_in, users):
    signed_in("member").patch("/api/v1/me", {"role": "admin"}, content_type=JSON)
    assert User.objects.get(pk=users["member"].pk).role == "member"


# ---- users (administrators) ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "member", "client"])
def test_only_admins_administer_users(signed_in, users, role):
    http = signed_in(role)
    assert_problem(http.get("/api/v1/users"), 403)
    assert_problem(http.get(user_url(users["member"])), 403)
    # Refused before the input is even read: invalid input from them is still 403, not 422.
    assert_problem(http.post("/api/v1/users", {}, content_type=JSON), 403)
    patch = http.patch(
        user_url(users["member"]),
        {"is_active": False},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert_problem(patch, 403)
    assert User.objects.get(pk=users["member"].pk).is_active


@pytest.mark.django_db
def test_user_list_filters(signed_in, users, django_assert_max_num_queries):
    # Faker never makes a name with "离职": the search cannot match a fixture user by chance.
    UserFactory(username="wanglei", display_name="离职的王磊", is_active=False)
    http = signed_in("admin")

    def usernames(**params):
        with django_assert_max_num_queries(4):
            response = http.get("/api/v1/users", params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"])
        return sorted(item["username"] for item in body["items"])

    assert usernames() == ["admin", "client", "manager", "member", "wanglei"]
    assert usernames(role="client") == ["client"]
    assert usernames(is_active="false") == ["wanglei"]
    assert usernames(q="离职") == ["wanglei"]
    assert usernames(q="MEMBER@example") == ["member"]
    assert usernames(role="member", is_active="true") == ["member"]
    assert fields(assert_problem(http.get("/api/v1/users", {"role": "boss"}), 422)) == {
        "role": "#/role"
    }


@pytest.mark.django_db
def test_admin_creates_a_user(signed_in, users, client_org):
    response = signed_in("admin").post(
        "/api/v1/users",
        {"username": "li.na", "display_name": "李娜", "role": "client", "client": client_org.pk},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    created = User.objects.get(username="li.na")
    assert (created.role, created.client, created.has_usable_password()) == (
        "client",
        client_org,
        False,
    )
    assert AuditEvent.objects.for_object(created).get().actor == users["admin"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, field",
    [
        ({"username": "x", "role": "client"}, "client"),
        ({"username": "x", "role": "client", "client": 999999}, "client"),
        ({"username": "member"}, "username"),
        ({"username": "x", "time_zone": "Nowhere/City"}, "time_zone"),
        ({"username": "x", "role": "boss"}, "role"),
        ({}, "username"),
    ],
)
def test_invalid_new_users_are_422_with_the_field(signed_in, users, payload, field):
    response = signed_in("admin").post("/api/v1/users", payload, content_type=JSON)
    assert field in fields(assert_problem(response, 422))
    assert User.objects.count() == len(users)


@pytest.mark.django_db
def test_admin_edits_a_user_with_if_match(signed_in, users):
    member = users["member"]
    http = signed_in("admin")
    etag = http.get(user_url(member))["ETag"]
    response = http.patch(
        user_url(member), {"role": "manager"}, content_type=JSON, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{member.version + 1}"' != etag
    assert User.objects.get(pk=member.pk).role == "manager"
    event = AuditEvent.objects.for_object(member).get()
    assert event.changes == {"role": ["member", "manager"]}


@pytest.mark.django_db
def test_a_client_user_becomes_staff_without_a_client(signed_in, users):
    client_user = users["client"]
    response = signed_in("admin").patch(
        user_url(client_user),
        {"role": "member"},
        content_type=JSON,
        headers={"If-Match": f'"{client_user.version}"'},
    )
    assert response.status_code == 200, response.content
    stored = User.objects.get(pk=client_user.pk)
    assert (stored.role, stored.client) == ("member", None)
    assert response.json()["client"] is None


@pytest.mark.django_db
def test_stale_or_missing_if_match_on_users(signed_in, users):
    member, http = users["member"], signed_in("admin")
    stale = http.patch(
        user_url(member), {"is_active": False}, content_type=JSON, headers={"If-Match": '"99"'}
    )
    assert_problem(stale, 412)
    assert_problem(http.patch(user_url(member), {"is_active": False}, content_type=JSON), 428)
    assert User.objects.get(pk=member.pk).is_active


@pytest.mark.django_db
def test_service_rules_come_back_as_422(signed_in, users):
    admin = users["admin"]
    response = signed_in("admin").patch(
        user_url(admin), {"is_active": False}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert_problem(response, 422)
    assert User.objects.get(pk=admin.pk).is_active


@pytest.mark.django_db
def test_unknown_user_is_404(signed_in):
    assert_problem(signed_in("admin").get("/api/v1/users/999999"), 404)


# ---- tokens ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_a_token_shows_the_secret_once_and_it_works(signed_in, users):
    http = signed_in("member")
    response = http.post("/api/v1/tokens", {"name": "报表脚本"}, content_type=JSON)
    assert response.status_code == 201, response.content
    raw = response.json()["token"]
    assert raw.startswith("chr_") and response.json()["is_active"]
    listed = http.get("/api/v1/tokens").json()
    assert listed["count"] == 1 and "token" not in listed["items"][0]
    assert raw not in http.get("/api/v1/tokens").content.decode()
    me = HttpClient().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.json()["username"] == "member"


@pytest.mark.django_db
def test_a_token_expiring_in_the_past_is_refused(signed_in):
    response = signed_in("member").post(
        "/api/v1/tokens",
        {"name": "x", "expires_at": "2001-01-01T00:00:00Z"},
        content_type=JSON,
    )
    assert fields(assert_problem(response, 422)) == {"expires_at": "#/expires_at"}
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_everyone_lists_only_their_own_tokens(users):
    create_api_token(users["admin"], name="admin's")
    create_api_token(users["client"], name="mine")
    response = HttpClient(headers=bearer(users["client"])).get("/api/v1/tokens")
    assert sorted(item["name"] for item in response.json()["items"]) == ["mine", "test"]


@pytest.mark.django_db
def test_revoke_a_token(users):
    token, raw = create_api_token(users["member"], name="old")
    http = HttpClient(headers=bearer(users["member"]))
    assert http.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert_problem(HttpClient().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}), 401)
    assert http.delete(f"/api/v1/tokens/{token.pk}").status_code == 204  # idempotent


@pytest.mark.django_db
def test_another_users_token_is_404(signed_in, users):
    token, _raw = create_api_token(users["admin"], name="admin's")
    assert_problem(signed_in("member").delete(f"/api/v1/tokens/{token.pk}"), 404)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
