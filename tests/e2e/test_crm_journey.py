"""Issue 3's journey in a real browser: client → contact → deal → drag to Won → project.

Run once in English and once in Chinese; the data (client, contact, template texts) is written
in the run's language, as a team would. Chinese labels asserted here are ones the catalogue
translates; the rest of the checks are on structure and data so that a string still waiting for
its translation does not fail the journey.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from charter.accounts.choices import Role
from charter.core.templatetags.charter import money
from charter.crm.choices import Channel, DecisionRole, StageKind
from charter.crm.models import Stage
from charter.planning.choices import RiskResponse
from charter.planning.models import Project
from charter.planning.services.templates import (
    CommunicationSpec,
    PhaseSpec,
    RiskSpec,
    TaskSpec,
    TemplateContent,
    create_template,
)

pytestmark = pytest.mark.e2e

MANAGER = str(Role.MANAGER)


@dataclass(frozen=True)
class Run:
    """One run of the journey: the UI language, the data typed in it, labels expected in it."""

    language: str
    client: str
    contact: str
    contact_title: str
    deal: str
    amount: Decimal
    currency: str
    template: str
    phase: str
    task: str
    communication: str
    audience: str
    frequency: str
    channel: str
    risk: str
    kickoff_step: str
    # Labels the page must show in this language (checked in the catalogue for Chinese).
    pipeline: str
    convert: str
    create_project: str
    register: str
    sponsor: str


RUNS = [
    Run(
        language="en",
        client="Northwind Analytics Ltd",
        contact="Alice Chen",
        contact_title="Head of IT",
        deal="Data platform, phase 1",
        amount=Decimal("128500.00"),
        currency="USD",
        template="Software implementation (journey)",
        phase="Discovery",
        task="On-site interviews",
        communication="Weekly status report",
        audience="Client sponsor",
        frequency="Weekly",
        channel=Channel.EMAIL,
        risk="Key users lack time for workshops",
        kickoff_step="Hold the kickoff meeting",
        pipeline="Pipeline",
        convert="Convert to project",
        create_project="Create the project",
        register="Stakeholder register",
        sponsor="Sponsor",
    ),
    Run(
        language="zh-hans",
        client="杭州青禾数据有限公司",
        contact="王丽",
        contact_title="信息中心主任",
        deal="数据中台一期",
        amount=Decimal("356000.00"),
        currency="CNY",
        template="软件实施（旅程测试）",
        phase="需求调研",
        task="现场访谈",
        communication="项目周报",
        audience="客户发起人",
        frequency="每周",
        channel=Channel.WECOM,
        risk="关键用户没有时间参加研讨会",
        kickoff_step="召开项目启动会",
        pipeline="销售管道",
        convert="转为项目",
        create_project="创建项目",
        register="干系人登记册",
        sponsor="发起人",
    ),
]


def make_template(run: Run, actor) -> int:
    """The project template the wizard offers, written in the run's language; its pk."""
    content = TemplateContent(
        phases=(PhaseSpec(run.phase, (TaskSpec(run.task, duration_days=3),)),),
        communications=(
            CommunicationSpec(run.communication, run.audience, run.frequency, run.channel),
        ),
        risks=(RiskSpec(run.risk, probability=4, impact=3, response=RiskResponse.MITIGATE),),
        checklist=(run.kickoff_step,),
    )
    template = create_template(
        actor=actor, content=content, name=run.template, language=run.language, is_default=True
    )
    return template.pk


def pk_in_url(page: Page, name: str) -> int:
    """Wait for the browser to be on a ``name`` page; the object's pk from its URL."""
    pattern = re.compile(re.escape(reverse(name, args=[999999])).replace("999999", r"(\d+)") + "$")
    expect(page).to_have_url(pattern)
    return int(pattern.search(page.url).group(1))


def add_client(page: Page, run: Run) -> int:
    page.goto(reverse("crm:client_create"))
    form = page.get_by_test_id("client-form")
    form.locator("#id_name").fill(run.client)
    form.locator('button[type="submit"]').click()
    client_id = pk_in_url(page, "crm:client_detail")
    expect(page.locator("h2.page-title")).to_contain_text(run.client)
    return client_id


def add_contact(page: Page, run: Run, client_id: int) -> int:
    """From the client's page, a sponsor with much influence and interest."""
    page.locator(f'a[href="{reverse("crm:contact_create")}?client={client_id}"]').click()
    form = page.get_by_test_id("contact-form")
    expect(form.locator("#id_client")).to_have_value(str(client_id))
    form.locator("#id_name").fill(run.contact)
    form.locator("#id_title").fill(run.contact_title)
    form.locator("#id_decision_role").select_option(DecisionRole.SPONSOR.value)
    form.locator("#id_influence").select_option("5")
    form.locator("#id_interest").select_option("4")
    form.locator('button[type="submit"]').click()
    return pk_in_url(page, "crm:contact_detail")


def add_deal(page: Page, run: Run, client_id: int) -> int:
    """From the board's "Add opportunity", a deal in the Proposal stage."""
    proposal = Stage.objects.get(name_en="Proposal")
    page.goto(reverse("crm:pipeline"))
    page.locator(f'a[href="{reverse("crm:opportunity_create")}"]').first.click()
    form = page.get_by_test_id("opportunity-form")
    form.locator("#id_client").select_option(str(client_id))
    form.locator("#id_title").fill(run.deal)
    form.locator("#id_amount").fill(str(run.amount))
    form.locator("#id_currency").select_option(run.currency)
    form.locator("#id_stage").select_option(str(proposal.pk))
    form.locator('button[type="submit"]').click()
    return pk_in_url(page, "crm:opportunity_detail")


def column(page: Page, kind: str):
    return page.locator(f'[data-testid="column"][data-stage-kind="{kind}"]')


def drag_to_won(page: Page, run: Run, deal_id: int, screenshot) -> None:
    page.goto(reverse("crm:pipeline"))
    expect(page.locator("h2.page-title")).to_have_text(run.pipeline)
    card = page.locator(f"#deal-{deal_id}")
    won = column(page, StageKind.WON)
    expect(column(page, StageKind.OPEN).locator(f"#deal-{deal_id}")).to_be_visible()
    expect(won.locator(f"#deal-{deal_id}")).to_have_count(0)
    screenshot(page, MANAGER, run.language, "board-before")

    # The board scrolls sideways: scroll it with the wheel until the card and the Won column
    # both show, then grab the card by its top edge (not its link or menu) and drop it.
    page.get_by_test_id("kanban").hover()
    page.mouse.wheel(500, 0)
    expect(card).to_be_in_viewport(ratio=1)
    expect(won).to_be_in_viewport(ratio=1)
    card.drag_to(won.locator(".kanban-cards"), source_position={"x": 6, "y": 6})

    expect(won.locator(f"#deal-{deal_id}")).to_be_visible()
    expect(won.locator(f"#deal-{deal_id} select[name=stage]")).to_have_value(
        str(Stage.objects.get(kind=StageKind.WON).pk)
    )
    screenshot(page, MANAGER, run.language, "board-after")
    page.reload()
    expect(won.locator(f"#deal-{deal_id}")).to_be_visible()
    expect(column(page, StageKind.OPEN).locator(f"#deal-{deal_id}")).to_have_count(0)


def convert(page: Page, run: Run, deal_id: int, choices: dict[str, object], screenshot) -> None:
    """From the deal's page through the wizard (``choices``: template, manager and start);
    ends on the new project's page."""
    column(page, StageKind.WON).locator(f"#deal-{deal_id}-title").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("crm:opportunity_detail", args=[deal_id])))
    )
    button = page.get_by_test_id("convert")
    expect(button).to_contain_text(run.convert)
    button.click()

    form = page.get_by_test_id("convert-form")
    form.locator("#id_template").select_option(str(choices["template"]))
    expect(page.get_by_test_id("template-preview")).to_contain_text(run.phase)
    form.locator("#id_manager").select_option(str(choices["manager"]))
    form.locator("#id_start_date").fill(choices["start"].isoformat())
    stakeholders = page.get_by_test_id("stakeholder-choice")
    stakeholders.get_by_label(run.contact).check()
    stakeholders.locator("tr", has_text=run.contact).locator("select").select_option(
        DecisionRole.SPONSOR.value
    )
    expect(form.locator("#id_budget")).to_have_value(re.compile(r"^" + re.escape(str(run.amount))))
    screenshot(page, MANAGER, run.language, "wizard")
    submit = page.get_by_test_id("convert-submit")
    expect(submit).to_contain_text(run.create_project)
    submit.click()
    pk_in_url(page, "planning:project_detail")


def check_project(page: Page, run: Run, start: datetime.date) -> None:
    stakeholders = page.get_by_test_id("stakeholders")
    expect(stakeholders.locator(".card-title")).to_have_text(run.register)
    row = stakeholders.locator("tbody tr", has_text=run.contact)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(run.contact_title)
    expect(row).to_contain_text(run.sponsor)

    with translation.override(run.language):
        budget = money(run.amount, run.currency)  # "USD 128,500.00", grouped per language
        shown_start = formats.date_format(start, "SHORT_DATE_FORMAT")
    assert run.currency in budget
    expect(page.get_by_test_id("budget")).to_have_text(budget)
    expect(page.get_by_test_id("project-header")).to_contain_text(shown_start)
    expect(page.get_by_test_id("project-header")).to_contain_text(run.client)
    expect(page.get_by_test_id("project-header")).to_contain_text(run.deal)

    expect(page.get_by_test_id("phases")).to_contain_text(run.phase)
    communications = page.get_by_test_id("communications").locator("tbody tr")
    expect(communications).to_have_count(1)
    for text in (run.communication, run.audience, run.frequency):
        expect(communications).to_contain_text(text)
    risks = page.get_by_test_id("risks").locator("tbody tr")
    expect(risks).to_have_count(1)
    expect(risks).to_contain_text(run.risk)
    expect(risks).to_contain_text("12")  # score = 4 × 3
    expect(page.get_by_test_id("kickoff")).to_contain_text(run.kickoff_step)
    page.get_by_test_id("phases").get_by_role("link").click()
    expect(page.get_by_test_id("plan")).to_contain_text(run.task)


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.language)
def test_won_deal_becomes_a_project(
    page: Page, users, run: Run, screenshot, sign_in, switch_language
):
    manager = users[Role.MANAGER]
    template_id = make_template(run, manager)
    start = datetime.date.today() + datetime.timedelta(days=14)

    sign_in(manager.username)
    switch_language(run.language)

    client_id = add_client(page, run)
    screenshot(page, MANAGER, run.language, "client")
    add_contact(page, run, client_id)
    screenshot(page, MANAGER, run.language, "contact")
    deal_id = add_deal(page, run, client_id)
    screenshot(page, MANAGER, run.language, "deal")
    drag_to_won(page, run, deal_id, screenshot)
    choices = {"template": template_id, "manager": manager.pk, "start": start}
    convert(page, run, deal_id, choices, screenshot)
    check_project(page, run, start)
    screenshot(page, MANAGER, run.language, "project")

    project = Project.objects.get(opportunity_id=deal_id)
    assert (project.budget, project.currency) == (run.amount, run.currency)
    assert project.start_date == start
    assert project.manager == manager


def test_client_user_is_kept_out_of_the_crm(page: Page, users, screenshot, sign_in):
    sign_in(users[Role.CLIENT].username)
    for name in ("crm:client_list", "crm:pipeline", "planning:project_list"):
        response = page.goto(reverse(name))
        assert response.status == 403, name
        expect(page.get_by_test_id("error-403")).to_be_visible()
        screenshot(page, str(Role.CLIENT), "en", name.replace(":", "-"))
