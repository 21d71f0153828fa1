"""MS Project XML export and import pages and API operations: downloads, the upload form with
its errors, the report page, permissions and hidden projects."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from charter.core.models import AuditEvent
from charter.core.tests.test_api import assert_problem
from charter.engine.mspdi import parse_project_text
from charter.planning.models import Task
from charter.planning.services import exchange
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db

SAMPLE = Path("/work/shared/data/mspdi/sample.xml")
P6 = Path("/work/shared/data/mspdi/ProjectDefaultCalendar.xml")


@pytest.fixture
def project(client_org, users):
    project = make_project(client_org, manager=users["manager"])
    project.members.add(users["member"])
    return project


@pytest.fixture
def other_project(client_org, users):
    return make_project(client_org, manager=users["manager"])


def upload(path: Path = SAMPLE, content: bytes | None = None) -> SimpleUploadedFile:
    data = path.read_bytes() if content is None else content
    return SimpleUploadedFile(path.name, data, content_type="application/xml")


def _names(project) -> list[str]:
    return list(
        Task.objects.filter(project=project).order_by("position").values_list("name", flat=True)
    )


# ---- HTML -----------------------------------------------------------------------------------


def test_staff_download_the_plan_named_after_the_project_code(project, signed_in):
    response = signed_in("member").get(reverse("planning:plan_export", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{project.code}.xml"'
    parsed = parse_project_text(response.content.decode())
    assert [task.name for task in parsed.tasks] == _names(project)


def test_a_member_cannot_export_a_project_they_are_not_on(other_project, signed_in):
    url = reverse("planning:plan_export", args=[other_project.pk])
    assert signed_in("member").get(url).status_code == 404
    assert signed_in("client").get(url).status_code == 403


def test_the_import_form_warns_that_the_current_plan_is_replaced(project, signed_in):
    response = signed_in("manager").get(reverse("planning:plan_import", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="replace-warning"' in page and 'name="replace"' in page
    assert (
        signed_in("member").get(reverse("planning:plan_import", args=[project.pk])).status_code
        == 403
    )


def test_importing_shows_the_report_with_counts_and_every_line_not_mapped(project, signed_in):
    url = reverse("planning:plan_import", args=[project.pk])
    response = signed_in("manager").post(url, {"file": upload(), "replace": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    report = response.context["report"]
    assert report.counts == {
        "tasks": 19,
        "links": 6,
        "calendars": 1,
        "baselines": 0,
        "resources": 2,
        "assignments": 2,
    }
    assert 'data-testid="import-counts"' in page and "sample.xml was imported" in page
    for line in report.not_mapped:
        assert line.replace('"', "&quot;").replace("'", "&#x27;") in page
    assert len(report.not_mapped) >= 9
    assert _names(project)[0] == "First Task"


def test_a_plan_with_tasks_is_not_replaced_without_the_tick(project, signed_in):
    before = _names(project)
    url = reverse("planning:plan_import", args=[project.pk])
    response = signed_in("manager").post(url, {"file": upload()})
    assert response.status_code == 422
    assert "replace the current plan" in response.context["form"].errors["replace"][0]
    assert _names(project) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (P6.read_bytes(), "APIBusinessObjects"),
        (b"not xml at all", "not well-formed XML"),
    ],
)
def test_a_file_that_cannot_be_imported_shows_why_on_the_form(project, signed_in, content, message):
    url = reverse("planning:plan_import", args=[project.pk])
    response = signed_in("manager").post(url, {"file": upload(content=content), "replace": "on"})
    assert response.status_code == 422
    assert message in response.context["form"].errors["file"][0]
    assert not AuditEvent.objects.filter(action="imported").exists()


def test_a_file_over_the_limit_is_refused_on_the_form(project, signed_in, monkeypatch):
    monkeypatch.setattr(exchange, "MAX_UPLOAD_BYTES", 100)
    url = reverse("planning:plan_import", args=[project.pk])
    response = signed_in("manager").post(url, {"file": upload(), "replace": "on"})
    assert response.status_code == 422
    assert "larger than" in response.context["form"].errors["file"][0]


def test_the_upload_needs_a_file(project, signed_in):
    url = reverse("planning:plan_import", args=[project.pk])
    response = signed_in("manager").post(url, {"replace": "on"})
    assert response.status_code == 422 and response.context["form"].errors["file"]


# ---- API ------------------------------------------------------------------------------------


def api_url(project) -> str:
    return f"/api/v1/projects/{project.pk}/mspdi"


def test_api_download(project, signed_in):
    response = signed_in("member").get(api_url(project))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert [task.name for task in parse_project_text(response.content.decode()).tasks] == _names(
        project
    )


def test_api_download_of_a_project_the_member_is_not_on_is_404(other_project, signed_in):
    assert_problem(signed_in("member").get(api_url(other_project)), 404)


def test_api_import_answers_the_report(project, signed_in):
    response = signed_in("manager").post(api_url(project), {"file": upload(), "replace": "true"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tasks"], body["links"], body["calendars"], body["baselines"]) == (19, 6, 1, 0)
    assert (body["resources"], body["assignments"]) == (2, 2)
    assert _names(project)[0] == "First Task"


def test_api_import_refusals_are_problems_on_their_field(project, signed_in):
    http = signed_in("manager")
    body = assert_problem(http.post(api_url(project), {"file": upload()}), 422)
    assert [error["field"] for error in body["errors"]] == ["replace"]
    body = assert_problem(http.post(api_url(project), {"file": upload(P6), "replace": "true"}), 422)
    assert [error["field"] for error in body["errors"]] == ["file"]
    assert "APIBusinessObjects" in body["errors"][0]["detail"]


def test_api_import_is_for_managers(project, signed_in):
    assert_problem(signed_in("member").post(api_url(project), {"file": upload()}), 403)
    assert_problem(signed_in("client").post(api_url(project), {"file": upload()}), 403)
