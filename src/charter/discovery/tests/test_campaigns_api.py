"""Campaigns through the API."""

import pytest

from charter.discovery.models import Campaign
from charter.discovery.services.responses import invitation_for_token
from charter.discovery.tests.factories import answer_all, make_questionnaire, sent_campaign
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_create_send_remind_results_close(signed_in, project):
    http = signed_in("member")
    contacts = [ContactFactory(client=project.client) for _ in range(2)]
    base = f"/api/v1/projects/{project.pk}/campaigns"
    created = http.post(
        base,
        {
            "questionnaire_id": make_questionnaire().pk,
            "name": "需求调研",
            "contact_ids": [contact.pk for contact in contacts],
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    campaign_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    listed = http.get(base).json()["items"]
    assert [(row["id"], row["invited"], row["submitted"]) for row in listed] == [
        (campaign_id, 2, 0)
    ]

    links = http.post(f"/api/v1/campaigns/{campaign_id}/send").json()
    assert len(links) == 2 and all(row["emailed"] for row in links)
    tokens = [row["link"].rstrip("/").rsplit("/", 1)[-1] for row in links]
    assert invitation_for_token(tokens[0]).campaign_id == campaign_id
    assert http.post(f"/api/v1/campaigns/{campaign_id}/send").status_code == 422

    answer_all(Campaign.objects.get(pk=campaign_id), tokens[:1])
    reminded = http.post(f"/api/v1/campaigns/{campaign_id}/remind").json()
    assert reminded == {"reminded": 1}

    results = http.get(f"/api/v1/campaigns/{campaign_id}/results").json()
    assert (results["invited"], results["submitted"], results["rate"]) == (2, 1, 50)
    assert results["kano"][0]["result"] == "performance"
    assert results["kano"][0]["counts"]["performance"] == 1
    nps = next(row for row in results["questions"] if row["kind"] == "nps")
    assert nps["nps"] == 100

    closed = http.post(f"/api/v1/campaigns/{campaign_id}/close").json()
    assert closed["status"] == "closed"


def test_patch_needs_if_match_and_refuses_stale_versions(signed_in, users, project):
    campaign, _ = sent_campaign(project, actor=users["manager"])
    http = signed_in("manager")
    url = f"/api/v1/campaigns/{campaign.pk}"
    read = http.get(url)
    assert read["ETag"] == f'"{campaign.version}"'
    assert http.patch(url, {"name": "x"}, content_type=JSON).status_code == 428
    ok = http.patch(url, {"name": "新名称"}, content_type=JSON, headers={"If-Match": read["ETag"]})
    assert ok.status_code == 200 and ok.json()["name"] == "新名称"
    stale = http.patch(url, {"name": "旧"}, content_type=JSON, headers={"If-Match": read["ETag"]})
    assert stale.status_code == 412
    empty = http.patch(url, {"name": None}, content_type=JSON, headers={"If-Match": ok["ETag"]})
    assert empty.status_code == 422


def test_bad_input_and_other_clients(signed_in, project, other_client_org):
    http = signed_in("member")
    base = f"/api/v1/projects/{project.pk}/campaigns"
    stranger = ContactFactory(client=other_client_org)
    response = http.post(
        base,
        {"questionnaire_id": make_questionnaire().pk, "name": "x", "contact_ids": [stranger.pk]},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact_ids"
    template = make_questionnaire(is_template=True)
    contact = ContactFactory(client=project.client)
    refused = http.post(
        base,
        {"questionnaire_id": template.pk, "name": "x", "contact_ids": [contact.pk]},
        content_type=JSON,
    )
    assert refused.status_code == 422
    assert signed_in("client").get(base).status_code == 403
    assert http.get("/api/v1/campaigns/99999").status_code == 404
