import pytest

from charter.discovery.models import Finding, Requirement
from charter.discovery.tests.factories import (
    make_answer,
    make_finding,
    make_focus_group,
    make_idea,
    make_interview,
    make_requirement,
)
from charter.planning.tests.factories import make_project
from charter.testing.factories import OpportunityFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_record_list_and_promote(signed_in, project):
    idea = make_idea(make_focus_group(project))
    http = signed_in("member")
    base = f"/api/v1/projects/{project.pk}/findings"
    created = http.post(
        base,
        {"source": "idea", "source_id": idea.pk, "text": "一键审批", "latent_need": True},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["source"], body["idea_id"], body["requirement_id"]) == (
        "focus_group",
        idea.pk,
        None,
    )
    assert [row["id"] for row in http.get(base, {"latent": True}).json()["items"]] == [body["id"]]
    promoted = http.post(f"/api/v1/findings/{body['id']}/promote")
    assert promoted.status_code == 201
    assert (promoted.json()["code"], promoted.json()["latent_need"]) == ("REQ-001", True)
    again = http.post(f"/api/v1/findings/{body['id']}/promote")
    assert again.status_code == 422
    assert "already became requirement REQ-001" in again.json()["errors"][0]["detail"]
    assert Requirement.objects.count() == 1
    assert http.get(base, {"promoted": False}).json()["items"] == []


def test_a_source_of_another_parent_is_refused(signed_in, project, client_org):
    interview = make_interview(OpportunityFactory(client=client_org))
    response = signed_in("member").post(
        f"/api/v1/projects/{project.pk}/findings",
        {"source": "interview", "source_id": interview.pk, "text": "x"},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "source_id"
    assert not Finding.objects.exists()


def test_a_question_finding_takes_the_parent_from_the_path(signed_in, project):
    question = make_answer(project).question
    response = signed_in("member").post(
        f"/api/v1/projects/{project.pk}/findings",
        {"source": "question", "source_id": question.pk, "text": "七成要移动审批"},
        content_type=JSON,
    )
    assert response.status_code == 201
    assert Finding.objects.get().question == question


def test_patch_rewords_and_links(signed_in, project):
    finding = make_finding(project)
    requirement = make_requirement(project)
    http = signed_in("member")
    url = f"/api/v1/findings/{finding.pk}"
    response = http.patch(
        url, {"text": "月结五天", "requirement_id": requirement.pk}, content_type=JSON
    )
    assert (response.json()["text"], response.json()["requirement_id"]) == (
        "月结五天",
        requirement.pk,
    )
    other = make_requirement(project)
    refused = http.patch(url, {"text": "新", "requirement_id": other.pk}, content_type=JSON)
    assert refused.status_code == 422
    finding.refresh_from_db()
    assert (finding.text, finding.requirement) == ("月结五天", requirement)


def test_hidden_findings_are_404_and_clients_403(signed_in, users, client_org, project):
    hidden = make_finding(make_project(client_org, manager=users["manager"]))
    assert signed_in("member").post(f"/api/v1/findings/{hidden.pk}/promote").status_code == 404
    response = signed_in("client").get(f"/api/v1/projects/{project.pk}/findings")
    assert response.status_code == 403
