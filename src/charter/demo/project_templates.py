"""The demo's project templates: software implementation and consulting, in Chinese and English."""

from dataclasses import dataclass

from charter.planning.services.templates import (
    CommunicationSpec,
    PhaseSpec,
    RiskSpec,
    TaskSpec,
    TemplateContent,
)


@dataclass(frozen=True)
class DemoTemplate:
    name: str
    description: str
    language: str
    is_default: bool
    content: TemplateContent


def _phases(*rows: tuple[str, list[tuple[str, int, bool]]]) -> tuple[PhaseSpec, ...]:
    return tuple(
        PhaseSpec(name, tuple(TaskSpec(task, days, milestone) for task, days, milestone in tasks))
        for name, tasks in rows
    )


SOFTWARE_ZH = DemoTemplate(
    name="软件实施",
    description="ERP/CRM 等企业软件的标准实施方法, 从启动到验收收尾六个阶段。",
    language="zh-hans",
    is_default=True,
    content=TemplateContent(
        phases=_phases(
            (
                "启动",
                [
                    ("项目启动会", 1, True),
                    ("组建双方项目团队", 2, False),
                    ("制定项目计划", 3, False),
                ],
            ),
            (
                "需求调研",
                [
                    ("关键用户访谈", 5, False),
                    ("现状流程梳理", 5, False),
                    ("需求规格说明书确认", 2, True),
                ],
            ),
            (
                "方案设计",
                [
                    ("业务蓝图设计", 8, False),
                    ("系统架构与集成方案", 5, False),
                    ("方案评审", 1, True),
                ],
            ),
            (
                "开发与配置",
                [("系统配置", 15, False), ("定制开发", 20, False), ("数据迁移准备", 8, False)],
            ),
            (
                "测试与上线",
                [
                    ("集成测试", 8, False),
                    ("用户验收测试 (UAT)", 5, False),
                    ("最终用户培训", 3, False),
                    ("系统上线", 1, True),
                ],
            ),
            (
                "验收收尾",
                [("上线后支持", 10, False), ("项目验收", 1, True), ("经验教训总结", 1, False)],
            ),
        ),
        communications=(
            CommunicationSpec(
                "项目状态周报",
                "项目发起人",
                "每周五",
                "email",
                "status_report",
                "FREQ=WEEKLY;BYDAY=FR",
            ),
            CommunicationSpec(
                "项目指导委员会会议",
                "发起人、决策者",
                "每两周",
                "email",
                "meeting",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            ),
            CommunicationSpec(
                "项目群每日进展", "双方项目团队", "每个工作日", "wecom", "custom", "FREQ=DAILY"
            ),
            CommunicationSpec(
                "里程碑评审会",
                "关键用户、决策者",
                "每月最后一个工作日",
                "dingtalk",
                "milestone_notice",
                "FREQ=MONTHLY;BYMONTHDAY=-1",
            ),
        ),
        risks=(
            RiskSpec("需求变更频繁", 4, 4, "mitigate"),
            RiskSpec("关键用户投入不足", 3, 4, "mitigate"),
            RiskSpec("数据迁移质量不达标", 3, 5, "mitigate"),
            RiskSpec("与现有系统集成复杂", 3, 3, "mitigate"),
            RiskSpec("上线时间与客户财年结束重合", 2, 4, "avoid"),
        ),
        checklist=(
            "签署项目章程",
            "确认项目发起人与关键用户",
            "建立企业微信项目群",
            "召开项目启动会",
            "开通测试环境账号",
            "确认沟通计划与例会时间",
        ),
    ),
)

SOFTWARE_EN = DemoTemplate(
    name="Software implementation",
    description=(
        "The standard way we implement ERP/CRM software: six phases from initiation to closure."
    ),
    language="en",
    is_default=True,
    content=TemplateContent(
        phases=_phases(
            (
                "Initiation",
                [
                    ("Kickoff meeting", 1, True),
                    ("Form the joint project team", 2, False),
                    ("Draft the project plan", 3, False),
                ],
            ),
            (
                "Requirements",
                [
                    ("Key user interviews", 5, False),
                    ("Map current processes", 5, False),
                    ("Requirements sign-off", 2, True),
                ],
            ),
            (
                "Solution design",
                [
                    ("Business blueprint", 8, False),
                    ("Architecture and integration design", 5, False),
                    ("Design review", 1, True),
                ],
            ),
            (
                "Build and configure",
                [
                    ("System configuration", 15, False),
                    ("Custom development", 20, False),
                    ("Prepare data migration", 8, False),
                ],
            ),
            (
                "Test and go-live",
                [
                    ("Integration testing", 8, False),
                    ("User acceptance testing", 5, False),
                    ("End-user training", 3, False),
                    ("Go-live", 1, True),
                ],
            ),
            (
                "Acceptance and closure",
                [
                    ("Hypercare", 10, False),
                    ("Final acceptance", 1, True),
                    ("Lessons learned", 1, False),
                ],
            ),
        ),
        communications=(
            CommunicationSpec(
                "Weekly status report",
                "Sponsor",
                "Fridays",
                "email",
                "status_report",
                "FREQ=WEEKLY;BYDAY=FR",
            ),
            CommunicationSpec(
                "Steering committee meeting",
                "Sponsor, decision makers",
                "Bi-weekly",
                "email",
                "meeting",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            ),
            CommunicationSpec(
                "Daily updates in the project group",
                "Joint project team",
                "Every working day",
                "wecom",
                "custom",
                "FREQ=DAILY",
            ),
            CommunicationSpec(
                "Milestone review",
                "Key users, decision makers",
                "Last working day of the month",
                "email",
                "milestone_notice",
                "FREQ=MONTHLY;BYMONTHDAY=-1",
            ),
        ),
        risks=(
            RiskSpec("Frequent requirement changes", 4, 4, "mitigate"),
            RiskSpec("Key users not available enough", 3, 4, "mitigate"),
            RiskSpec("Poor data migration quality", 3, 5, "mitigate"),
            RiskSpec("Complex integration with existing systems", 3, 3, "mitigate"),
            RiskSpec("Go-live clashes with the client's fiscal year end", 2, 4, "avoid"),
        ),
        checklist=(
            "Project charter signed",
            "Sponsor and key users confirmed",
            "Project chat group created",
            "Kickoff meeting held",
            "Test environment accounts issued",
            "Communication plan and meeting times agreed",
        ),
    ),
)

CONSULTING_ZH = DemoTemplate(
    name="咨询项目",
    description="管理咨询与数字化规划项目, 诊断、分析、建议与落地辅导。",
    language="zh-hans",
    is_default=False,
    content=TemplateContent(
        phases=_phases(
            ("启动", [("项目启动会", 1, True), ("资料清单与访谈计划", 2, False)]),
            (
                "现状诊断",
                [("高层访谈", 5, False), ("问卷调查", 5, False), ("现状诊断报告", 3, True)],
            ),
            (
                "分析与方案",
                [("标杆研究", 5, False), ("方案设计工作坊", 3, False), ("方案汇报", 1, True)],
            ),
            ("落地辅导", [("实施路线图", 3, False), ("试点辅导", 10, False)]),
            ("验收收尾", [("最终报告", 3, True), ("项目验收", 1, True)]),
        ),
        communications=(
            CommunicationSpec(
                "项目状态周报",
                "项目发起人",
                "每周五",
                "email",
                "status_report",
                "FREQ=WEEKLY;BYDAY=FR",
            ),
            CommunicationSpec(
                "双周汇报会",
                "发起人、决策者",
                "每两周",
                "email",
                "meeting",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            ),
            CommunicationSpec(
                "企业微信群进展同步", "双方项目团队", "每个工作日", "wecom", "custom", "FREQ=DAILY"
            ),
        ),
        risks=(
            RiskSpec("高层访谈难以预约", 3, 3, "mitigate"),
            RiskSpec("资料提供不及时", 4, 3, "mitigate"),
            RiskSpec("建议难以落地", 3, 4, "mitigate"),
            RiskSpec("范围蔓延", 3, 4, "avoid"),
        ),
        checklist=("签署项目章程", "确认访谈对象名单", "建立企业微信项目群", "召开项目启动会"),
    ),
)

CONSULTING_EN = DemoTemplate(
    name="Consulting engagement",
    description=(
        "Management and digital strategy consulting: diagnosis, analysis, recommendations, "
        "coaching."
    ),
    language="en",
    is_default=False,
    content=TemplateContent(
        phases=_phases(
            (
                "Initiation",
                [("Kickoff meeting", 1, True), ("Document request and interview plan", 2, False)],
            ),
            (
                "Diagnosis",
                [
                    ("Executive interviews", 5, False),
                    ("Survey", 5, False),
                    ("Diagnosis report", 3, True),
                ],
            ),
            (
                "Analysis and recommendations",
                [
                    ("Benchmarking", 5, False),
                    ("Design workshops", 3, False),
                    ("Recommendations presentation", 1, True),
                ],
            ),
            ("Implementation coaching", [("Roadmap", 3, False), ("Pilot coaching", 10, False)]),
            ("Closure", [("Final report", 3, True), ("Final acceptance", 1, True)]),
        ),
        communications=(
            CommunicationSpec(
                "Weekly status report",
                "Sponsor",
                "Fridays",
                "email",
                "status_report",
                "FREQ=WEEKLY;BYDAY=FR",
            ),
            CommunicationSpec(
                "Bi-weekly steering meeting",
                "Sponsor, decision makers",
                "Bi-weekly",
                "email",
                "meeting",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            ),
            CommunicationSpec(
                "Daily updates in the project group",
                "Joint project team",
                "Every working day",
                "wecom",
                "custom",
                "FREQ=DAILY",
            ),
        ),
        risks=(
            RiskSpec("Executives hard to schedule for interviews", 3, 3, "mitigate"),
            RiskSpec("Documents provided late", 4, 3, "mitigate"),
            RiskSpec("Recommendations hard to implement", 3, 4, "mitigate"),
            RiskSpec("Scope creep", 3, 4, "avoid"),
        ),
        checklist=(
            "Project charter signed",
            "Interviewees confirmed",
            "Project chat group created",
            "Kickoff meeting held",
        ),
    ),
)

TEMPLATES = [SOFTWARE_ZH, SOFTWARE_EN, CONSULTING_ZH, CONSULTING_EN]
