"""Demo discovery: questionnaire templates, a requirement register on the converted project
and on a deal still in pre-sales, an interview and a focus group, a questionnaire campaign
with answers, and a published, client-confirmed requirements document."""

from typing import Any

from charter.accounts.models import User
from charter.crm.models import Opportunity
from charter.demo.discovery_campaigns import seed_campaign
from charter.demo.discovery_documents import seed_document
from charter.demo.discovery_questionnaires import seed_questionnaire_templates
from charter.demo.discovery_sessions import seed_sessions
from charter.discovery.choices import Priority, RequirementStatus, RequirementType
from charter.discovery.models import Finding
from charter.discovery.services.findings import link_finding
from charter.discovery.services.requirements import create_requirement, set_requirement_tasks
from charter.planning.models import Project, Task

PROJECT_REQUIREMENTS: list[dict[str, Any]] = [
    {
        "title": "月结时间从 5 天缩短到 2 天",
        "type": RequirementType.BUSINESS_GOAL,
        "priority": Priority.MUST,
        "value": 5,
        "effort": 4,
        "status": RequirementStatus.CONFIRMED,
        "acceptance_criteria": "连续两个月的月结在第 2 个工作日结束前完成。",
    },
    {
        "title": "总账、应收、应付与银行对账模块上线",
        "type": RequirementType.FUNCTIONAL,
        "priority": Priority.MUST,
        "value": 5,
        "effort": 5,
        "status": RequirementStatus.CONFIRMED,
        "acceptance_criteria": "用上月真实数据完成一次完整月结演练，差异为零。",
    },
    {
        "title": "系统响应时间：常用页面 2 秒内打开",
        "type": RequirementType.NON_FUNCTIONAL,
        "priority": Priority.SHOULD,
        "value": 3,
        "effort": 2,
    },
    {
        "title": "资金日报每天 8:00 推送到企业微信群",
        "type": RequirementType.EXPECTATION,
        "priority": Priority.COULD,
        "value": 4,
        "effort": 2,
        "latent_need": True,
        "latent_evidence": "财务经理每周末加班手工整理资金日报，访谈中未作为需求提出。",
    },
    {
        "title": "财年结束（12 月 31 日）前后两周不切换系统",
        "type": RequirementType.CONSTRAINT,
        "priority": Priority.MUST,
        "value": 4,
        "effort": 1,
        "status": RequirementStatus.CONFIRMED,
    },
]

DEAL_REQUIREMENTS: list[dict[str, Any]] = [
    {
        "title": "Single view of stock across the three warehouses",
        "type": RequirementType.BUSINESS_GOAL,
        "priority": Priority.MUST,
    },
    {
        "title": "Weekly slow-moving stock report",
        "type": RequirementType.FUNCTIONAL,
        "priority": Priority.SHOULD,
    },
]


# requirement title → the plan tasks that deliver it (REQ-003 is left without, so the
# traceability matrix has a gap to show)
DELIVERED_BY = {
    "月结时间从 5 天缩短到 2 天": ["系统配置", "用户验收测试 (UAT)"],
    "总账、应收、应付与银行对账模块上线": ["系统配置", "数据迁移准备", "集成测试"],
    "资金日报每天 8:00 推送到企业微信群": ["定制开发"],
    "财年结束（12 月 31 日）前后两周不切换系统": ["系统上线"],
}
# a word of a finding → the requirement title it backs
BACKED_BY = {"资金": "资金日报每天 8:00 推送到企业微信群"}


def seed_discovery(project: Project, *, manager: User) -> None:
    """Everything discovery shows in the demo; ``project`` is the converted demo project."""
    seed_questionnaire_templates(actor=manager)
    requirements = {
        fields["title"]: create_requirement(project, actor=manager, owner=manager, **fields)
        for fields in PROJECT_REQUIREMENTS
    }
    tasks = {task.name: task for task in Task.objects.filter(project=project)}
    for title, names in DELIVERED_BY.items():
        chosen = [tasks[name] for name in names if name in tasks]
        set_requirement_tasks(requirements[title], actor=manager, tasks=chosen)
    deal = Opportunity.objects.filter(title="Warehouse analytics consulting").first()
    if deal is not None:
        for fields in DEAL_REQUIREMENTS:
            create_requirement(deal, actor=deal.owner, owner=deal.owner, **fields)
    seed_sessions(project, actor=manager)
    for finding in Finding.objects.filter(project=project, requirement__isnull=True):
        word = next((word for word in BACKED_BY if word in finding.text), None)
        if word is not None:
            link_finding(finding, actor=manager, requirement=requirements[BACKED_BY[word]])
    seed_campaign(project, actor=manager)
    seed_document(project, actor=manager)
