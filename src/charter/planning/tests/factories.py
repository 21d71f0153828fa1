"""Planning test data: a template with some of everything, won deals, converted projects."""

import datetime
from dataclasses import dataclass
from typing import Any

from charter.accounts.models import User
from charter.crm.choices import DecisionRole, StageKind
from charter.crm.models import Stage
from charter.planning.models import Project, ProjectTemplate
from charter.planning.services import convert_opportunity, create_template
from charter.planning.services.templates import (
    CommunicationSpec,
    PhaseSpec,
    RiskSpec,
    TaskSpec,
    TemplateContent,
)
from charter.testing.factories import ContactFactory, OpportunityFactory

CONTENT = TemplateContent(
    phases=(
        PhaseSpec("启动", (TaskSpec("项目启动会", 1, True), TaskSpec("制定项目计划", 3))),
        PhaseSpec("需求调研", (TaskSpec("关键用户访谈", 5),)),
    ),
    communications=(CommunicationSpec("项目周报", "项目发起人", "每周五", "email"),),
    risks=(RiskSpec("需求变更频繁", 4, 4, "mitigate"), RiskSpec("关键用户投入不足", 3, 4, "avoid")),
    checklist=("确认项目章程", "建立企业微信项目群"),
)
START = datetime.date(2026, 12, 1)


def make_template(*, actor: Any = None, content: TemplateContent = CONTENT, **fields: Any):
    fields = {"name": "软件实施", "language": "zh-hans", **fields}
    return create_template(actor=actor, content=content, **fields)


def stage(kind: str) -> Stage:
    return Stage.objects.filter(kind=kind).order_by("order", "pk").first()


def won_deal(client: Any, **fields: Any):
    return OpportunityFactory(client=client, stage=stage(StageKind.WON), **fields)


def make_project(
    client: Any, *, manager: User, template: ProjectTemplate | None = None, **fields: Any
) -> Project:
    """A project converted from a new won deal of ``client``, with one sponsor stakeholder."""
    sponsor = ContactFactory(client=client, decision_role=DecisionRole.SPONSOR)
    return convert_opportunity(
        won_deal(client),
        actor=manager,
        template=template or make_template(),
        manager=manager,
        start_date=START,
        stakeholders=[(sponsor, DecisionRole.SPONSOR)],
        **fields,
    )


@dataclass
class PlanningWorld:
    template: ProjectTemplate
    project: Project  # the member user is on its team
    won_deal: Any

    def unused_template(self) -> ProjectTemplate:
        return make_template(name=f"模板 {ProjectTemplate.objects.count() + 1}")


def planning_world(world: Any) -> PlanningWorld:
    """Planning objects for the permission matrix, made once per matrix world."""
    if not hasattr(world, "planning"):
        manager = User.objects.get(username="manager")
        project = make_project(world.client_org, manager=manager)
        project.members.add(User.objects.get(username="member"))
        world.planning = PlanningWorld(
            template=project.template, project=project, won_deal=won_deal(world.client_org)
        )
    return world.planning
