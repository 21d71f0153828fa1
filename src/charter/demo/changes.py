"""The demo project's change requests: one the client's CFO asked for and the manager approved
(the confirmed requirement it alters shows as changed), one still waiting for a decision."""

import datetime

from django.utils import timezone

from charter.accounts.models import User
from charter.changes.choices import ChangeStatus
from charter.changes.services import create_change_request, decide_change_request
from charter.crm.models import Contact
from charter.discovery.models import Requirement
from charter.planning.models import Project

# (title, description, reason, contact, days ago, requirement titles, decision and note or None)
CHANGES = [
    (
        "银行对账增加招商银行直连",
        "除已确认的工商银行、建设银行外，银行对账还需要对接招商银行的银企直连接口。",
        "集团 2027 年起把主要结算账户迁到招商银行。",
        "周敏",
        6,
        ["总账、应收、应付与银行对账模块上线"],
        (ChangeStatus.APPROVED, "增加 5 个工作日的接口开发，费用在不可预见费内列支。"),
    ),
    (
        "资金日报同时推送到钉钉",
        "资金日报除企业微信群外，也推送到董事会使用的钉钉群。",
        "董事会成员只使用钉钉。",
        "张伟",
        1,
        ["资金日报每天 8:00 推送到企业微信群"],
        None,
    ),
]


def seed_changes(project: Project, *, manager: User) -> None:
    requirements = {row.title: row for row in Requirement.objects.filter(project=project)}
    today = timezone.localdate()
    for title, description, reason, contact, days_ago, touched, decision in CHANGES:
        change = create_change_request(
            project,
            actor=manager,
            title=title,
            description=description,
            reason=reason,
            requested_by=Contact.objects.get(client=project.client, name=contact),
            requested_on=today - datetime.timedelta(days=days_ago),
            requirements=[requirements[name] for name in touched],
        )
        if decision is not None:
            status, note = decision
            decide_change_request(
                change, actor=manager, expected_version=change.version, status=status, note=note
            )
