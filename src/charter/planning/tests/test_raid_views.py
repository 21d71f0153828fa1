import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from charter.planning.models import Decision, ProjectIssue, Risk
from charter.planning.services import raid as services
from charter.planning.tests.factories import make_project
from charter.planning.tests.matrix_raid import make_entry
from charter.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def page(http, project, **params):
    response = http.get(reverse("planning:raid", args=[project.pk]), params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def cell(html, probability, impact):
    """The markup of one heat-map cell."""
    match = re.search(
        rf'<td class="([^"]*)" data-testid="cell-{probability}-{impact}">(.*?)</td>', html, re.S
    )
    assert match, f"no cell {probability}-{impact}"
    return match.group(1), re.sub(r"<[^>]+>|&nbsp;", "", match.group(2)).strip()


def test_the_raid_page_has_the_tab_strip_counts_and_the_template_risks(signed_in, project):
    make_entry(project, "issues")
    html = page(signed_in("member"), project)
    assert 'data-testid="plan-tabs"' in html
    assert re.search(r'nav-link active" href="/projects/\d+/raid/"', html)
    tabs = re.findall(
        r'data-testid="tab-(\w+)">.*?<span class="badge[^"]*">(\d+)</span>', html, re.S
    )
    assert tabs == [("risks", "2"), ("assumptions", "0"), ("issues", "1"), ("decisions", "0")]
    assert "需求变更频繁" in html and "关键用户投入不足" in html  # from the template at conversion


def test_the_heat_map_counts_colours_and_filters_by_cell(signed_in, project):
    make_entry(project, "risks", title="服务器到货晚", probability=5, impact=5)
    http = signed_in("member")
    html = page(http, project)
    # The template's risks are 4×4 and 3×4.
    assert cell(html, 4, 4) == ("p-0 bg-red-lt", "1")
    assert cell(html, 3, 4) == ("p-0 bg-orange-lt", "1")
    assert cell(html, 5, 5)[1] == "1"
    assert cell(html, 1, 1) == ("p-0 bg-green-lt", "")
    assert cell(html, 2, 3)[0] == "p-0 bg-yellow-lt"
    filtered = page(http, project, tab="risks", probability=5, impact=5)
    assert "服务器到货晚" in filtered and "需求变更频繁" not in filtered
    assert "border-dark" in cell(filtered, 5, 5)[0]
    # The map still counts every cell while one is chosen.
    assert cell(filtered, 4, 4)[1] == "1"


def test_the_heat_map_follows_the_status_filter(signed_in, project):
    make_entry(project, "risks", probability=1, impact=1, status="closed")
    http = signed_in("member")
    assert cell(page(http, project), 1, 1)[1] == "1"
    assert cell(page(http, project, status="open"), 1, 1)[1] == ""


def test_overdue_review_dates_are_highlighted(signed_in, project):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_entry(project, "risks", title="过期复核", review_date=yesterday)
    html = page(signed_in("member"), project)
    assert html.count('data-testid="overdue"') == 1
    assert 'class="table-danger"' in html


def test_empty_states_say_what_to_do(signed_in, project):
    http = signed_in("member")
    html = page(http, project, tab="assumptions")
    assert "No assumptions yet." in html and "Add assumption" in html
    html = page(http, project, tab="issues", severity=4)
    assert "Nothing matches the filters." in html


def test_the_issue_filters_status_owner_and_severity(signed_in, users, project):
    make_entry(project, "issues", title="接口延迟", severity=4, owner=users["member"])
    make_entry(project, "issues", title="合同条款分歧", severity=2)
    http = signed_in("member")
    assert "合同条款分歧" not in page(http, project, tab="issues", severity=4)
    only_mine = page(http, project, tab="issues", owner=users["member"].pk)
    assert "接口延迟" in only_mine and "合同条款分歧" not in only_mine
    assert "接口延迟" not in page(http, project, tab="issues", status="resolved")


def test_a_member_adds_a_risk(signed_in, users, project):
    http = signed_in("member")
    url = reverse("planning:risk_create", args=[project.pk])
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {
            "title": "第三方接口不稳定",
            "probability": 3,
            "impact": 5,
            "response": "transfer",
            "owner": users["member"].pk,
            "status": "open",
            "review_date": "2026-12-20",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/projects/{project.pk}/raid/?tab=risks")
    risk = Risk.objects.get(title="第三方接口不稳定")
    assert (risk.score, risk.response, risk.owner) == (15, "transfer", users["member"])


def test_settling_an_issue_without_a_resolution_is_422_on_the_field(signed_in, project):
    issue = make_entry(project, "issues")
    url = reverse("planning:issue_edit", args=[issue.pk])
    data = {"title": issue.title, "severity": 2, "status": "resolved", "version": 1}
    response = signed_in("member").post(url, data)
    assert response.status_code == 422
    assert "Write how the issue was resolved" in response.content.decode()
    assert ProjectIssue.objects.get().status == "open"


def test_a_stale_edit_is_409_with_a_clear_message(signed_in, project):
    risk = make_entry(project, "risks")
    url = reverse("planning:risk_edit", args=[risk.pk])
    http = signed_in("member")
    form = {"title": "改名", "probability": 2, "impact": 2, "response": "accept", "status": "open"}
    assert http.post(url, {**form, "version": 1}).status_code == 302
    response = http.post(url, {**form, "title": "旧的", "version": 1})
    assert response.status_code == 409
    assert "Someone else saved this record" in response.content.decode()
    assert Risk.objects.get(pk=risk.pk).title == "改名"


def test_a_decision_offers_only_the_issues_of_its_project(signed_in, users, client_org, project):
    other = make_project(client_org, manager=users["manager"])
    foreign = make_entry(other, "issues", title="别的项目的问题")
    own = make_entry(project, "issues", title="本项目的问题")
    http = signed_in("manager")
    url = reverse("planning:decision_create", args=[project.pk])
    form_html = http.get(url).content.decode()
    assert "本项目的问题" in form_html and "别的项目的问题" not in form_html
    data = {"title": "延期一周", "decided_by": "指导委员会", "decided_on": "2026-12-05"}
    assert http.post(url, {**data, "issue": foreign.pk}).status_code == 422
    assert http.post(url, {**data, "issue": own.pk}).status_code == 302
    assert Decision.objects.get().issue == own


def test_the_detail_page_shows_the_facts_and_the_history(signed_in, users, project):
    issue = make_entry(project, "issues", owner=users["member"])
    services.update_issue(
        issue, actor=users["member"], expected_version=1, status="escalated", escalation_path="CIO"
    )
    decision = make_entry(project, "decisions", issue=issue)
    html = signed_in("member").get(issue.get_absolute_url()).content.decode()
    assert issue.title in html and "CIO" in html
    history = html.split('data-testid="history"')[1]
    assert "changed the status of" in history and "created" in history
    assert decision.get_absolute_url() in html  # the decisions that settle it


def test_a_manager_deletes_after_confirming(signed_in, project):
    assumption = make_entry(project, "assumptions")
    http = signed_in("manager")
    url = reverse("planning:assumption_delete", args=[assumption.pk])
    assert "This cannot be undone." in http.get(url).content.decode()
    response = http.post(url)
    assert response["Location"].endswith("?tab=assumptions")
    assert not type(assumption).objects.exists()
    assert signed_in("member").post(url).status_code == 403


def test_a_member_not_on_the_project_gets_404(signed_in, users, client_org):
    stranger = make_project(client_org, manager=users["manager"])
    risk = make_entry(stranger, "risks")
    http = signed_in("member")
    assert http.get(reverse("planning:raid", args=[stranger.pk])).status_code == 404
    assert http.get(risk.get_absolute_url()).status_code == 404
    assert http.get(reverse("planning:risk_edit", args=[risk.pk])).status_code == 404
    assert http.get(reverse("planning:risk_create", args=[stranger.pk])).status_code == 404


def test_each_list_exports_as_csv_and_xlsx_with_its_filters(signed_in, users, project):
    make_entry(project, "risks", title="导出风险", probability=5, impact=5)
    http = signed_in("member")
    url = reverse("planning:raid", args=[project.pk])
    csv = http.get(url, {"tab": "risks", "format": "csv", "probability": 5}).content.decode()
    lines = csv.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Risk,Probability,Impact,Score")
    assert len(lines) == 2 and lines[1].startswith("导出风险,5,5,25")
    make_entry(project, "decisions")
    response = http.get(url, {"tab": "decisions", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("Decision", "Decided by", "Decided on")
    assert rows[1][0] == "分两期上线"
    assert http.get(url, {"format": "pdf"}).status_code == 404


@pytest.mark.parametrize("plural", ["risks", "assumptions", "issues", "decisions"])
def test_the_raid_page_costs_the_same_queries_for_5_and_50_entries(
    signed_in, users, project, plural
):
    http = signed_in("member")
    owners = [users["member"], UserFactory(), None]

    def fill(count):
        issue = make_entry(project, "issues")
        for n in range(count):
            owner = {"owner": owners[n % 3]} if plural != "decisions" else {"issue": issue}
            make_entry(project, plural, **owner)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page(http, project, tab=plural)
        return len(captured)

    fill(5)
    few = queries()
    fill(45)
    assert queries() == few
