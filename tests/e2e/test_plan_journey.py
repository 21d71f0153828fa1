"""Issue 5's journey in a real browser: the plan of a converted project → two new tasks → a link
made on the task page and one drawn on the Gantt chart → the critical path → a baseline → a bar
dragged a week later and a task lengthened in the table → the variance, on the Baselines tab and
on the plan with the baseline chosen.

Run once in English and once in Chinese. Only the converted project (from a template written in
the run's language) is made with the ORM; everything else goes through the pages. Dates are
checked against what the scheduler stored, formatted the way the page formats them.

The project starts on Tuesday 2026-12-01 (the planning factories' START) and the plan stays in
December, clear of public holidays, so every move in working days is exact: dragging a bar by
seven calendar days moves it five working days.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import Locator, Page, expect

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.crm.models import Client
from charter.planning.forms.plan import minutes_to_days
from charter.planning.models import Project, Task
from charter.planning.services.templates import PhaseSpec, TaskSpec, TemplateContent
from charter.planning.tests.factories import make_project, make_template
from charter.testing.browser import task_named

pytestmark = pytest.mark.e2e

MANAGER = str(Role.MANAGER)
WEEK_IN_DAYS = 7
WORKING_DAYS_IN_A_WEEK = 5
LENGTHENED_BY = 2  # working days added to the first new task in the table

Screenshot = Callable[..., Path]  # the conftest's ``screenshot(page, role, lang, step)``


@dataclass(frozen=True)
class Run:
    """One run of the journey: the UI language, the data typed in it, labels expected in it."""

    language: str
    project: str
    initiation: str  # the template's first phase: a milestone, then a 3-day task
    kickoff: str
    draft_plan: str
    phase: str  # the template's second phase, with one 5-day task
    interviews: str
    design: str  # new, 5 days, top level
    build: str  # new, 10 days, under ``phase``
    baseline_name: str
    # Labels the pages must show in this language (checked in the catalogue for Chinese).
    open_plan: str
    plan: str
    new_task: str
    add_task: str
    add_predecessor: str
    link_added: str
    link_on_chart: str
    baselines: str
    save_baseline: str
    finish_variance: str

    def template(self) -> TemplateContent:
        return TemplateContent(
            phases=(
                PhaseSpec(
                    self.initiation,
                    (TaskSpec(self.kickoff, 0, True), TaskSpec(self.draft_plan, 3)),
                ),
                PhaseSpec(self.phase, (TaskSpec(self.interviews, 5),)),
            )
        )


RUNS = [
    Run(
        language="en",
        project="Data platform, phase 1",
        initiation="Initiation",
        kickoff="Kickoff meeting",
        draft_plan="Draft the project plan",
        phase="Discovery",
        interviews="Key user interviews",
        design="Solution design",
        build="Build the data platform",
        baseline_name="Plan confirmed by the client",
        open_plan="Open the plan",
        plan="Plan",
        new_task="New task",
        add_task="Add task",
        add_predecessor="Add predecessor",
        link_added="Link added",
        link_on_chart="Link on the chart",
        baselines="Baselines",
        save_baseline="Save the plan as this baseline",
        finish_variance="Finish var.",
    ),
    Run(
        language="zh-hans",
        project="数据中台一期",
        initiation="启动",
        kickoff="项目启动会",
        draft_plan="制定项目计划",
        phase="需求调研",
        interviews="关键用户访谈",
        design="方案设计",
        build="数据平台搭建",
        baseline_name="客户确认的计划",
        open_plan="打开计划",
        plan="计划",
        new_task="新任务",
        add_task="添加任务",
        add_predecessor="添加前置任务",
        link_added="依赖关系已添加",
        link_on_chart="在图上连接",
        baselines="基准",
        save_baseline="将计划保存为此基准",
        finish_variance="完成偏差",
    ),
]


# ---- finding things on the plan page ---------------------------------------------------------


def row(page: Page, task: Task) -> Locator:
    return page.locator(f"#task-{task.pk}")


def cell(page: Page, task: Task, column: str) -> Locator:
    return row(page, task).locator(f'td[data-col="{column}"]')


def bar(page: Page, task: Task) -> Locator:
    return page.get_by_test_id("gantt").locator(f'g.gantt-bar[data-task="{task.pk}"]')


def plan_tab(page: Page, label: str) -> Locator:
    return page.get_by_test_id("plan-tabs").get_by_role("link", name=label, exact=True)


def shown_date(moment: datetime.datetime | None, language: str) -> str:
    assert moment is not None, "a scheduled task has a start and a finish"
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment).date(), "SHORT_DATE_FORMAT")


def expect_row_dates(page: Page, task: Task, language: str) -> None:
    """The row shows the task's scheduled start and finish."""
    task.refresh_from_db()
    expect(cell(page, task, "start")).to_have_text(shown_date(task.start, language))
    expect(cell(page, task, "finish")).to_have_text(shown_date(task.finish, language))


def bar_span(page: Page, task: Task) -> tuple[float, float]:
    """Left and right edges of the task's bar on the chart, in SVG units."""
    shape = bar(page, task).locator("rect.gantt-shape")
    x = float(shape.get_attribute("x") or "nan")
    return x, x + float(shape.get_attribute("width") or "nan")


# ---- the steps -------------------------------------------------------------------------------


def open_plan(page: Page, run: Run, project: Project) -> None:
    page.goto(reverse("planning:project_detail", args=[project.pk]))
    page.get_by_test_id("phases").get_by_role("link", name=run.open_plan).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("planning:plan", args=[project.pk]))))
    expect(page.get_by_test_id("plan")).to_contain_text(run.draft_plan)


def add_task(page: Page, run: Run, name: str, days: int, under: Task | None = None) -> None:
    """Through the quick form under the table; the plan redraws with the new row."""
    form = page.locator("form", has=page.get_by_label(run.new_task, exact=True))
    form.get_by_label(run.new_task, exact=True).fill(name)
    form.locator("#new-task-duration").fill(str(days))
    if under is not None:
        form.locator("#new-task-parent").select_option(str(under.pk))
    form.get_by_role("button", name=run.add_task).click()
    expect(page.get_by_test_id("plan").locator("tr[data-task]", has_text=name)).to_have_count(1)
    # The form is drawn again, empty, for the next task.
    expect(page.get_by_label(run.new_task, exact=True)).to_have_value("")


def link_on_task_page(
    page: Page, run: Run, predecessor: Task, successor: Task, screenshot: Screenshot
) -> None:
    """From the successor's row to its page, "Add predecessor" (finish-to-start, no lag), and
    back to the plan by the page's pretitle link."""
    row(page, successor).get_by_role("link", name=successor.name).click()
    expect(page).to_have_url(re.compile(re.escape(successor.get_absolute_url()) + "$"))
    links = page.get_by_test_id("task-links")
    links.locator("#id_predecessor").select_option(str(predecessor.pk))
    expect(links.locator("#id_type")).to_have_value("FS")
    links.get_by_role("button", name=run.add_predecessor).click()
    expect(page.locator(".alert")).to_contain_text([run.link_added])
    expect(links.get_by_role("link", name=predecessor.name)).to_be_visible()
    screenshot(page, MANAGER, run.language, "task-page")
    page.locator(".page-pretitle a").click()
    expect(page.get_by_test_id("gantt")).to_be_visible()


def link_on_chart(
    page: Page, run: Run, predecessor: Task, successor: Task, screenshot: Screenshot
) -> None:
    """Press "Link on the chart", click the predecessor's bar, then the successor's."""
    button = page.get_by_role("button", name=run.link_on_chart)
    button.click()
    expect(button).to_have_class(re.compile(r"\bactive\b"))
    bar(page, predecessor).locator(".gantt-shape").click()
    expect(bar(page, predecessor)).to_have_class(re.compile(r"\bgantt-picked\b"))
    screenshot(page, MANAGER, run.language, "linking")
    # Read before the click: the test's database reads must not overlap the server's write
    # (the live server shares the test's SQLite database).
    wbs = Task.objects.get(pk=predecessor.pk).wbs
    bar(page, successor).locator(".gantt-shape").click()
    # The plan is redrawn with the link, and link mode is off again.
    expect(cell(page, successor, "predecessors")).to_have_text(wbs)
    expect(page.get_by_role("button", name=run.link_on_chart)).not_to_have_class(
        re.compile(r"\bactive\b")
    )


def check_follows(page: Page, run: Run, predecessor: Task, successor: Task) -> None:
    """The successor starts after its predecessor finishes, in the table and on the chart."""
    predecessor.refresh_from_db()
    successor.refresh_from_db()
    assert successor.start is not None and predecessor.finish is not None
    assert successor.start >= predecessor.finish, (successor.start, predecessor.finish)
    for task in (predecessor, successor):
        expect_row_dates(page, task, run.language)
    assert bar_span(page, successor)[0] >= bar_span(page, predecessor)[1]


def check_critical_path(page: Page, chain: list[Task], off_path: Task) -> None:
    critical = re.compile(r"\bplan-critical\b")
    critical_bar = re.compile(r"\bgantt-critical\b")
    for task in chain:
        expect(row(page, task)).to_have_class(critical)
        expect(bar(page, task)).to_have_class(critical_bar)
    expect(row(page, off_path)).not_to_have_class(critical)
    expect(bar(page, off_path)).not_to_have_class(critical_bar)
    # A link between two critical tasks is drawn as critical too.
    expect(page.locator("path.gantt-link-critical")).to_have_count(len(chain) - 1)


def save_baseline(page: Page, run: Run, project: Project) -> None:
    plan_tab(page, run.baselines).click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("planning:baselines", args=[project.pk])))
    )
    slots = page.get_by_test_id("baseline-slots")
    expect(slots.locator("#id_number")).to_have_value("0")  # the first free slot
    slots.locator("#id_name").fill(run.baseline_name)
    slots.get_by_role("button", name=run.save_baseline).click()
    expect(page).to_have_url(re.compile(r"\?baseline=0$"))
    expect(slots.get_by_role("link", name=run.baseline_name)).to_be_visible()
    variance = page.get_by_test_id("variance")
    expect(variance.locator(".card-title")).to_contain_text(run.baseline_name)
    # Just saved: nothing has moved yet.
    expect(variance.locator("tbody .text-danger")).to_have_count(0)
    expect(variance.locator("tbody .text-success")).to_have_count(0)


def drag_a_week_later(page: Page, task: Task) -> None:
    """Drag the bar right by seven days with the mouse; the server reschedules on release."""
    pixels = WEEK_IN_DAYS * float(
        page.get_by_test_id("gantt").get_attribute("data-px-per-day") or "nan"
    )
    shape = bar(page, task).locator("rect.gantt-shape")
    shape.scroll_into_view_if_needed()
    box = shape.bounding_box()
    assert box is not None
    x, y = box["x"] + min(10, box["width"] / 2), box["y"] + box["height"] / 2
    start = Task.objects.get(pk=task.pk).start
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + pixels / 2, y, steps=4)
    page.mouse.move(x + pixels, y, steps=4)
    expect(bar(page, task)).to_have_class(re.compile(r"\bgantt-dragging\b"))
    with page.expect_response(lambda response: "/drag/" in response.url) as dropped:
        page.mouse.up()
    assert dropped.value.status == 200
    expect(bar(page, task)).not_to_have_class(re.compile(r"\bgantt-dragging\b"))
    task.refresh_from_db()
    assert task.constraint_type == "SNET"
    assert timezone.localtime(task.start).date() == (
        timezone.localtime(start).date() + datetime.timedelta(days=WEEK_IN_DAYS)
    )


def lengthen_in_the_table(
    page: Page, run: Run, task: Task, days: int, screenshot: Screenshot
) -> None:
    """The row's pencil → its inline editor → a longer duration → Save."""
    task.refresh_from_db()
    row(page, task).locator("button[hx-get*='/row/']").click()
    editor = row(page, task).get_by_test_id("row-editor")
    duration = editor.locator(f"#row-duration-{task.pk}")
    old = minutes_to_days(task.duration)
    expect(duration).to_have_value(str(old))
    duration.fill(str(old + days))
    screenshot(page, MANAGER, run.language, "row-editor")
    editor.locator("button.btn-primary").click()
    expect(row(page, task).get_by_test_id("row-editor")).to_have_count(0)
    expect(cell(page, task, "duration")).to_contain_text(str(old + days))


def variance_cells(table_row: Locator) -> Locator:
    return table_row.locator("td.text-end")


def check_variance_tab(page: Page, run: Run, moved: Task, longer: Task, still: Task) -> None:
    """Start, finish and duration variance in working days; later is red with a plus sign."""
    plan_tab(page, run.baselines).click()
    variance = page.get_by_test_id("variance")
    expect(variance.locator(".card-title")).to_contain_text(run.baseline_name)
    rows = variance.locator("tbody tr")
    week = f"+{WORKING_DAYS_IN_A_WEEK}"
    moved_cells = variance_cells(rows.filter(has_text=moved.name))
    expect(moved_cells.nth(0)).to_have_text(week)  # start
    expect(moved_cells.nth(1)).to_have_text(week)  # finish
    expect(moved_cells.nth(2)).to_have_text("0")  # duration
    expect(moved_cells.nth(1).locator(".text-danger")).to_be_visible()
    longer_cells = variance_cells(rows.filter(has_text=longer.name))
    expect(longer_cells.nth(0)).to_have_text("0")
    expect(longer_cells.nth(1)).to_have_text(f"+{LENGTHENED_BY}")
    expect(longer_cells.nth(2)).to_have_text(f"+{LENGTHENED_BY}")
    expect(variance_cells(rows.filter(has_text=still.name)).nth(1)).to_have_text("0")


def check_variance_on_plan(page: Page, run: Run, moved: Task, still: Task) -> None:
    """The plan with the baseline chosen: a finish variance column and baseline bars."""
    plan_tab(page, run.plan).click()
    page.locator("#plan-baseline").select_option("0")
    expect(page).to_have_url(re.compile(r"[?&]baseline=0\b"))
    header = page.get_by_test_id("plan").locator("thead th")
    expect(header.filter(has_text=run.finish_variance)).to_have_count(1)
    expect(cell(page, moved, "variance")).to_have_text(f"+{WORKING_DAYS_IN_A_WEEK}")
    expect(cell(page, moved, "variance").locator(".text-danger")).to_be_visible()
    expect(cell(page, still, "variance")).to_have_text("0")
    expect(bar(page, moved).locator("rect.gantt-baseline")).to_have_count(1)
    # The baseline bar stays where the task was: a week left of the dragged bar.
    baseline_x = float(bar(page, moved).locator("rect.gantt-baseline").get_attribute("x") or "nan")
    assert baseline_x < bar_span(page, moved)[0]


# ---- the journey -----------------------------------------------------------------------------


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.language)
def test_plan_to_variance(
    page: Page,
    users: dict[Role, User],
    client_org: Client,
    run: Run,
    screenshot: Screenshot,
    sign_in: Callable[[str], None],
    switch_language: Callable[[str], None],
) -> None:
    manager = users[Role.MANAGER]
    template = make_template(
        actor=manager,
        content=run.template(),
        name=f"{run.phase} ({run.language})",
        language=run.language,
    )
    project = make_project(client_org, manager=manager, template=template)
    Project.objects.filter(pk=project.pk).update(name=run.project)  # named after the deal
    draft_plan, interviews = (
        task_named(project, run.draft_plan),
        task_named(project, run.interviews),
    )
    phase = task_named(project, run.phase)

    sign_in(manager.username)
    switch_language(run.language)
    open_plan(page, run, project)
    screenshot(page, MANAGER, run.language, "plan-opened")

    add_task(page, run, run.design, 5)
    add_task(page, run, run.build, 10, under=phase)
    design, build = task_named(project, run.design), task_named(project, run.build)
    assert build.parent_id == phase.pk
    # Not linked yet: both start with the project.
    assert design.start == build.start == draft_plan.start
    screenshot(page, MANAGER, run.language, "tasks-added")

    link_on_task_page(page, run, draft_plan, design, screenshot)
    check_follows(page, run, draft_plan, design)
    link_on_chart(page, run, design, build, screenshot)
    check_follows(page, run, design, build)
    check_critical_path(page, [draft_plan, design, build], off_path=interviews)
    expect(page.get_by_test_id("plan-finish")).to_have_text(
        shown_date(Task.objects.get(pk=build.pk).finish, run.language)
    )
    screenshot(page, MANAGER, run.language, "critical-path")

    save_baseline(page, run, project)
    screenshot(page, MANAGER, run.language, "baseline-saved")

    plan_tab(page, run.plan).click()
    drag_a_week_later(page, build)
    expect_row_dates(page, build, run.language)
    screenshot(page, MANAGER, run.language, "bar-dragged")
    lengthen_in_the_table(page, run, design, LENGTHENED_BY, screenshot)
    screenshot(page, MANAGER, run.language, "task-lengthened")

    check_variance_tab(page, run, moved=build, longer=design, still=draft_plan)
    screenshot(page, MANAGER, run.language, "variance")
    check_variance_on_plan(page, run, moved=build, still=draft_plan)
    screenshot(page, MANAGER, run.language, "plan-with-baseline")
