"""The plan pages: the task table beside the Gantt chart and every edit made from it, the task
page, the print page and baselines; who may see and change them; and a page that costs the same
number of queries at 100 and at 5,000 tasks."""

import datetime
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.planning.adapters import project_calendar, schedule_project
from charter.planning.forms.plan import TaskForm
from charter.planning.models import Baseline, Dependency, Project, Task
from charter.planning.services import plan as services
from charter.planning.services.baselines import save_baseline
from charter.planning.services.wbs import renumber
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 480
STALE = "Someone else saved this record"


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, tzinfo=SHANGHAI)


def add(project, user, name, days=1, **kwargs) -> Task:
    return services.add_task(
        project, actor=user, fields={"name": name, "duration": days * DAY}, **kwargs
    )


def task(project, wbs: str) -> Task:
    return Task.objects.get(project=project, wbs=wbs)


def url(name: str, pk: int) -> str:
    return reverse(f"planning:{name}", args=[pk])


def page(http, project, **params) -> str:
    response = http.get(url("plan", project.pk), params)
    assert response.status_code == 200
    return response.content.decode()


# ---- the page ----------------------------------------------------------------------------------


def test_the_plan_shows_the_tasks_their_wbs_and_the_gantt(signed_in, project):
    html = page(signed_in("member"), project)
    for text in ("启动", "项目启动会", "制定项目计划", "关键用户访谈", ">1.2<", ">2.1<"):
        assert text in html
    assert 'data-testid="gantt"' in html and 'data-task-count="5"' in html
    interviews = task(project, "2.1")
    # The five days of interviews drive the finish: a red bar and a red row.
    assert f'id="task-{interviews.pk}" class=" plan-critical"' in html
    assert "gantt-critical" in html
    assert html.count("gantt-bar ") == 5


def test_a_collapsed_summary_hides_its_tasks(signed_in, project):
    phase = task(project, "1")
    html = page(signed_in("member"), project, collapsed=str(phase.pk))
    assert "启动" in html and "关键用户访谈" in html
    assert "项目启动会" not in html and "制定项目计划" not in html


def test_zoom_changes_the_scale_and_a_bad_zoom_falls_back_to_weeks(signed_in, project):
    http = signed_in("member")
    assert 'data-px-per-day="3.0"' in page(http, project, zoom="month")
    assert '<option value="month" selected>' in page(http, project, zoom="month")
    assert 'data-px-per-day="9.0"' in page(http, project, zoom="sideways")
    assert 'data-px-per-day="28.0"' in page(http, project, zoom="day")


def test_a_chosen_baseline_shows_the_finish_variance(signed_in, users, project):
    save_baseline(project, actor=users["manager"], number=0, name="签约版")
    services.add_dependency(
        project,
        actor=users["manager"],
        predecessor=task(project, "1.2"),
        successor=task(project, "2.1"),
    )
    http = signed_in("member")
    assert "Finish var." not in page(http, project)
    html = page(http, project, baseline="0")
    assert "Finish var." in html and "gantt-baseline" in html
    assert html.count('<span class="text-danger">+3</span>') == 2  # the interviews and phase 2


# ---- edits from the page -----------------------------------------------------------------------


def test_add_a_task_through_the_quick_form(signed_in, project):
    phase = task(project, "2")
    response = signed_in("manager").post(
        url("task_add", project.pk),
        {"name": "上线准备", "duration_days": "2", "parent": phase.pk},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "上线准备" in response.content.decode()
    added = Task.objects.get(project=project, name="上线准备")
    assert (added.wbs, added.duration, added.start) == ("2.2", 2 * DAY, at(1, 9))
    refused = signed_in("manager").post(url("task_add", project.pk), {"name": ""}, headers=HTMX)
    assert refused.status_code == 422 and "required" in refused.content.decode()


def test_the_quick_form_without_htmx_redirects_to_the_plan(signed_in, project):
    response = signed_in("manager").post(
        url("task_add", project.pk) + "?zoom=month", {"name": "验收", "duration_days": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("plan", project.pk) + "?zoom=month"


def test_edit_a_row_in_place(signed_in, project):
    http = signed_in("manager")
    row = task(project, "1.2")
    editor = http.get(url("task_row", row.pk), headers=HTMX).content.decode()
    assert 'data-testid="row-editor"' in editor and 'value="制定项目计划"' in editor
    saved = http.post(
        url("task_row", row.pk),
        {"name": "编制计划", "duration_days": "2", "percent_complete": "50", "version": "1"},
        headers=HTMX,
    )
    assert saved.status_code == 200 and "编制计划" in saved.content.decode()
    row.refresh_from_db()
    assert (row.name, row.duration, row.percent_complete, row.version) == ("编制计划", 960, 50, 2)
    stale = http.post(
        url("task_row", row.pk), {"name": "旧", "version": "1"}, headers=HTMX
    ).content.decode()
    assert STALE in stale
    row.refresh_from_db()
    assert row.name == "编制计划"


def test_indent_outdent_and_delete_the_ticked_tasks(signed_in, users, project):
    manager = users["manager"]
    first, second = add(project, manager, "甲"), add(project, manager, "乙")
    http = signed_in("manager")
    http.post(url("tasks_indent", project.pk), {"task": [second.pk]}, headers=HTMX)
    second.refresh_from_db()
    assert (second.wbs, second.parent_id) == ("3.1", first.pk)
    http.post(url("tasks_outdent", project.pk), {"task": [second.pk]}, headers=HTMX)
    second.refresh_from_db()
    assert (second.wbs, second.parent_id) == ("4", None)
    response = http.post(url("tasks_delete", project.pk), {"task": [first.pk, second.pk]})
    assert response.status_code == 302
    assert not Task.objects.filter(pk__in=[first.pk, second.pk]).exists()
    nothing = http.post(url("tasks_delete", project.pk), {}, headers=HTMX)
    assert nothing.status_code == 422 and "Tick the tasks first." in nothing.content.decode()


def test_move_a_task_up_and_down(signed_in, users, project):
    last = add(project, users["manager"], "收尾")
    http = signed_in("manager")
    http.post(url("task_up", last.pk), headers=HTMX)
    last.refresh_from_db()
    assert last.wbs == "2"
    http.post(url("task_down", last.pk), headers=HTMX)
    last.refresh_from_db()
    assert last.wbs == "3"


def test_dragging_a_bar_sets_a_start_no_earlier_than(signed_in, project):
    http = signed_in("manager")
    bar = task(project, "1.2")
    moved = http.post(
        url("task_drag", bar.pk), {"start": "2026-12-07", "version": "1"}, headers=HTMX
    )
    assert moved.status_code == 200
    bar.refresh_from_db()
    assert (bar.constraint_type, bar.constraint_date) == ("SNET", at(7, 0))
    assert (bar.start, bar.finish) == (at(7, 9), at(9, 18))
    stale = http.post(
        url("task_drag", bar.pk), {"start": "2026-12-14", "version": "1"}, headers=HTMX
    )
    assert stale.status_code == 422 and STALE in stale.content.decode()
    bar.refresh_from_db()
    assert bar.constraint_date == at(7, 0)
    not_a_day = http.post(url("task_drag", bar.pk), {"start": "soon", "version": "2"}, headers=HTMX)
    assert not_a_day.status_code == 422 and "not a date" in not_a_day.content.decode()


def test_link_two_bars_on_the_chart(signed_in, project):
    plan, interviews = task(project, "1.2"), task(project, "2.1")
    response = signed_in("manager").post(
        url("tasks_link", project.pk),
        {"predecessor": plan.pk, "successor": interviews.pk},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "1.2" in response.content.decode()  # the predecessors column
    interviews.refresh_from_db()
    assert interviews.start == at(4, 9)


def test_a_loop_drawn_on_the_chart_shows_why_and_saves_nothing(signed_in, users, project):
    plan, interviews = task(project, "1.2"), task(project, "2.1")
    services.add_dependency(project, actor=users["manager"], predecessor=plan, successor=interviews)
    response = signed_in("manager").post(
        url("tasks_link", project.pk),
        {"predecessor": interviews.pk, "successor": plan.pk},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "would form a loop" in response.content.decode()
    assert Dependency.objects.filter(project=project).count() == 1


def test_a_link_needs_two_tasks_of_the_plan(signed_in, users, client_org, project):
    foreign = Task.objects.filter(project=make_project(client_org, manager=users["manager"]))
    response = signed_in("manager").post(
        url("tasks_link", project.pk),
        {"predecessor": task(project, "1.2").pk, "successor": foreign[1].pk},
        headers=HTMX,
    )
    assert response.status_code == 422 and "Choose two tasks" in response.content.decode()
    assert not Dependency.objects.exists()


# ---- the task page -----------------------------------------------------------------------------


def task_form_data(row: Task, **changes: Any) -> dict[str, str]:
    """What the task page posts: the task's values as the form shows them, with ``changes``."""
    values = {**TaskForm.initial_of(row), **changes}
    return {
        name: str(value)
        for name, value in values.items()
        if value is not None and value is not False
    }


def test_edit_a_task_on_its_page(signed_in, users, project):
    http = signed_in("manager")
    row = task(project, "1.2")
    shown = http.get(url("task_detail", row.pk)).content.decode()
    assert 'data-testid="task-form"' in shown and 'data-testid="task-dates"' in shown
    saved = http.post(
        url("task_detail", row.pk),
        task_form_data(
            row, owner=users["member"].pk, constraint_type="MSO", constraint_date="2026-12-08"
        ),
    )
    assert saved.status_code == 302
    row.refresh_from_db()
    assert (row.owner, row.constraint_date, row.start) == (users["member"], at(8, 0), at(8, 9))
    stale = http.post(url("task_detail", row.pk), task_form_data(row, version=1, name="旧"))
    assert stale.status_code == 409 and STALE in stale.content.decode()
    undated = http.post(url("task_detail", row.pk), task_form_data(row, constraint_date=None))
    assert undated.status_code == 422
    row.refresh_from_db()
    assert row.name == "制定项目计划" and row.constraint_date == at(8, 0)


def test_add_and_remove_a_predecessor_on_the_task_page(signed_in, project):
    http = signed_in("manager")
    plan, interviews = task(project, "1.2"), task(project, "2.1")
    added = http.post(
        url("task_link_add", interviews.pk),
        {"predecessor": plan.pk, "type": "FS", "lag_days": "1"},
    )
    assert added.status_code == 302
    link = Dependency.objects.get(successor=interviews)
    assert (link.predecessor, link.lag) == (plan, DAY)
    shown = http.get(url("task_detail", interviews.pk)).content.decode()
    assert "制定项目计划" in shown and url("link_delete", link.pk) in shown
    again = http.post(
        url("task_link_add", interviews.pk),
        {"predecessor": plan.pk, "type": "FS", "lag_days": "0"},
        follow=True,
    )
    assert "already linked" in again.content.decode()
    removed = http.post(url("link_delete", link.pk))
    assert removed["Location"] == interviews.get_absolute_url()
    assert not Dependency.objects.exists()


def test_the_print_page_has_every_task_and_the_chart(signed_in, project):
    html = signed_in("member").get(url("plan_print", project.pk)).content.decode()
    assert 'data-testid="print-facts"' in html and 'data-testid="gantt"' in html
    for name in ("项目启动会", "制定项目计划", "关键用户访谈"):
        assert name in html


# ---- baselines ---------------------------------------------------------------------------------


def test_save_compare_and_clear_a_baseline(signed_in, users, project):
    http = signed_in("manager")
    empty = http.get(url("baselines", project.pk)).content.decode()
    assert "No baseline saved yet." in empty
    saved = http.post(url("baseline_save", project.pk), {"number": "0", "name": "签约版"})
    assert saved.status_code == 302 and saved["Location"].endswith("?baseline=0")
    baseline = Baseline.objects.get(project=project)
    assert (baseline.name, baseline.rows.count()) == ("签约版", 5)
    services.add_dependency(
        project,
        actor=users["manager"],
        predecessor=task(project, "1.2"),
        successor=task(project, "2.1"),
    )
    variance = http.get(url("baselines", project.pk), {"baseline": "0"}).content.decode()
    assert "Variance against 签约版" in variance
    assert '<span class="text-danger">+3</span>' in variance
    cleared = http.post(url("baseline_clear", baseline.pk))
    assert cleared.status_code == 302 and not Baseline.objects.exists()


# ---- who may do what ---------------------------------------------------------------------------


def test_members_see_the_plan_but_cannot_change_it(signed_in, project):
    http = signed_in("member")
    row = task(project, "1.2")
    html = page(http, project)
    assert url("task_add", project.pk) not in html and 'name="task"' not in html
    assert http.get(url("task_detail", row.pk)).status_code == 200
    assert http.get(url("baselines", project.pk)).status_code == 200
    refused = [
        http.post(url("task_add", project.pk), {"name": "x", "duration_days": "1"}),
        http.post(url("tasks_indent", project.pk), {"task": [row.pk]}),
        http.post(url("tasks_delete", project.pk), {"task": [row.pk]}),
        http.post(url("tasks_link", project.pk), {"predecessor": row.pk, "successor": row.pk}),
        http.post(url("task_drag", row.pk), {"start": "2026-12-07", "version": "1"}),
        http.get(url("task_row", row.pk)),
        http.post(url("task_detail", row.pk), task_form_data(row, name="改")),
        http.post(url("task_link_add", row.pk), {"predecessor": row.pk}),
        http.post(url("baseline_save", project.pk), {"number": "0"}),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    row.refresh_from_db()
    assert row.name == "制定项目计划" and not Baseline.objects.exists()


def test_clients_are_403_and_other_members_404(signed_in, users, client_org):
    stranger = make_project(client_org, manager=users["manager"])
    row = Task.objects.filter(project=stranger).first()
    member, client = signed_in("member"), signed_in("client")
    for target in (
        url("plan", stranger.pk),
        url("plan_print", stranger.pk),
        url("baselines", stranger.pk),
    ):
        assert member.get(target).status_code == 404
        assert client.get(target).status_code == 403
    assert member.get(url("task_detail", row.pk)).status_code == 404
    assert client.get(url("task_detail", row.pk)).status_code == 403


# ---- cost --------------------------------------------------------------------------------------


def grow_plan(project, total: int) -> None:
    """Bulk-create tasks until the plan has ``total``: summaries of up to 19 tasks, chained by
    links inside each summary; then number and schedule the plan as the services would."""
    new = total - Task.objects.filter(project=project).count()
    top = Task.objects.filter(project=project, parent=None).count()
    count = -(-new // 20)
    summaries = Task.objects.bulk_create(
        Task(project=project, name=f"阶段 {top + i}", order=top + i + 1, duration=0)
        for i in range(count)
    )
    children = Task.objects.bulk_create(
        Task(
            project=project,
            parent=summaries[i // 19],
            name=f"任务 {i}",
            order=i % 19 + 1,
            duration=DAY * (1 + i % 3),
        )
        for i in range(new - count)
    )
    Dependency.objects.bulk_create(
        Dependency(project=project, predecessor=before, successor=after)
        for before, after in itertools.pairwise(children)
        if before.parent_id == after.parent_id
    )
    renumber(project)
    schedule_project(project)


def queries(http, target: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(target).status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["page", "api"])
def test_the_plan_costs_the_same_queries_at_100_and_5000_tasks(view, signed_in, users, project):
    save_baseline(project, actor=users["manager"], number=0)
    target = url("plan", project.pk) if view == "page" else f"/api/v1/projects/{project.pk}/tasks"
    if view == "page":
        target += "?baseline=0"
    http = signed_in("manager")
    grow_plan(project, 100)
    small = queries(http, target)
    grow_plan(project, 5000)
    assert Task.objects.filter(project=project).count() == 5000
    assert queries(http, target) == small


def test_the_plan_warns_when_it_runs_past_the_holiday_data(project, signed_in):
    through = project_calendar(project).holidays_through
    assert through is not None
    body = page(signed_in("manager"), project)
    assert 'data-testid="coverage-warning"' not in body  # the test plan ends in 2026
    later = project.finish_date.replace(year=through + 1)
    Project.objects.filter(pk=project.pk).update(finish_date=later)
    body = page(signed_in("manager"), project)
    assert 'data-testid="coverage-warning"' in body and str(through) in body
