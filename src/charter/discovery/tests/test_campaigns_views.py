"""Campaign pages: list, create, send (links once), remind, new link, close, edit, results."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from charter.discovery.models import Campaign, Invitation
from charter.discovery.services.responses import invitation_for_token
from charter.discovery.tests.factories import (
    KANO_FEATURE,
    answer_all,
    make_campaign,
    make_questionnaire,
    sent_campaign,
)
from charter.planning.tests.factories import make_project
from charter.testing.factories import ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_the_list_starts_empty_and_shows_the_rate(signed_in, users, project):
    http = signed_in("member")
    url = reverse("discovery:project_campaigns", args=[project.pk])
    assert "No questionnaire campaigns yet." in http.get(url).content.decode()
    campaign, tokens = sent_campaign(project, actor=users["manager"])
    answer_all(campaign, tokens[:1])
    page = http.get(url).content.decode()
    assert campaign.name in page and "50%" in page
    assert campaign.name not in http.get(url, {"status": "closed"}).content.decode()


def test_create_then_send_shows_each_link(signed_in, project):
    with_email = ContactFactory(client=project.client, email="li@example.com")
    wechat = ContactFactory(client=project.client, email="")
    questionnaire = make_questionnaire()
    http = signed_in("member")
    create_url = reverse("discovery:project_campaign_create", args=[project.pk])
    form = http.get(create_url).content.decode()
    assert "li@example.com" in form and "no e-mail: copy the link" in form
    response = http.post(
        create_url,
        {
            "name": "上线前调研",
            "questionnaire": questionnaire.pk,
            "contacts": [with_email.pk, wechat.pk],
            "expires_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "message": "请在周五前填写",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.invitations.count() == 2

    sent = http.post(reverse("discovery:campaign_send", args=[campaign.pk]))
    page = sent.content.decode()
    assert sent.status_code == 200
    links = [line for line in page.split('"') if "/q/" in line and line.startswith("http")]
    assert len(set(links)) == 2
    assert [message.to for message in mail.outbox] == [["li@example.com"]]
    assert "请在周五前填写" in mail.outbox[0].body
    assert links[0] in mail.outbox[0].body or links[1] in mail.outbox[0].body
    detail = http.get(campaign.get_absolute_url()).content.decode()
    assert not any(link in detail for link in links)  # only on the links page, on request
    again = http.get(reverse("discovery:campaign_links", args=[campaign.pk])).content.decode()
    assert all(link in again for link in links)
    assert http.get(links[0].removeprefix("http://testserver")).status_code == 200


def test_links_are_shown_only_while_the_campaign_is_open(signed_in, users, project):
    draft = make_campaign(project, actor=users["manager"])
    url = reverse("discovery:campaign_links", args=[draft.pk])
    response = signed_in("member").get(url)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert "/q/" not in signed_in("member").get(url, follow=True).content.decode()


def test_create_refuses_a_past_expiry_and_no_contacts(signed_in, project):
    url = reverse("discovery:project_campaign_create", args=[project.pk])
    response = signed_in("member").post(
        url,
        {
            "name": "x",
            "questionnaire": make_questionnaire().pk,
            "expires_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose today or a later day." in page and "This field is required." in page
    assert not Campaign.objects.exists()


def test_templates_are_not_offered_and_other_clients_contacts_are_refused(
    signed_in, project, other_client_org
):
    template = make_questionnaire(is_template=True, title="模板问卷")
    url = reverse("discovery:project_campaign_create", args=[project.pk])
    http = signed_in("member")
    assert "模板问卷" not in http.get(url).content.decode()
    stranger = ContactFactory(client=other_client_org)
    response = http.post(
        url,
        {
            "name": "x",
            "questionnaire": template.pk,
            "contacts": [stranger.pk],
            "expires_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 422
    assert not Campaign.objects.exists()


def test_a_deal_has_its_campaigns_too(signed_in, users, client_org):
    deal = OpportunityFactory(client=client_org)
    campaign = make_campaign(deal, actor=users["manager"])
    page = signed_in("member").get(reverse("discovery:opportunity_campaigns", args=[deal.pk]))
    assert campaign.name in page.content.decode()


def test_remind_says_how_many(signed_in, users, project):
    campaign, _tokens = sent_campaign(project, actor=users["manager"])
    mail.outbox.clear()
    response = signed_in("member").post(
        reverse("discovery:campaign_remind", args=[campaign.pk]), follow=True
    )
    assert "A reminder was sent to 1 contact." in response.content.decode()
    assert len(mail.outbox) == 1


def test_a_new_link_replaces_the_old_one(signed_in, users, project):
    campaign, tokens = sent_campaign(project, actor=users["manager"])
    invitation = invitation_for_token(tokens[0])
    url = reverse("discovery:campaign_resend_link", args=[campaign.pk, invitation.pk])
    page = signed_in("member").post(url).content.decode()
    assert "/q/" in page
    assert invitation_for_token(tokens[0]) is None


def test_close_and_actions_on_a_closed_campaign(signed_in, users, project):
    campaign, _tokens = sent_campaign(project, actor=users["manager"])
    http = signed_in("member")
    response = http.post(reverse("discovery:campaign_close", args=[campaign.pk]), follow=True)
    assert "The campaign is closed" in response.content.decode()
    again = http.post(reverse("discovery:campaign_send", args=[campaign.pk]), follow=True)
    assert "This campaign was already sent." in again.content.decode()


def test_edit_is_versioned(signed_in, users, project):
    campaign = make_campaign(project, actor=users["manager"])
    url = reverse("discovery:campaign_edit", args=[campaign.pk])
    http = signed_in("member")
    day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    data = {"name": "新名称", "message": "", "expires_on": day, "version": 1}
    assert http.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.version) == ("新名称", 2)
    assert timezone.localtime(campaign.expires_at).date().isoformat() == day
    stale = http.post(url, {**data, "name": "旧"})
    assert stale.status_code == 409


def test_other_roles_and_unknown_campaigns(signed_in, users, project):
    campaign = make_campaign(project, actor=users["manager"])
    detail = reverse("discovery:campaign_detail", args=[campaign.pk])
    assert signed_in("client").get(detail).status_code == 403
    assert (
        signed_in("member").get(reverse("discovery:campaign_detail", args=[9999])).status_code
        == 404
    )
    outsider_project = make_project(project.client, manager=users["manager"])
    hidden = make_campaign(outsider_project, actor=users["manager"])
    assert (
        signed_in("member").get(reverse("discovery:campaign_detail", args=[hidden.pk])).status_code
        == 404
    )


# ---- results -------------------------------------------------------------------------------


def campaign_with_answers(project, actor, count):
    contacts = [ContactFactory(client=project.client) for _ in range(count)]
    campaign, tokens = sent_campaign(project, actor=actor, contacts=contacts)
    answer_all(campaign, tokens)
    return campaign


def test_results_show_rate_charts_texts_and_the_kano_table(signed_in, users, project):
    campaign, tokens = sent_campaign(project, actor=users["manager"])
    answer_all(campaign, tokens[:1])
    page = signed_in("member").get(reverse("discovery:campaign_results", args=[campaign.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "50%" in html and "1 of 2 invited contacts" in html
    assert "月底结账要加班" in html and "Zoe Walker" in html
    assert KANO_FEATURE in html and "Performance" in html
    assert 'id="campaign-charts"' in html and "chart.umd.min.js" in html
    assert "NPS" in html
    assert reverse("discovery:finding_from_source") in html
    assert 'name="source" value="question"' in html and 'name="source" value="answer"' in html


def test_results_cost_the_same_queries_for_2_and_20_responses(signed_in, users, project):
    http = signed_in("member")

    def queries(campaign):
        url = reverse("discovery:campaign_results", args=[campaign.pk])
        with CaptureQueriesContext(connection) as captured:
            assert http.get(url).status_code == 200
        return len(captured)

    few = campaign_with_answers(project, users["manager"], 2)
    many = campaign_with_answers(project, users["manager"], 20)
    assert queries(few) == queries(many)


def test_export_csv_and_xlsx_one_row_per_respondent(signed_in, users, project):
    campaign, tokens = sent_campaign(project, actor=users["manager"])
    answer_all(campaign, tokens)
    url = reverse("discovery:campaign_results", args=[campaign.pk])
    http = signed_in("member")
    rows = list(
        csv.reader(io.StringIO(http.get(url, {"format": "csv"}).content.decode("utf-8-sig")))
    )
    assert len(rows) == 3
    header = rows[0]
    kano_column = header.index(campaign.questionnaire.questions.get(kind="kano").text)
    assert rows[1][kano_column] == "I like it that way / I dislike it that way"
    assert rows[1][header.index("请排序")] == "1. 质量; 2. 价格; 3. 交付"
    sheet = load_workbook(io.BytesIO(http.get(url, {"format": "xlsx"}).content)).active
    assert sheet.max_row == 3
    assert http.get(url, {"format": "pdf"}).status_code == 404


def test_only_invitations_of_the_campaign_get_new_links(signed_in, users, project):
    campaign, _ = sent_campaign(project, actor=users["manager"])
    other, _ = sent_campaign(project, actor=users["manager"])
    foreign = Invitation.objects.filter(campaign=other).first()
    url = reverse("discovery:campaign_resend_link", args=[campaign.pk, foreign.pk])
    assert signed_in("member").post(url).status_code == 404


def test_make_requirement_from_a_free_text_answer(signed_in, users, project):
    from charter.discovery.models import Answer, Requirement

    campaign, tokens = sent_campaign(project, actor=users["manager"])
    answer_all(campaign, tokens[:1])
    answer = Answer.objects.get(question__kind="long_text")
    results_url = reverse("discovery:campaign_results", args=[campaign.pk])
    data = {
        "source": "answer",
        "source_id": answer.pk,
        "text": answer.value,
        "then": "requirement",
        "parent_kind": "project",
        "parent_id": project.pk,
        "next": results_url,
    }
    response = signed_in("member").post(reverse("discovery:finding_from_source"), data)
    assert response.status_code == 302
    requirement = Requirement.objects.get(project=project)
    assert requirement.findings.get().answer == answer
