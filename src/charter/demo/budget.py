"""The demo project's budget: labour planned per phase in the month it starts (development is
planned below what its slipped tasks now cost, so the overrun shows), equipment, travel and
contingency for the whole project, and the first travel expense booked."""

from decimal import Decimal

from django.utils import timezone

from charter.accounts.models import User
from charter.planning.models import Project, Task
from charter.resources.choices import CostCategory
from charter.resources.services.budget import create_expense, create_line

LABOUR_BY_PHASE = {
    "启动": "12000",
    "需求调研": "35000",
    "方案设计": "45000",
    "开发与配置": "120000",
    "测试与上线": "40000",
    "验收收尾": "8000",
}
WHOLE_PROJECT = [
    (CostCategory.EQUIPMENT, "20000", "测试服务器集群租用与部署"),
    (CostCategory.TRAVEL, "30000", "杭州现场调研与上线支持差旅"),
    (CostCategory.CONTINGENCY, "60000", "管理储备"),
]
EXPENSE = (CostCategory.TRAVEL, "关键用户访谈", "3260.00", "高铁票与酒店预订（关键用户访谈）")


def seed_budget(project: Project, *, manager: User) -> None:
    phases = Task.objects.filter(project=project, parent__isnull=True, is_summary=True)
    for phase in phases:
        if amount := LABOUR_BY_PHASE.get(phase.name):
            create_line(
                project,
                actor=manager,
                category=CostCategory.LABOUR,
                phase=phase,
                month=timezone.localdate(phase.start),
                amount=Decimal(amount),
            )
    for category, amount, note in WHOLE_PROJECT:
        create_line(
            project,
            actor=manager,
            category=category,
            month=project.start_date,
            amount=Decimal(amount),
            note=note,
        )
    category, task_name, amount, description = EXPENSE
    create_expense(
        project,
        actor=manager,
        category=category,
        task=Task.objects.get(project=project, name=task_name),
        spent_on=timezone.localdate(),
        amount=Decimal(amount),
        description=description,
    )
