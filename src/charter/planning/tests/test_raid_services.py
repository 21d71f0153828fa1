import datetime

import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.choices import IssueStatus, RiskStatus
from charter.planning.models import Decision, ProjectIssue, Risk
from charter.planning.services import raid as services
from charter.planning.tests.factories import make_project
from charter.planning.tests.matrix_raid import make_entry
from charter.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def events(entry):
    return list(AuditEvent.objects.for_object(entry).order_by("pk"))


def test_a_risk_is_logged_with_its_score_and_audited(project, users):
    risk = services.create_risk(
        project,
        actor=users["member"],
        title="  关键用户投入不足 ",
        probability=4,
        impact=5,
        response="avoid",
        owner=users["member"],
        review_date=datetime.date(2026, 12, 15),
    )
    assert (risk.title, risk.score, risk.created_by) == ("关键用户投入不足", 20, users["member"])
    [created] = events(risk)
    assert created.action == "created"
    assert created.changes["probability"] == [None, 4]
    assert created.changes["owner"] == [None, str(users["member"])]


def test_an_edit_and_a_status_change_are_separate_audit_events(project, users):
    risk = make_entry(project, "risks")
    services.update_risk(
        risk,
        actor=users["member"],
        expected_version=1,
        status=RiskStatus.OCCURRED,
        mitigation="每周与客户 CIO 对齐",
    )
    _created, status, updated = events(risk)
    assert (status.action, status.changes) == ("status_changed", {"status": ["open", "occurred"]})
    assert (updated.action, updated.changes) == (
        "updated",
        {"mitigation": ["", "每周与客户 CIO 对齐"]},
    )
    assert Risk.objects.get(pk=risk.pk).version == 2


def test_a_stale_edit_writes_nothing(project, users):
    risk = make_entry(project, "risks")
    services.update_risk(risk, actor=users["member"], expected_version=1, impact=5)
    stale = Risk.objects.get(pk=risk.pk)
    with pytest.raises(StaleEdit):
        services.update_risk(stale, actor=users["member"], expected_version=1, impact=1)
    assert Risk.objects.get(pk=risk.pk).impact == 5
    assert len(events(risk)) == 2


def test_probability_out_of_range_and_a_client_owner_are_refused(project, users):
    from_template = Risk.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_risk(project, actor=users["member"], title="x", probability=6)
    assert "probability" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.create_risk(project, actor=users["member"], title="x", owner=users["client"])
    assert "owner" in error.value.error_dict
    assert Risk.objects.count() == from_template


def test_an_owner_who_left_does_not_block_other_edits(project, users):
    owner = UserFactory(username="leaver")
    risk = make_entry(project, "risks", owner=owner)
    owner.is_active = False
    owner.save()
    services.update_risk(risk, actor=users["member"], expected_version=1, impact=2)
    assert Risk.objects.get(pk=risk.pk).owner == owner


def test_resolving_an_issue_needs_a_resolution_and_sets_resolved_at(project, users):
    issue = make_entry(project, "issues")
    with pytest.raises(ValidationError) as error:
        services.update_issue(
            issue, actor=users["member"], expected_version=1, status=IssueStatus.RESOLVED
        )
    assert "resolution" in error.value.error_dict
    issue = ProjectIssue.objects.get()
    assert (issue.status, issue.resolved_at, issue.version) == ("open", None, 1)
    services.update_issue(
        issue,
        actor=users["member"],
        expected_version=1,
        status=IssueStatus.RESOLVED,
        resolution="双方同意按原合同验收",
        agreed_by="客户 CIO 王强",
    )
    resolved = ProjectIssue.objects.get()
    assert resolved.resolved_at is not None
    status_event = next(e for e in events(issue) if e.action == "status_changed")
    assert status_event.changes["status"] == ["open", "resolved"]
    assert status_event.changes["resolved_at"][0] is None


def test_reopening_an_issue_clears_resolved_at(project, users):
    issue = make_entry(project, "issues", status=IssueStatus.CLOSED, resolution="已澄清")
    assert issue.resolved_at is not None
    services.update_issue(
        issue, actor=users["member"], expected_version=1, status=IssueStatus.ESCALATED
    )
    assert ProjectIssue.objects.get().resolved_at is None


def test_a_decision_may_only_settle_an_issue_of_its_project(project, users, client_org):
    other = make_project(client_org, manager=users["manager"])
    foreign_issue = make_entry(other, "issues")
    with pytest.raises(ValidationError) as error:
        make_entry(project, "decisions", issue=foreign_issue)
    assert "issue" in error.value.error_dict
    own_issue = make_entry(project, "issues")
    decision = make_entry(project, "decisions", issue=own_issue)
    assert decision.issue == own_issue


def test_deleting_an_issue_keeps_its_decisions(project, users):
    issue = make_entry(project, "issues")
    decision = make_entry(project, "decisions", issue=issue)
    services.delete_issue(issue, actor=users["manager"])
    assert Decision.objects.get(pk=decision.pk).issue is None
    deleted = AuditEvent.objects.get(action="deleted")
    assert deleted.changes == {"title": [issue.title, None]}


@pytest.mark.parametrize("plural", ["risks", "assumptions", "issues", "decisions"])
def test_every_kind_is_created_edited_and_deleted_with_audit(project, users, plural):
    entry = make_entry(project, plural)
    pk = entry.pk
    update = getattr(services, f"update_{entry._meta.model_name.removeprefix('project')}")
    update(entry, actor=users["member"], expected_version=1, client_visible=True)
    delete = getattr(services, f"delete_{entry._meta.model_name.removeprefix('project')}")
    delete(entry, actor=users["manager"])
    assert not type(entry).objects.filter(pk=pk).exists()
    entry.pk = pk
    assert [e.action for e in events(entry)] == ["created", "updated", "deleted"]


def test_unknown_fields_are_a_programming_error(project, users):
    with pytest.raises(ValueError, match="resolved_at"):
        services.create_issue(project, actor=users["member"], title="x", resolved_at=None)


def test_the_heat_map_counts_risks_per_cell(project, users):
    Risk.objects.filter(project=project).delete()  # the template's risks
    for probability, impact in [(5, 5), (5, 5), (1, 3), (2, 4)]:
        make_entry(project, "risks", probability=probability, impact=impact)
    grid = services.heat_map(Risk.objects.filter(project=project))
    assert [cell.probability for cell in (row[0] for row in grid)] == [5, 4, 3, 2, 1]
    assert [cell.impact for cell in grid[0]] == [1, 2, 3, 4, 5]
    counts = {(c.probability, c.impact): c.count for row in grid for c in row if c.count}
    assert counts == {(5, 5): 2, (1, 3): 1, (2, 4): 1}
    assert grid[0][4].score == 25


def test_overdue_means_the_date_passed_while_still_open(project, users):
    today = datetime.date(2026, 12, 10)
    late = make_entry(project, "risks", review_date=datetime.date(2026, 12, 9))
    make_entry(project, "risks", review_date=datetime.date(2026, 12, 9), status="closed")
    make_entry(project, "risks", review_date=today)
    rows = services.with_overdue(Risk.objects.filter(project=project), today=today)
    assert [row.pk for row in rows if row.overdue] == [late.pk]


def test_the_counts_and_the_scope_of_a_member(project, users, client_org):
    make_entry(project, "issues")
    counts = services.raid_counts(project)
    assert counts == {"risks": 2, "assumptions": 0, "issues": 1, "decisions": 0}
    stranger_project = make_project(client_org, manager=users["manager"])
    assert (
        services.entries_for_user(Risk, users["member"]).filter(project=stranger_project).count()
        == 0
    )
    assert services.entries_for_user(Risk, users["manager"]).count() == 4
    assert not services.entries_for_user(Risk, users["client"]).exists()
    assert not services.entries_for_user(Risk, users["member"], "delete").exists()
