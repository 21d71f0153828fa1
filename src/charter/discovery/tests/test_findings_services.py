import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from charter.discovery.models import Finding, Requirement
from charter.discovery.services import findings as services
from charter.discovery.tests.factories import (
    make_answer,
    make_finding,
    make_focus_group,
    make_idea,
    make_interview,
    make_requirement,
)
from charter.planning.tests.factories import make_project
from charter.testing.factories import InteractionFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_promoting_keeps_the_link_and_a_second_promote_is_refused(users, project):
    finding = make_finding(project, text="月结要五天\n财务加班严重")
    requirement = services.promote_finding(finding, actor=users["member"])
    finding.refresh_from_db()
    assert finding.requirement == requirement
    assert (requirement.code, requirement.title) == ("REQ-001", "月结要五天")
    with pytest.raises(ValidationError) as error:
        services.promote_finding(finding, actor=users["member"])
    assert "already became requirement REQ-001" in error.value.messages[0]
    assert Requirement.objects.count() == 1


def test_a_latent_finding_gives_a_latent_need_with_its_evidence(project):
    interview = make_interview(project)
    requirement = services.promote_source(
        project, source=interview, text="其实想要移动审批", latent_need=True, actor=None
    )
    assert requirement.latent_need and requirement.latent_evidence == "其实想要移动审批"
    assert Finding.objects.get().requirement == requirement


def test_a_finding_has_exactly_one_source(project):
    interview = make_interview(project)
    group = make_focus_group(project)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(project=project, text="x", interview=interview, focus_group=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(project=project, text="x")


def test_an_idea_finding_names_its_focus_group(project):
    group = make_focus_group(project)
    idea = make_idea(group)
    finding = services.record_finding(project, source=idea, text=idea.text, actor=None)
    assert (finding.source_kind, finding.focus_group, finding.idea) == ("focus_group", group, idea)


def test_linking_needs_a_requirement_of_the_same_parent(project, client_org):
    finding = make_finding(project)
    elsewhere = make_requirement(OpportunityFactory(client=client_org))
    with pytest.raises(ValidationError):
        services.link_finding(finding, actor=None, requirement=elsewhere)
    own = make_requirement(project)
    services.link_finding(finding, actor=None, requirement=own)
    with pytest.raises(ValidationError):
        services.link_finding(finding, actor=None, requirement=make_requirement(project))
    finding.refresh_from_db()
    assert finding.requirement == own


def test_sources_resolve_to_their_parent(users, project):
    answer = make_answer(project)
    assert services.resolve_source(users["member"], "answer", answer.pk) == (project, answer)
    group = make_focus_group(project)
    idea = make_idea(group)
    assert services.resolve_source(users["member"], "idea", idea.pk) == (project, idea)
    question = answer.question
    resolved = services.resolve_source(
        users["member"], "question", question.pk, parent_kind="project", parent_id=project.pk
    )
    assert resolved == (project, question)


def test_a_question_needs_a_parent_that_sent_its_questionnaire(users, project, client_org):
    question = make_answer(project).question
    with pytest.raises(ValidationError) as error:
        services.resolve_source(users["member"], "question", question.pk)
    assert "parent_kind" in error.value.message_dict
    deal = OpportunityFactory(client=client_org)
    with pytest.raises(ValidationError) as error:
        services.resolve_source(
            users["member"], "question", question.pk, parent_kind="opportunity", parent_id=deal.pk
        )
    assert "never sent" in error.value.message_dict["source_id"][0]


def test_an_interaction_belongs_to_its_project_else_its_deal(users, project, client_org):
    deal = OpportunityFactory(client=client_org)
    on_deal = InteractionFactory(client=client_org, opportunity=deal)
    assert services.resolve_source(users["member"], "interaction", on_deal.pk) == (deal, on_deal)
    on_project = InteractionFactory(client=client_org, opportunity=deal, project=project)
    resolved = services.resolve_source(users["member"], "interaction", on_project.pk)
    assert resolved == (project, on_project)
    loose = InteractionFactory(client=client_org)
    with pytest.raises(ValidationError) as error:
        services.resolve_source(users["member"], "interaction", loose.pk)
    assert "neither a project nor an opportunity" in error.value.messages[0]


def test_sources_the_user_cannot_see_are_404(users, client_org):
    other_project = make_project(client_org, manager=users["manager"])  # member not on it
    interview = make_interview(other_project)
    answer = make_answer(other_project)
    for kind, pk in (("interview", interview.pk), ("answer", answer.pk), ("interview", 0)):
        with pytest.raises(Http404):
            services.resolve_source(users["member"], kind, pk)
    assert services.resolve_source(users["manager"], "interview", interview.pk)[1] == interview
    with pytest.raises(Http404):
        services.resolve_source(users["client"], "interview", interview.pk)


def test_an_unknown_source_kind_is_a_clear_error(users):
    with pytest.raises(ValidationError) as error:
        services.resolve_source(users["member"], "email", 1)
    assert "source" in error.value.message_dict


def test_filters_narrow_by_source_promotion_and_latency(project):
    interview = make_interview(project)
    group = make_focus_group(project)
    plain = make_finding(project, source=interview)
    latent = services.record_finding(
        project, source=make_idea(group), text="想要", latent_need=True, actor=None
    )
    services.promote_finding(plain, actor=None)
    rows = Finding.objects.filter(project=project)
    assert list(services.filter_findings(rows, source="interview")) == [plain]
    assert list(services.filter_findings(rows, source="idea")) == [latent]
    assert list(services.filter_findings(rows, promoted=True)) == [plain]
    assert list(services.filter_findings(rows, promoted=False)) == [latent]
    assert list(services.filter_findings(rows, latent=True)) == [latent]
