"""Templating (check, render, the variables from a real project, HTML) and the message
template services (one default per type, stale edits, deletion refused while used), and the
data migration's defaults."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from charter.comms import services_templates as services
from charter.comms import templating
from charter.comms.models import CommunicationItem, CommunicationKind, MessageTemplate
from charter.comms.tests.matrix_templates import MIGRATION, WORDS, make_template, seed_defaults
from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.choices import RiskStatus
from charter.planning.models import Risk, Task

pytestmark = pytest.mark.django_db


def _refusal(text):
    with pytest.raises(ValidationError) as caught:
        templating.check(text)
    return " ".join(caught.value.messages)


# ---- check -----------------------------------------------------------------------------------


def test_check_accepts_every_variable_and_filters():
    templating.check(" ".join(f"{{{{ {name} }}}}" for name in templating.VARIABLES))
    templating.check('{{ project|upper }} {% if open_risks != "0" %}{{ top_risks }}{% endif %}')
    templating.check('{{ owner|default:"项目团队" }} {{ 42 }} {{ "literal" }}')


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{{ projekt }} and {{ progres }}", ["progres", "projekt"]),
        ("{{ project.owner.password }}", ["project.owner.password"]),
        ("{{ client.upper }}", ["client.upper"]),
        ("{{ project|default:secret_key }}", ["secret_key"]),
        ("{% if x %}{{ settings }}{% endif %}", ["settings"]),
    ],
)
def test_check_refuses_unknown_variables_and_names_them(text, named):
    message = _refusal(text)
    assert message.startswith("Unknown variables:")
    for name in named:
        assert name in message
    assert "portal_link" in message  # and says which ones it knows


@pytest.mark.parametrize(
    "text", ["{{ project|nosuch }}", "{% if %}x{% endif %}", "{% load i18n %}", "{% blah %}"]
)
def test_check_refuses_syntax_errors(text):
    assert _refusal(text).startswith("This template cannot be read:")


@pytest.mark.parametrize("text", ['{% include "base.html" %}', "{% url 'no-such-page' %}"])
def test_check_refuses_what_would_fail_only_when_sent(text):
    assert _refusal(text).startswith("This template cannot be read:")


# ---- render ----------------------------------------------------------------------------------


def _context(**values):
    return {name: values.get(name, f"<{name}>") for name in templating.VARIABLES}


@pytest.mark.parametrize(
    ("language", "chinese"),
    [
        ("zh", True),
        ("zh-hans", True),
        ("zh-CN", True),
        ("ZH-Hant", True),
        ("en", False),
        ("en-us", False),
        ("fr", False),
        ("", False),
    ],
)
def test_render_picks_chinese_for_zh_codes_and_english_otherwise(language, chinese):
    template = MessageTemplate(**WORDS)
    rendered = templating.render(
        template, language=language, context=_context(project="ERP", progress="40%")
    )
    expected = "【ERP】项目周报" if chinese else "ERP: weekly report"
    assert rendered.subject == expected
    assert ("整体进度：40%" if chinese else "Progress: 40%") in rendered.text


def test_render_uses_the_occurrences_own_words_when_given():
    rendered = templating.render(
        MessageTemplate(**WORDS),
        language="en",
        context=_context(project="ERP"),
        subject="Special {{ project }}",
        body="Hello\n\nWorld",
    )
    assert (rendered.subject, rendered.text) == ("Special ERP", "Hello\n\nWorld")
    assert rendered.html == "<p>Hello</p>\n\n<p>World</p>"


def test_text_to_html_escapes_markup_and_links_addresses():
    html = templating.text_to_html(
        '<script>alert("x")</script>\nPlan: https://charter.example.com/projects/1/client-view/'
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://charter.example.com/projects/1/client-view/" rel="nofollow">' in html
    assert "<br>" in html


# ---- the variables from a real project -------------------------------------------------------


@pytest.fixture
def shaped(project):
    """The project with known progress, milestones and risks."""
    phases = list(Task.objects.filter(project=project, parent__isnull=True).order_by("pk"))
    assert len(phases) == 2
    Task.objects.filter(pk=phases[0].pk).update(duration=4800, percent_complete=50)
    Task.objects.filter(pk=phases[1].pk).update(duration=2400, percent_complete=20)
    Task.objects.filter(project=project, is_milestone=True).update(percent_complete=100)
    soon = timezone.now() + datetime.timedelta(days=10)
    for name, finish, done in [
        ("验收完成", soon + datetime.timedelta(days=30), 0),
        ("需求确认", soon, 0),
        ("方案评审", soon - datetime.timedelta(days=20), 100),  # earlier, but finished
        ("待定里程碑", None, 0),  # not scheduled: last
    ]:
        Task.objects.create(
            project=project,
            parent=phases[1],
            name=name,
            is_milestone=True,
            duration=0,
            percent_complete=done,
            finish=finish,
        )
    Risk.objects.create(project=project, title="服务器采购延迟", probability=5, impact=5)
    Risk.objects.create(project=project, title="低风险", probability=1, impact=1)
    Risk.objects.create(
        project=project, title="已关闭的风险", probability=5, impact=5, status=RiskStatus.CLOSED
    )
    project.soon = soon
    return project


def test_the_variables_come_from_the_project(shaped, settings):
    settings.CHARTER_SITE_URL = "https://charter.example.com/"
    facts = templating.project_facts(shaped, base_url=templating.site_url())
    context = templating.context_for(
        facts,
        language="en",
        owner=shaped.manager,
        recipient="Wang Fang",
        on=datetime.date(2026, 12, 4),
    )
    assert all(isinstance(value, str) for value in context.values())
    assert set(context) == set(templating.VARIABLES)
    assert context["progress"] == "40%"  # (50 × 4800 + 20 × 2400) / 7200
    assert context["next_milestone"] == "需求确认"
    assert context["next_milestone_date"] == templating._date(shaped.soon)
    assert context["open_risks"] == "4"  # the template's two, and two more; not the closed one
    assert context["top_risks"] == "- 服务器采购延迟\n- 需求变更频繁\n- 关键用户投入不足"
    assert context["portal_link"] == (
        f"https://charter.example.com/projects/{shaped.pk}/client-view/"
    )
    assert context["project"] == shaped.name and context["project_code"] == shaped.code
    assert context["client"] == str(shaped.client)
    assert context["owner"] == str(shaped.manager)
    assert (context["recipient"], context["date"]) == ("Wang Fang", "Dec. 4, 2026")


def test_the_context_is_written_in_the_language(shaped):
    facts = templating.project_facts(shaped, base_url="https://charter.example.com/")
    Task.objects.filter(project=shaped, is_milestone=True).update(percent_complete=100)
    Risk.objects.filter(project=shaped).update(status=RiskStatus.CLOSED)
    empty = templating.project_facts(shaped, base_url="https://charter.example.com/")
    chinese = templating.context_for(
        facts, language="zh-hans", owner=None, recipient="", on=datetime.date(2026, 12, 4)
    )
    assert chinese["date"] == "2026年12月4日"
    english = templating.context_for(empty, language="en", owner=None, recipient="", on=None)
    assert (english["next_milestone"], english["next_milestone_date"]) == ("none left", "")
    assert (english["open_risks"], english["top_risks"]) == ("0", "none")
    assert english["owner"] == english["date"] == ""


def test_the_default_status_report_reads_well_in_both_languages(shaped):
    seed_defaults()
    template = MessageTemplate.objects.get(kind="status_report", is_default=True)
    facts = templating.project_facts(shaped, base_url="https://charter.example.com/")
    on = datetime.date(2026, 12, 4)
    for language, expected in [
        ("zh-hans", ["王芳，您好：", "整体进度：40%", "需求确认", "服务器采购延迟", "4 项"]),
        ("en", ["Dear 王芳,", "Progress: 40% complete", "Open risks: 4", "- 需求变更频繁"]),
    ]:
        context = templating.context_for(
            facts, language=language, owner=shaped.manager, recipient="王芳", on=on
        )
        rendered = templating.render(template, language=language, context=context)
        for words in expected:
            assert words in rendered.text, (language, words)
        assert shaped.name in rendered.subject
        assert f'href="https://charter.example.com/projects/{shaped.pk}/client-view/"' in (
            rendered.html
        )


# ---- the data migration ----------------------------------------------------------------------


def test_the_data_migration_leaves_exactly_one_default_per_kind():
    seed_defaults()  # a no-op unless a transactional test flushed the migration's rows
    defaults = MessageTemplate.objects.filter(is_default=True)
    assert sorted(defaults.values_list("kind", flat=True)) == sorted(CommunicationKind.values)
    for template in MessageTemplate.objects.all():
        services.check_words(**{name: getattr(template, name) for name in services.WORD_FIELDS})
        assert "{{ portal_link }}" in template.body_zh and "{{ portal_link }}" in template.body_en
    MIGRATION.delete_default_templates(apps, None)
    assert not MessageTemplate.objects.exists()
    MIGRATION.create_default_templates(apps, None)
    MIGRATION.create_default_templates(apps, None)  # idempotent
    assert MessageTemplate.objects.filter(is_default=True).count() == len(CommunicationKind)


# ---- services --------------------------------------------------------------------------------


def test_making_one_default_undefaults_the_previous(users):
    seed_defaults()
    seeded = MessageTemplate.objects.get(kind="status_report", is_default=True)
    first = make_template(name="周报 A", is_default=True)
    seeded.refresh_from_db()
    assert not seeded.is_default and seeded.version == 2
    second = make_template(name="周报 B")
    services.set_default(second, actor=users["manager"])
    first.refresh_from_db()
    assert not first.is_default
    for kind in CommunicationKind.values:
        assert MessageTemplate.objects.filter(kind=kind, is_default=True).count() == 1
    assert AuditEvent.objects.filter(object_id=str(first.pk), action="updated").exists()
    # An editor who loaded the first while it was the default cannot quietly restore it.
    with pytest.raises(StaleEdit):
        services.update_template(first, actor=users["manager"], expected_version=1, is_default=True)


def test_a_stale_edit_is_refused_and_writes_nothing(users):
    template = make_template()
    services.update_template(template, actor=users["manager"], expected_version=1, name="新名")
    with pytest.raises(StaleEdit):
        services.update_template(
            template, actor=users["manager"], expected_version=1, name="旧的编辑"
        )
    template.refresh_from_db()
    assert (template.name, template.version) == ("新名", 2)


def test_words_are_checked_field_by_field(users):
    with pytest.raises(ValidationError) as caught:
        make_template(body_zh="{{ 进度 }}", subject_en="{{ project|x }}", name="  ")
    assert set(caught.value.message_dict) == {"body_zh", "subject_en", "name"}
    assert not MessageTemplate.objects.filter(name="").exists()


def test_delete_is_refused_while_plan_items_use_it(project, users):
    seed_defaults()
    template = make_template(name="专用模板", kind="custom")
    item = CommunicationItem.objects.get(project=project)  # from the project template
    assert item.kind == "custom" and item.template is None
    CommunicationItem.objects.filter(pk=item.pk).update(template=template)
    with pytest.raises(ValidationError) as caught:
        services.delete_template(template, actor=users["manager"])
    assert project.code in caught.value.messages[0]
    # Nor may its type change under the item.
    with pytest.raises(ValidationError) as caught:
        services.update_template(
            template, actor=users["manager"], expected_version=1, kind="meeting"
        )
    assert set(caught.value.message_dict) == {"kind"}
    CommunicationItem.objects.filter(pk=item.pk).update(template=None)
    services.delete_template(template, actor=users["manager"])
    assert not MessageTemplate.objects.filter(pk=template.pk).exists()
    assert AuditEvent.objects.filter(object_id=str(template.pk), action="deleted").exists()


def test_the_default_stays_while_items_rely_on_it(project, users):
    seed_defaults()
    default = MessageTemplate.objects.get(kind="custom", is_default=True)
    assert services.projects_using(default) == [project]
    with pytest.raises(ValidationError) as caught:
        services.delete_template(default, actor=users["manager"])
    assert project.code in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        services.update_template(
            default, actor=users["manager"], expected_version=1, is_default=False
        )
    assert set(caught.value.message_dict) == {"is_default"}
    other = make_template(name="新的默认", kind="custom")
    services.set_default(other, actor=users["manager"])
    default.refresh_from_db()
    services.delete_template(default, actor=users["manager"])
    assert templating.template_for(CommunicationItem.objects.get(project=project)) == other


def test_the_preview_fills_in_sample_values_without_a_project(users):
    template = MessageTemplate(**WORDS)
    english = services.preview(template, language="en", owner=users["manager"])
    assert english.subject == "Sample project: weekly report"
    assert "Progress: 42%" in english.text
    chinese = services.preview(template, language="zh-CN", owner=users["manager"])
    assert chinese.subject.startswith("【") and "整体进度：42%" in chinese.text
