"""Demo contacts, deals, interactions, project templates and one converted project.

Everything goes through the services, so the audit trail reads like real use: deals are created
in an early stage and moved along the pipeline, the won one is converted by the wizard's service.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from charter.accounts.models import User
from charter.core.models import Attachment
from charter.crm.models import Client, Contact, Opportunity, Stage
from charter.crm.services.contacts import create_contact
from charter.crm.services.interactions import log_interaction
from charter.crm.services.pipeline import create_opportunity, move_opportunity
from charter.demo.project_templates import TEMPLATES
from charter.planning.models import Project, ProjectTemplate
from charter.planning.services import convert_opportunity, create_template
from charter.planning.services.conversion import next_working_day
from charter.planning.services.projects import update_project

# The demo client's people have addresses, so the communication plan has someone to write to
# (example.cn never receives mail).
EMAILS = {
    "张伟": "zhang.wei@yunqi.example.cn",
    "周敏": "zhou.min@yunqi.example.cn",
    "孙浩": "sun.hao@yunqi.example.cn",
}

# (client, name, title, role in decisions, influence, interest, language, preferred channel)
CONTACTS = [
    ("上海云栖科技有限公司", "张伟", "IT 总监", "decision_maker", 5, 4, "zh-hans", "wecom"),
    ("上海云栖科技有限公司", "周敏", "首席财务官", "sponsor", 5, 3, "zh-hans", "email"),
    ("上海云栖科技有限公司", "孙浩", "财务经理", "key_user", 2, 5, "zh-hans", "wecom"),
    ("上海云栖科技有限公司", "何静", "采购专员", "other", 1, 2, "zh-hans", "phone"),
    ("深圳前海数据服务有限公司", "林晓东", "副总经理", "sponsor", 5, 4, "zh-hans", "dingtalk"),
    (
        "深圳前海数据服务有限公司",
        "郑丽",
        "数据平台负责人",
        "influencer",
        3,
        5,
        "zh-hans",
        "dingtalk",
    ),
    ("Northwind Trading Ltd", "Emma Clarke", "COO", "sponsor", 5, 4, "en", "email"),
    ("Northwind Trading Ltd", "Tom Baker", "Head of Logistics", "key_user", 3, 5, "en", "email"),
    (
        "杭州青禾教育科技有限公司",
        "吴婷",
        "教学运营总监",
        "decision_maker",
        4,
        4,
        "zh-hans",
        "feishu",
    ),
]


@dataclass(frozen=True)
class DemoDeal:
    client: str
    title: str
    amount: str
    currency: str
    stage: str  # the English stage name it ends in
    owner: str
    next_step: str = ""
    lost_reason: str = ""


DEALS = [
    DemoDeal("上海云栖科技有限公司", "云栖科技 ERP 实施", "880000", "CNY", "Won", "lina"),
    DemoDeal(
        "Northwind Trading Ltd",
        "Warehouse analytics consulting",
        "120000",
        "USD",
        "Won",
        "lina",
        next_step="Agree the kickoff date",
    ),
    DemoDeal(
        "深圳前海数据服务有限公司",
        "数据中台建设方案",
        "1500000",
        "CNY",
        "Proposal",
        "lina",
        next_step="下周二方案汇报",
    ),
    DemoDeal(
        "杭州青禾教育科技有限公司",
        "在线学习平台二期",
        "420000",
        "CNY",
        "Negotiation",
        "wanglei",
        next_step="确认付款节点",
    ),
    DemoDeal(
        "Harbourline Logistics Pte. Ltd.",
        "Fleet tracking rollout",
        "260000",
        "SGD",
        "Lost",
        "lina",
        lost_reason="Chose a vendor with local support in Singapore",
    ),
]

# (deal title, kind, days ago, summary, contacts, follow-up in days or None)
INTERACTIONS = [
    (
        "云栖科技 ERP 实施",
        "visit",
        40,
        "上门拜访张伟, 了解财务与供应链痛点, 月结需要 10 天。",
        ["张伟"],
        None,
    ),
    (
        "云栖科技 ERP 实施",
        "meeting",
        25,
        "方案演示, 周敏关注上线时间不能晚于财年结束。",
        ["周敏", "张伟"],
        None,
    ),
    (
        "云栖科技 ERP 实施",
        "call",
        10,
        "孙浩确认期初数据由财务部整理, 需要我们提供模板。",
        ["孙浩"],
        3,
    ),
    (
        "Warehouse analytics consulting",
        "email",
        12,
        "Emma asked for a phased approach starting with the Shanghai warehouse.",
        ["Emma Clarke"],
        2,
    ),
    ("数据中台建设方案", "meeting", 5, "与郑丽讨论数据源清单, 约定下周二汇报方案。", ["郑丽"], 6),
    ("在线学习平台二期", "call", 2, "吴婷希望付款分三期, 需内部确认。", ["吴婷"], -1),
]


def seed_pipeline(clients: dict[str, Client], people: dict[str, User]) -> Project:
    """Contacts, deals across the stages, interactions, templates, one converted project
    (returned)."""
    admin = people["wanglei"]
    contacts = {
        name: create_contact(
            actor=admin,
            client=clients[client],
            name=name,
            email=EMAILS.get(name, ""),
            title=title,
            decision_role=role,
            influence=influence,
            interest=interest,
            language=language,
            preferred_channel=channel,
        )
        for client, name, title, role, influence, interest, language, channel in CONTACTS
    }
    deals = {spec.title: create_deal(spec, clients=clients, people=people) for spec in DEALS}
    for title, kind, days_ago, summary, names, follow_up in INTERACTIONS:
        deal = deals[title]
        today = timezone.localdate()
        log_interaction(
            actor=deal.owner,
            client=deal.client,
            kind=kind,
            summary=summary,
            contacts=[contacts[name] for name in names],
            opportunity=deal,
            occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
            follow_up_on=today + datetime.timedelta(days=follow_up)
            if follow_up is not None
            else None,
        )
    templates = {
        spec.name: create_template(
            actor=admin,
            content=spec.content,
            name=spec.name,
            description=spec.description,
            language=spec.language,
            is_default=spec.is_default,
        )
        for spec in TEMPLATES
    }
    project = convert_demo_deal(
        deals["云栖科技 ERP 实施"], template=templates["软件实施"], manager=people["lina"]
    )
    update_project(  # the team member's login sees the project
        project,
        actor=people["lina"],
        expected_version=project.version,
        team=[people["lina"], people["chenjie"]],
    )
    return project


def create_deal(
    spec: DemoDeal, *, clients: dict[str, Client], people: dict[str, User]
) -> Opportunity:
    """Created as a lead, then moved to its stage, as the sales team would have done."""
    owner = people[spec.owner]
    deal = create_opportunity(
        actor=owner,
        client=clients[spec.client],
        title=spec.title,
        amount=Decimal(spec.amount),
        currency=spec.currency,
        owner=owner,
        next_step=spec.next_step,
        expected_close=timezone.localdate() + datetime.timedelta(days=30),
    )
    stage = Stage.objects.get(name_en=spec.stage)
    if deal.stage != stage:
        deal = move_opportunity(
            deal,
            stage=stage,
            actor=owner,
            expected_version=deal.version,
            lost_reason=spec.lost_reason,
        )
    return deal


def convert_demo_deal(deal: Opportunity, *, template: ProjectTemplate, manager: User) -> Project:
    """The won deal of 云栖科技 becomes a project: its people, notes and the kickoff agenda."""
    client = deal.client
    stakeholders: list[tuple[Contact, str]] = [
        (contact, contact.decision_role)
        for contact in client.contacts.exclude(decision_role="other").order_by("pk")
    ]
    agenda = Attachment.objects.for_parent(client, manager).filter(name="kickoff-agenda.txt")
    return convert_opportunity(
        deal,
        actor=manager,
        template=template,
        manager=manager,
        start_date=next_working_day(timezone.localdate()),
        stakeholders=stakeholders,
        carry_interactions=deal.interactions.values_list("pk", flat=True),
        carry_attachments=agenda.values_list("pk", flat=True),
    )
