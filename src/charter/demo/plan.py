"""The demo project's plan: the template's phases linked the way an implementation really runs
(some work overlaps), the people who do the work, milestones the client sees, the plan the client
confirmed saved as the baseline, and one slip since then so the variance shows."""

import datetime
from decimal import Decimal

from charter.accounts.models import User
from charter.planning.adapters import project_work_calendar, to_aware, to_local
from charter.planning.models import MINUTES_PER_DAY, Project, Task
from charter.planning.services.baselines import save_baseline
from charter.planning.services.plan import add_dependency, add_task, update_task
from charter.resources.choices import ResourceKind
from charter.resources.models import Resource
from charter.resources.services import assign, create_resource
from charter.resources.services.needs import create_need, create_role

# (predecessor, successor, type, lag in working days), by task name in the 软件实施 template.
LINKS = [
    ("项目启动会", "组建双方项目团队", "FS", 0),
    ("组建双方项目团队", "制定项目计划", "FS", 0),
    ("制定项目计划", "关键用户访谈", "FS", 0),
    ("关键用户访谈", "现状流程梳理", "SS", 2),
    ("关键用户访谈", "需求规格说明书确认", "FS", 0),
    ("现状流程梳理", "需求规格说明书确认", "FS", 0),
    ("需求规格说明书确认", "业务蓝图设计", "FS", 0),
    ("业务蓝图设计", "系统架构与集成方案", "SS", 3),
    ("业务蓝图设计", "方案评审", "FS", 0),
    ("系统架构与集成方案", "方案评审", "FS", 0),
    ("方案评审", "系统配置", "FS", 0),
    ("方案评审", "定制开发", "FS", 0),
    ("系统配置", "数据迁移准备", "SS", 5),
    ("系统配置", "集成测试", "FS", 0),
    ("定制开发", "集成测试", "FS", 0),
    ("集成测试", "用户验收测试 (UAT)", "FS", 0),
    ("用户验收测试 (UAT)", "最终用户培训", "FF", 0),
    ("用户验收测试 (UAT)", "系统上线", "FS", 0),
    ("最终用户培训", "系统上线", "FS", 0),
    ("数据迁移准备", "系统上线", "FS", 0),
    ("系统上线", "上线后支持", "FS", 0),
    ("上线后支持", "项目验收", "FS", 0),
    ("项目验收", "经验教训总结", "FS", 0),
]
SLIPPED = ("定制开发", 23)  # estimated 20 days when the client confirmed the plan
ROLES = ["项目经理", "业务顾问", "技术架构师", "实施顾问"]
# (resource, its colleague's username or None — then a generic resource, not yet named —,
# role, hourly rate, the tasks it works on at 100%)
PEOPLE = [
    (
        "李娜",
        "lina",
        "项目经理",
        "520.00",
        ["项目启动会", "制定项目计划", "需求规格说明书确认", "项目验收"],
    ),
    ("刘洋", "liuyang", "业务顾问", "420.00", ["关键用户访谈", "现状流程梳理", "业务蓝图设计"]),
    (
        "Chen Jie 陈杰",
        "chenjie",
        "技术架构师",
        "450.00",
        ["系统架构与集成方案", "定制开发", "集成测试"],
    ),
    ("外包实施顾问", None, "实施顾问", "300.00", ["系统配置", "数据迁移准备", "最终用户培训"]),
]
# Training asks for 80 hours of implementation consultants; the Needs tab sets them against
# the generic consultant assigned to it.
NEED = ("最终用户培训", "实施顾问", 80)
# Equipment: two test servers, both in use while the data migration is rehearsed and one while
# the integration tests run (hourly cost, a set-up fee per use).
SERVERS = ("测试服务器集群", Decimal("2"), "35.00", "800.00", {"集成测试": 1, "数据迁移准备": 2})
# A steering-committee briefing fixed on the blueprint's seventh working day takes its business
# consultant away for that day: leveling either delays the blueprint or, allowed to split tasks,
# stops it for the day. (task, its phase, who, the task it interrupts, working days after its start)
BRIEFING = ("指导委员会汇报", "方案设计", "刘洋", "业务蓝图设计", 6)


def seed_plan(project: Project, *, manager: User) -> None:
    tasks = {task.name: task for task in Task.objects.filter(project=project)}
    for predecessor, successor, kind, lag in LINKS:
        add_dependency(
            project,
            actor=manager,
            predecessor=tasks[predecessor],
            successor=tasks[successor],
            type=kind,
            lag=lag * MINUTES_PER_DAY,
        )
    for milestone in Task.objects.filter(project=project, is_milestone=True):
        update_task(
            milestone,
            actor=manager,
            expected_version=milestone.version,
            fields={"client_visible": True},
        )
    add_people(tasks, manager=manager)
    add_briefing(project, tasks, manager=manager)
    project.refresh_from_db()
    save_baseline(project, actor=manager, number=0, name="客户确认的计划")
    name, days = SLIPPED
    task = Task.objects.get(project=project, name=name)
    update_task(
        task,
        actor=manager,
        expected_version=task.version,
        fields={"duration": days * MINUTES_PER_DAY, "notes": "接口数量比方案评审时多 4 个。"},
    )


def add_briefing(project: Project, tasks: dict[str, Task], *, manager: User) -> None:
    name, phase, who, interrupted, after_days = BRIEFING
    work = Task.objects.get(pk=tasks[interrupted].pk)
    calendar = project_work_calendar(project, [work])
    start = to_local(work.start)
    assert start is not None  # the plan is scheduled
    day = calendar.start_of(calendar.to_index(start) + after_days * MINUTES_PER_DAY).date()
    briefing = add_task(
        project,
        actor=manager,
        parent=tasks[phase],
        fields={
            "name": name,
            "duration": MINUTES_PER_DAY,
            "constraint_type": "MSO",
            "constraint_date": to_aware(datetime.datetime.combine(day, datetime.time())),
            "client_visible": True,
        },
    )
    assign(briefing, Resource.objects.get(name=who), actor=manager)


def add_people(tasks: dict[str, Task], *, manager: User) -> None:
    roles = {name: create_role(actor=manager, name=name) for name in ROLES}
    for name, username, role, rate, worked in PEOPLE:
        user = User.objects.get(username=username) if username else None
        person = create_resource(
            actor=manager,
            name=name,
            user=user,
            role=roles[role],
            is_placeholder=user is None,
            standard_rate=Decimal(rate),
        )
        for task_name in worked:
            assign(tasks[task_name], person, actor=manager)
    task_name, role, hours = NEED
    create_need(tasks[task_name], actor=manager, role=roles[role], effort_hours=Decimal(hours))
    name, owned, rate, per_use, units = SERVERS
    servers = create_resource(
        actor=manager,
        name=name,
        kind=ResourceKind.EQUIPMENT,
        max_units=owned,
        standard_rate=Decimal(rate),
        cost_per_use=Decimal(per_use),
    )
    for task_name, count in units.items():
        assign(tasks[task_name], servers, actor=manager, units=Decimal(count))
