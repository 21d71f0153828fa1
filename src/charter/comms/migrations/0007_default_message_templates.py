"""One default message template per type of communication, in Chinese and English, so a new
plan item can send before anyone writes words of their own. The variables are those of
charter.comms.templating.VARIABLES; everyone may edit the words afterwards."""

from django.db import migrations

# kind → (name, Chinese subject, Chinese text, English subject, English text)
DEFAULT_TEMPLATES = {
    "status_report": (
        "项目进展报告 / Status report",
        "【{{ project }}】项目进展报告（{{ date }}）",
        """{% if recipient %}{{ recipient }}，您好：{% else %}您好：{% endif %}

以下是{{ client }}「{{ project }}」项目（{{ project_code }}）截至{{ date }}的进展情况。

整体进度：{{ progress }}
下一个里程碑：{{ next_milestone }}{% if next_milestone_date %}，计划于{{ next_milestone_date }}完成{% endif %}
未关闭的风险：{{ open_risks }} 项{% if open_risks != "0" %}
其中评分最高的是：
{{ top_risks }}{% endif %}

最新的项目计划可随时在客户门户查看：
{{ portal_link }}

如有任何问题或建议，请直接回复本邮件。

此致
{{ owner|default:"项目团队" }}""",
        "{{ project }}: status report for {{ date }}",
        """{% if recipient %}Dear {{ recipient }},{% else %}Hello,{% endif %}

Here is where {{ client }}'s project "{{ project }}" ({{ project_code }}) stands on {{ date }}.

Progress: {{ progress }} complete
Next milestone: {{ next_milestone }}{% if next_milestone_date %}, due {{ next_milestone_date }}{% endif %}
Open risks: {{ open_risks }}{% if open_risks != "0" %}
The highest-scoring ones:
{{ top_risks }}{% endif %}

The current plan is always in the client portal:
{{ portal_link }}

If you have any questions or suggestions, just reply to this message.

Best regards,
{{ owner|default:"The project team" }}""",
    ),
    "meeting": (
        "项目例会 / Project meeting",
        "【{{ project }}】项目例会（{{ date }}）",
        """议程：
1. 项目进展回顾：当前整体进度 {{ progress }}
2. 下一个里程碑：{{ next_milestone }}{% if next_milestone_date %}（计划 {{ next_milestone_date }}）{% endif %}
3. 风险与问题：未关闭的风险 {{ open_risks }} 项
4. 需要双方确认或决策的事项
5. 下一步行动及负责人

会前可在客户门户查看最新的项目计划：
{{ portal_link }}

组织人：{{ owner|default:"项目团队" }}""",
        "{{ project }}: project meeting on {{ date }}",
        """Agenda:
1. Progress review: {{ progress }} complete
2. Next milestone: {{ next_milestone }}{% if next_milestone_date %} (due {{ next_milestone_date }}){% endif %}
3. Risks and issues: {{ open_risks }} open risks
4. Decisions needed from both sides
5. Next steps and who owns them

Before the meeting, the current plan is in the client portal:
{{ portal_link }}

Organizer: {{ owner|default:"The project team" }}""",
    ),
    "milestone_notice": (
        "里程碑提醒 / Milestone notice",
        "【{{ project }}】里程碑提醒：{{ next_milestone }}",
        """{% if recipient %}{{ recipient }}，您好：{% else %}您好：{% endif %}

「{{ project }}」项目的下一个里程碑是「{{ next_milestone }}」{% if next_milestone_date %}，计划于{{ next_milestone_date }}完成{% endif %}。
目前项目整体进度为 {{ progress }}，未关闭的风险 {{ open_risks }} 项。

为确保里程碑按时达成，如需贵方提供资料、参与评审或确认结果，我们会提前与您联系。详细计划请见客户门户：
{{ portal_link }}

此致
{{ owner|default:"项目团队" }}""",
        "{{ project }}: next milestone {{ next_milestone }}",
        """{% if recipient %}Dear {{ recipient }},{% else %}Hello,{% endif %}

The next milestone of "{{ project }}" is "{{ next_milestone }}"{% if next_milestone_date %}, due {{ next_milestone_date }}{% endif %}.
The project is {{ progress }} complete, with {{ open_risks }} open risks.

Where we need documents, a review or a sign-off from your side to reach it on time, we will get in touch beforehand. The detailed plan is in the client portal:
{{ portal_link }}

Best regards,
{{ owner|default:"The project team" }}""",
    ),
    "survey": (
        "问卷邀请 / Survey invitation",
        "【{{ project }}】诚邀您填写项目问卷",
        """{% if recipient %}{{ recipient }}，您好：{% else %}您好：{% endif %}

为了更好地了解您对「{{ project }}」项目的需求和意见，我们诚邀您填写一份简短的问卷，大约需要 5 分钟。
问卷链接会通过单独的邮件发送给您；您的反馈将直接用于调整项目计划。

项目的最新进展可在客户门户查看：
{{ portal_link }}

感谢您的支持！
{{ owner|default:"项目团队" }}""",
        "{{ project }}: a few questions for you",
        """{% if recipient %}Dear {{ recipient }},{% else %}Hello,{% endif %}

To understand your needs and views on "{{ project }}" better, we would like to ask you a few questions; it takes about 5 minutes.
The questionnaire link comes in a separate e-mail; your answers go straight into the project plan.

The project's latest progress is in the client portal:
{{ portal_link }}

Thank you for your help!
{{ owner|default:"The project team" }}""",
    ),
    "custom": (
        "项目消息 / Project message",
        "【{{ project }}】项目最新情况",
        """{% if recipient %}{{ recipient }}，您好：{% else %}您好：{% endif %}

向您通报{{ client }}「{{ project }}」项目的最新情况：
整体进度为 {{ progress }}；下一个里程碑是「{{ next_milestone }}」{% if next_milestone_date %}，计划于{{ next_milestone_date }}完成{% endif %}。

详细计划可随时在客户门户查看：
{{ portal_link }}

如有任何问题，请直接回复本邮件。

此致
{{ owner|default:"项目团队" }}""",
        "{{ project }}: news from the project team",
        """{% if recipient %}Dear {{ recipient }},{% else %}Hello,{% endif %}

Here is the latest on {{ client }}'s project "{{ project }}":
it is {{ progress }} complete, and the next milestone is "{{ next_milestone }}"{% if next_milestone_date %}, due {{ next_milestone_date }}{% endif %}.

The detailed plan is always in the client portal:
{{ portal_link }}

If you have any questions, just reply to this message.

Best regards,
{{ owner|default:"The project team" }}""",
    ),
}


def create_default_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("comms", "MessageTemplate")
    for kind, (name, subject_zh, body_zh, subject_en, body_en) in DEFAULT_TEMPLATES.items():
        if MessageTemplate.objects.filter(kind=kind, is_default=True).exists():
            continue
        MessageTemplate.objects.create(
            name=name,
            kind=kind,
            subject_zh=subject_zh,
            body_zh=body_zh,
            subject_en=subject_en,
            body_en=body_en,
            is_default=True,
        )


def delete_default_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("comms", "MessageTemplate")
    for kind, (name, *_words) in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.filter(kind=kind, name=name).delete()


class Migration(migrations.Migration):
    dependencies = [("comms", "0006_communication_plan")]

    operations = [migrations.RunPython(create_default_templates, delete_default_templates)]
