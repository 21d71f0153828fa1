"""Leveling plans: the adapter's mapping to the engine, and the services around proposals."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from charter.core.models import AuditEvent
from charter.planning.adapters import to_local
from charter.planning.models import Project
from charter.planning.services import calendars, plan
from charter.resources import leveling
from charter.resources.choices import ProposalStatus
from charter.resources.services import leveling as services_leveling
from charter.resources.services import pool as services
from charter.resources.tests.matrix_leveling import add, clash, empty_project, person

pytestmark = pytest.mark.django_db


def _day(moment):
    return to_local(moment).date()


def _propose(project, actor, **options):
    return services_leveling.propose(project, actor=actor, options=options)


@pytest.fixture
def bare(client_org, manager):
    return empty_project(client_org, manager)


def test_two_tasks_on_one_person_at_once_one_moves(bare, manager):
    first, second = clash(bare, manager)
    assert first.start == second.start
    proposal = _propose(bare, manager)
    assert proposal.status == ProposalStatus.READY
    moves = proposal.result["moves"]
    # The lower-priority task waits for the other (Tue-Wed, then Thu-Fri).
    assert [move["task_id"] for move in moves] == [second.pk]
    assert moves[0]["delay_days"] == 2
    assert moves[0]["snet"] == "2026-12-03"
    assert moves[0]["resources"] == ["王工"]
    assert proposal.result["over_before"] == 2 and proposal.result["over_after"] == 0


def test_a_day_off_in_the_resource_calendar_is_respected(bare, manager):
    own = calendars.create_calendar(actor=manager, name="王工的日历")
    calendars.add_exception(own, actor=manager, day=datetime.date(2026, 12, 3), name="年假")
    _first, second = clash(bare, manager, person(manager, calendar=own))
    proposal = _propose(bare, manager)
    (move,) = proposal.result["moves"]
    # Thursday is the person's day off: the second task cannot run Thu-Fri, so Fri-Mon.
    assert move["task_id"] == second.pk and move["snet"] == "2026-12-04"


def test_a_started_task_keeps_its_dates_and_its_use_counts(bare, manager):
    first, second = clash(bare, manager)
    plan.update_task(
        second, actor=manager, expected_version=second.version, fields={"percent_complete": 50}
    )
    second.refresh_from_db()
    proposal = _propose(bare, manager)
    (move,) = proposal.result["moves"]
    assert move["task_id"] == first.pk  # the started one stays, the other waits for it
    assert move["snet"] == "2026-12-03"


def test_a_link_is_kept(bare, manager):
    first, second = clash(bare, manager)
    third = add(bare, manager, "联调测试", days=1)
    fourth = add(bare, manager, "接口文档", days=1)
    plan.add_dependency(bare, actor=manager, predecessor=second, successor=third)
    plan.add_dependency(bare, actor=manager, predecessor=first, successor=fourth)
    proposal = _propose(bare, manager)
    moved = {move["task_id"]: move for move in proposal.result["moves"]}
    # Equal float, so priority decides: the second task waits, and its successor with it.
    assert set(moved) == {second.pk, third.pk}
    assert moved[second.pk]["snet"] == "2026-12-03"
    assert moved[third.pk]["snet"] == "2026-12-07"


def test_across_projects_the_higher_priority_project_keeps_its_dates(client_org, manager):
    who = person(manager)
    low = empty_project(client_org, manager)
    high = empty_project(client_org, manager)
    Project.objects.filter(pk=low.pk).update(priority=300)
    Project.objects.filter(pk=high.pk).update(priority=900)
    low_task = add(low, manager, "低优先级任务")
    high_task = add(high, manager, "高优先级任务")
    services.assign(low_task, who, actor=manager)
    services.assign(high_task, who, actor=manager)
    alone = _propose(high, manager, scope="project")
    assert alone.result["moves"] == []  # within one project there is no clash
    proposal = _propose(high, manager, scope="across")
    assert [move["task_id"] for move in proposal.result["moves"]] == [low_task.pk]
    assert sorted(proposal.result["projects"]) == sorted([low.pk, high.pk])


def test_only_tasks_starting_in_the_date_range_move(bare, manager):
    _first, _second = clash(bare, manager)
    proposal = _propose(bare, manager, date_from="2026-12-10")
    assert proposal.result["moves"] == []
    assert proposal.result["over_after"] == 2  # nothing may move, so the clash stays


def test_more_than_a_person_has_is_reported_unplaced(bare, manager):
    task = add(bare, manager, "加班任务")
    services.assign(task, person(manager), actor=manager, units=2)
    proposal = _propose(bare, manager)
    (unplaced,) = proposal.result["unplaced"]
    assert unplaced["task_id"] == task.pk and unplaced["reason"] == "over_capacity"
    assert unplaced["resource"] == "王工"


def test_optimise_mode_runs_to_the_end(bare, manager):
    clash(bare, manager)
    proposal = services_leveling.propose(
        bare, actor=manager, mode="optimise", options={"time_limit": 1}
    )
    assert proposal.status == ProposalStatus.READY and proposal.progress == 1.0
    assert len(proposal.result["moves"]) == 1


def test_bad_options_are_refused(bare, manager):
    with pytest.raises(ValidationError) as error:
        _propose(bare, manager, time_limit=60, date_from="2026-12-10", date_to="2026-12-01")
    assert set(error.value.error_dict) == {"time_limit", "date_to"}


def test_apply_sets_start_no_earlier_than_and_reschedules(bare, manager):
    _first, second = clash(bare, manager)
    proposal = _propose(bare, manager)
    services_leveling.apply(proposal, actor=manager)
    second.refresh_from_db()
    assert second.constraint_type == "SNET"
    assert _day(second.constraint_date) == datetime.date(2026, 12, 3)
    assert _day(second.start) == datetime.date(2026, 12, 3)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED and proposal.applied_by == manager
    event = AuditEvent.objects.for_object(bare).get(action="leveled")
    assert event.changes["moves"][1][0]["delay_days"] == 2
    # Leveled, the plan has nothing left to move.
    assert _propose(bare, manager).result["moves"] == []


def test_apply_refuses_a_plan_changed_since(bare, manager):
    first, second = clash(bare, manager)
    proposal = _propose(bare, manager)
    plan.update_task(first, actor=manager, expected_version=first.version, fields={"name": "改"})
    with pytest.raises(ValidationError, match="changed"):
        services_leveling.apply(proposal, actor=manager)
    second.refresh_from_db()
    assert second.constraint_type == "ASAP"


def test_discard_leaves_the_plan_and_closes_the_proposal(bare, manager):
    _first, second = clash(bare, manager)
    proposal = _propose(bare, manager)
    services_leveling.discard(proposal, actor=manager)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISCARDED
    second.refresh_from_db()
    assert second.constraint_type == "ASAP"
    with pytest.raises(ValidationError):
        services_leveling.apply(proposal, actor=manager)


def test_a_task_without_assignments_keeps_a_chain_whole(bare, manager):
    first, second = clash(bare, manager)
    free = add(bare, manager, "评审", days=1)
    last = add(bare, manager, "上线", days=1)
    services.assign(last, person(manager, "李工"), actor=manager)
    plan.add_dependency(bare, actor=manager, predecessor=second, successor=free)
    plan.add_dependency(bare, actor=manager, predecessor=free, successor=last)
    loaded = leveling.load(bare, actor=manager, options=leveling.Options())
    ids = {activity.id for activity in loaded.problem.activities}
    assert {first.pk, second.pk, free.pk, last.pk} <= ids
    links = {(link.predecessor, link.successor) for link in loaded.problem.precedences}
    assert {(second.pk, free.pk), (free.pk, last.pk)} <= links
    proposal = _propose(bare, manager)
    # The chain gives the second task less float, so the first one waits.
    assert [move["task_id"] for move in proposal.result["moves"]] == [first.pk]
