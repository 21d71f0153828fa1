"""Requirement detail (sources, tasks, change requests, comments), linking plan tasks, and the
traceability matrix with its gaps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.changes.services import create_change_request, decide_change_request
from charter.core.models import AuditEvent
from charter.discovery.models import Requirement, RequirementComment
from charter.discovery.services.findings import record_finding
from charter.discovery.services.requirements import add_requirement_comment, set_requirement_tasks
from charter.discovery.services.traceability import gap_counts, trace
from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import make_project
from charter.testing.factories import InteractionFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def change_for(requirements, actor, *, decide="", **fields):
    """A change request touching ``requirements`` (of one project), decided if ``decide``."""
    project = requirements[0].project
    change = create_change_request(
        project, actor=actor, requirements=requirements, **{"title": "改为移动审批", **fields}
    )
    if decide:
        decide_change_request(change, actor=actor, expected_version=1, status=decide)
    return change


def sourced(parent, client_org, actor, **fields):
    """A requirement with one finding from a CRM interaction behind it."""
    requirement = make_requirement(parent, **fields)
    finding = record_finding(
        parent, source=InteractionFactory(client=client_org), text="客户提到审批太慢", actor=actor
    )
    finding.requirement = requirement
    finding.save(update_fields=["requirement"])
    return requirement


# ---- comments ---------------------------------------------------------------------------------


def test_a_comment_is_kept_audited_and_shown_newest_last(signed_in, users, project):
    requirement = make_requirement(project)
    add_requirement_comment(requirement, author=users["manager"], body="第一条")
    http = signed_in("member")
    url = reverse("discovery:requirement_comment", args=[requirement.pk])
    response = http.post(url, {"body": "  第二条  "}, follow=True)
    page = response.content.decode()
    assert page.index("第一条") < page.index("第二条")
    assert str(users["member"]) in page
    assert list(requirement.comments.values_list("body", flat=True)) == ["第一条", "第二条"]
    events = AuditEvent.objects.filter(action="commented", object_id=str(requirement.pk))
    assert events.get(actor=users["member"]).changes == {"comment": [None, "第二条"]}


def test_an_empty_comment_is_refused(signed_in, users, project):
    requirement = make_requirement(project)
    url = reverse("discovery:requirement_comment", args=[requirement.pk])
    page = signed_in("member").post(url, {"body": "   "}, follow=True).content.decode()
    assert "Write a comment first." in page
    assert not RequirementComment.objects.exists()
    with pytest.raises(ValidationError):
        add_requirement_comment(requirement, author=users["member"], body="\n")


def test_comments_through_the_api(signed_in, project, users):
    requirement = make_requirement(project)
    http = signed_in("manager")
    url = f"/api/v1/requirements/{requirement.pk}/comments"
    created = http.post(url, {"body": "请补充验收标准"}, content_type=JSON)
    assert created.status_code == 201
    assert created.json()["author"] == str(users["manager"])
    assert [c["body"] for c in http.get(url).json()] == ["请补充验收标准"]
    assert http.post(url, {"body": "  "}, content_type=JSON).status_code == 422
    assert signed_in("client").get(url).status_code == 403


# ---- plan tasks -------------------------------------------------------------------------------


def test_linking_tasks_of_the_project_is_audited(signed_in, users, project):
    requirement = make_requirement(project)
    tasks = list(project.tasks.order_by("pk"))
    url = reverse("discovery:requirement_tasks", args=[requirement.pk])
    http = signed_in("member")
    http.post(url, {"tasks": [tasks[0].pk, tasks[2].pk]})
    assert set(requirement.tasks.all()) == {tasks[0], tasks[2]}
    event = AuditEvent.objects.get(action="tasks_linked")
    assert event.changes["tasks"][0] == []
    page = http.get(requirement.get_absolute_url()).content.decode()
    assert tasks[2].name in page and "<optgroup" in page
    http.post(url, {})
    assert not requirement.tasks.exists()


def test_a_task_of_another_project_is_refused(signed_in, users, client_org, project):
    requirement = make_requirement(project)
    foreign = make_project(client_org, manager=users["manager"]).tasks.first()
    with pytest.raises(ValidationError):
        set_requirement_tasks(requirement, actor=users["manager"], tasks=[foreign])
    url = reverse("discovery:requirement_tasks", args=[requirement.pk])
    page = signed_in("manager").post(url, {"tasks": [foreign.pk]}, follow=True).content.decode()
    assert "Select a valid choice" in page
    api = signed_in("manager").put(
        f"/api/v1/requirements/{requirement.pk}/tasks",
        {"task_ids": [foreign.pk]},
        content_type=JSON,
    )
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "task_ids"
    assert not requirement.tasks.exists()


def test_tasks_through_the_api(signed_in, project):
    requirement = make_requirement(project)
    task = project.tasks.first()
    url = f"/api/v1/requirements/{requirement.pk}/tasks"
    http = signed_in("member")
    linked = http.put(url, {"task_ids": [task.pk]}, content_type=JSON)
    assert linked.status_code == 200
    assert linked.json() == [{"id": task.pk, "wbs": task.wbs, "name": task.name}]
    assert http.get(url).json() == linked.json()
    assert http.put(url, {"task_ids": [999999]}, content_type=JSON).status_code == 422


def test_a_deal_requirement_has_no_tasks_and_says_so(signed_in, users, client_org):
    requirement = make_requirement(OpportunityFactory(client=client_org))
    page = signed_in("member").get(requirement.get_absolute_url()).content.decode()
    assert 'data-testid="deal-no-tasks"' in page and 'data-testid="tasks-form"' not in page
    with pytest.raises(ValidationError):
        set_requirement_tasks(requirement, actor=users["member"], tasks=[])


# ---- detail -----------------------------------------------------------------------------------


def _decorate(requirement, project, client_org, users, n):
    for i in range(n):
        finding = record_finding(
            project, source=InteractionFactory(client=client_org), text=f"发现 {i}", actor=None
        )
        finding.requirement = requirement
        finding.save(update_fields=["requirement"])
        add_requirement_comment(requirement, author=users["member"], body=f"意见 {i}")
    requirement.tasks.set(list(project.tasks.all())[:n])
    for i in range(n):
        change_for([requirement], users["manager"], title=f"变更 {i}")


def test_the_detail_shows_sources_and_costs_the_same_queries_however_much_it_shows(
    signed_in, users, client_org, project
):
    small, large = make_requirement(project), make_requirement(project, title="另一个")
    _decorate(small, project, client_org, users, 1)
    _decorate(large, project, client_org, users, 3)
    http = signed_in("member")
    counts = []
    for requirement in (small, large):
        with CaptureQueriesContext(connection) as queries:
            page = http.get(requirement.get_absolute_url()).content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    finding = large.findings.first()
    assert f'href="{finding.source_url}"' in page and finding.source_label in page
    assert "意见 2" in page
    assert page.count('data-testid="requirement-change"') == 3 and "变更 2" in page


def test_the_detail_lists_the_change_requests_in_code_order(signed_in, users, project):
    requirement = make_requirement(project, status="confirmed")
    approved = change_for([requirement], users["manager"], decide="approved", title="加报表")
    proposed = change_for([requirement], users["manager"], title="改流程")
    change_for([make_requirement(project, title="别的需求")], users["manager"], title="无关")
    http = signed_in("member")
    page = http.get(requirement.get_absolute_url()).content.decode()
    assert page.index(approved.code) < page.index(proposed.code)
    assert f'href="{approved.get_absolute_url()}"' in page and "加报表" in page
    assert 'data-status="approved"' in page and 'data-status="proposed"' in page
    assert "无关" not in page
    untouched = make_requirement(project, title="无变更")
    page = http.get(untouched.get_absolute_url()).content.decode()
    assert "No change request touches this requirement." in page


def test_a_deal_requirement_has_no_change_request_card(signed_in, client_org):
    requirement = make_requirement(OpportunityFactory(client=client_org))
    page = signed_in("member").get(requirement.get_absolute_url()).content.decode()
    assert 'data-testid="requirement-changes"' not in page


# ---- traceability -----------------------------------------------------------------------------


def _matrix(kind, parent):
    return reverse(f"discovery:{kind}_traceability", args=[parent.pk])


def test_gaps_are_counted_and_filtered(users, client_org, project):
    with_source = sourced(project, client_org, users["manager"], title="有来源")
    with_source.tasks.add(project.tasks.first())
    make_requirement(project, title="无来源无任务")
    make_requirement(project, title="已交付", status="delivered")
    make_requirement(project, title="已拒绝", status="rejected")
    scope = Requirement.objects.filter(project=project)
    assert gap_counts(scope) == {"total": 4, "no_source": 3, "no_delivery": 1}
    assert [r.title for r in trace(scope, gap="no_delivery")] == ["无来源无任务"]
    assert [r.title for r in trace(scope, gap="no_source")] == ["无来源无任务", "已交付", "已拒绝"]


def test_the_matrix_page_with_chips_and_export(signed_in, users, client_org, project):
    sourced(project, client_org, users["manager"], title="有来源")
    make_requirement(project, title="孤立需求")
    http = signed_in("member")
    page = http.get(_matrix("project", project), {"gap": "no_source"}).content.decode()
    assert "孤立需求" in page and "有来源" not in page
    assert 'data-testid="count-no_delivery">2<' in page
    csv_text = http.get(_matrix("project", project), {"format": "csv"}).content.decode()
    assert "Interaction · " in csv_text and "孤立需求" in csv_text
    xlsx = http.get(_matrix("project", project), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_deal_matrix_has_no_delivery_gap(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    make_requirement(deal)
    page = signed_in("member").get(_matrix("opportunity", deal)).content.decode()
    assert 'data-testid="count-no_source">1<' in page
    assert 'data-testid="count-no_delivery"' not in page
    assert "Change requests" not in page


def test_the_matrix_shows_each_change_request_as_a_status_badge(signed_in, users, project):
    changed = make_requirement(project, title="有变更", status="confirmed")
    make_requirement(project, title="无变更")
    rejected = change_for([changed], users["manager"], decide="rejected", title="不做")
    approved = change_for([changed], users["manager"], decide="approved", title="要做")
    page = signed_in("member").get(_matrix("project", project)).content.decode()
    assert "<th>Change requests</th>" in page
    cells = page.split('data-testid="trace-changes">')[1:]
    assert len(cells) == 2
    first, second = (cell.split("</td>")[0] for cell in cells)
    assert first.index(rejected.code) < first.index(approved.code)
    assert f'href="{rejected.get_absolute_url()}"' in first
    assert 'bg-secondary-lt me-1" href="' + rejected.get_absolute_url() in first
    assert 'bg-green-lt me-1" href="' + approved.get_absolute_url() in first
    assert "CR-" not in second and "—" in second


def test_the_matrix_costs_the_same_queries_for_2_or_20_requirements(
    signed_in, users, client_org, project
):
    http = signed_in("member")
    counts = []
    for total in (2, 20):
        while project.requirements.count() < total:
            requirement = sourced(project, client_org, users["manager"])
            requirement.tasks.set(project.tasks.all())
            change_for([requirement], users["manager"], decide="approved")
            change_for([requirement], users["manager"])
        with CaptureQueriesContext(connection) as queries:
            response = http.get(_matrix("project", project))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert response.content.decode().count("CR-") == 40  # two on each of the 20 rows


def test_the_matrix_api(signed_in, users, client_org, project):
    sourced(project, client_org, users["manager"], title="有来源")
    make_requirement(project, title="孤立需求")
    http = signed_in("member")
    rows = http.get(f"/api/v1/projects/{project.pk}/traceability").json()
    assert [(r["title"], r["gaps"]) for r in rows] == [
        ("有来源", ["no_delivery"]),
        ("孤立需求", ["no_source", "no_delivery"]),
    ]
    assert rows[0]["sources"][0]["label"].startswith("Interaction · ")
    assert [r["change_requests"] for r in rows] == [[], []]
    only = http.get(f"/api/v1/projects/{project.pk}/traceability", {"gap": "no_source"}).json()
    assert [r["title"] for r in only] == ["孤立需求"]
    assert http.get(f"/api/v1/projects/{project.pk}/traceability", {"gap": "x"}).status_code == 422


def test_another_teams_matrix_is_404_for_a_member(signed_in, users, client_org):
    other = make_project(client_org, manager=users["manager"])
    assert signed_in("member").get(_matrix("project", other)).status_code == 404
    assert signed_in("member").get(f"/api/v1/projects/{other.pk}/traceability").status_code == 404


def test_the_matrix_api_lists_change_requests(signed_in, users, project):
    requirement = make_requirement(project, title="有变更")
    first = change_for([requirement], users["manager"], decide="approved", title="要做")
    second = change_for([requirement], users["manager"], title="再议")
    rows = signed_in("member").get(f"/api/v1/projects/{project.pk}/traceability").json()
    assert rows[0]["change_requests"] == [
        {"id": first.pk, "code": "CR-001", "title": "要做", "status": "approved"},
        {"id": second.pk, "code": "CR-002", "title": "再议", "status": "proposed"},
    ]
