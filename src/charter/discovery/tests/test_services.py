import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.core.querysets import parent_filter
from charter.discovery import services
from charter.discovery.choices import RequirementStatus
from charter.discovery.models import Requirement
from charter.discovery.tests.factories import make_requirement
from charter.planning.services.conversion import run_conversion
from charter.planning.tests.factories import START, make_project, make_template, won_deal
from charter.testing.factories import OpportunityFactory


def _events(obj):
    return list(AuditEvent.objects.filter(parent_filter(obj)).order_by("pk"))


@pytest.mark.django_db
def test_codes_count_up_within_each_parent(users, client_org):
    project = make_project(client_org, manager=users["manager"])
    deal = OpportunityFactory(client=client_org)
    codes = [make_requirement(project).code for _ in range(3)]
    assert codes == ["REQ-001", "REQ-002", "REQ-003"]
    assert make_requirement(deal).code == "REQ-001"


@pytest.mark.django_db
def test_creating_locks_the_parent_row(users, client_org):
    project = make_project(client_org, manager=users["manager"])
    with CaptureQueriesContext(connection) as queries:
        make_requirement(project)
    locks = [q["sql"] for q in queries if "planning_project" in q["sql"].split("WHERE")[0]]
    assert locks, "the project row is read before numbering"
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in sql for sql in locks)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers itself; concurrent row locks need PostgreSQL",
)
def test_concurrent_creates_never_share_a_code(users, client_org):
    project = make_project(client_org, manager=users["manager"])
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def create(title):
        try:
            start.wait()
            make_requirement(project, title=title)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(f"需求 {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    codes = sorted(Requirement.objects.filter(project=project).values_list("code", flat=True))
    assert codes == ["REQ-001", "REQ-002"]


@pytest.mark.django_db
def test_creation_is_audited_with_every_field(users, client_org):
    requirement = make_requirement(
        OpportunityFactory(client=client_org), actor=users["member"], priority="must"
    )
    (event,) = _events(requirement)
    assert event.action == "created"
    assert event.actor == users["member"]
    assert event.changes["code"] == [None, "REQ-001"]
    assert event.changes["priority"] == [None, "must"]


@pytest.mark.django_db
def test_invalid_input_writes_nothing(client_org):
    deal = OpportunityFactory(client=client_org)
    with pytest.raises(ValidationError) as error:
        services.create_requirement(deal, actor=None, title="x", latent_need=True)
    assert "latent_evidence" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.create_requirement(deal, actor=None, title="  ")
    assert not Requirement.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_edits_are_versioned_and_audited_as_a_diff(users, client_org):
    requirement = make_requirement(OpportunityFactory(client=client_org))
    services.update_requirement(
        requirement, actor=users["manager"], expected_version=1, title="新标题", value=5
    )
    services.update_requirement(
        requirement,
        actor=users["manager"],
        expected_version=2,
        status=RequirementStatus.CONFIRMED,
    )
    with pytest.raises(StaleEdit):
        services.update_requirement(requirement, actor=None, expected_version=1, title="旧")
    requirement.refresh_from_db()
    assert (requirement.title, requirement.version, requirement.status) == (
        "新标题",
        3,
        "confirmed",
    )
    _created, updated, status = _events(requirement)
    assert updated.action == "updated"
    assert updated.changes == {"title": ["统一客户主数据", "新标题"], "value": [3, 5]}
    assert status.action == "status_changed"
    assert status.changes == {"status": ["proposed", "confirmed"]}


@pytest.mark.django_db
def test_conversion_carries_the_deals_requirements_with_their_codes(users, client_org):
    deal = won_deal(client_org)
    first, second = make_requirement(deal), make_requirement(deal, title="移动端审批")
    project = run_conversion(
        deal,
        actor=users["manager"],
        template=make_template(),
        manager=users["manager"],
        start_date=START,
    ).project
    moved = list(project.requirements.order_by("number"))
    assert [(row.pk, row.code) for row in moved] == [(first.pk, "REQ-001"), (second.pk, "REQ-002")]
    assert all(row.opportunity_id is None and row.version == 2 for row in moved)
    assert not deal.requirements.exists()
    created = _events(project)[0]
    assert created.changes["requirements"] == [None, ["REQ-001", "REQ-002"]]
    assert make_requirement(project).code == "REQ-003"


@pytest.mark.django_db
def test_carrying_renumbers_only_codes_the_project_has(users, client_org):
    project = make_project(client_org, manager=users["manager"])
    make_requirement(project)  # REQ-001
    make_requirement(project)  # REQ-002
    deal = OpportunityFactory(client=client_org)
    for title in ("一", "二", "三", "四"):
        make_requirement(deal, title=title)
    deal.requirements.filter(code="REQ-004").delete()  # deal holds REQ-001, 002, 003
    codes = services.carry_requirements(deal, project, actor=users["manager"])
    assert codes == ["REQ-004", "REQ-005", "REQ-003"]
    titles = dict(project.requirements.values_list("code", "title"))
    assert titles == {
        "REQ-001": "统一客户主数据",
        "REQ-002": "统一客户主数据",
        "REQ-003": "三",
        "REQ-004": "一",
        "REQ-005": "二",
    }
    renumbered = project.requirements.get(code="REQ-004")
    assert _events(renumbered)[-1].changes["code"] == ["REQ-001", "REQ-004"]
