"""The demo ships project templates, a converted project and a won deal still to convert."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from charter.accounts.models import User
from charter.crm.choices import StageKind
from charter.crm.models import Interaction, Opportunity
from charter.demo.seed import seed_demo
from charter.planning.models import Project, ProjectTemplate


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    assert seed_demo() is True


@pytest.mark.django_db
def test_the_demo_templates_come_in_both_languages(demo):
    templates = {(t.name, t.language, t.is_default) for t in ProjectTemplate.objects.all()}
    assert templates == {
        ("软件实施", "zh-hans", True),
        ("Software implementation", "en", True),
        ("咨询项目", "zh-hans", False),
        ("Consulting engagement", "en", False),
    }
    software = ProjectTemplate.objects.get(name="软件实施")
    assert [p.name for p in software.phases.all()][:2] == ["启动", "需求调研"]
    assert software.risks.filter(title="需求变更频繁").exists()


@pytest.mark.django_db
def test_the_demo_has_a_converted_project_and_a_deal_to_convert(demo):
    project = Project.objects.get()
    assert project.opportunity.title == "云栖科技 ERP 实施"
    assert project.stakeholders.count() == 3  # everyone with a role in decisions
    assert project.interactions.count() == 3 and project.tasks.filter(parent=None).count() == 6
    waiting = Opportunity.objects.filter(stage__kind=StageKind.WON, projects__isnull=True).get()
    assert waiting.title == "Warehouse analytics consulting"
    assert Interaction.objects.filter(follow_up_on__isnull=False).exists()
    assert set(Opportunity.objects.values_list("stage__kind", flat=True)) == {"open", "won", "lost"}
    manager = HttpClient()
    manager.force_login(User.objects.get(username="lina"))
    assert manager.get(project.get_absolute_url()).status_code == 200
    wizard = manager.get(reverse("planning:convert", args=[waiting.pk]))
    assert wizard.status_code == 200 and "Emma Clarke" in wizard.content.decode()
    assert seed_demo() is False
    assert Project.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_shows_every_part_of_discovery(demo):
    project = Project.objects.get()
    assert project.requirements.filter(latent_need=True).exists()
    assert project.interviews.count() == 1 and project.focusgroups.count() == 1
    campaign = project.campaigns.get()
    assert campaign.invitations.filter(response__submitted_at__isnull=False).count() >= 2
    document = project.requirementsdocuments.get()
    confirmed = document.versions.get().confirmations.get()
    assert confirmed.decision == "confirmed"
    assert project.requirements.filter(tasks__isnull=False).distinct().count() == 4
    assert project.requirements.filter(findings__isnull=False).distinct().count() >= 2
    deal = Opportunity.objects.get(title="Warehouse analytics consulting")
    assert deal.requirements.count() == 2
    manager = HttpClient()
    manager.force_login(User.objects.get(username="lina"))
    pages = [
        reverse("discovery:project_requirements", args=[project.pk]),
        reverse("discovery:project_findings", args=[project.pk]),
        reverse("discovery:campaign_results", args=[campaign.pk]),
        reverse("discovery:project_document", args=[project.pk]),
        reverse("discovery:project_traceability", args=[project.pk]),
        reverse("discovery:questionnaire_list"),
    ]
    for url in pages:
        assert manager.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_demo_shows_roles_equipment_needs_and_a_budget(demo):
    from charter.resources.choices import ResourceKind
    from charter.resources.models import Resource, TaskNeed
    from charter.resources.services.budget_report import budget_summary

    project = Project.objects.get()
    generic = Resource.objects.get(is_placeholder=True)
    assert (generic.name, generic.role.name) == ("外包实施顾问", "实施顾问")
    assert Resource.objects.filter(role__isnull=True).get().kind == ResourceKind.EQUIPMENT
    assert TaskNeed.objects.get().task.name == "最终用户培训"
    summary = budget_summary(project)
    assert summary.total.planned == 370000 and summary.total.actual == 3260
    manager = HttpClient()
    manager.force_login(User.objects.get(username="lina"))
    pages = [
        reverse("resources:project_needs", args=[project.pk]),
        reverse("resources:project_budget", args=[project.pk]),
        reverse("resources:utilisation") + "?by=role",
    ]
    for url in pages:
        assert manager.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_demo_has_an_approved_and_a_proposed_change_request(demo):
    from charter.changes.models import ChangeRequest
    from charter.discovery.choices import RequirementStatus

    approved, proposed = ChangeRequest.objects.order_by("number")
    assert (approved.code, approved.status, proposed.status) == ("CR-001", "approved", "proposed")
    assert {r.status for r in approved.requirements.all()} == {RequirementStatus.CHANGED}
    manager = HttpClient()
    manager.force_login(User.objects.get(username="lina"))
    register = reverse("changes:project_change_requests", args=[approved.project_id])
    assert "银行对账增加招商银行直连" in manager.get(register).content.decode()


@pytest.mark.django_db
def test_leveling_the_demo_may_split_the_blueprint_around_the_briefing(demo):
    from charter.resources import leveling, leveling_proposal

    project = Project.objects.get()
    manager = User.objects.get(username="lina")

    def blueprint_move(split: bool) -> dict:
        loaded = leveling.load(project, actor=manager, options=leveling.Options(split=split))
        result = leveling.solve(loaded, mode="fast", time_limit=1)
        described = leveling_proposal.describe(loaded, result)
        (move,) = [move for move in described["moves"] if move["name"] == "业务蓝图设计"]
        return {**move, "finish": described["finish_after"]}

    whole, split = blueprint_move(False), blueprint_move(True)
    assert whole["segments_after"] == [] and len(split["segments_after"]) == 2
    assert split["delay_days"] < whole["delay_days"] and split["finish"] < whole["finish"]
