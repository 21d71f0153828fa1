"""Team members report progress on the task page; managers edit the whole task."""

import pytest

from charter.planning.models import Task


def leaf(project) -> Task:
    return Task.objects.get(project=project, name="制定项目计划")


@pytest.mark.django_db
def test_a_member_reports_progress(project, signed_in):
    task = leaf(project)
    http = signed_in("member")
    page = http.get(task.get_absolute_url()).content.decode()
    assert 'data-testid="progress-form"' in page and "Save and reschedule" not in page
    answer = http.post(
        f"/tasks/{task.pk}/progress/",
        {"version": task.version, "percent_complete": 50, "actual_start": "2026-12-01"},
    )
    assert answer.status_code == 302
    task.refresh_from_db()
    assert task.percent_complete == 50 and task.actual_start is not None
    assert Task.objects.get(project=project, wbs="1").percent_complete > 0  # rolled up


@pytest.mark.django_db
def test_a_stale_report_writes_nothing(project, signed_in):
    task = leaf(project)
    http = signed_in("member")
    http.post(f"/tasks/{task.pk}/progress/", {"version": task.version, "percent_complete": 10})
    stale = http.post(
        f"/tasks/{task.pk}/progress/", {"version": task.version, "percent_complete": 90}
    )
    assert stale.status_code == 409 and "Someone else saved" in stale.content.decode()
    task.refresh_from_db()
    assert task.percent_complete == 10


@pytest.mark.django_db
def test_a_member_cannot_edit_the_task_itself(project, signed_in):
    task = leaf(project)
    answer = signed_in("member").post(
        task.get_absolute_url(), {"version": task.version, "name": "改名"}
    )
    assert answer.status_code == 403


@pytest.mark.django_db
def test_bad_progress_is_refused(project, signed_in):
    task = leaf(project)
    answer = signed_in("member").post(
        f"/tasks/{task.pk}/progress/", {"version": task.version, "percent_complete": 140}
    )
    assert answer.status_code == 422
    task.refresh_from_db()
    assert task.percent_complete == 0
