"""The plan's verbs: every change reschedules; the tree keeps its WBS codes; links refuse loops."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.adapters import project_work_calendar
from charter.planning.models import Dependency, Task
from charter.planning.services import plan as services
from charter.planning.services.baselines import save_baseline, variances

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 480


def at(day: int, hour: int, month: int = 12, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def tree(project) -> list[tuple[str, str, bool]]:
    return [(t.wbs, t.name, t.is_summary) for t in Task.objects.filter(project=project)]


def add(project, user, name, days=1, **kwargs) -> Task:
    return services.add_task(
        project, actor=user, fields={"name": name, "duration": days * DAY}, **kwargs
    )


def link(project, user, predecessor, successor, type="FS", lag=0):
    return services.add_dependency(
        project, actor=user, predecessor=predecessor, successor=successor, type=type, lag=lag
    )


@pytest.mark.django_db
def test_a_converted_project_is_scheduled_on_the_china_calendar(project):
    kickoff, plan = Task.objects.filter(project=project, is_summary=False)[:2]
    # 2026-12-01 is a Tuesday; the China office day is 09:00-12:00 and 13:00-18:00.
    assert plan.start == at(1, 9) and plan.finish == at(3, 18)
    assert kickoff.is_milestone and kickoff.duration == 0
    project.refresh_from_db()
    assert project.finish_date == at(7, 18)  # 5 days of interviews: Tue 1st .. Mon 7th
    phase = Task.objects.get(project=project, wbs="2")
    assert phase.is_summary and (phase.start, phase.finish) == (at(1, 9), at(7, 18))


@pytest.mark.django_db
def test_a_link_moves_the_successor_and_the_finish(project, users):
    manager = users["manager"]
    design = add(project, manager, "Design", 2)
    build = add(project, manager, "Build", 3)
    link(project, manager, design, build, lag=DAY)
    build.refresh_from_db()
    # Design Tue 1st–Wed 2nd; one day of lag (Thu 3rd); Build Fri 4th, Mon 7th, Tue 8th.
    assert (build.start, build.finish) == (at(4, 9), at(8, 18))
    assert build.is_critical and design.pk in Dependency.objects.values_list(
        "predecessor_id", flat=True
    )
    event = AuditEvent.objects.filter(action="linked").get()
    assert "Design" in event.changes["predecessor"][1]


@pytest.mark.django_db
def test_a_loop_is_refused_naming_its_tasks_and_nothing_is_written(project, users):
    manager = users["manager"]
    first, second, third = (add(project, manager, name) for name in ("甲", "乙", "丙"))
    link(project, manager, first, second)
    link(project, manager, second, third)
    with pytest.raises(ValidationError) as refused:
        link(project, manager, third, first)
    message = refused.value.message_dict["predecessor"][0]
    assert "甲" in message and "乙" in message and "丙" in message
    assert Dependency.objects.filter(project=project).count() == 2


@pytest.mark.django_db
def test_indent_and_outdent_keep_the_rows_in_order(project, users):
    manager = users["manager"]
    a, b, c = (add(project, manager, name) for name in ("A", "B", "C"))
    services.indent_tasks(project, [b, c], actor=manager)
    assert tree(project)[-3:] == [("3", "A", True), ("3.1", "B", False), ("3.2", "C", False)]
    services.indent_tasks(project, [c], actor=manager)
    assert tree(project)[-3:] == [("3", "A", True), ("3.1", "B", True), ("3.1.1", "C", False)]
    services.outdent_tasks(project, [b], actor=manager)
    # B moves up a level and keeps C under it; the rows keep their order.
    assert tree(project)[-3:] == [("3", "A", False), ("4", "B", True), ("4.1", "C", False)]
    a.refresh_from_db()
    assert a.finish is not None


@pytest.mark.django_db
def test_outdenting_adopts_the_siblings_below(project, users):
    manager = users["manager"]
    top = add(project, manager, "Top")
    _one, two, _three = (add(project, manager, name, parent=top) for name in ("1", "2", "3"))
    services.outdent_tasks(project, [two], actor=manager)
    assert tree(project)[-4:] == [
        ("3", "Top", True),
        ("3.1", "1", False),
        ("4", "2", True),
        ("4.1", "3", False),
    ]


@pytest.mark.django_db
def test_moving_and_deleting_renumber_the_plan(project, users):
    manager = users["manager"]
    top = add(project, manager, "Top")
    add(project, manager, "Under", parent=top)
    last = add(project, manager, "Last")
    services.move_task(last, actor=manager, up=True)
    assert [row[1] for row in tree(project)][-3:] == ["Last", "Top", "Under"]
    assert services.delete_tasks(project, [top], actor=manager) == 2
    assert [row[:2] for row in tree(project)][-1] == ("3", "Last")


@pytest.mark.django_db
def test_a_stale_edit_writes_nothing(project, users):
    task = add(project, users["manager"], "Spec")
    services.update_task(task, actor=users["manager"], expected_version=1, fields={"name": "A"})
    with pytest.raises(StaleEdit):
        services.update_task(task, actor=users["manager"], expected_version=1, fields={"name": "B"})
    task.refresh_from_db()
    assert task.name == "A"


@pytest.mark.django_db
def test_a_hard_constraint_that_logic_breaks_is_shown_not_moved(project, users):
    manager = users["manager"]
    before = add(project, manager, "Before", 5)
    pinned = add(project, manager, "Pinned", 1)
    services.update_task(
        pinned,
        actor=manager,
        expected_version=pinned.version,
        fields={"constraint_type": "MSO", "constraint_date": at(2, 0)},
    )
    link(project, manager, before, pinned)
    pinned.refresh_from_db()
    assert pinned.constraint_violated and pinned.start == at(8, 9)
    assert pinned.total_float < 0


@pytest.mark.django_db
def test_a_dated_constraint_needs_its_date(project, users):
    task = add(project, users["manager"], "X")
    with pytest.raises(ValidationError) as refused:
        services.update_task(
            task,
            actor=users["manager"],
            expected_version=task.version,
            fields={"constraint_type": "SNET"},
        )
    assert "constraint_date" in refused.value.message_dict


@pytest.mark.django_db
def test_a_link_into_its_own_summary_is_refused(project, users):
    manager = users["manager"]
    top = add(project, manager, "Top")
    under = add(project, manager, "Under", parent=top)
    with pytest.raises(ValidationError):
        link(project, manager, top, under)
    assert not Dependency.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_variance_against_a_baseline_in_working_days(project, users):
    manager = users["manager"]
    first = add(project, manager, "First", 2)
    second = add(project, manager, "Second", 2)
    save_baseline(project, actor=manager, number=0)
    link(project, manager, first, second)
    second.refresh_from_db()
    tasks = list(Task.objects.filter(project=project))
    found = variances(tasks, project.baselines.get(), project_work_calendar(project, tasks))
    assert found[second.pk].start_days == 2 and found[second.pk].finish_days == 2
    assert found[first.pk].finish_days == 0 and found[second.pk].duration_days == 0
    late = add(project, manager, "Added later")
    assert (
        variances([late], project.baselines.get(), project_work_calendar(project, [late]))[
            late.pk
        ].start_days
        is None
    )


@pytest.mark.django_db
def test_progress_moves_the_remaining_work_after_the_status_date(project, users):
    manager = users["manager"]
    task = add(project, manager, "Build", 4)
    project.status_date = datetime.date(2026, 12, 3)
    project.save(update_fields=["status_date"])
    services.update_task(
        task,
        actor=users["member"],
        expected_version=task.version,
        fields={"percent_complete": 25, "actual_start": at(1, 0)},
    )
    task.refresh_from_db()
    # One of four days done from Tue 1st; the other three resume after Thu 3rd: Fri, Mon, Tue.
    assert task.start == at(1, 9) and task.finish == at(8, 18)
    assert AuditEvent.objects.filter(action="progress").exists()


@pytest.mark.django_db
def test_a_task_worked_by_a_resource_follows_the_resource_calendar(project, users):
    from charter.planning.services.calendars import create_calendar
    from charter.resources.models import Assignment, Resource

    manager = users["manager"]
    weekends = create_calendar(
        actor=manager, name="Weekend crew", working_weekdays="56", holiday_country=""
    )
    crew = Resource.objects.create(name="Weekend crew", calendar=weekends)
    task = add(project, manager, "Data migration cut-over", 2)
    Assignment.objects.create(task=task, resource=crew, work=2 * DAY)
    services.update_task(task, actor=manager, expected_version=task.version, fields={"notes": "!"})
    task.refresh_from_db()
    # 2026-12-01 is a Tuesday: the crew works Saturday 5th and Sunday 6th.
    assert (task.start, task.finish) == (at(5, 9), at(6, 18))


@pytest.mark.django_db
def test_a_summary_task_sums_the_effort_under_it(project, users):
    manager = users["manager"]
    top = add(project, manager, "Top")
    for hours in (8, 12):
        task = add(project, manager, f"{hours}h", parent=top)
        services.update_task(
            task, actor=manager, expected_version=task.version, fields={"effort_hours": hours}
        )
    top.refresh_from_db()
    assert top.effort_hours == 20
