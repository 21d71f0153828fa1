import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from charter.core import services
from charter.core.models import Attachment


def upload(name="plan.txt", content=b"scope and dates"):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def files(users, client_org, other_client_org):
    manager = users["manager"]
    return {
        "shared": services.add_attachment(
            client_org, user=manager, upload=upload("shared.txt"), client_visible=True
        ),
        "internal": services.add_attachment(
            client_org, user=manager, upload=upload("internal.txt")
        ),
        "other": services.add_attachment(
            other_client_org, user=manager, upload=upload("other.txt"), client_visible=True
        ),
    }


def download(http, attachment):
    return http.get(reverse("core:attachment_download", args=[attachment.pk]))


@pytest.mark.django_db
def test_staff_download_any_file(signed_in, files):
    response = download(signed_in("member"), files["internal"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"scope and dates"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_client_user_sees_only_shared_files_of_their_client(signed_in, files):
    portal = signed_in("client")
    assert download(portal, files["shared"]).status_code == 200
    assert download(portal, files["internal"]).status_code == 404
    assert download(portal, files["other"]).status_code == 404


@pytest.mark.django_db
def test_anonymous_cannot_download(client, files):
    assert download(client, files["shared"]).status_code == 302


@pytest.mark.django_db
def test_files_are_not_under_a_public_url(settings):
    assert settings.MEDIA_URL in (None, "")


@pytest.mark.django_db
@override_settings(CHARTER_UPLOAD_MAX_BYTES=10)
def test_too_large_file_is_refused_and_nothing_is_written(users, client_org):
    with pytest.raises(ValidationError) as refused:
        services.add_attachment(client_org, user=users["manager"], upload=upload(content=b"x" * 11))
    assert refused.value.code == "too_large"
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_disallowed_type_is_refused(users, client_org):
    with pytest.raises(ValidationError) as refused:
        services.add_attachment(client_org, user=users["manager"], upload=upload("run.exe"))
    assert refused.value.code == "type"


@pytest.mark.django_db
def test_upload_form_shows_the_error(signed_in, client_org):
    response = signed_in("manager").post(
        reverse("core:attachments", args=["crm.client", client_org.pk]),
        {"upload": upload("run.exe")},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "not accepted" in response.content.decode()


@pytest.mark.django_db
def test_client_user_cannot_upload(signed_in, client_org):
    response = signed_in("client").post(
        reverse("core:attachments", args=["crm.client", client_org.pk]), {"upload": upload()}
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_delete_removes_row_and_file(signed_in, files, django_capture_on_commit_callbacks):
    attachment = files["internal"]
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in("manager").post(
            reverse("core:attachment_delete", args=[attachment.pk])
        )
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not storage.exists(name)


@pytest.mark.django_db
def test_panel_query_count_does_not_grow(
    signed_in, users, client_org, django_assert_max_num_queries
):
    manager = signed_in("manager")
    url = reverse("core:attachments", args=["crm.client", client_org.pk])
    services.add_attachment(client_org, user=users["manager"], upload=upload("first.txt"))
    with django_assert_max_num_queries(8) as one_file:
        manager.get(url)
    for index in range(15):
        services.add_attachment(client_org, user=users["manager"], upload=upload(f"f{index}.txt"))
    with django_assert_max_num_queries(len(one_file.captured_queries)):
        response = manager.get(url)
    assert len(response.context["attachments"]) == 16
