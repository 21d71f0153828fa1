"""Attachments and history through the API: scoped like the HTML views, errors as problems."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from charter.core import audit, services
from charter.core.models import Attachment, AuditEvent
from charter.core.tests.test_api import assert_problem, fields


def upload(name="plan.txt", content=b"scope and dates"):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def files(users, client_org, other_client_org):
    def attach(parent, name, visible):
        return services.add_attachment(
            parent, user=users["manager"], upload=upload(name), client_visible=visible
        )

    return {
        "shared": attach(client_org, "shared.txt", True),
        "internal": attach(client_org, "internal.txt", False),
        "other": attach(other_client_org, "other.txt", True),
    }


def ref(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


# ---- list ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_list_every_file_of_an_object(signed_in, files, client_org):
    response = signed_in("member").get("/api/v1/attachments", {"object": ref(client_org)})
    assert sorted(names(response)) == ["internal.txt", "shared.txt"]
    assert response.json()["count"] == 2
    item = response.json()["items"][0]
    assert item["uploaded_by"] and item["sha256"] and item["size"] == len(b"scope and dates")


@pytest.mark.django_db
def test_client_users_list_only_shared_files_of_their_client(signed_in, files, client_org):
    portal = signed_in("client")
    assert names(portal.get("/api/v1/attachments", {"object": ref(client_org)})) == ["shared.txt"]
    hidden = portal.get("/api/v1/attachments", {"object": ref(files["other"].parent)})
    assert_problem(hidden, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["nope.model:1", "crm.client:999999", "accounts.user:1"])
def test_objects_that_cannot_have_files_are_404(signed_in, reference):
    assert_problem(signed_in("admin").get("/api/v1/attachments", {"object": reference}), 404)


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["crm.client", "7", "crm.client:", ":7"])
def test_a_malformed_object_reference_is_422_on_object(signed_in, reference):
    body = assert_problem(signed_in("admin").get("/api/v1/attachments", {"object": reference}), 422)
    assert fields(body) == {"object": "#/object"}


@pytest.mark.django_db
def test_attachment_list_costs_constant_queries(
    signed_in, users, client_org, django_assert_max_num_queries
):
    for index in range(12):
        services.add_attachment(client_org, user=users["manager"], upload=upload(f"f{index}.txt"))
    http = signed_in("member")
    with django_assert_max_num_queries(5):
        response = http.get("/api/v1/attachments", {"object": ref(client_org)})
    assert len(names(response)) == 12


# ---- upload ----------------------------------------------------------------------------------


def post_file(http, parent, file, **data):
    return http.post("/api/v1/attachments", {"object": ref(parent), "file": file, **data})


@pytest.mark.django_db
def test_staff_upload_a_file(signed_in, client_org):
    response = post_file(
        signed_in("member"),
        client_org,
        upload("brief.pdf", b"%PDF-1.7"),
        description="项目简介",
        client_visible="true",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["description"], body["client_visible"]) == (
        "brief.pdf",
        "项目简介",
        True,
    )
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.parent == client_org and attachment.file.read() == b"%PDF-1.7"
    assert AuditEvent.objects.for_object(client_org).get().action == "attachment_added"


@pytest.mark.django_db
@override_settings(CHARTER_UPLOAD_MAX_BYTES=10)
def test_too_large_file_is_422_on_file_and_nothing_is_written(signed_in, client_org):
    response = post_file(signed_in("member"), client_org, upload(content=b"x" * 11))
    body = assert_problem(response, 422)
    assert fields(body) == {"file": "#/file"}
    assert "largest allowed" in body["errors"][0]["detail"]
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_disallowed_type_is_422_on_file(signed_in, client_org):
    body = assert_problem(post_file(signed_in("member"), client_org, upload("run.exe")), 422)
    assert fields(body) == {"file": "#/file"}
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_missing_file_is_422_on_file(signed_in, client_org):
    response = signed_in("member").post("/api/v1/attachments", {"object": ref(client_org)})
    body = assert_problem(response, 422)
    assert "file" in fields(body)


@pytest.mark.django_db
def test_client_users_cannot_upload(signed_in, client_org):
    assert_problem(post_file(signed_in("client"), client_org, upload()), 403)
    assert not Attachment.objects.exists()


# ---- download and delete ---------------------------------------------------------------------


def download(http, attachment):
    return http.get(f"/api/v1/attachments/{attachment.pk}/download")


@pytest.mark.django_db
def test_download_streams_the_file_as_an_attachment(signed_in, files):
    response = download(signed_in("member"), files["internal"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"scope and dates"
    assert response["Content-Disposition"] == 'attachment; filename="internal.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_client_users_download_only_shared_files_of_their_client(signed_in, files):
    portal = signed_in("client")
    assert download(portal, files["shared"]).status_code == 200
    assert_problem(download(portal, files["internal"]), 404)
    assert_problem(download(portal, files["other"]), 404)


@pytest.mark.django_db
def test_staff_delete_a_file(signed_in, files, django_capture_on_commit_callbacks):
    attachment = files["internal"]
    storage, path = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in("member").delete(f"/api/v1/attachments/{attachment.pk}")
    assert response.status_code == 204
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not storage.exists(path)


@pytest.mark.django_db
def test_client_users_cannot_delete_and_missing_files_are_404(signed_in, files):
    assert_problem(signed_in("client").delete(f"/api/v1/attachments/{files['shared'].pk}"), 403)
    assert Attachment.objects.filter(pk=files["shared"].pk).exists()
    assert_problem(signed_in("admin").delete("/api/v1/attachments/999999"), 404)


# ---- history ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_lists_the_events_of_one_object(signed_in, users, client_org, other_client_org):
    manager = users["manager"]
    audit.record(client_org, "updated", actor=manager, changes={"short_name": ["旧", "新"]})
    audit.record(other_client_org, "updated", actor=users["manager"], changes={"x": [1, 2]})
    response = signed_in("member").get("/api/v1/history", {"object": ref(client_org)})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    event = body["items"][0]
    assert (event["actor"], event["action"], event["changes"]) == (
        "manager",
        "updated",
        {"short_name": ["旧", "新"]},
    )
    assert event["action_label"]


@pytest.mark.django_db
def test_history_is_for_staff_and_scoped_by_the_audit_policy(signed_in, users, client_org):
    assert_problem(signed_in("client").get("/api/v1/history", {"object": ref(client_org)}), 403)
    admin = users["admin"]
    # Account administration is visible to administrators only (core.auditevent policy).
    audit.record(admin, "updated", actor=admin, changes={"role": ["manager", "admin"]})
    as_admin = signed_in("admin").get("/api/v1/history", {"object": ref(admin)})
    assert as_admin.json()["count"] == 1
    as_member = signed_in("member").get("/api/v1/history", {"object": ref(admin)})
    assert_problem(as_member, 404)


@pytest.mark.django_db
def test_history_pages_at_constant_cost(
    signed_in, users, client_org, django_assert_max_num_queries
):
    for index in range(30):
        audit.record(client_org, "updated", actor=users["manager"], changes={"n": [index, 0]})
    http = signed_in("member")
    with django_assert_max_num_queries(5):
        response = http.get(
            "/api/v1/history", {"object": ref(client_org), "limit": 10, "offset": 10}
        )
    body = response.json()
    assert body["count"] == 30
    assert [item["changes"]["n"][0] for item in body["items"]] == list(range(19, 9, -1))
