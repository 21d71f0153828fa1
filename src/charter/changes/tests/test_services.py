"""The verbs of change requests: numbering, validation with nothing written, edits while
proposed, the decision and what approval does to requirements, implementation, deletion and
optimistic concurrency."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from charter.changes.choices import ChangeStatus
from charter.changes.models import ChangeRequest
from charter.changes.services import (
    create_change_request,
    decide_change_request,
    delete_change_request,
    mark_implemented,
    update_change_request,
)
from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import make_project
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _events(obj, action):
    return AuditEvent.objects.filter(
        action=action, object_id=str(obj.pk), content_type__model=obj._meta.model_name
    )


def _raise(project, actor, **fields):
    return create_change_request(project, actor=actor, **{"title": "增加移动端审批", **fields})


def test_codes_count_up_per_project(users, client_org, project):
    first, second = _raise(project, users["member"]), _raise(project, users["member"])
    other = _raise(make_project(client_org, manager=users["manager"]), users["manager"])
    assert [first.code, second.code, other.code] == ["CR-001", "CR-002", "CR-001"]
    assert (first.status, first.requested_on) == (ChangeStatus.PROPOSED, timezone.localdate())
    assert first.created_by == users["member"]


def test_a_new_request_is_audited_with_its_requirements(users, client_org, project):
    contact = ContactFactory(client=client_org, name="王经理")
    requirements = [make_requirement(project, title="报表"), make_requirement(project)]
    change = _raise(
        project,
        users["member"],
        requested_by=contact,
        requested_on=datetime.date(2026, 12, 3),
        requirements=requirements,
        reason="  财务要求  ",
    )
    assert set(change.requirements.all()) == set(requirements)
    assert change.reason == "财务要求"
    event = _events(change, "created").get()
    assert event.actor == users["member"]
    assert event.changes["requirements"] == [None, sorted(r.code for r in requirements)]
    assert event.changes["title"] == [None, "增加移动端审批"]


@pytest.mark.parametrize("case", ["foreign_contact", "foreign_requirement", "empty_title"])
def test_invalid_input_writes_nothing(users, client_org, other_client_org, project, case):
    fields = {
        "foreign_contact": {"requested_by": ContactFactory(client=other_client_org)},
        "foreign_requirement": {
            "requirements": [make_requirement(make_project(client_org, manager=users["manager"]))]
        },
        "empty_title": {"title": "   "},
    }[case]
    expected_field = {
        "foreign_contact": "requested_by",
        "foreign_requirement": "requirements",
        "empty_title": "title",
    }[case]
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        _raise(project, users["member"], **fields)
    assert expected_field in raised.value.message_dict
    assert not ChangeRequest.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_a_proposed_request_is_edited_and_audited(users, client_org, project):
    kept, added = make_requirement(project, title="保留"), make_requirement(project, title="新增")
    change = _raise(project, users["member"], requirements=[kept])
    update_change_request(
        change,
        actor=users["manager"],
        expected_version=change.version,
        title="增加移动端与微信审批",
        requirements=[kept, added],
    )
    change.refresh_from_db()
    assert (change.title, change.version) == ("增加移动端与微信审批", 2)
    assert set(change.requirements.all()) == {kept, added}
    event = _events(change, "updated").get()
    assert event.changes["title"] == ["增加移动端审批", "增加移动端与微信审批"]
    assert event.changes["requirements"] == [[kept.code], sorted([kept.code, added.code])]


def test_an_invalid_edit_writes_nothing(users, other_client_org, project):
    change = _raise(project, users["member"])
    with pytest.raises(ValidationError):
        update_change_request(
            change,
            actor=users["manager"],
            expected_version=1,
            requested_by=ContactFactory(client=other_client_org),
        )
    change.refresh_from_db()
    assert (change.version, change.requested_by) == (1, None)
    assert not _events(change, "updated").exists()


def test_a_stale_edit_is_refused_and_writes_nothing(users, project):
    change = _raise(project, users["member"])
    update_change_request(change, actor=users["manager"], expected_version=1, reason="第一次")
    stale = ChangeRequest.objects.get(pk=change.pk)
    stale.version = 1
    with pytest.raises(StaleEdit):
        update_change_request(stale, actor=users["manager"], expected_version=1, reason="第二次")
    change.refresh_from_db()
    assert (change.reason, change.version) == ("第一次", 2)
    with pytest.raises(StaleEdit):
        decide_change_request(
            change, actor=users["manager"], expected_version=1, status=ChangeStatus.APPROVED
        )
    change.refresh_from_db()
    assert change.status == ChangeStatus.PROPOSED


def test_approval_marks_confirmed_requirements_changed(users, project):
    confirmed = make_requirement(project, title="已确认", status="confirmed")
    proposed = make_requirement(project, title="待确认", status="proposed")
    change = _raise(project, users["member"], requirements=[confirmed, proposed])
    decide_change_request(
        change,
        actor=users["manager"],
        expected_version=change.version,
        status=ChangeStatus.APPROVED,
        note="  指导委员会同意  ",
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert (change.decided_by, change.decision_note) == (users["manager"], "指导委员会同意")
    assert change.decided_at is not None
    confirmed.refresh_from_db()
    proposed.refresh_from_db()
    assert (confirmed.status, proposed.status) == ("changed", "proposed")
    assert _events(confirmed, "status_changed").get().changes == {
        "status": ["confirmed", "changed"]
    }
    assert not _events(proposed, "status_changed").exists()
    decided = _events(change, "change_decided").get()
    assert decided.changes["status"] == ["proposed", "approved"]
    assert decided.actor == users["manager"]


def test_rejection_leaves_requirements_alone(users, project):
    confirmed = make_requirement(project, status="confirmed")
    change = _raise(project, users["member"], requirements=[confirmed])
    decide_change_request(
        change, actor=users["manager"], expected_version=1, status=ChangeStatus.REJECTED
    )
    confirmed.refresh_from_db()
    assert (change.status, confirmed.status) == (ChangeStatus.REJECTED, "confirmed")
    with pytest.raises(ValidationError):  # decided once
        decide_change_request(
            change, actor=users["manager"], expected_version=2, status=ChangeStatus.APPROVED
        )
    with pytest.raises(ValidationError):  # not a decision
        decide_change_request(
            _raise(project, users["member"]),
            actor=users["manager"],
            expected_version=1,
            status=ChangeStatus.IMPLEMENTED,
        )


def test_only_a_proposed_request_is_edited_or_deleted(users, project):
    change = _raise(project, users["member"])
    decide_change_request(
        change, actor=users["manager"], expected_version=1, status=ChangeStatus.APPROVED
    )
    with pytest.raises(ValidationError):
        update_change_request(change, actor=users["manager"], expected_version=2, title="改")
    with pytest.raises(ValidationError):
        delete_change_request(change, actor=users["manager"])
    change.refresh_from_db()
    assert (change.title, change.version) == ("增加移动端审批", 2)


def test_implemented_only_after_approval(users, project):
    change = _raise(project, users["member"])
    with pytest.raises(ValidationError):
        mark_implemented(change, actor=users["manager"], expected_version=1)
    change.refresh_from_db()
    assert change.status == ChangeStatus.PROPOSED
    decide_change_request(
        change, actor=users["manager"], expected_version=1, status=ChangeStatus.APPROVED
    )
    mark_implemented(change, actor=users["manager"], expected_version=2)
    change.refresh_from_db()
    assert (change.status, change.version) == (ChangeStatus.IMPLEMENTED, 3)
    assert _events(change, "change_implemented").get().changes == {
        "status": ["approved", "implemented"]
    }
    rejected = _raise(project, users["member"])
    decide_change_request(
        rejected, actor=users["manager"], expected_version=1, status=ChangeStatus.REJECTED
    )
    with pytest.raises(ValidationError):
        mark_implemented(rejected, actor=users["manager"], expected_version=2)


def test_a_proposed_request_is_deleted_with_an_audit_event(users, project):
    change = _raise(project, users["member"])
    pk = change.pk
    delete_change_request(change, actor=users["manager"])
    assert not ChangeRequest.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="deleted", object_id=str(pk))
    assert event.changes == {"title": ["CR-001 增加移动端审批", None]}


def test_a_request_decided_since_it_was_read_is_not_deleted(users, project):
    change = _raise(project, users["member"])
    stale = ChangeRequest.objects.get(pk=change.pk)  # read by the deleting request
    decide_change_request(
        change, actor=users["manager"], expected_version=1, status=ChangeStatus.APPROVED
    )
    with pytest.raises(ValidationError):
        delete_change_request(stale, actor=users["manager"])
    assert ChangeRequest.objects.filter(pk=change.pk, status=ChangeStatus.APPROVED).exists()
