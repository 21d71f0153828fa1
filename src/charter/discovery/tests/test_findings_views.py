import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.discovery.models import Finding, Requirement
from charter.discovery.services.findings import promote_finding
from charter.discovery.tests.factories import (
    make_answer,
    make_finding,
    make_focus_group,
    make_idea,
    make_interview,
    make_requirement,
)
from charter.planning.tests.factories import make_project
from charter.testing.factories import InteractionFactory

pytestmark = pytest.mark.django_db

NEW = reverse("discovery:finding_from_source")


def test_an_interview_finding_becomes_a_requirement_in_one_click(signed_in, project):
    interview = make_interview(project)
    http = signed_in("member")
    response = http.post(
        NEW,
        {
            "source": "interview",
            "source_id": interview.pk,
            "text": "月结要五天\n希望缩短到两天",
            "latent_need": "on",
            "then": "requirement",
        },
        follow=True,
    )
    requirement = Requirement.objects.get()
    assert response.redirect_chain[0][0] == reverse(
        "discovery:requirement_edit", args=[requirement.pk]
    )
    assert "REQ-001 was created from Interview · 财务总监访谈" in response.content.decode()
    assert requirement.latent_need and requirement.title == "月结要五天"
    assert Finding.objects.get().requirement == requirement


def test_an_answer_becomes_a_requirement_in_one_click(signed_in, project):
    answer = make_answer(project, value="审批流程太长")
    response = signed_in("member").post(
        NEW,
        {"source": "answer", "source_id": answer.pk, "text": "审批太慢", "then": "requirement"},
    )
    requirement = project.requirements.get()
    assert response["Location"] == reverse("discovery:requirement_edit", args=[requirement.pk])
    assert Finding.objects.get().answer == answer


def test_a_question_finding_needs_its_parent(signed_in, project):
    question = make_answer(project).question
    http = signed_in("member")
    data = {"source": "question", "source_id": question.pk, "text": "多数人要移动审批"}
    response = http.post(NEW, data)
    assert response.status_code == 400
    assert "results belong to the project or opportunity" in response.content.decode()
    assert not Finding.objects.exists()
    with_parent = {**data, "parent_kind": "project", "parent_id": project.pk, "next": "/x/"}
    assert http.post(NEW, with_parent)["Location"] == "/x/"
    assert Finding.objects.get().question == question


def test_a_finding_is_recorded_and_we_go_back(signed_in, project):
    interview = make_interview(project)
    url = interview.get_absolute_url()
    response = signed_in("member").post(
        NEW,
        {"source": "interview", "source_id": interview.pk, "text": "手工对账", "next": url},
    )
    assert response["Location"] == url
    assert interview.findings.get().requirement is None


def test_an_empty_finding_is_refused(signed_in, project):
    interview = make_interview(project)
    data = {"source": "interview", "source_id": interview.pk, "text": "", "then": "requirement"}
    response = signed_in("member").post(NEW, data)
    assert response.status_code == 422
    assert not Finding.objects.exists() and not Requirement.objects.exists()


def test_an_interaction_without_project_or_deal_is_400(signed_in, client_org):
    interaction = InteractionFactory(client=client_org)
    response = signed_in("member").post(
        NEW, {"source": "interaction", "source_id": interaction.pk, "text": "想要移动端"}
    )
    assert response.status_code == 400
    assert "neither a project nor an opportunity" in response.content.decode()


def test_the_form_opens_for_a_source_the_user_sees(signed_in, project):
    interview = make_interview(project)
    response = signed_in("member").get(NEW, {"source": "interview", "source_id": interview.pk})
    assert response.status_code == 200
    assert "Interview · 财务总监访谈" in response.content.decode()


def test_sources_the_user_cannot_see_are_404(signed_in, users, client_org):
    hidden = make_project(client_org, manager=users["manager"])
    interview, answer = make_interview(hidden), make_answer(hidden)
    http = signed_in("member")
    for source, pk in (("interview", interview.pk), ("answer", answer.pk)):
        data = {"source": source, "source_id": pk, "text": "x", "then": "requirement"}
        assert http.post(NEW, data).status_code == 404
    assert (
        http.post(reverse("discovery:finding_promote", args=[make_finding(hidden).pk])).status_code
        == 404
    )
    assert not Requirement.objects.exists()


def test_a_client_user_is_refused(signed_in, project):
    interview = make_interview(project)
    data = {"source": "interview", "source_id": interview.pk, "text": "x"}
    assert signed_in("client").post(NEW, data).status_code == 403
    assert (
        signed_in("client")
        .get(reverse("discovery:project_findings", args=[project.pk]))
        .status_code
        == 403
    )


def test_promote_once_then_a_clear_message(signed_in, project):
    finding = make_finding(project)
    url = reverse("discovery:finding_promote", args=[finding.pk])
    http = signed_in("member")
    first = http.post(url)
    requirement = Requirement.objects.get()
    assert first["Location"] == reverse("discovery:requirement_edit", args=[requirement.pk])
    again = http.post(url, follow=True)
    assert "already became requirement REQ-001" in again.content.decode()
    assert Requirement.objects.count() == 1


def test_link_a_finding_to_an_existing_requirement(signed_in, project):
    finding = make_finding(project)
    requirement = make_requirement(project)
    url = reverse("discovery:finding_link", args=[finding.pk])
    http = signed_in("member")
    assert "REQ-001" in http.get(url).content.decode()
    assert (
        http.post(url, {"requirement": requirement.pk})["Location"]
        == requirement.get_absolute_url()
    )
    finding.refresh_from_db()
    assert finding.requirement == requirement


def test_edit_a_finding(signed_in, project):
    finding = make_finding(project)
    url = reverse("discovery:finding_edit", args=[finding.pk])
    http = signed_in("member")
    response = http.post(url, {"text": "月结五天", "latent_need": "on"})
    assert response["Location"] == reverse("discovery:project_findings", args=[project.pk])
    finding.refresh_from_db()
    assert (finding.text, finding.latent_need) == ("月结五天", True)
    assert http.post(url, {"text": ""}).status_code == 422


def test_the_list_shows_sources_and_filters(signed_in, project):
    interview = make_interview(project)
    promoted = make_finding(project, source=interview, text="已成需求")
    promote_finding(promoted, actor=None)
    group = make_focus_group(project)
    make_finding(project, source=make_idea(group), text="还是想法")
    http = signed_in("member")
    url = reverse("discovery:project_findings", args=[project.pk])
    page = http.get(url).content.decode()
    assert interview.get_absolute_url() in page and "REQ-001" in page
    assert "Make requirement" in page
    open_only = http.get(url, {"promoted": "false"}).content.decode()
    assert "还是想法" in open_only and "已成需求" not in open_only


def test_the_list_costs_the_same_queries_for_2_and_20_findings(signed_in, project):
    http = signed_in("member")
    url = reverse("discovery:project_findings", args=[project.pk])
    group = make_focus_group(project)

    def add(count: int) -> None:
        for index in range(count):
            source = make_interview(project) if index % 2 else make_idea(group, f"想法 {index}")
            finding = make_finding(project, source=source, text=f"发现 {index}")
            if index % 3 == 0:
                promote_finding(finding, actor=None)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(18)
    assert count() == few
