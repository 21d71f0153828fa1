import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.discovery.models import FocusGroup, IdeaVote, Interview
from charter.discovery.tests.factories import (
    make_finding,
    make_focus_group,
    make_idea,
    make_interview,
)
from charter.planning.tests.factories import make_project
from charter.testing.factories import ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def _interview_form(users, contact, **extra):
    return {
        "title": "财务总监访谈",
        "held_at": "2026-12-03T10:00",
        "interviewers": [users["member"].pk],
        "interviewees": [contact.pk],
        "guide": "月结要几天？\n最痛的环节是什么？",
        "notes": "手工对账占用三天",
        **extra,
    }


def test_a_member_records_an_interview_and_sees_its_guide(signed_in, users, project):
    contact = ContactFactory(client=project.client, name="周敏")
    http = signed_in("member")
    url = reverse("discovery:project_interview_create", args=[project.pk])
    response = http.post(url, _interview_form(users, contact))
    interview = Interview.objects.get()
    assert response.status_code == 302 and response["Location"] == interview.get_absolute_url()
    page = http.get(interview.get_absolute_url()).content.decode()
    assert "<li>月结要几天？</li>" in page and "周敏" in page
    listing = http.get(reverse("discovery:project_interviews", args=[project.pk])).content.decode()
    assert "财务总监访谈" in listing


def test_an_interviewee_of_another_client_is_refused(signed_in, users, project, other_client_org):
    contact = ContactFactory(client=other_client_org)
    url = reverse("discovery:project_interview_create", args=[project.pk])
    response = signed_in("member").post(url, _interview_form(users, contact))
    assert response.status_code == 422
    assert not Interview.objects.exists()


def test_a_stale_interview_edit_is_409(signed_in, users, project):
    interview = make_interview(project)
    contact = interview.interviewees.get()
    url = reverse("discovery:interview_edit", args=[interview.pk])
    http = signed_in("member")
    assert http.post(url, {**_interview_form(users, contact), "version": 1}).status_code == 302
    response = http.post(url, {**_interview_form(users, contact, title="旧"), "version": 1})
    assert response.status_code == 409
    assert "Someone else saved this record" in response.content.decode()


def test_managers_delete_after_confirmation_members_may_not(signed_in, project):
    interview = make_interview(project)
    url = reverse("discovery:interview_delete", args=[interview.pk])
    assert signed_in("member").post(url).status_code == 403
    http = signed_in("manager")
    assert "cannot be undone" in http.get(url).content.decode()
    response = http.post(url)
    assert response["Location"] == reverse("discovery:project_interviews", args=[project.pk])
    assert not Interview.objects.exists()


def test_an_interview_of_a_project_the_member_is_not_on_is_404(signed_in, users, client_org):
    other = make_project(client_org, manager=users["manager"])
    interview = make_interview(other)
    http = signed_in("member")
    assert http.get(interview.get_absolute_url()).status_code == 404
    assert http.get(reverse("discovery:project_interviews", args=[other.pk])).status_code == 404


def test_a_client_user_is_refused(signed_in, project):
    interview = make_interview(project)
    assert signed_in("client").get(interview.get_absolute_url()).status_code == 403


@pytest.mark.parametrize("area", ["interviews", "focusgroups"])
def test_lists_cost_the_same_queries_for_2_and_20_rows(signed_in, project, area):
    make = make_interview if area == "interviews" else make_focus_group
    http = signed_in("member")
    url = reverse(f"discovery:project_{area}", args=[project.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    for _ in range(2):
        make_finding(project, source=make(project))
    few = count()
    for _ in range(18):
        make(project)
    assert count() == few


def test_the_list_filters_and_shows_an_empty_state(signed_in, project):
    make_interview(project, title="财务总监访谈")
    http = signed_in("member")
    url = reverse("discovery:project_interviews", args=[project.pk])
    assert "财务总监访谈" not in http.get(url, {"q": "采购"}).content.decode()
    assert "Nothing matches your search." in http.get(url, {"q": "采购"}).content.decode()
    deal = OpportunityFactory(client=project.client)
    empty = http.get(reverse("discovery:opportunity_interviews", args=[deal.pk])).content.decode()
    assert "No interviews yet." in empty


def test_the_facilitator_records_votes_and_ideas_rank_by_dots(signed_in, project):
    group = make_focus_group(project, dots_per_participant=3)
    first, second = make_idea(group, "一键审批"), make_idea(group, "自动对账")
    person = group.participants.order_by("pk").first()
    http = signed_in("member")
    url = reverse("discovery:focusgroup_votes", args=[group.pk])
    data = {"participant": person.pk, f"idea_{first.pk}": 1, f"idea_{second.pk}": 2}
    assert http.post(url, data).status_code == 302
    page = http.get(group.get_absolute_url()).content.decode()
    assert page.index("自动对账") < page.index("一键审批")


def test_too_many_dots_are_refused_and_nothing_is_saved(signed_in, project):
    group = make_focus_group(project, dots_per_participant=3)
    idea, other = make_idea(group), make_idea(group, "自动对账")
    person = group.participants.first()
    url = reverse("discovery:focusgroup_votes", args=[group.pk])
    data = {"participant": person.pk, f"idea_{idea.pk}": 2, f"idea_{other.pk}": 2}
    response = signed_in("member").post(url, data)
    assert response.status_code == 422
    assert "has 3 votes but was given 4" in response.content.decode()
    assert not IdeaVote.objects.exists()


def test_an_idea_becomes_a_requirement_in_one_click(signed_in, project):
    group = make_focus_group(project)
    idea = make_idea(group, "手机上一键审批")
    http = signed_in("member")
    response = http.post(
        reverse("discovery:finding_from_source"),
        {"source": "idea", "source_id": idea.pk, "text": idea.text, "then": "requirement"},
    )
    requirement = project.requirements.get()
    assert response["Location"] == reverse("discovery:requirement_edit", args=[requirement.pk])
    assert group.findings.get().idea == idea
    assert "REQ-001" in http.get(group.get_absolute_url()).content.decode()


def test_ideas_are_added_with_their_proposer(signed_in, project):
    group = make_focus_group(project)
    person = group.participants.first()
    url = reverse("discovery:focusgroup_idea_add", args=[group.pk])
    http = signed_in("member")
    assert (
        http.post(url, {"text": "报表推送到企业微信", "proposed_by": person.pk}).status_code == 302
    )
    assert group.ideas.get().proposed_by == person
    assert http.post(url, {"text": ""}).status_code == 422


def test_a_focus_group_is_created_with_client_contacts(signed_in, users, project):
    people = [ContactFactory(client=project.client) for _ in range(2)]
    url = reverse("discovery:project_focusgroup_create", args=[project.pk])
    response = signed_in("member").post(
        url,
        {
            "title": "移动审批的期望",
            "held_at": "2026-12-05T14:00",
            "facilitators": [users["member"].pk],
            "participants": [person.pk for person in people],
            "dots_per_participant": 5,
        },
    )
    group = FocusGroup.objects.get()
    assert response["Location"] == group.get_absolute_url()
    assert (group.dots_per_participant, group.participants.count()) == (5, 2)
