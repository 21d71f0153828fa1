"""Bulk edit of the requirement register: all or nothing, version-checked, audited per row."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from charter.core.models import AuditEvent
from charter.discovery.models import Requirement
from charter.discovery.services.requirements import StaleRequirements, bulk_update_requirements
from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import make_project
from charter.testing.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def REQUIREMENT_EVENTS():
    return AuditEvent.objects.filter(content_type__model="requirement")


JSON = "application/json"


def _three(project):
    return [make_requirement(project, title=f"需求 {n}") for n in range(3)]


def _events(action="updated"):
    return REQUIREMENT_EVENTS().filter(action__in=[action, "status_changed"]).count()


def test_the_service_changes_every_row_and_audits_each(users, project):
    rows = _three(project)
    changed = bulk_update_requirements(
        project,
        actor=users["manager"],
        versions={row.pk: 1 for row in rows},
        status="confirmed",
        owner=users["member"],
    )
    assert {row.code for row in changed} == {"REQ-001", "REQ-002", "REQ-003"}
    assert set(Requirement.objects.values_list("status", "owner", "version")) == {
        ("confirmed", users["member"].pk, 2)
    }
    events = REQUIREMENT_EVENTS().filter(action="updated")
    assert events.count() == 3
    assert events.first().changes["status"] == ["proposed", "confirmed"]


def test_one_stale_row_changes_nothing_and_is_named(users, project):
    rows = _three(project)
    Requirement.objects.filter(pk=rows[1].pk).update(version=2)
    with pytest.raises(StaleRequirements) as stale:
        bulk_update_requirements(
            project, actor=users["manager"], versions={r.pk: 1 for r in rows}, priority="must"
        )
    assert "REQ-002" in str(stale.value) and "REQ-001" not in str(stale.value)
    assert not Requirement.objects.filter(priority="must").exists()
    assert _events() == 0


def test_a_row_of_another_register_is_refused(users, project, client_org):
    deal_row = make_requirement(OpportunityFactory(client=client_org))
    mine = make_requirement(project)
    with pytest.raises(ValidationError):
        bulk_update_requirements(
            project,
            actor=users["manager"],
            versions={mine.pk: 1, deal_row.pk: 1},
            status="confirmed",
        )
    assert not Requirement.objects.filter(status="confirmed").exists()


def test_nothing_to_change_is_refused(users, project):
    row = make_requirement(project)
    with pytest.raises(ValidationError):
        bulk_update_requirements(project, actor=users["manager"], versions={row.pk: 1})


def _post(http, project, rows, **fields):
    data = {"selected": [r.pk for r in rows], **{f"version_{r.pk}": r.version for r in rows}}
    url = reverse("discovery:project_requirement_bulk", args=[project.pk])
    return http.post(url, {**data, **fields}, follow=True)


def test_the_list_offers_checkboxes_and_the_bar(signed_in, project):
    row = make_requirement(project)
    page = signed_in("member").get(reverse("discovery:project_requirements", args=[project.pk]))
    html = page.content.decode()
    assert 'data-testid="bulk-bar"' in html
    assert f'name="version_{row.pk}" value="1"' in html


def test_bulk_from_the_list(signed_in, users, project):
    rows = _three(project)
    response = _post(
        signed_in("member"), project, rows[:2], client_visible="yes", type="constraint"
    )
    assert "2 requirements were changed" in response.content.decode()
    assert list(Requirement.objects.filter(client_visible=True).values_list("code", flat=True)) == [
        "REQ-001",
        "REQ-002",
    ]
    assert Requirement.objects.get(code="REQ-001").type == "constraint"
    assert Requirement.objects.get(code="REQ-003").type == "functional"


def test_bulk_from_a_stale_list_names_the_stale_codes(signed_in, project):
    rows = _three(project)
    Requirement.objects.filter(pk=rows[2].pk).update(version=5)
    response = _post(signed_in("member"), project, rows, status="rejected")
    page = response.content.decode()
    assert "REQ-003" in page and "nothing was changed" in page
    assert not Requirement.objects.filter(status="rejected").exists()


def test_bulk_with_no_selection_or_no_change_says_so(signed_in, project):
    row = make_requirement(project)
    assert "Select at least one requirement." in (
        _post(signed_in("member"), project, [], status="confirmed").content.decode()
    )
    assert "Choose at least one thing to change." in (
        _post(signed_in("member"), project, [row]).content.decode()
    )


def test_bulk_on_someone_elses_project_is_404_for_a_member(signed_in, users, client_org):
    other = make_project(client_org, manager=users["manager"])
    row = make_requirement(other)
    url = reverse("discovery:project_requirement_bulk", args=[other.pk])
    response = signed_in("member").post(url, {"selected": [row.pk], f"version_{row.pk}": 1})
    assert response.status_code == 404


def test_bulk_through_the_api(signed_in, users, project):
    rows = _three(project)
    http = signed_in("member")
    url = f"/api/v1/projects/{project.pk}/requirements/bulk"
    body = {
        "rows": [{"id": r.pk, "version": 1} for r in rows[:2]],
        "changes": {"priority": "could", "owner_id": users["manager"].pk},
    }
    ok = http.post(url, body, content_type=JSON)
    assert ok.status_code == 200
    assert [(r["code"], r["priority"], r["version"]) for r in ok.json()] == [
        ("REQ-001", "could", 2),
        ("REQ-002", "could", 2),
    ]
    stale = http.post(url, body, content_type=JSON)
    assert stale.status_code == 412
    assert "REQ-001" in stale.json()["detail"]
    bad_owner = http.post(
        url,
        {"rows": [{"id": rows[2].pk, "version": 1}], "changes": {"owner_id": users["client"].pk}},
        content_type=JSON,
    )
    assert bad_owner.status_code == 422
    assert Requirement.objects.get(pk=rows[2].pk).version == 1
