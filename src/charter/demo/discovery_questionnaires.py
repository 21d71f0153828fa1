"""The demo's questionnaire templates: a requirements-discovery questionnaire in Chinese and in
English, using every question type, with Kano pairs about three features."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from charter.discovery.models import Questionnaire
from charter.discovery.services import questionnaires as services


@dataclass(frozen=True)
class Ask:
    kind: str
    text: str = ""
    options: tuple[str, ...] = ()
    required: bool = False
    allow_other: bool = False
    scale: tuple[int, int] = (1, 5)
    feature: str = ""  # Kano pairs: the wording comes from the feature, in the template's language

    def fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "options": list(self.options),
            "required": self.required,
            "allow_other": self.allow_other,
            "scale_min": self.scale[0],
            "scale_max": self.scale[1],
            "kano_feature": self.feature,
        }


@dataclass(frozen=True)
class Part:
    title: str
    description: str
    asks: tuple[Ask, ...] = field(default=())


@dataclass(frozen=True)
class DemoQuestionnaire:
    title: str
    intro: str
    language: str
    parts: tuple[Part, ...]


ZH = DemoQuestionnaire(
    title="需求调研问卷",
    intro="感谢您抽出时间。您的回答将帮助我们了解贵公司的实际需求, 约需 10 分钟。",
    language="zh-hans",
    parts=(
        Part(
            "关于您",
            "帮助我们了解回答者的背景。",
            (
                Ask("short_text", "您的部门和职位", required=True),
                Ask(
                    "single",
                    "您在工作中主要使用哪种设备?",
                    ("电脑", "手机", "平板"),
                    required=True,
                    allow_other=True,
                ),
            ),
        ),
        Part(
            "当前流程",
            "目前的工作方式和遇到的问题。",
            (
                Ask("long_text", "请描述您当前的审批流程, 以及最耗时的环节。"),
                Ask(
                    "multiple",
                    "您目前使用哪些系统?",
                    ("ERP", "OA", "CRM", "Excel 表格"),
                    allow_other=True,
                ),
                Ask("rating", "您对当前流程的满意度如何?", scale=(1, 5), required=True),
            ),
        ),
        Part(
            "需求",
            "如果新系统具备以下功能, 您的感受如何?",
            (
                Ask("kano", feature="移动端审批", required=True),
                Ask("kano", feature="与企业微信集成", required=True),
                Ask("kano", feature="自动生成报表", required=True),
            ),
        ),
        Part(
            "优先级",
            "帮助我们决定先做什么。",
            (
                Ask(
                    "ranking",
                    "请按重要性对以下目标排序",
                    ("缩短审批时间", "减少人工录入", "数据实时可见", "降低成本"),
                ),
                Ask("date", "您希望新系统何时上线?"),
                Ask("nps", "您有多大可能向同事推荐我们的服务?"),
            ),
        ),
    ),
)

EN = DemoQuestionnaire(
    title="Requirements discovery questionnaire",
    intro="Thank you for your time. Your answers help us understand what your company needs; "
    "it takes about 10 minutes.",
    language="en",
    parts=(
        Part(
            "About you",
            "Helps us understand who answers.",
            (
                Ask("short_text", "Your department and role", required=True),
                Ask(
                    "single",
                    "Which device do you mostly work on?",
                    ("Computer", "Phone", "Tablet"),
                    required=True,
                    allow_other=True,
                ),
            ),
        ),
        Part(
            "Current process",
            "How you work today and what gets in the way.",
            (
                Ask("long_text", "Describe your approval process today, and its slowest step."),
                Ask(
                    "multiple",
                    "Which systems do you use today?",
                    ("ERP", "OA", "CRM", "Spreadsheets"),
                    allow_other=True,
                ),
                Ask("rating", "How satisfied are you with the current process?", required=True),
            ),
        ),
        Part(
            "Needs",
            "How would you feel if the new system had these features?",
            (
                Ask("kano", feature="mobile approvals", required=True),
                Ask("kano", feature="WeCom integration", required=True),
                Ask("kano", feature="automatic reports", required=True),
            ),
        ),
        Part(
            "Priorities",
            "Helps us decide what comes first.",
            (
                Ask(
                    "ranking",
                    "Rank these goals by importance",
                    (
                        "Faster approvals",
                        "Less manual entry",
                        "Real-time visibility",
                        "Lower cost",
                    ),
                ),
                Ask("date", "When would you like the new system to go live?"),
                Ask("nps", "How likely are you to recommend our services to a colleague?"),
            ),
        ),
    ),
)

TEMPLATES = (ZH, EN)


def _seed(spec: DemoQuestionnaire, *, actor: Any) -> Questionnaire:
    template = services.create_questionnaire(
        actor=actor, title=spec.title, intro=spec.intro, language=spec.language, is_template=True
    )
    for part in spec.parts:
        section = services.add_section(
            template, actor=actor, title=part.title, description=part.description
        )
        for ask in part.asks:
            services.add_question(template, actor=actor, section=section, **ask.fields())
    return template


@transaction.atomic
def seed_questionnaire_templates(*, actor: Any) -> list[Questionnaire]:
    """Create the demo templates a manager (``actor``) would; one whose title a template
    already has is skipped, so running twice adds nothing. Returns those created."""
    existing = set(Questionnaire.objects.filter(is_template=True).values_list("title", flat=True))
    return [_seed(spec, actor=actor) for spec in TEMPLATES if spec.title not in existing]
