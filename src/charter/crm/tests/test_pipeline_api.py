"""The pipeline and interactions through the API: filters, ETag/If-Match, moves, stages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.core.tests.test_api import assert_problem, fields
from charter.crm.models import Interaction, Opportunity, Stage
from charter.testing.factories import (
    ClientFactory,
    ContactFactory,
    InteractionFactory,
    OpportunityFactory,
)

JSON = "application/json"


def stage(name_en):
    return Stage.objects.get(name_en=name_en)


def deal_url(deal, suffix=""):
    return f"/api/v1/opportunities/{deal.pk}{suffix}"


@pytest.mark.django_db
def test_list_filters_and_pages(signed_in, client_org, other_client_org, users):
    OpportunityFactory(client=client_org, title="ERP 实施", owner=users["member"])
    OpportunityFactory(client=client_org, title="CRM", stage=stage("Proposal"))
    OpportunityFactory(client=other_client_org, title="ERP 北风", expected_close="2027-02-03")
    http = signed_in("member")

    def titles(**params):
        body = http.get("/api/v1/opportunities", params).json()
        return sorted(item["title"] for item in body["items"])

    assert titles(q="erp") == ["ERP 北风", "ERP 实施"]
    assert titles(client_id=client_org.pk, stage_id=stage("Proposal").pk) == ["CRM"]
    assert titles(owner_id=users["member"].pk) == ["ERP 实施"]
    assert titles(month="2027-02") == ["ERP 北风"]
    assert titles(kind="open") == ["CRM", "ERP 北风", "ERP 实施"]
    page = http.get("/api/v1/opportunities", {"limit": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    assert_problem(http.get("/api/v1/opportunities", {"month": "2027-13"}), 422)


@pytest.mark.django_db
def test_list_costs_the_same_queries_for_more_deals(signed_in, client_org):
    http = signed_in("member")

    def cost():
        with CaptureQueriesContext(connection) as captured:
            assert http.get("/api/v1/opportunities").status_code == 200
        return len(captured)

    OpportunityFactory.create_batch(2, client=client_org)
    few = cost()
    OpportunityFactory.create_batch(5, client=ClientFactory())
    assert cost() == few


@pytest.mark.django_db
def test_create_then_get_with_etag(signed_in, client_org, users):
    http = signed_in("member")
    created = http.post(
        "/api/v1/opportunities",
        {
            "client_id": client_org.pk,
            "title": "数据平台",
            "amount": "120000.40",
            "stage_id": stage("Qualified").pk,
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["probability"], body["owner_id"], body["stage_kind"]) == (
        25,
        users["member"].pk,
        "open",
    )
    assert Decimal(body["weighted_amount"]) == Decimal("30000.10")
    fetched = http.get(f"/api/v1/opportunities/{body['id']}")
    assert fetched["ETag"] == '"1"'


@pytest.mark.django_db
def test_create_refuses_unknown_ids_and_lost_without_reason(signed_in, client_org):
    http = signed_in("member")
    bad = http.post("/api/v1/opportunities", {"client_id": 999999, "title": "X"}, content_type=JSON)
    assert "client_id" in fields(assert_problem(bad, 422))
    lost = http.post(
        "/api/v1/opportunities",
        {"client_id": client_org.pk, "title": "X", "stage_id": stage("Lost").pk},
        content_type=JSON,
    )
    assert "lost_reason" in fields(assert_problem(lost, 422))
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_patch_needs_if_match_and_refuses_stale_versions(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    http = signed_in("member")
    assert_problem(http.patch(deal_url(deal), {"title": "新"}, content_type=JSON), 428)
    ok = http.patch(deal_url(deal), {"title": "新"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = http.patch(
        deal_url(deal), {"title": "旧"}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert_problem(stale, 412)
    assert Opportunity.objects.get(pk=deal.pk).title == "新"


@pytest.mark.django_db
def test_move_with_if_match(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    http = signed_in("member")
    url = deal_url(deal, "/move")
    won = {"stage_id": stage("Won").pk}
    assert_problem(http.post(url, won, content_type=JSON), 428)
    moved = http.post(url, won, content_type=JSON, headers={"If-Match": '"1"'})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["probability"], moved.json()["stage_kind"]) == (100, "won")
    assert moved.json()["closed_at"] and moved["ETag"] == '"2"'
    assert_problem(http.post(url, won, content_type=JSON, headers={"If-Match": '"1"'}), 412)
    lost = http.post(
        url, {"stage_id": stage("Lost").pk}, content_type=JSON, headers={"If-Match": '"2"'}
    )
    assert "lost_reason" in fields(assert_problem(lost, 422))
    unknown = http.post(url, {"stage_id": 999999}, content_type=JSON, headers={"If-Match": '"2"'})
    assert "stage_id" in fields(assert_problem(unknown, 422))


@pytest.mark.django_db
def test_stages_are_read_by_staff_and_configured_by_managers(signed_in, client_org):
    member, manager = signed_in("member"), signed_in("manager")
    listed = member.get("/api/v1/stages").json()
    assert [item["name_en"] for item in listed] == [
        "Lead",
        "Qualified",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]
    new = {"name_zh": "合同", "name_en": "Contract", "probability": 90}
    assert_problem(member.post("/api/v1/stages", new, content_type=JSON), 403)
    created = manager.post("/api/v1/stages", new, content_type=JSON)
    assert created.status_code == 201
    stage_id = created.json()["id"]
    moved = manager.patch(
        f"/api/v1/stages/{stage_id}", {"position": 1, "name_en": "Contracting"}, content_type=JSON
    )
    assert moved.status_code == 200 and moved.json()["name_en"] == "Contracting"
    assert member.get("/api/v1/stages").json()[0]["id"] == stage_id
    last_won = manager.patch(
        f"/api/v1/stages/{stage('Won').pk}", {"kind": "open"}, content_type=JSON
    )
    assert_problem(last_won, 422)
    OpportunityFactory(client=client_org, stage=stage("Proposal"))
    busy = manager.delete(f"/api/v1/stages/{stage('Proposal').pk}")
    assert "still has 1 deals" in assert_problem(busy, 422)["errors"][0]["detail"]
    assert manager.delete(f"/api/v1/stages/{stage_id}").status_code == 204


@pytest.mark.django_db
def test_interactions_list_log_and_edit(signed_in, client_org, other_client_org, users):
    deal = OpportunityFactory(client=client_org)
    contact = ContactFactory(client=client_org)
    InteractionFactory(client=other_client_org, summary="别人的")
    http = signed_in("member")
    logged = http.post(
        "/api/v1/interactions",
        {
            "client_id": client_org.pk,
            "opportunity_id": deal.pk,
            "kind": "visit",
            "summary": "现场调研",
            "contact_ids": [contact.pk],
            "user_ids": [users["manager"].pk],
            "follow_up_on": "2026-01-05",
        },
        content_type=JSON,
    )
    assert logged.status_code == 201, logged.content
    assert logged["ETag"] == '"1"'
    body = logged.json()
    assert (body["contact_ids"], body["owner_id"]) == ([contact.pk], users["member"].pk)
    listed = http.get("/api/v1/interactions", {"opportunity_id": deal.pk}).json()
    assert [item["summary"] for item in listed["items"]] == ["现场调研"]
    assert http.get("/api/v1/interactions", {"client_id": client_org.pk}).json()["count"] == 1
    assert http.get("/api/v1/interactions", {"due": True}).json()["count"] == 1
    edited = http.patch(
        f"/api/v1/interactions/{body['id']}",
        {"follow_up_done": True, "summary": "现场调研 (已整理)"},
        content_type=JSON,
        headers={"If-Match": logged["ETag"]},
    )
    assert edited.status_code == 200 and edited.json()["follow_up_done"] is True
    assert edited["ETag"] == '"2"' and edited.json()["version"] == 2
    assert http.get("/api/v1/interactions", {"due": True}).json()["count"] == 0


def interaction_url(interaction):
    return f"/api/v1/interactions/{interaction.pk}"


@pytest.mark.django_db
def test_interaction_edits_need_the_current_etag(signed_in, client_org, users):
    interaction = InteractionFactory(client=client_org, summary="旧")
    interaction.contacts.set([ContactFactory(client=client_org)])
    first, second = signed_in("member"), signed_in("manager")
    for editor in (first, second):
        fetched = editor.get(interaction_url(interaction))
        assert fetched.status_code == 200 and fetched["ETag"] == '"1"'
        assert fetched.json()["version"] == 1
    url = interaction_url(interaction)
    assert_problem(first.patch(url, {"summary": "无"}, content_type=JSON), 428)
    ok = first.patch(url, {"summary": "甲"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"' and ok.json()["summary"] == "甲"
    stale = second.patch(
        url, {"summary": "乙", "contact_ids": []}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert "Someone else saved" in assert_problem(stale, 412)["detail"]
    unreadable = second.patch(url, {"summary": "乙"}, content_type=JSON, headers={"If-Match": "x"})
    assert_problem(unreadable, 412)
    interaction.refresh_from_db()
    assert (interaction.summary, interaction.version) == ("甲", 2)
    assert interaction.contacts.count() == 1
    assert second.get(url)["ETag"] == '"2"'
    assert_problem(second.get("/api/v1/interactions/999999"), 404)


@pytest.mark.django_db
def test_interactions_refuse_other_clients_contacts(signed_in, client_org, other_client_org):
    stranger = ContactFactory(client=other_client_org)
    response = signed_in("member").post(
        "/api/v1/interactions",
        {"client_id": client_org.pk, "kind": "call", "summary": "x", "contact_ids": [stranger.pk]},
        content_type=JSON,
    )
    assert "contacts" in fields(assert_problem(response, 422))
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_client_users_get_403_everywhere(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    interaction = InteractionFactory(client=client_org)
    portal = signed_in("client")
    for method, url in [
        ("get", "/api/v1/opportunities"),
        ("get", deal_url(deal)),
        ("patch", deal_url(deal)),
        ("post", deal_url(deal, "/move")),
        ("post", "/api/v1/opportunities"),
        ("get", "/api/v1/stages"),
        ("post", "/api/v1/stages"),
        ("get", "/api/v1/interactions"),
        ("post", "/api/v1/interactions"),
        ("get", f"/api/v1/interactions/{interaction.pk}"),
        ("patch", f"/api/v1/interactions/{interaction.pk}"),
    ]:
        assert_problem(getattr(portal, method)(url, content_type=JSON), 403)
