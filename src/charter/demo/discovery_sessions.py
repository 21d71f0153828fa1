"""Demo interviews and focus groups of a project: an in-depth interview with the finance lead,
a focus group that votes on ideas, findings from both, and one finding made a requirement.

Everything goes through the services, so the audit trail reads like real use.
"""

import datetime

from django.utils import timezone

from charter.accounts.models import User
from charter.discovery.models import Requirement
from charter.discovery.services.findings import promote_finding, record_finding
from charter.discovery.services.sessions import (
    add_idea,
    create_focus_group,
    create_interview,
    record_votes,
)
from charter.planning.models import Project

GUIDE = "\n".join(
    [
        "目前月末结账需要几天？哪一步最耗时？",
        "报销和付款审批经过哪些人？平均多久？",
        "您最希望新系统第一个月就解决什么问题？",
        "有哪些报表现在要手工整理？",
    ]
)
NOTES = (
    "月结平均 5 个工作日，其中银行对账占 2 天，全部手工在 Excel 里完成。\n"
    "审批要经过部门经理、财务经理、CFO 三级，出差时只能等回公司再签。\n"
    "管理层每周一要看资金日报，目前由财务经理周末加班整理。"
)
# (idea, votes per participant in order)
IDEAS = [
    ("手机上一键审批报销和付款", (2, 1, 2, 1)),
    ("银行流水自动对账", (1, 2, 0, 1)),
    ("资金日报每天自动推送到企业微信", (0, 0, 1, 1)),
    ("供应商自助查询付款进度", (0, 0, 0, 0)),
    ("预算超支时提前预警", (0, 0, 0, 0)),
]


def seed_sessions(project: Project, *, actor: User) -> Requirement:
    """Add the demo interview and focus group to ``project`` (its client needs contacts) and
    return the requirement made from one of their findings."""
    contacts = list(project.client.contacts.order_by("pk")[:4])
    held = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    interview = create_interview(
        project,
        actor=actor,
        interviewers=[actor],
        interviewees=contacts[:2],
        title="财务负责人深度访谈：月结与审批",
        held_at=held - datetime.timedelta(days=7),
        location="客户总部 12 楼会议室",
        guide=GUIDE,
        notes=NOTES,
    )
    month_end = record_finding(
        project,
        source=interview,
        text="月结需要 5 个工作日，银行对账全部手工完成\n希望缩短到 2 个工作日以内",
        actor=actor,
    )
    record_finding(
        project,
        source=interview,
        text="管理层想每天看到资金状况，但从没提出过要求",
        latent_need=True,
        actor=actor,
    )
    group = create_focus_group(
        project,
        actor=actor,
        facilitators=[actor],
        participants=contacts,
        title="财务流程改进工作坊",
        held_at=held - datetime.timedelta(days=3),
        location="线上（腾讯会议）",
        agenda="1. 现状痛点回顾\n2. 头脑风暴：理想的财务流程\n3. 点投票选出优先事项",
        dots_per_participant=3,
    )
    ideas = [
        add_idea(group, actor=actor, text=text, proposed_by=contacts[i % len(contacts)])
        for i, (text, _votes) in enumerate(IDEAS)
    ]
    for position, person in enumerate(contacts):
        dots = {idea.pk: votes[position] for idea, (_text, votes) in zip(ideas, IDEAS, strict=True)}
        record_votes(group, actor=actor, participant=person, dots=dots)
    record_finding(project, source=ideas[0], text=ideas[0].text, actor=actor)
    return promote_finding(month_end, actor=actor)
