import pytest

from charter.comms import templating
from charter.comms.models import CommunicationItem, MessageTemplate
from charter.comms.tests.matrix_templates import WORDS, make_template, seed_defaults

pytestmark = pytest.mark.django_db

URL = "/api/v1/message-templates"
JSON = "application/json"


@pytest.fixture(autouse=True)
def defaults(db):
    seed_defaults()


def _payload(**fields):
    return {"name": "客户高层周报", "kind": "status_report", **WORDS, **fields}


def test_create_read_patch_delete(signed_in):
    http = signed_in("manager")
    created = http.post(URL, _payload(is_default=True), content_type=JSON)
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    body = created.json()
    assert (body["is_default"], body["item_count"], body["kind"]) == (True, 0, "status_report")
    url = f"{URL}/{body['id']}"
    listed = http.get(URL).json()
    status_reports = [row for row in listed if row["kind"] == "status_report"]
    assert status_reports[0]["id"] == body["id"]  # the default first
    assert sum(row["is_default"] for row in status_reports) == 1
    read = http.get(url)
    assert read.status_code == 200 and read["ETag"] == '"1"'
    assert http.patch(url, {"name": "改"}, content_type=JSON).status_code == 428
    changed = http.patch(url, {"name": "改名"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert changed.json()["name"] == "改名"
    stale = http.patch(url, {"name": "旧"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert http.delete(url).status_code == 204
    assert http.get(url).status_code == 404


def test_unknown_variables_are_field_errors(signed_in):
    response = signed_in("admin").post(
        URL, _payload(body_en="{{ project.owner.password }}", subject_zh=""), content_type=JSON
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = {error["field"]: error["detail"] for error in response.json()["errors"]}
    assert set(errors) == {"subject_zh"}  # the request's own shape first
    response = signed_in("admin").post(
        URL, _payload(body_en="{{ project.owner.password }}"), content_type=JSON
    )
    [error] = response.json()["errors"]
    assert error["field"] == "body_en" and error["pointer"] == "#/body_en"
    assert "project.owner.password" in error["detail"]
    assert not MessageTemplate.objects.filter(name="客户高层周报").exists()


def test_delete_is_refused_while_plan_items_use_it(project, signed_in):
    template = make_template(kind="custom")
    CommunicationItem.objects.filter(project=project).update(template=template)
    response = signed_in("manager").delete(f"{URL}/{template.pk}")
    assert response.status_code == 422
    assert project.code in response.json()["errors"][0]["detail"]
    assert MessageTemplate.objects.filter(pk=template.pk).exists()


def test_members_read_but_may_not_write(signed_in):
    template = make_template()
    http = signed_in("member")
    assert http.get(f"{URL}/{template.pk}").status_code == 200
    assert http.post(URL, _payload(), content_type=JSON).status_code == 403
    patch = http.patch(
        f"{URL}/{template.pk}", {"name": "x"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert patch.status_code == 403
    assert http.delete(f"{URL}/{template.pk}").status_code == 403


def test_preview_in_either_language_from_a_project(project, signed_in):
    http = signed_in("member")
    for language, subject in [("zh-CN", f"【{project.name}】项目周报"), ("en", None)]:
        words = WORDS["subject_zh"] if subject else WORDS["subject_en"]
        body = WORDS["body_zh"] if subject else WORDS["body_en"]
        response = http.post(
            f"{URL}/preview",
            {"subject": words, "body": body, "language": language, "project_id": project.pk},
            content_type=JSON,
        )
        assert response.status_code == 200, response.content
        rendered = response.json()
        assert rendered["language"] == ("zh-hans" if subject else "en")
        assert rendered["subject"] == (subject or f"{project.name}: weekly report")
        link = f"http://127.0.0.1:8000/projects/{project.pk}/client-view/"
        assert link in rendered["text"] and f'href="{link}"' in rendered["html"]


def test_preview_errors_and_sample_values(project, signed_in):
    http = signed_in("member")
    bad = http.post(f"{URL}/preview", {"subject": "{{ x }}", "body": "{% if %}"}, content_type=JSON)
    assert bad.status_code == 422
    assert {error["field"] for error in bad.json()["errors"]} == {"subject", "body"}
    sample = http.post(f"{URL}/preview", {"subject": "{{ project }}"}, content_type=JSON)
    assert sample.json()["subject"] == "Sample project"
    unseen = http.post(
        f"{URL}/preview", {"subject": "x", "project_id": project.pk + 999}, content_type=JSON
    )
    assert unseen.status_code == 404


def test_variables(signed_in):
    response = signed_in("member").get(f"{URL}/variables")
    assert [row["name"] for row in response.json()] == list(templating.VARIABLES)
    assert response.json()[0]["help"] == "the project's name"
