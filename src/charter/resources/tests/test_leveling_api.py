"""Leveling through the API: propose (202), read, apply, discard; problems as problem+json."""

import pytest

from charter.resources.choices import ProposalStatus
from charter.resources.tests.matrix_leveling import clash, empty_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare(client_org, users):
    return empty_project(client_org, users["manager"])


def _post(http, url, data=None):
    return http.post(url, data or {}, content_type="application/json")


def test_propose_read_and_apply(signed_in, bare, users):
    _first, second = clash(bare, users["manager"])
    http = signed_in("manager")
    response = _post(http, f"/api/v1/projects/{bare.pk}/leveling", {"mode": "fast"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == ProposalStatus.READY and body["over_allocations_after"] == 0
    (move,) = body["moves"]
    assert move["task_id"] == second.pk and move["delay_days"] == 2
    read = http.get(f"/api/v1/leveling/{body['id']}").json()
    assert read["moves"] == body["moves"]
    applied = _post(http, f"/api/v1/leveling/{body['id']}/apply")
    assert applied.status_code == 200 and applied.json()["status"] == ProposalStatus.APPLIED
    again = _post(http, f"/api/v1/leveling/{body['id']}/discard")
    assert again.status_code == 422
    assert again["Content-Type"].startswith("application/problem+json")


def test_bad_options_answer_422(signed_in, bare):
    response = _post(
        signed_in("manager"),
        f"/api/v1/projects/{bare.pk}/leveling",
        {"mode": "optimise", "time_limit": 90},
    )
    assert response.status_code == 422


def test_a_stale_plan_is_refused(signed_in, bare, users):
    first, _second = clash(bare, users["manager"])
    http = signed_in("manager")
    body = _post(http, f"/api/v1/projects/{bare.pk}/leveling").json()
    from charter.planning.services import plan

    plan.update_task(
        first, actor=users["manager"], expected_version=first.version, fields={"duration": 480}
    )
    response = _post(http, f"/api/v1/leveling/{body['id']}/apply")
    assert response.status_code == 422 and "changed" in str(response.json())


def test_a_proposal_of_a_project_out_of_sight_is_404(signed_in, client_org, users):
    other = empty_project(client_org, users["admin"])
    body = _post(signed_in("admin"), f"/api/v1/projects/{other.pk}/leveling").json()
    assert signed_in("member").get(f"/api/v1/leveling/{body['id']}").status_code == 404
