import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.discovery.models import IdeaVote, Interview
from charter.discovery.services import sessions as services
from charter.discovery.services.findings import promote_finding
from charter.discovery.tests.factories import (
    make_finding,
    make_focus_group,
    make_idea,
    make_interview,
)
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_an_interview_records_its_people_and_is_audited(users, project):
    contact = ContactFactory(client=project.client, name="周敏")
    interview = make_interview(
        project, actor=users["member"], interviewers=[users["member"]], interviewees=[contact]
    )
    assert list(interview.interviewees.all()) == [contact]
    assert list(interview.interviewers.all()) == [users["member"]]
    event = AuditEvent.objects.for_object(interview).get(action="created")
    assert event.changes["interviewees"] == [None, ["周敏"]]


def test_interviewees_must_be_contacts_of_the_parents_client(users, project, other_client_org):
    stranger = ContactFactory(client=other_client_org, name="Alice")
    with pytest.raises(ValidationError) as error:
        make_interview(project, interviewees=[stranger])
    assert "Alice" in error.value.message_dict["interviewees"][0]
    assert not Interview.objects.exists()


def test_a_client_user_cannot_be_an_interviewer(users, project):
    with pytest.raises(ValidationError) as error:
        make_interview(project, interviewers=[users["client"]])
    assert "interviewers" in error.value.message_dict
    assert not Interview.objects.exists()


def test_a_stale_edit_writes_nothing(users, project):
    interview = make_interview(project)
    services.update_interview(interview, actor=None, expected_version=1, title="第二版")
    with pytest.raises(StaleEdit):
        services.update_interview(interview, actor=None, expected_version=1, title="旧的")
    interview.refresh_from_db()
    assert (interview.title, interview.version) == ("第二版", 2)


def test_votes_within_the_limit_replace_the_participants_earlier_votes(users, project):
    group = make_focus_group(project, dots_per_participant=3)
    first, second = make_idea(group, "一键审批"), make_idea(group, "自动对账")
    person = group.participants.first()
    services.record_votes(group, actor=None, participant=person, dots={first.pk: 2, second.pk: 1})
    services.record_votes(group, actor=None, participant=person, dots={second.pk: 3})
    assert list(IdeaVote.objects.values_list("idea__text", "dots")) == [("自动对账", 3)]
    ranked = list(services.ranked_ideas(group))
    assert [(idea.text, idea.total_dots) for idea in ranked] == [("自动对账", 3), ("一键审批", 0)]


def test_votes_over_the_limit_are_refused_and_nothing_is_saved(users, project):
    group = make_focus_group(project, dots_per_participant=3)
    idea, other = make_idea(group), make_idea(group, "自动对账")
    person = group.participants.first()
    services.record_votes(group, actor=None, participant=person, dots={idea.pk: 1})
    with pytest.raises(ValidationError) as error:
        services.record_votes(group, actor=None, participant=person, dots={idea.pk: 2, other.pk: 2})
    assert "has 3 votes but was given 4" in error.value.message_dict["dots"][0]
    assert list(IdeaVote.objects.values_list("idea_id", "dots")) == [(idea.pk, 1)]


def test_only_participants_vote_and_only_on_the_groups_ideas(users, project):
    group = make_focus_group(project)
    idea = make_idea(group)
    foreign_idea = make_idea(make_focus_group(project))
    outsider = ContactFactory(client=project.client)
    with pytest.raises(ValidationError) as error:
        services.record_votes(group, actor=None, participant=outsider, dots={idea.pk: 1})
    assert "participant" in error.value.message_dict
    person = group.participants.first()
    with pytest.raises(ValidationError) as error:
        services.record_votes(group, actor=None, participant=person, dots={foreign_idea.pk: 1})
    assert "dots" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.record_votes(group, actor=None, participant=person, dots={idea.pk: -1})
    assert not IdeaVote.objects.exists()


def test_participants_of_a_focus_group_belong_to_the_client(project, other_client_org):
    with pytest.raises(ValidationError) as error:
        make_focus_group(project, participants=[ContactFactory(client=other_client_org)])
    assert "participants" in error.value.message_dict


def test_an_idea_is_proposed_by_a_participant(project):
    group = make_focus_group(project)
    with pytest.raises(ValidationError) as error:
        services.add_idea(
            group, actor=None, text="扫码报销", proposed_by=ContactFactory(client=project.client)
        )
    assert "proposed_by" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.add_idea(group, actor=None, text="  ")
    assert not group.ideas.exists()


def test_removing_a_participant_removes_their_votes(project):
    group = make_focus_group(project, participant_count=2)
    idea = make_idea(group)
    stays, leaves = list(group.participants.order_by("pk"))
    for person in (stays, leaves):
        services.record_votes(group, actor=None, participant=person, dots={idea.pk: 1})
    services.update_focus_group(group, actor=None, expected_version=1, participants=[stays])
    assert list(IdeaVote.objects.values_list("participant_id", flat=True)) == [stays.pk]


def test_the_vote_limit_cannot_fall_below_votes_already_given(project):
    group = make_focus_group(project, dots_per_participant=3)
    idea = make_idea(group)
    person = group.participants.first()
    services.record_votes(group, actor=None, participant=person, dots={idea.pk: 3})
    with pytest.raises(ValidationError) as error:
        services.update_focus_group(group, actor=None, expected_version=1, dots_per_participant=2)
    assert "dots_per_participant" in error.value.message_dict
    group.refresh_from_db()
    assert (group.dots_per_participant, group.version) == (3, 1)


def test_a_session_whose_finding_backs_a_requirement_is_not_deleted(project):
    interview = make_interview(project)
    requirement = promote_finding(make_finding(project, source=interview), actor=None)
    with pytest.raises(ValidationError) as error:
        services.delete_interview(interview, actor=None)
    assert requirement.code in error.value.messages[0]
    assert Interview.objects.filter(pk=interview.pk).exists()


def test_deleting_a_session_is_audited(project):
    group = make_focus_group(project)
    make_idea(group)
    pk = group.pk
    services.delete_focus_group(group, actor=None)
    assert AuditEvent.objects.filter(object_id=str(pk), action="deleted").get().object_repr == (
        "移动审批的期望"
    )


def test_the_list_filter_searches_people_and_dates(project):
    import datetime

    contact = ContactFactory(client=project.client, name="孙浩")
    make_interview(project, interviewees=[contact], title="财务经理访谈")
    early = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    make_interview(project, title="IT 总监访谈", held_at=early)
    rows = Interview.objects.filter(project=project)
    assert [row.title for row in services.filter_sessions(rows, q="孙浩")] == ["财务经理访谈"]
    later = services.filter_sessions(rows, date_from=datetime.date(2026, 12, 1))
    assert [row.title for row in later] == ["财务经理访谈"]
    earlier = services.filter_sessions(rows, date_to=datetime.date(2026, 11, 30))
    assert [row.title for row in earlier] == ["IT 总监访谈"]


def test_the_demo_seeds_an_interview_a_voted_focus_group_and_a_requirement(users, project):
    from charter.demo.discovery_sessions import seed_sessions

    for name in ("张伟", "周敏", "孙浩"):
        ContactFactory(client=project.client, name=name)
    requirement = seed_sessions(project, actor=users["manager"])
    assert requirement.findings.get().interview.title == "财务负责人深度访谈：月结与审批"
    group = project.focusgroups.get()
    ranked = list(services.ranked_ideas(group))
    assert len(ranked) == 5 and ranked[0].total_dots == 6
    assert project.findings.count() == 3
