"""Leveling that may split tasks: the proposal splits a task around a day its person is taken,
links wait for its real finish, applying writes the pauses, and leveling without splits joins
the task again. Through the services, the pages and the API."""

import datetime

import pytest

from charter.core.models import AuditEvent
from charter.planning.adapters import to_aware, to_local
from charter.planning.models import Task
from charter.planning.services import plan
from charter.resources.choices import ProposalStatus
from charter.resources.services import leveling as services_leveling
from charter.resources.services import pool
from charter.resources.tests.matrix_leveling import add, empty_project, person

pytestmark = pytest.mark.django_db
DAY = 480


def _day(moment):
    return to_local(moment).date()


def dec(day: int) -> datetime.date:
    return datetime.date(2026, 12, day)  # the 1st is a Tuesday


@pytest.fixture
def taken_thursday(client_org, manager):
    """王工 on a four-day task from Tuesday 1 December and on a review that must start on
    Thursday 3rd; a one-day follow-up waits for the long task."""
    project = empty_project(client_org, manager)
    who = person(manager)
    long = add(project, manager, "数据清洗", days=4, priority=100)
    review = add(
        project,
        manager,
        "需求评审",
        days=1,
        constraint_type="MSO",
        constraint_date=to_aware(datetime.datetime(2026, 12, 3)),
    )
    follow_up = add(project, manager, "数据验收", days=1)
    plan.add_dependency(project, actor=manager, predecessor=long, successor=follow_up)
    for task in (long, review):
        pool.assign(task, who, actor=manager)
    return project, long, follow_up


def _propose(project, manager, **options):
    return services_leveling.propose(project, actor=manager, options=options)


def test_without_splitting_the_long_task_waits_for_the_review(taken_thursday, manager):
    project, long, _follow_up = taken_thursday
    moves = {move["task_id"]: move for move in _propose(project, manager).result["moves"]}
    assert moves[long.pk]["snet"] == "2026-12-04" and moves[long.pk]["segments_after"] == []


def test_splitting_stops_the_long_task_on_thursday_and_its_successor_waits(taken_thursday, manager):
    project, long, follow_up = taken_thursday
    proposal = _propose(project, manager, split=True)
    assert proposal.options["split"] is True
    moves = {move["task_id"]: move for move in proposal.result["moves"]}
    split = moves[long.pk]
    assert split["delay_days"] == 0 and split["snet"] == "2026-12-01"
    segments = [
        [_day(datetime.datetime.fromisoformat(m)) for m in s] for s in split["segments_after"]
    ]
    assert segments == [[dec(1), dec(2)], [dec(4), dec(7)]]
    assert _day(datetime.datetime.fromisoformat(split["finish_after"])) == dec(7)
    # The follow-up waited for Friday unsplit; now for the long task's real finish, Monday.
    assert moves[follow_up.pk]["snet"] == "2026-12-08"
    assert proposal.result["over_before"] == 1 and proposal.result["over_after"] == 0


def test_applying_writes_the_pauses_and_the_plan_runs_in_segments(taken_thursday, manager):
    project, long, follow_up = taken_thursday
    proposal = _propose(project, manager, split=True)
    services_leveling.apply(proposal, actor=manager)
    long.refresh_from_db()
    follow_up.refresh_from_db()
    assert long.pauses == [[2 * DAY, DAY]]
    # Split where it starts, it needs no constraint; its successor, later, does.
    assert (long.constraint_type, follow_up.constraint_type) == ("ASAP", "SNET")
    assert [(_day(a), _day(b)) for a, b in long.segment_moments] == [
        (dec(1), dec(2)),
        (dec(4), dec(7)),
    ]
    assert _day(follow_up.start) == dec(8)
    event = AuditEvent.objects.for_object(project).get(action="leveled")
    (logged,) = [m for m in event.changes["moves"][1] if m["task"].endswith("数据清洗")]
    assert logged["constraint"]["pauses"] == [[], [[2 * DAY, DAY]]]
    # Leveled with splits, nothing is left to move; without them the task is joined again.
    assert _propose(project, manager, split=True).result["moves"] == []
    joined = _propose(project, manager)
    (move,) = [m for m in joined.result["moves"] if m["task_id"] == long.pk]
    assert move["split_before"] and move["segments_after"] == []
    assert to_local(datetime.datetime.fromisoformat(move["finish_after"])).hour == 18
    services_leveling.apply(joined, actor=manager)
    long.refresh_from_db()
    assert (long.pauses, long.segments) == ([], [])
    assert (_day(long.start), _day(long.finish)) == (dec(4), dec(9))


def test_the_pages_offer_the_option_and_show_the_split(signed_in, taken_thursday):
    project, _long, _follow_up = taken_thursday
    http = signed_in("manager")
    form = http.get(f"/projects/{project.pk}/leveling/").content.decode()
    assert 'name="split"' in form and "Leveling may split tasks" in form
    response = http.post(
        f"/projects/{project.pk}/leveling/propose/",
        {"scope": "project", "mode": "fast", "time_limit": 5, "split": "on"},
    )
    assert response.status_code == 302
    proposal = project.leveling_proposals.get()
    assert proposal.status == ProposalStatus.READY and proposal.options["split"] is True
    page = http.get(response["Location"]).content.decode()
    assert "may split tasks" in page and 'data-testid="leveling-split"' in page
    assert "split into 2 parts" in page
    assert page.count('data-testid="gantt-segment"') == 2


def test_the_api_takes_the_option_and_returns_the_segments(signed_in, taken_thursday):
    project, long, _follow_up = taken_thursday
    http = signed_in("manager")
    response = http.post(
        f"/api/v1/projects/{project.pk}/leveling",
        {"split": True},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    body = http.get(f"/api/v1/leveling/{response.json()['id']}").json()
    assert body["options"]["split"] is True
    (move,) = [m for m in body["moves"] if m["task_id"] == long.pk]
    assert len(move["segments_after"]) == 2 and move["split_before"] is False
    applied = http.post(f"/api/v1/leveling/{body['id']}/apply")
    assert applied.status_code == 200
    assert Task.objects.get(pk=long.pk).pauses == [[2 * DAY, DAY]]


def test_a_pause_shorter_than_a_day_is_read_as_one_run(client_org, manager):
    """Two segments on one day are one working day taken, not two: nothing is over-allocated
    and, without splitting, leveling proposes to join the task where it starts."""
    project = empty_project(client_org, manager)
    task = add(project, manager, "接口联调", days=2)
    pool.assign(task, person(manager), actor=manager)
    task.refresh_from_db()
    plan.update_task(
        task, actor=manager, expected_version=task.version, fields={"pauses": [[240, 120]]}
    )
    proposal = _propose(project, manager)
    assert proposal.result["over_before"] == 0
    (move,) = proposal.result["moves"]
    assert move["split_before"] and move["delay_days"] == 0
    assert to_local(datetime.datetime.fromisoformat(move["finish_after"])).day == 2
    services_leveling.apply(proposal, actor=manager)
    task.refresh_from_db()
    assert (task.pauses, task.constraint_type) == ([], "ASAP")
