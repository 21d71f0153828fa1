import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from charter.discovery.models import Requirement
from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import make_project
from charter.testing.factories import OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "title": "移动端审批",
    "description": "经理在手机上审批报销单",
    "type": "functional",
    "priority": "must",
    "value": "5",
    "effort": "2",
    "acceptance_criteria": "三步以内完成审批",
    "status": "proposed",
}


def _list(parent):
    kind = "project" if hasattr(parent, "code") else "opportunity"
    return reverse(f"discovery:{kind}_requirements", args=[parent.pk])


def test_a_team_member_adds_a_requirement_and_sees_it(signed_in, users, project):
    http = signed_in("member")
    url = reverse("discovery:project_requirement_create", args=[project.pk])
    response = http.post(url, {**FORM, "owner": users["member"].pk})
    requirement = Requirement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == requirement.get_absolute_url()
    assert (requirement.code, requirement.project, requirement.owner) == (
        "REQ-001",
        project,
        users["member"],
    )
    page = http.get(requirement.get_absolute_url()).content.decode()
    assert "REQ-001" in page and "三步以内完成审批" in page
    assert reverse("core:history", args=["discovery.requirement", requirement.pk]) in page
    detail = http.get(project.get_absolute_url()).content.decode()
    assert _list(project) in detail


def test_a_latent_need_without_evidence_is_refused(signed_in, project):
    url = reverse("discovery:project_requirement_create", args=[project.pk])
    response = signed_in("manager").post(url, {**FORM, "latent_need": "on"})
    assert response.status_code == 422
    assert "Say what shows the latent need." in response.content.decode()
    assert not Requirement.objects.exists()


def test_a_deal_has_its_own_register(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    http = signed_in("member")
    http.post(reverse("discovery:opportunity_requirement_create", args=[deal.pk]), FORM)
    assert deal.requirements.get().code == "REQ-001"
    assert "移动端审批" in http.get(_list(deal)).content.decode()
    assert _list(deal) in http.get(deal.get_absolute_url()).content.decode()


def test_a_stale_save_is_refused_with_409(signed_in, project):
    requirement = make_requirement(project)
    url = reverse("discovery:requirement_edit", args=[requirement.pk])
    http = signed_in("member")
    assert http.post(url, {**FORM, "version": 1}).status_code == 302
    response = http.post(url, {**FORM, "title": "旧的", "version": 1})
    assert response.status_code == 409
    assert "Someone else saved this record" in response.content.decode()
    requirement.refresh_from_db()
    assert (requirement.title, requirement.version) == ("移动端审批", 2)


def test_filters_search_and_sort(signed_in, users, project):
    make_requirement(project, title="报表导出", priority="could", value=2)
    make_requirement(project, title="单点登录", priority="must", type="non_functional", value=4)
    make_requirement(
        project,
        title="领导想看仪表盘",
        latent_need=True,
        latent_evidence="访谈中多次提到",
        owner=users["member"],
        priority="should",
    )
    http = signed_in("manager")

    def codes(**query):
        response = http.get(_list(project), query)
        return [row.code for row in response.context["page"].object_list]

    assert codes() == ["REQ-001", "REQ-002", "REQ-003"]
    assert codes(sort="priority") == ["REQ-002", "REQ-003", "REQ-001"]
    assert codes(sort="-value") == ["REQ-002", "REQ-003", "REQ-001"]
    assert codes(q="登录") == ["REQ-002"]
    assert codes(q="req-003") == ["REQ-003"]
    assert codes(type="non_functional") == ["REQ-002"]
    assert codes(priority="could") == ["REQ-001"]
    assert codes(latent="true") == ["REQ-003"]
    assert codes(latent="false") == ["REQ-001", "REQ-002"]
    assert codes(owner=users["member"].pk) == ["REQ-003"]
    assert codes(status="confirmed") == []
    assert (
        "No requirement matches your search."
        in http.get(_list(project), {"q": "无"}).content.decode()
    )
    page = http.get(_list(project), {"latent": "true"}).content.decode()
    for option in ("Latent or not", "Stated needs", "All owners"):
        assert option in page
    assert '<option value="true" selected>' in page


def test_export_as_xlsx_and_csv(signed_in, project):
    make_requirement(project, title="单点登录")
    http = signed_in("member")
    response = http.get(_list(project), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("Code", "Title")
    assert rows[1][:2] == ("REQ-001", "单点登录")
    csv_text = http.get(_list(project), {"format": "csv"}).content.decode("utf-8-sig")
    assert "REQ-001,单点登录" in csv_text


def test_the_list_costs_the_same_with_more_rows(signed_in, project):
    http = signed_in("member")
    for _ in range(3):
        make_requirement(project, owner=UserFactory())

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert http.get(_list(project)).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(3):
        make_requirement(project, owner=UserFactory())
    assert queries() == few


def test_members_off_the_team_and_client_users_see_nothing(signed_in, users, client_org):
    project = make_project(client_org, manager=users["manager"])  # member not on its team
    requirement = make_requirement(project)
    member, client = signed_in("member"), signed_in("client")
    for url in (
        _list(project),
        reverse("discovery:project_requirement_create", args=[project.pk]),
        requirement.get_absolute_url(),
        reverse("discovery:requirement_edit", args=[requirement.pk]),
    ):
        assert member.get(url).status_code == 404, url
        assert client.get(url).status_code == 403, url
    deal = OpportunityFactory(client=client_org)
    assert client.get(_list(deal)).status_code == 403
    assert signed_in("manager").get(_list(project)).status_code == 200


def test_the_register_speaks_chinese(signed_in, users, project):
    make_requirement(project, priority="must", latent_need=True, latent_evidence="访谈")
    users["member"].language = "zh-hans"
    users["member"].save(update_fields=["language"])
    page = signed_in("member").get(_list(project)).content.decode()
    for term in ("需求", "必须有", "潜在需求", "提议", "功能需求", "添加需求"):
        assert term in page, term
