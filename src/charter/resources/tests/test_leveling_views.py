"""Leveling pages: propose, watch the progress, read the proposal, apply or discard it."""

import pytest
from django.urls import reverse

from charter.resources.choices import ProposalStatus
from charter.resources.models.leveling import LevelingProposal
from charter.resources.tests.matrix_leveling import clash, empty_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare(client_org, users):
    project = empty_project(client_org, users["manager"])
    project.members.add(users["member"])
    return project


def test_the_page_shows_the_form_and_the_tab(signed_in, bare):
    page = signed_in("manager").get(reverse("resources:leveling", args=[bare.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="leveling-form"' in html and "No proposal yet" in html
    assert reverse("resources:leveling", args=[bare.pk]) in html  # the plan tab


def test_a_member_sees_the_page_without_the_form(signed_in, bare):
    page = signed_in("member").get(reverse("resources:leveling", args=[bare.pk]))
    assert page.status_code == 200 and 'data-testid="leveling-propose"' not in page.content.decode()


def test_propose_then_apply(signed_in, bare, users):
    _first, second = clash(bare, users["manager"])
    http = signed_in("manager")
    response = http.post(
        reverse("resources:leveling_propose", args=[bare.pk]),
        {"scope": "project", "mode": "fast", "time_limit": "5"},
    )
    proposal = LevelingProposal.objects.get()
    assert response.status_code == 302 and response.url == proposal.get_absolute_url()
    page = http.get(response.url).content.decode()
    for part in ("leveling-summary", "leveling-moves", "leveling-gantt", "leveling-apply"):
        assert f'data-testid="{part}"' in page
    assert "报表开发" in page and "gantt-baseline" in page
    http.post(reverse("resources:leveling_apply", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED
    second.refresh_from_db()
    assert second.constraint_type == "SNET"
    page = http.get(proposal.get_absolute_url()).content.decode()
    assert 'data-testid="leveling-apply"' not in page  # read-only once decided


def test_bad_options_show_on_the_form(signed_in, bare):
    response = signed_in("manager").post(
        reverse("resources:leveling_propose", args=[bare.pk]),
        {"scope": "project", "mode": "optimise", "time_limit": "99"},
    )
    assert response.status_code == 422 and not LevelingProposal.objects.exists()


def test_the_progress_fragment_polls_while_running_and_refreshes_when_done(signed_in, bare):
    proposal = LevelingProposal.objects.create(project=bare, options={"time_limit": 5})
    http = signed_in("manager")
    url = reverse("resources:leveling_detail", args=[proposal.pk])
    fragment = http.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    proposal.status = ProposalStatus.READY
    proposal.save()
    done = http.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_discard_and_the_list_costs_a_constant_number_of_queries(
    signed_in, bare, users, django_assert_max_num_queries
):
    clash(bare, users["manager"])
    http = signed_in("manager")
    for _ in range(3):
        http.post(
            reverse("resources:leveling_propose", args=[bare.pk]),
            {"scope": "project", "mode": "fast"},
        )
    proposal = LevelingProposal.objects.first()
    http.post(reverse("resources:leveling_discard", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISCARDED
    with django_assert_max_num_queries(20):
        page = http.get(reverse("resources:leveling", args=[bare.pk]))
    assert page.content.decode().count("leveling/") >= 3
