"""Import of the requirement register: dry run, all-or-nothing commit, round trip, bad files."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from charter.core.models import AuditEvent
from charter.crm.importing import FileProblem
from charter.discovery.models import Requirement
from charter.discovery.services.requirement_import import import_requirements
from charter.discovery.tests.factories import make_requirement
from charter.testing.factories import OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def REQUIREMENT_EVENTS():
    return AuditEvent.objects.filter(content_type__model="requirement")


def csv_bytes(rows, encoding="utf-8-sig"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(parent, content, actor, *, name="reqs.csv", commit=True, **options):
    return import_requirements(
        parent, io.BytesIO(content), name, actor=actor, commit=commit, **options
    )


CHINESE = [
    ["编号", "标题", "类型", "优先级", "价值", "工作量", "状态", "潜在需求", "证据", "负责人"],
    ["", "移动端审批", "Functional requirement", "must", "5", "2", "Proposed", "否", "", "member"],
    [
        "",
        "审计留痕",
        "constraint",
        "Should have",
        "3",
        "3",
        "confirmed",
        "是",
        "访谈中多次提到",
        "",
    ],
]


def test_chinese_headings_create_rows_with_new_codes_and_audit(users, project):
    report = run(project, csv_bytes(CHINESE), users["manager"])
    assert report.committed and report.counts["create"] == 2
    first, second = Requirement.objects.order_by("number")
    assert (first.code, first.priority, first.value, first.owner) == (
        "REQ-001",
        "must",
        5,
        users["member"],
    )
    assert (second.type, second.status, second.latent_need) == ("constraint", "confirmed", True)
    assert REQUIREMENT_EVENTS().filter(action="created").count() == 2


def test_reimporting_the_same_file_changes_nothing(users, project):
    run(project, csv_bytes(CHINESE), users["manager"])
    events = REQUIREMENT_EVENTS().count()
    report = run(project, csv_bytes(CHINESE), users["manager"])
    assert report.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert Requirement.objects.count() == 2
    assert REQUIREMENT_EVENTS().count() == events


def test_a_dry_run_writes_nothing_but_reports_the_codes(users, project):
    report = run(project, csv_bytes(CHINESE), users["manager"], commit=False)
    assert not report.committed
    assert [(row.action, row.code) for row in report.rows] == [
        ("create", "REQ-001"),
        ("create", "REQ-002"),
    ]
    assert not Requirement.objects.exists()
    assert not REQUIREMENT_EVENTS().exists()


def test_a_code_updates_that_requirement_version_checked_and_audited(users, project):
    existing = make_requirement(project, title="旧标题")
    rows = [["Code", "Title", "Priority"], ["req-001", "新标题", "Could have"]]
    report = run(project, csv_bytes(rows, "gb18030"), users["manager"])
    existing.refresh_from_db()
    assert report.rows[0].action == "update"
    assert (existing.title, existing.priority, existing.version) == ("新标题", "could", 2)
    assert REQUIREMENT_EVENTS().filter(action="updated").get().changes["title"] == [
        "旧标题",
        "新标题",
    ]


def test_a_row_saved_since_the_check_refuses_the_whole_commit(users, project):
    existing = make_requirement(project)
    rows = [["Code", "Title"], ["REQ-001", "检查后的标题"], ["", "新增需求"]]
    checked = run(project, csv_bytes(rows), users["manager"], commit=False)
    assert checked.versions == {"REQ-001": 1}
    Requirement.objects.filter(pk=existing.pk).update(version=2)
    report = run(project, csv_bytes(rows), users["manager"], versions=checked.versions)
    assert not report.committed
    assert "saved by someone else" in report.rows[0].errors[0][1]
    assert Requirement.objects.count() == 1


def test_every_bad_row_is_reported_and_nothing_is_written(users, project):
    rows = [
        ["Code", "Title", "Priority", "Value", "Latent need", "Owner"],
        ["", "好的一行", "must", "3", "no", ""],
        ["", "", "urgent", "9", "maybe", "nobody"],
        ["REQ-099", "不存在的编号", "", "", "", ""],
        ["", "潜在但无证据", "", "", "yes", ""],
    ]
    report = run(project, csv_bytes(rows), users["manager"])
    assert not report.committed and not Requirement.objects.exists()
    by_row = {row.number: row for row in report.rows}
    assert by_row[2].action == "create"
    problems = dict(by_row[3].errors)
    assert set(problems) == {"Title", "Priority", "Value", "Latent need", "Owner"}
    assert "Must have" in problems["Priority"] and "Won't have" in problems["Priority"]
    assert "REQ-099" in by_row[4].errors[0][1]
    assert by_row[5].errors == [("", "Say what shows the latent need.")] or any(
        "latent need" in message for _column, message in by_row[5].errors
    )


def test_duplicate_codes_and_titles_within_the_file_are_errors(users, project):
    make_requirement(project)
    rows = [["Code", "Title"], ["REQ-001", "甲"], ["REQ-001", "乙"], ["", "丙"], ["", "丙"]]
    report = run(project, csv_bytes(rows), users["manager"], commit=False)
    assert [row.action for row in report.rows] == ["update", "error", "create", "error"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("标题\n需求".encode("utf-16"), "r.csv", "not a text CSV"),
        (b"\xff\xfe\xfa\x80\x81", "r.csv", "neither UTF-8 nor GB18030"),
        ("描述,类型\n一些描述,constraint\n".encode(), "r.csv", "no title column"),
        (b"not a workbook", "r.xlsx", "not an Excel workbook"),
        (b"Title\n", "r.csv", "no data rows"),
        (b"x", "r.pdf", "Choose a CSV or XLSX file."),
    ],
)
def test_bad_files_get_a_clear_message(users, project, content, name, message):
    with pytest.raises(FileProblem) as problem:
        run(project, content, users["manager"], name=name)
    assert message in " ".join(problem.value.messages)


def _export(http, parent, fmt):
    url = reverse("discovery:project_requirements", args=[parent.pk])
    return http.get(url, {"format": fmt}).content


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_registers_own_export_imports_back_unchanged(signed_in, users, project, fmt, language):
    owner = UserFactory(username="li.na", display_name="李娜（交付）", email="li@example.com")
    make_requirement(
        project,
        title="移动端审批",
        description="第一行\n第二行",
        type="non_functional",
        priority="wont",
        value=1,
        effort=5,
        status="changed",
        latent_need=True,
        latent_evidence="访谈记录",
        acceptance_criteria="三步内完成",
        owner=owner,
        client_visible=True,
    )
    make_requirement(project, title="空的一行")
    http = signed_in("manager")
    with translation.override(language):
        content = _export(http, project, fmt)
    before = list(Requirement.objects.values())
    report = run(project, content, users["manager"], name=f"export.{fmt}")
    assert report.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}, report.rows
    assert report.ignored_columns  # "Updated" is not imported
    assert list(Requirement.objects.values()) == before


def test_a_deal_imports_into_its_own_register(users, client_org):
    deal = OpportunityFactory(client=client_org)
    run(deal, xlsx_bytes([["Title", "Value"], ["预售需求", 4]]), users["member"], name="d.xlsx")
    assert deal.requirements.get().value == 4


def test_the_page_checks_then_imports_on_confirmation(signed_in, project):
    http = signed_in("member")
    url = reverse("discovery:project_requirement_import", args=[project.pk])
    assert 'enctype="multipart/form-data"' in http.get(url).content.decode()
    upload = io.BytesIO(csv_bytes(CHINESE))
    upload.name = "需求.csv"
    checked = http.post(url, {"file": upload})
    page = checked.content.decode()
    assert checked.status_code == 200 and 'name="confirm"' in page and "REQ-002" in page
    assert not Requirement.objects.exists()
    done = http.post(url, {"confirm": "1"}, follow=True)
    assert "2 added, 0 updated, 0 unchanged" in done.content.decode()
    assert Requirement.objects.count() == 2
    again = http.post(url, {"confirm": "1"}, follow=True)
    assert "Upload the file again" in again.content.decode()
    assert Requirement.objects.count() == 2


def test_the_page_shows_file_problems_and_row_errors(signed_in, project):
    http = signed_in("member")
    url = reverse("discovery:project_requirement_import", args=[project.pk])
    bad = io.BytesIO(b"Description\nx\n")
    bad.name = "bad.csv"
    response = http.post(url, {"file": bad})
    assert response.status_code == 422 and "no title column" in response.content.decode()
    rows = io.BytesIO(csv_bytes([["Title", "Status"], ["甲", "finished"]]))
    rows.name = "rows.csv"
    page = http.post(url, {"file": rows}).content.decode()
    assert "Delivered" in page and 'name="confirm"' not in page


def test_the_api_reports_then_commits(signed_in, project):
    http = signed_in("member")
    url = f"/api/v1/projects/{project.pk}/requirements/import"

    def upload():
        file = io.BytesIO(csv_bytes(CHINESE))
        file.name = "r.csv"
        return file

    dry = http.post(url, {"file": upload()})
    assert dry.status_code == 200
    assert (dry.json()["committed"], dry.json()["created"]) == (False, 2)
    assert not Requirement.objects.exists()
    done = http.post(url, {"file": upload(), "dry_run": "false"}).json()
    assert (done["committed"], [row["code"] for row in done["rows"]]) == (
        True,
        ["REQ-001", "REQ-002"],
    )
    bad = io.BytesIO(b"Description\nx\n")
    bad.name = "bad.csv"
    problem = http.post(url, {"file": bad})
    assert problem.status_code == 422
    assert problem.json()["errors"][0]["field"] == "file"
