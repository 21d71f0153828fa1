"""Split tasks in the plan: pauses stored on the task, segments written by scheduling, shown on
the task page and the Gantt, set or removed through the service, the page and the API."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.models import Task
from charter.planning.services import plan as services

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 480
JSON = "application/json"


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, tzinfo=SHANGHAI)


def planning_task(project) -> Task:
    """制定项目计划: three days from Tuesday 1 December 2026."""
    return Task.objects.get(project=project, wbs="1.2")


def split(task: Task, user, pauses) -> Task:
    return services.update_task(
        task, actor=user, expected_version=task.version, fields={"pauses": pauses}
    )


def test_a_pause_splits_the_task_and_moves_its_finish(project, users):
    task = split(planning_task(project), users["manager"], [[DAY, 2 * DAY]])
    # Tuesday's work, a pause on Wednesday and Thursday, then Friday and Monday.
    assert task.segment_moments == [(at(1, 9), at(1, 18)), (at(4, 9), at(7, 18))]
    assert task.gaps == [(at(1, 18), at(4, 9))]
    assert (task.start, task.finish, task.duration) == (at(1, 9), at(7, 18), 3 * DAY)
    event = AuditEvent.objects.filter(action="changed", object_id=task.pk).latest("pk")
    assert event.changes["pauses"] == [[], [[DAY, 2 * DAY]]]


def test_pauses_move_with_the_task(project, users):
    manager = users["manager"]
    task = split(planning_task(project), manager, [[DAY, DAY]])
    task = services.update_task(
        task,
        actor=manager,
        expected_version=task.version,
        fields={"constraint_type": "SNET", "constraint_date": at(8, 0)},
    )
    assert task.segment_moments == [(at(8, 9), at(8, 18)), (at(10, 9), at(11, 18))]


def test_a_shorter_duration_drops_the_pauses_it_no_longer_holds(project, users):
    manager = users["manager"]
    task = split(planning_task(project), manager, [[DAY, DAY], [2 * DAY, DAY]])
    task = services.update_task(
        task, actor=manager, expected_version=task.version, fields={"duration": 2 * DAY}
    )
    assert task.pauses == [[DAY, DAY]]
    assert len(task.segment_moments) == 2


@pytest.mark.parametrize(
    "pauses",
    [[[0, DAY]], [[3 * DAY, DAY]], [[DAY, 0]], [[2 * DAY, 60], [DAY, 60]], [[DAY]], "x"],
    ids=["before any work", "after all of it", "no length", "out of order", "no length", "text"],
)
def test_pauses_that_do_not_split_are_refused_and_nothing_is_written(project, users, pauses):
    task = planning_task(project)
    with pytest.raises(ValidationError) as refused:
        split(task, users["manager"], pauses)
    assert "pauses" in refused.value.message_dict
    task.refresh_from_db()
    assert (task.pauses, task.segments, task.version) == ([], [], 1)


def test_the_task_page_shows_the_parts_and_removes_the_splits(signed_in, project, users):
    task = split(planning_task(project), users["manager"], [[DAY, 2 * DAY]])
    http = signed_in("manager")
    page = http.get(task.get_absolute_url()).content.decode()
    assert 'data-testid="task-segments"' in page and "Split into 2 parts" in page
    assert 'data-testid="remove-splits"' in page
    plan = http.get(f"/projects/{project.pk}/plan/").content.decode()
    assert plan.count('data-testid="gantt-segment"') == 2
    assert plan.count('data-testid="split-badge"') == 1

    stale = http.post(f"/tasks/{task.pk}/unsplit/", {"version": task.version - 1}, follow=True)
    assert "someone else" in stale.content.decode().lower()
    task.refresh_from_db()
    assert task.pauses == [[DAY, 2 * DAY]]

    response = http.post(f"/tasks/{task.pk}/unsplit/", {"version": task.version})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.pauses, task.segments, task.finish) == ([], [], at(3, 18))


def test_a_member_sees_the_parts_but_cannot_join_them(signed_in, project, users):
    task = split(planning_task(project), users["manager"], [[DAY, DAY]])
    http = signed_in("member")
    page = http.get(task.get_absolute_url()).content.decode()
    assert 'data-testid="task-segments"' in page and 'data-testid="remove-splits"' not in page
    assert http.post(f"/tasks/{task.pk}/unsplit/", {"version": task.version}).status_code == 403
    task.refresh_from_db()
    assert task.pauses == [[DAY, DAY]]


def test_the_api_reads_and_writes_splits_in_days(signed_in, project):
    task = planning_task(project)
    http = signed_in("manager")
    url = f"/api/v1/tasks/{task.pk}"
    body = http.get(url).json()
    assert (body["splits"], body["segments"]) == ([], [])
    patched = http.patch(
        url,
        {"splits": [{"after_days": "1", "pause_days": "2"}]},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert body["splits"] == [{"after_days": "1.00", "pause_days": "2.00"}]
    segments = [
        (datetime.datetime.fromisoformat(s["start"]), datetime.datetime.fromisoformat(s["finish"]))
        for s in body["segments"]
    ]
    assert segments == [(at(1, 9), at(1, 18)), (at(4, 9), at(7, 18))]

    refused = http.patch(
        url,
        {"splits": [{"after_days": "3", "pause_days": "1"}]},
        content_type=JSON,
        headers={"If-Match": '"2"'},
    )
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["splits"]
    joined = http.patch(url, {"splits": []}, content_type=JSON, headers={"If-Match": '"2"'})
    assert joined.status_code == 200 and joined.json()["segments"] == []


def test_a_stale_split_writes_nothing(project, users):
    task = planning_task(project)
    with pytest.raises(StaleEdit):
        services.update_task(
            task, actor=users["manager"], expected_version=9, fields={"pauses": [[DAY, DAY]]}
        )
    task.refresh_from_db()
    assert task.pauses == []


def test_a_summary_task_has_no_splits(project, users):
    manager = users["manager"]
    task = split(planning_task(project), manager, [[DAY, DAY]])
    services.add_task(
        project, actor=manager, parent=task, fields={"name": "子任务", "duration": DAY}
    )
    task.refresh_from_db()
    assert task.is_summary and (task.pauses, task.segments) == ([], [])
    with pytest.raises(ValidationError) as refused:
        split(task, manager, [[DAY, DAY]])
    assert "summary" in refused.value.message_dict["pauses"][0]
