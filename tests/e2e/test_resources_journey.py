"""Issue 7's journey in a real browser: the manager says what a task needs, assigns a generic
resource to it and replaces it with a person, puts the same person on a second task at the
same time, sees the over-allocation on the heat map, levels the plan (proposal, review, apply)
and sees the red cells gone; the person books hours on the task for its week and submits them,
the manager approves, and the Budget tab shows the labour actual at the person's rate.

Run once in English and once in Chinese. Made with the ORM only what a user would have before:
the converted project (from a template of two unlinked five-day tasks in the run's language),
the member on its team, a role, the member's resource with a rate and a generic resource of
that role. Everything else goes through the pages.

The project starts on Tuesday 2026-12-01 (the planning factories' START): both tasks run
Tuesday to the next Monday, so the person is asked for twice their time in the week of
2026-11-30 until leveling puts one task after the other.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.core.templatetags.charter import money
from charter.crm.models import Client
from charter.planning.models import Project, Task
from charter.planning.services.templates import PhaseSpec, TaskSpec, TemplateContent
from charter.planning.tests.factories import START, make_project, make_template
from charter.resources.choices import CostCategory, ProposalStatus, ResourceKind
from charter.resources.models import Assignment, Resource, TaskNeed
from charter.resources.models import Role as ResourceRole
from charter.resources.models.leveling import LevelingProposal
from charter.resources.models.timesheets import Timesheet
from charter.testing.browser import accept_dialogs, sign_out, task_named

pytestmark = pytest.mark.e2e

MANAGER, MEMBER = str(Role.MANAGER), str(Role.MEMBER)
RATE = Decimal(200)  # the member's standard rate, per hour
TASK_DAYS = 5
NEED_HOURS = 40
BOOKED = {1: "8", 2: "6.5"}  # hours on Tuesday and Wednesday (day 0 is the Monday)
WEEK = START - datetime.timedelta(days=START.weekday())  # the Monday of the tasks' first week
HEAT_WEEKS = 4

Screenshot = Callable[..., Path]

# The budget chart's cumulative actual per month, once Chart.js has finished animating it.
CHART_DRAWN_JS = """() => {
    const chart = window.Chart && Chart.getChart(document.querySelector("[data-budget-chart]"));
    if (!chart || Chart.animator.running(chart)) return null;
    return chart.data.datasets[1].data;
}"""


@dataclass(frozen=True)
class Run:
    language: str
    project: str
    phase: str
    first: str  # the task with the need, first given the generic resource
    second: str  # the task the person is also put on
    role: str
    person: str
    placeholder: str

    def template(self) -> TemplateContent:
        return TemplateContent(
            phases=(
                PhaseSpec(
                    self.phase,
                    (TaskSpec(self.first, TASK_DAYS), TaskSpec(self.second, TASK_DAYS)),
                ),
            )
        )


RUNS = [
    Run(
        language="en",
        project="Order platform rebuild",
        phase="Build",
        first="Order service API",
        second="Data migration scripts",
        role="Backend engineer",
        person="Li Lei",
        placeholder="Backend engineer (to be named)",
    ),
    Run(
        language="zh-hans",
        project="订单平台重构",
        phase="系统开发",
        first="订单服务接口",
        second="数据迁移脚本",
        role="后端工程师",
        person="李雷",
        placeholder="后端工程师（待定）",
    ),
]


# ---- finding things --------------------------------------------------------------------------


def open_task(page: Page, task: Task) -> None:
    page.goto(task.get_absolute_url())
    expect(page.get_by_test_id("task-assignments")).to_be_visible()


def flash(page: Page) -> Locator:
    return page.locator(".alert-success")


def heat_row(page: Page, resource: Resource) -> Locator:
    return page.get_by_test_id("utilisation-row").filter(
        has=page.get_by_role("link", name=resource.name, exact=True)
    )


def open_heat_map(page: Page, project: Project) -> None:
    page.goto(
        f"{reverse('resources:utilisation')}?start={WEEK.isoformat()}"
        f"&weeks={HEAT_WEEKS}&project={project.pk}"
    )
    expect(page.get_by_test_id("utilisation-table")).to_be_visible()


def plan_tab(page: Page, href: str) -> Locator:
    """A page of the project's "Resources and budget" group, opened from another group."""
    tabs = page.get_by_test_id("plan-tabs")
    tabs.locator('a[data-tab-group="resources"]').click()
    return tabs.locator(f'a[href="{href}"]')


# ---- the steps -------------------------------------------------------------------------------


def add_need(page: Page, run: Run, task: Task, person: Resource) -> None:
    """The task page's Needs panel: the role for NEED_HOURS hours; the person is a candidate
    with the role's badge."""
    open_task(page, task)
    form = page.get_by_test_id("need-form")
    form.locator("#id_need-role").select_option(label=run.role)
    form.locator("#id_need-effort_hours").fill(str(NEED_HOURS))
    form.locator("button").click()
    needs = page.get_by_test_id("task-needs")
    expect(needs.locator("[data-need]")).to_have_count(1)
    expect(needs.locator("[data-need]")).to_contain_text(run.role)
    candidates = needs.get_by_test_id("candidates")
    candidate = candidates.locator("tbody tr").filter(has_text=person.name)
    expect(candidate).to_have_count(1)
    expect(candidate.locator(".badge")).to_contain_text(run.role)
    # Generic resources stand for nobody yet: they are never candidates.
    expect(candidates).not_to_contain_text(run.placeholder)


def assign(page: Page, task: Task, resource: Resource) -> None:
    """The task page's assignments card: the resource at 100%, work from the duration."""
    open_task(page, task)
    form = page.get_by_test_id("assign-form")
    form.locator("select[name=resource]").select_option(label=resource.name)
    expect(form.locator("input[name=units]")).to_have_value("100")
    form.locator("button").click()
    card = page.get_by_test_id("task-assignments")
    expect(card.locator("tr[data-assignment]").filter(has_text=resource.name)).to_have_count(1)


def assign_from_needs_tab(page: Page, project: Project, task: Task, person: Resource) -> None:
    """The project's Needs tab lists the task's need as short; its candidates open under the
    row and "Assign" comes back to the tab with the need staffed."""
    need = TaskNeed.objects.get(task=task)
    tab = reverse("resources:project_needs", args=[project.pk])
    page.goto(tab)
    row = page.get_by_test_id("needs-staffing").locator(f'tr[data-need="{need.pk}"]')
    expect(row).to_have_attribute("data-short", "")
    row.get_by_test_id("show-candidates").click()
    candidate = (
        page.locator(f"#candidates-{need.pk}")
        .get_by_test_id("candidates")
        .locator("tbody tr")
        .filter(has_text=person.name)
    )
    candidate.get_by_test_id("need-assign").click()
    expect(page).to_have_url(re.compile(re.escape(tab) + "$"))
    expect(flash(page).first).to_be_visible()
    expect(row).not_to_have_attribute("data-short", "")


def replace_placeholder(page: Page, run: Run, person: Resource) -> None:
    """On the same task page: "Replace with a person" in the Needs panel's generic resources."""
    placeholders = page.get_by_test_id("placeholders")
    expect(placeholders).to_contain_text(run.placeholder)
    placeholders.locator("select[name=person]").select_option(label=person.name)
    placeholders.get_by_test_id("replace").click()
    expect(page.get_by_test_id("placeholders")).to_have_count(0)
    rows = page.get_by_test_id("task-assignments").locator("tr[data-assignment]")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(person.name)


def check_over_allocated(page: Page, person: Resource) -> None:
    row = heat_row(page, person)
    expect(row).to_have_count(1)
    cells = row.get_by_test_id("utilisation-cell")
    expect(cells).to_have_count(HEAT_WEEKS)
    expect(cells.nth(0)).to_have_attribute("data-level", "over")
    expect(cells.nth(0)).to_have_class(re.compile(r"\bbg-red\b"))
    expect(row.locator('[data-level="over"]')).to_have_count(1)


def level(page: Page, project: Project, screenshot: Screenshot, language: str) -> None:
    """The Leveling tab → propose (fast, within the project) → review → apply."""
    page.goto(reverse("planning:plan", args=[project.pk]))
    plan_tab(page, reverse("resources:leveling", args=[project.pk])).click()
    form = page.get_by_test_id("leveling-form")
    expect(form.locator("#id_mode")).to_have_value("fast")
    expect(form.locator("#id_scope")).to_have_value("project")
    screenshot(page, MANAGER, language, "leveling-form")
    form.get_by_test_id("leveling-propose").click()
    expect(page).to_have_url(re.compile(r"/leveling/\d+/$"))
    # The test task backend ran the proposal while the request was served.
    summary = page.get_by_test_id("leveling-summary")
    expect(summary).to_be_visible()
    moves = page.get_by_test_id("leveling-moves").locator("tbody tr")
    expect(moves).to_have_count(1)
    expect(page.get_by_test_id("leveling-gantt")).to_be_visible()
    screenshot(page, MANAGER, language, "leveling-review")
    asked = accept_dialogs(page)
    page.get_by_test_id("leveling-apply").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.get_by_test_id("leveling-apply")).to_have_count(0)
    assert len(asked) == 1, asked


def book_hours(page: Page, task: Task) -> None:
    """My timesheet for the tasks' week: add the task's row, type the hours, save, submit."""
    page.goto(f"{reverse('resources:timesheet_week')}?week={WEEK.isoformat()}")
    form = page.get_by_test_id("timesheet-form")
    form.get_by_test_id("add-task").select_option(str(task.pk))
    form.locator('button[name="action"][value="add"]').click()
    row = page.get_by_test_id("timesheet-row").filter(has_text=task.name)
    expect(row).to_have_count(1)
    for day, hours in BOOKED.items():
        row.locator(f'input[name$="_{day}"][type="number"]').fill(hours)
    page.get_by_test_id("save-timesheet").click()
    expect(flash(page)).to_be_visible()
    expect(page.get_by_test_id("week-total")).to_have_text(hours_text(booked_hours()))
    page.get_by_test_id("submit-timesheet").click()
    expect(page.get_by_test_id("timesheet-form")).to_have_count(0)
    expect(page.get_by_test_id("timesheet-grid")).to_be_visible()


def booked_hours() -> Decimal:
    return sum((Decimal(hours) for hours in BOOKED.values()), Decimal(0))


def hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def approve(page: Page, member: User) -> None:
    page.goto(reverse("resources:timesheet_to_approve"))
    table = page.get_by_test_id("to-approve-table")
    row = table.locator("tbody tr").filter(has_text=str(member))
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).to_have_text(hours_text(booked_hours()))
    row.locator('a[href$="/approve/"]').click()
    expect(page.get_by_test_id("timesheet-approve")).to_be_visible()
    page.get_by_test_id("timesheet-approve").locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(reverse("resources:timesheet_to_approve")) + "$"))
    expect(flash(page).first).to_be_visible()


def check_budget(page: Page, project: Project, language: str) -> None:
    page.goto(reverse("planning:plan", args=[project.pk]))
    plan_tab(page, reverse("resources:project_budget", args=[project.pk])).click()
    summary = page.get_by_test_id("budget-summary")
    with translation.override(language):
        labour = str(CostCategory.LABOUR.label)
        actual = money(booked_hours() * RATE)
    row = summary.locator("tbody tr").filter(has_text=labour)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text(actual)
    expect(summary.locator("tfoot tr").first.locator("td").nth(2)).to_have_text(actual)
    # The chart's cumulative actual reaches the same amount, once it has finished drawing.
    drawn = page.wait_for_function(CHART_DRAWN_JS)
    assert drawn.json_value() == [float(booked_hours() * RATE)]


# ---- the journey -----------------------------------------------------------------------------


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.language)
def test_needs_to_budget(
    page: Page,
    users: dict[Role, User],
    client_org: Client,
    run: Run,
    screenshot: Screenshot,
    sign_in: Callable[[str], None],
    switch_language: Callable[[str], None],
) -> None:
    manager, member = users[Role.MANAGER], users[Role.MEMBER]
    template = make_template(
        actor=manager,
        content=run.template(),
        name=f"{run.phase} ({run.language})",
        language=run.language,
    )
    project = make_project(client_org, manager=manager, template=template)
    Project.objects.filter(pk=project.pk).update(name=run.project)  # named after the deal
    project.refresh_from_db()
    project.members.add(member)
    role = ResourceRole.objects.create(name=run.role)
    person = Resource.objects.create(
        name=run.person, kind=ResourceKind.WORK, user=member, standard_rate=RATE, role=role
    )
    placeholder = Resource.objects.create(
        name=run.placeholder, kind=ResourceKind.WORK, role=role, is_placeholder=True
    )
    first, second = task_named(project, run.first), task_named(project, run.second)
    assert first.start == second.start  # unlinked: both start with the project

    sign_in(manager.username)
    switch_language(run.language)

    add_need(page, run, first, person)
    assert TaskNeed.objects.filter(task=first, role=role).count() == 1
    screenshot(page, MANAGER, run.language, "need")
    assign(page, first, placeholder)
    screenshot(page, MANAGER, run.language, "placeholder")
    replace_placeholder(page, run, person)
    screenshot(page, MANAGER, run.language, "replaced")
    add_need(page, run, second, person)
    assign_from_needs_tab(page, project, second, person)
    screenshot(page, MANAGER, run.language, "staffed")
    assert set(
        Assignment.objects.filter(task__project=project).values_list("resource", flat=True)
    ) == {person.pk}

    open_heat_map(page, project)
    check_over_allocated(page, person)
    screenshot(page, MANAGER, run.language, "over-allocated")

    level(page, project, screenshot, run.language)
    proposal = LevelingProposal.objects.get(project=project)
    assert proposal.status == ProposalStatus.APPLIED
    screenshot(page, MANAGER, run.language, "leveled")
    first.refresh_from_db()
    second.refresh_from_db()
    # One task now follows the other.
    assert first.finish <= second.start or second.finish <= first.start

    open_heat_map(page, project)
    row = heat_row(page, person)
    expect(row.get_by_test_id("utilisation-cell")).to_have_count(HEAT_WEEKS)
    expect(row.locator('[data-level="over"]')).to_have_count(0)
    expect(row.locator(".bg-red")).to_have_count(0)
    screenshot(page, MANAGER, run.language, "heat-map-leveled")

    # The task that kept its place runs in the tasks' first week.
    worked = first if first.start <= second.start else second

    sign_out(page)
    sign_in(member.username)
    switch_language(run.language)
    book_hours(page, worked)
    screenshot(page, MEMBER, run.language, "timesheet-submitted")
    assert Timesheet.objects.get(user=member, week_start=WEEK).status == "submitted"

    sign_out(page)
    sign_in(manager.username)
    switch_language(run.language)
    approve(page, member)
    screenshot(page, MANAGER, run.language, "approved")
    assert Timesheet.objects.get(user=member, week_start=WEEK).status == "approved"

    check_budget(page, project, run.language)
    screenshot(page, MANAGER, run.language, "budget")
