"""Imports from the UI, the API and the command line; who may import."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from charter.core.commands import COMMANDS
from charter.core.tests.test_api import assert_problem, bearer
from charter.crm.models import Client, ImportJob
from charter.crm.services import imports
from charter.testing.factories import ImportJobFactory

CSV = "客户名称,简称,行业\n杭州星河数据有限公司,星河,软件\n苏州远景制造有限公司,远景,制造\n"


def csv_file(text: str = CSV, name: str = "clients.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("gb18030"))


@pytest.mark.django_db
def test_upload_map_preview_commit_in_the_browser(signed_in):
    http = signed_in("manager")
    response = http.post(reverse("crm:import_list"), {"kind": "clients", "file": csv_file()})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = http.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="import-mapping"' in page
    assert '<option value="客户名称" selected>' in page  # guessed from the heading
    response = http.post(
        reverse("crm:import_check", args=[job.pk]), {"name": "客户名称", "industry": "行业"}
    )
    assert response.status_code == 302
    page = http.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="import-counts"' in page and "To create" in page
    assert Client.objects.filter(industry__in=["软件", "制造"]).count() == 0
    response = http.post(reverse("crm:import_commit", args=[job.pk]), follow=True)
    assert "The file was imported." in response.content.decode()
    assert Client.objects.filter(industry__in=["软件", "制造"]).count() == 2
    assert Client.objects.get(name="杭州星河数据有限公司").short_name == ""  # not mapped


@pytest.mark.django_db
def test_a_bad_file_is_explained_on_the_upload_form(signed_in):
    response = signed_in("admin").post(
        reverse("crm:import_list"), {"kind": "clients", "file": csv_file("a", "x.xlsx")}
    )
    assert response.status_code == 422
    assert "is named .xlsx but is not an Excel workbook" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_row_errors_are_listed_and_only_valid_rows_is_a_deliberate_choice(signed_in):
    http = signed_in("manager")
    http.post(
        reverse("crm:import_list"),
        {"kind": "clients", "file": csv_file("名称,网站\n甲公司,not a site\n乙公司,\n")},
    )
    job = ImportJob.objects.get()
    http.post(reverse("crm:import_check", args=[job.pk]), {"name": "名称", "website": "网站"})
    page = http.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="import-errors"' in page and "Enter a valid URL." in page
    assert 'name="valid_only" value="1"' in page
    response = http.post(reverse("crm:import_commit", args=[job.pk]), follow=True)
    assert "1 rows have errors" in response.content.decode()
    assert not Client.objects.filter(name__in=["甲公司", "乙公司"]).exists()
    http.post(reverse("crm:import_commit", args=[job.pk]), {"valid_only": "1"})
    assert list(
        Client.objects.filter(name__in=["甲公司", "乙公司"]).values_list("name", flat=True)
    ) == ["乙公司"]


@pytest.mark.django_db
def test_a_mapping_without_the_required_field_is_refused(signed_in):
    job = ImportJobFactory()
    response = signed_in("manager").post(reverse("crm:import_check", args=[job.pk]), {"name": ""})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


@pytest.mark.django_db
def test_progress_is_polled_while_running_and_the_page_reloads_when_done(signed_in):
    job = ImportJobFactory(status="committing", rows_total=4000, rows_done=1000)
    http = signed_in("manager")
    page = http.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and "1000 of 4000 rows" in page
    fragment = http.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'aria-valuenow="25"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    job.status = "done"
    job.save()
    finished = http.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "client"])
def test_members_and_client_users_cannot_import(signed_in, role):
    http = signed_in(role)
    job = ImportJobFactory()
    assert http.get(reverse("crm:import_list")).status_code == 403
    assert http.post(reverse("crm:import_list"), {"kind": "clients"}).status_code == 403
    assert http.get(job.get_absolute_url()).status_code == 403
    assert http.post(reverse("crm:import_commit", args=[job.pk])).status_code == 403
    assert_problem(http.get(f"/api/v1/imports/{job.pk}"), 403)


# ---- API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_upload_answers_the_preview_then_commits(users):
    http = HttpClient(headers=bearer(users["manager"]))
    response = http.post("/api/v1/imports", {"kind": "clients", "file": csv_file()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["to_create"], body["error_rows"]) == ("checked", 2, 0)
    assert body["mapping"] == {"name": "客户名称", "short_name": "简称", "industry": "行业"}
    committed = http.post(
        f"/api/v1/imports/{body['id']}/commit", {}, content_type="application/json"
    )
    assert committed.status_code == 200 and committed.json()["status"] == "done"
    assert Client.objects.filter(name="苏州远景制造有限公司").exists()
    again = http.post(f"/api/v1/imports/{body['id']}/commit", {}, content_type="application/json")
    assert_problem(again, 422)


@pytest.mark.django_db
def test_api_errors_are_paginated_and_commit_refuses_a_file_with_errors(users):
    http = HttpClient(headers=bearer(users["manager"]))
    rows = "".join(f"公司{n},bad\n" for n in range(150))
    response = http.post(
        "/api/v1/imports",
        {
            "kind": "clients",
            "file": csv_file("名称,规模\n" + rows),
            "mapping": json.dumps({"name": "名称", "size": "规模"}),
        },
    )
    job_id = response.json()["id"]
    assert response.json()["error_rows"] == 150 and len(response.json()["errors"]) == 100
    second = http.get(f"/api/v1/imports/{job_id}", {"page": 2}).json()
    assert second["errors_page"] == 2 and len(second["errors"]) == 50
    assert second["errors"][0] == {
        "row": 102,
        "column": "规模",
        "message": "Value 'bad' is not a valid choice.",
    }
    refused = http.post(f"/api/v1/imports/{job_id}/commit", {}, content_type="application/json")
    assert_problem(refused, 422)
    assert "150 rows have errors" in refused.json()["errors"][0]["detail"]


@pytest.mark.django_db
def test_api_bad_file_and_bad_mapping_are_problems(users):
    http = HttpClient(headers=bearer(users["admin"]))
    empty = http.post("/api/v1/imports", {"kind": "clients", "file": csv_file("名称\n")})
    assert_problem(empty, 422)
    assert empty.json()["errors"][0]["field"] == "file"
    unmapped = http.post(
        "/api/v1/imports",
        {"kind": "clients", "file": csv_file(), "mapping": json.dumps({"short_name": "简称"})},
    )
    assert_problem(unmapped, 422)
    assert unmapped.json()["errors"][0]["field"] == "mapping"
    assert not ImportJob.objects.exists()


# ---- command line ---------------------------------------------------------------------------


def charter_import(*args):
    return COMMANDS["import"](list(args))


@pytest.mark.django_db
def test_command_imports_with_a_progress_bar(tmp_path, capsys, users):
    path = tmp_path / "clients.csv"
    path.write_bytes(CSV.encode("utf-8-sig"))
    assert charter_import("clients", str(path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Checked: 2 to create" in out and not Client.objects.filter(industry="制造").exists()
    assert charter_import("clients", str(path)) == 0
    out = capsys.readouterr().out
    assert "\r[##############################] 2/2 rows" in out
    assert "Imported: 2 created, 0 updated, 0 unchanged" in out
    assert charter_import("clients", str(path)) == 0
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_lists_errors_and_fails_unless_valid_only(tmp_path, capsys, users):
    path = tmp_path / "deals.csv"
    path.write_text("客户,商机名称\n上海云栖科技有限公司,ERP\n无此客户,CRM\n", encoding="utf-8")
    assert charter_import("opportunities", str(path)) == 1
    captured = capsys.readouterr()
    assert "row 3, 客户: No client is named “无此客户”" in captured.err
    assert charter_import("opportunities", str(path), "--valid-only") == 0
    assert "1 created" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_with_a_mapping_file_and_bad_input(tmp_path, capsys, users):
    data = tmp_path / "firms.csv"
    data.write_text("Firm\nAcme\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"name": "Firm"}', encoding="utf-8")
    assert charter_import("clients", str(data), "--mapping", str(mapping)) == 0
    assert Client.objects.filter(name="Acme").exists()
    assert charter_import("clients", str(tmp_path / "missing.csv")) == 1
    assert charter_import("clients", str(data), "--mapping", "auto") == 0  # remembered
    (tmp_path / "empty.csv").write_bytes(b"")
    assert charter_import("clients", str(tmp_path / "empty.csv")) == 1
    assert "charter import: The file is empty." in capsys.readouterr().err


def test_progress_bar_redraws_one_line():
    out = io.StringIO()
    show = imports_bar(4, out)
    show(1)
    show(4)
    assert out.getvalue() == (
        "\r[#######-----------------------] 1/4 rows\r[##############################] 4/4 rows\n"
    )


def imports_bar(total, out):
    from charter.core.commands import progress_bar

    return progress_bar(total, out)


def test_background_threshold_is_about_a_thousand_rows():
    assert imports.BACKGROUND_ROWS == 1000
