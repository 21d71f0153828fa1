"""The demo project's plan: the template's phases linked the way an implementation really runs
(some work overlaps), the people who do the work, milestones the client sees, the plan the client
confirmed saved as the baseline, and one slip since then so the variance shows."""

from decimal import Decimal

from charter.accounts.models import User
from charter.planning.models import MINUTES_PER_DAY, Project, Task
from charter.planning.services.baselines import save_baseline
from charter.planning.services.plan import add_dependency, update_task
from charter.resources.services import assign, create_resource

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
# (resource, its colleague's username or None, hourly rate, the tasks it works on at 100%)
PEOPLE = [
    ("李娜", "lina", "520.00", ["项目启动会", "制定项目计划", "需求规格说明书确认", "项目验收"]),
    ("刘洋", "liuyang", "420.00", ["关键用户访谈", "现状流程梳理", "业务蓝图设计"]),
    ("Chen Jie 陈杰", "chenjie", "450.00", ["系统架构与集成方案", "定制开发", "集成测试"]),
    ("外包实施顾问", None, "300.00", ["系统配置", "数据迁移准备", "最终用户培训"]),
]


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


def add_people(tasks: dict[str, Task], *, manager: User) -> None:
    for name, username, rate, worked in PEOPLE:
        user = User.objects.get(username=username) if username else None
        person = create_resource(actor=manager, name=name, user=user, standard_rate=Decimal(rate))
        for task_name in worked:
            assign(tasks[task_name], person, actor=manager)
