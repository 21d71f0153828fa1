"""Goals and scope statements: the services (versioned, audited) and the confirmation state."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.discovery.choices import Decision
from charter.discovery.services import documents
from charter.discovery.tests.factories import make_document, make_requirement, sent_request
from charter.planning.models import Goal, ScopeItem
from charter.planning.services import goals as services
from charter.planning.tests.factories import make_project
from charter.planning.tests.matrix_goals import make_goal, make_scope_item
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _events(obj, action, pk=None):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(pk or obj.pk),
        action=action,
    )


# ---- goals and scope statements ---------------------------------------------------------------


def test_a_goal_is_created_with_its_requirements_and_audited(project, users):
    requirement = make_requirement(project, title="自动对账")
    goal = make_goal(
        project, actor=users["manager"], title="  月结天数 ", requirements=[requirement]
    )
    assert goal.title == "月结天数" and goal.order == 0
    assert list(goal.requirements.all()) == [requirement]
    event = _events(goal, "created").get()
    assert event.actor == users["manager"]
    assert event.changes["requirements"] == [None, [requirement.code]]
    assert event.changes["target"] == [None, "3"]


def test_new_goals_and_statements_go_to_the_end(project):
    first, second = make_goal(project), make_goal(project, title="客户满意度")
    assert [first.order, second.order] == [0, 1]
    assert [make_scope_item(project).order, make_scope_item(project, text="移动端").order] == [0, 1]


def test_requirements_of_another_project_are_refused(project, users, client_org):
    other = make_requirement(make_project(client_org, manager=users["manager"]))
    with pytest.raises(ValidationError) as error:
        make_goal(project, requirements=[other])
    assert "requirements" in error.value.message_dict
    assert not Goal.objects.exists()


def test_invalid_values_write_nothing(project):
    with pytest.raises(ValidationError) as error:
        make_goal(project, title="", target=Decimal("1234567890123456"))
    assert {"title", "target"} <= set(error.value.message_dict)
    assert not Goal.objects.exists()


def test_an_update_is_versioned_and_audited_as_a_diff(project, users):
    goal = make_goal(project)
    requirement = make_requirement(project)
    services.update_goal(
        goal,
        actor=users["manager"],
        expected_version=1,
        target=Decimal("2.50"),
        requirements=[requirement],
    )
    goal.refresh_from_db()
    assert goal.target == Decimal("2.50") and goal.version == 2
    changes = _events(goal, "updated").get().changes
    assert changes == {"target": ["3", "2.50"], "requirements": [[], [requirement.code]]}
    with pytest.raises(StaleEdit):
        services.update_goal(goal, actor=None, expected_version=1, title="旧的")
    goal.refresh_from_db()
    assert goal.title == "月结天数"


def test_an_update_without_changes_writes_no_event(project):
    item = make_scope_item(project)
    services.update_scope_item(item, actor=None, expected_version=1, text="财务模块上线")
    assert not _events(item, "updated").exists()


def test_unknown_fields_are_a_programming_error(project):
    with pytest.raises(ValueError):
        services.update_scope_item(make_scope_item(project), actor=None, expected_version=1, x=1)


def test_delete_is_audited_with_what_was_there(project, users):
    goal = make_goal(project)
    pk = goal.pk
    services.delete_goal(goal, actor=users["manager"])
    assert not Goal.objects.exists()
    assert _events(goal, "deleted", pk).get().changes["title"] == ["月结天数", None]


def test_reorder_puts_the_list_in_the_given_order_and_audits_it(project, users):
    a, b, c = (make_goal(project, title=title) for title in ("甲", "乙", "丙"))
    services.reorder_goals(project, actor=users["manager"], goal_ids=[c.pk, a.pk, b.pk])
    assert list(project.goals.values_list("title", flat=True)) == ["丙", "甲", "乙"]
    event = AuditEvent.objects.get(action="goals_reordered")
    assert event.changes["goals"][1][0].startswith("丙")
    with pytest.raises(ValidationError):
        services.reorder_goals(project, actor=None, goal_ids=[a.pk, b.pk])


def test_a_statement_moves_among_its_own_side_of_the_scope(project):
    first_in = make_scope_item(project, text="入1")
    make_scope_item(project, text="出1", in_scope=False)
    second_in = make_scope_item(project, text="入2")
    services.move_scope_item(second_in, actor=None, step=-1)
    in_scope = ScopeItem.objects.filter(project=project, in_scope=True)
    assert list(in_scope.values_list("text", flat=True)) == ["入2", "入1"]
    services.move_scope_item(first_in, actor=None, step=1)  # already last of its side
    assert list(in_scope.values_list("text", flat=True)) == ["入2", "入1"]


def test_moving_a_goal_past_the_top_changes_nothing(project):
    first, second = make_goal(project, title="甲"), make_goal(project, title="乙")
    services.move_goal(first, actor=None, step=-1)
    services.move_goal(second, actor=None, step=-1)
    assert list(project.goals.values_list("title", flat=True)) == ["乙", "甲"]
    assert AuditEvent.objects.filter(action="goals_reordered").count() == 1


# ---- confirmation state -----------------------------------------------------------------------


@pytest.fixture
def confirmer(project):
    return ContactFactory(client=project.client, name="陈静")


@pytest.fixture
def document(project, confirmer, users):
    document = make_document(project, actor=users["manager"])
    return documents.update_document(
        document, actor=users["manager"], expected_version=2, confirmers=[confirmer]
    )


def _confirm(version, contact):
    request, _token = sent_request(version, contact=contact)
    documents.decide(
        request, decision=Decision.CONFIRMED, content_hash=version.content_hash, ip="10.0.0.8"
    )


def test_without_a_document_the_goals_were_never_confirmed(project):
    make_goal(project)
    state = services.confirmation_state(project)
    assert state.state == services.NEVER_CONFIRMED and state.document is None


def test_a_published_but_unconfirmed_version_is_waiting(project, document):
    make_goal(project)
    documents.publish_document(document, actor=None)
    state = services.confirmation_state(project)
    assert state.state == services.NEVER_CONFIRMED
    assert state.waiting_number == 1


def test_confirmed_then_changed_then_confirmed_again(project, document, confirmer):
    goal = make_goal(project)
    item = make_scope_item(project)
    v1 = documents.publish_document(document, actor=None)
    _confirm(v1, confirmer)

    state = services.confirmation_state(project)
    assert state.state == services.CONFIRMED and state.version == v1
    assert state.confirmed_by == ["陈静"] and state.confirmed_at is not None
    assert state.waiting_number is None

    services.update_goal(goal, actor=None, expected_version=1, target=Decimal("2"))
    services.update_scope_item(item, actor=None, expected_version=1, in_scope=False)
    make_goal(project, title="客户满意度", unit="分")
    state = services.confirmation_state(project)
    assert state.state == services.CHANGED and state.version == v1
    assert [(c.title, c.kind) for c in state.changed_items] == [
        ("月结天数", "changed"),
        ("客户满意度", "added"),
        ("财务模块上线", "changed"),
    ]
    assert state.changes["goals"][0].shown_fields == [("Target", "3", "2")]
    assert state.changes["scope"][0].shown_fields == [
        ("In or out of scope", "In scope", "Out of scope")
    ]

    v2 = documents.publish_document(document, actor=None)
    assert services.confirmation_state(project).waiting_number == 2
    _confirm(v2, confirmer)
    state = services.confirmation_state(project)
    assert state.state == services.CONFIRMED and state.version == v2


def test_a_version_counts_only_when_every_required_confirmer_confirmed(
    project, document, confirmer, users
):
    make_goal(project)
    second = ContactFactory(client=project.client)
    documents.update_document(
        document, actor=None, expected_version=document.version, confirmers=[confirmer, second]
    )
    version = documents.publish_document(document, actor=None)
    _confirm(version, confirmer)
    assert services.confirmation_state(project).state == services.NEVER_CONFIRMED
    _confirm(version, second)
    assert services.confirmation_state(project).state == services.CONFIRMED


def test_a_deleted_goal_and_a_narrative_edit(project, document, confirmer):
    goal = make_goal(project)
    version = documents.publish_document(document, actor=None)
    _confirm(version, confirmer)
    documents.update_document(
        document, actor=None, expected_version=document.version, background="只改了背景。"
    )
    assert services.confirmation_state(project).state == services.CONFIRMED
    services.delete_goal(goal, actor=None)
    state = services.confirmation_state(project)
    assert [(c.title, c.kind) for c in state.changed_items] == [("月结天数", "removed")]


def test_the_state_costs_a_fixed_number_of_queries(
    project, document, confirmer, django_assert_max_num_queries
):
    for number in range(3):
        make_goal(project, title=f"目标 {number}", requirements=[make_requirement(project)])
    for _round in range(2):
        version = documents.publish_document(document, actor=None)
        _confirm(version, confirmer)
        make_scope_item(project, text=f"范围 {_round}")
    with django_assert_max_num_queries(10):
        assert services.confirmation_state(project).state == services.CHANGED


def test_due_dates_freeze_as_iso_dates(project):
    make_goal(project, due_date=datetime.date(2027, 1, 5))
    assert services.current_plan(project)["goals"][0]["due"] == "2027-01-05"
