import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.discovery.models import IdeaVote, Interview
from charter.discovery.tests.factories import make_focus_group, make_idea, make_interview
from charter.planning.tests.factories import make_project
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_create_list_read_patch_and_delete_an_interview(signed_in, users, project):
    contact = ContactFactory(client=project.client)
    http = signed_in("manager")
    base = f"/api/v1/projects/{project.pk}/interviews"
    created = http.post(
        base,
        {
            "title": "IT 总监访谈",
            "held_at": "2026-12-03T10:00:00+08:00",
            "interviewer_ids": [users["member"].pk],
            "interviewee_ids": [contact.pk],
            "guide": "现有系统？\n集成需求？",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["interviewee_ids"], body["interviewer_ids"]) == (
        [contact.pk],
        [users["member"].pk],
    )
    assert [row["title"] for row in http.get(base, {"q": "IT"}).json()["items"]] == ["IT 总监访谈"]
    url = f"/api/v1/interviews/{body['id']}"
    read = http.get(url)
    assert read["ETag"] == '"1"'
    patched = http.patch(
        url, {"notes": "要对接钉钉"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert (patched.status_code, patched["ETag"]) == (200, '"2"')
    stale = http.patch(url, {"notes": "旧"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert http.delete(url).status_code == 204
    assert not Interview.objects.exists()


def test_a_contact_of_another_client_is_422_on_its_field(
    signed_in, users, project, other_client_org
):
    response = signed_in("member").post(
        f"/api/v1/projects/{project.pk}/interviews",
        {
            "title": "访谈",
            "held_at": "2026-12-03T10:00:00+08:00",
            "interviewer_ids": [users["member"].pk],
            "interviewee_ids": [ContactFactory(client=other_client_org).pk],
        },
        content_type=JSON,
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["interviewee_ids"]
    assert not Interview.objects.exists()


def test_unknown_people_are_422(signed_in, users, project):
    response = signed_in("member").post(
        f"/api/v1/projects/{project.pk}/focus-groups",
        {
            "title": "焦点小组",
            "held_at": "2026-12-03T10:00:00+08:00",
            "facilitator_ids": [users["client"].pk],
            "participant_ids": [ContactFactory(client=project.client).pk],
        },
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "facilitator_ids"


def test_ideas_and_votes(signed_in, project):
    group = make_focus_group(project, dots_per_participant=3)
    person = group.participants.order_by("pk").first()
    http = signed_in("member")
    ideas_url = f"/api/v1/focus-groups/{group.pk}/ideas"
    first = http.post(
        ideas_url, {"text": "一键审批", "proposed_by_id": person.pk}, content_type=JSON
    )
    assert first.status_code == 201 and first.json()["proposed_by_id"] == person.pk
    second = http.post(ideas_url, {"text": "自动对账"}, content_type=JSON).json()
    votes_url = f"/api/v1/focus-groups/{group.pk}/votes"
    ranked = http.put(
        votes_url,
        {"participant_id": person.pk, "dots": [{"idea_id": second["id"], "dots": 3}]},
        content_type=JSON,
    )
    assert ranked.status_code == 200
    assert [(row["text"], row["total_dots"]) for row in ranked.json()] == [
        ("自动对账", 3),
        ("一键审批", 0),
    ]
    over = http.put(
        votes_url,
        {
            "participant_id": person.pk,
            "dots": [
                {"idea_id": first.json()["id"], "dots": 2},
                {"idea_id": second["id"], "dots": 2},
            ],
        },
        content_type=JSON,
    )
    assert over.status_code == 422
    assert over.json()["errors"][0]["field"] == "dots"
    assert list(IdeaVote.objects.values_list("dots", flat=True)) == [3]
    stranger = ContactFactory(client=project.client)
    refused = http.put(votes_url, {"participant_id": stranger.pk, "dots": []}, content_type=JSON)
    assert refused.json()["errors"][0]["field"] == "participant_id"


def test_lists_cost_the_same_queries_for_2_and_20(signed_in, project):
    http = signed_in("member")
    url = f"/api/v1/projects/{project.pk}/focus-groups"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url, {"limit": 50}).status_code == 200
        return len(queries)

    for _ in range(2):
        make_idea(make_focus_group(project))
    few = count()
    for _ in range(18):
        make_focus_group(project)
    assert count() == few


def test_a_member_cannot_delete_and_a_hidden_interview_is_404(
    signed_in, users, client_org, project
):
    interview = make_interview(project)
    assert signed_in("member").delete(f"/api/v1/interviews/{interview.pk}").status_code == 403
    hidden = make_interview(make_project(client_org, manager=users["manager"]))
    assert signed_in("member").get(f"/api/v1/interviews/{hidden.pk}").status_code == 404
