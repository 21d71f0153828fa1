"""Pipeline pages: board and moves, opportunity list/form/page, forecast, stage settings."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from charter.crm.models import Opportunity, Stage
from charter.testing.factories import ClientFactory, InteractionFactory, OpportunityFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def stage(name_en):
    return Stage.objects.get(name_en=name_en)


def move(http, deal, to, *, version=None, htmx=True, **extra):
    data = {"stage": to.pk, "version": deal.version if version is None else version, **extra}
    url = reverse("crm:opportunity_move", args=[deal.pk])
    return http.post(url, data, **(HTMX if htmx else {}))


def queries(http, url):
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return len(captured)


# ---- the board ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_shows_a_column_per_stage_with_cards_and_totals(signed_in, client_org, users):
    OpportunityFactory(
        client=client_org, title="ERP 实施", amount=Decimal("200000"), owner=users["member"]
    )
    page = signed_in("member").get(reverse("crm:pipeline")).content.decode()
    for name in ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]:
        assert name in page
    assert "ERP 实施" in page and "云栖科技" in page
    assert "CNY 200,000.00 · weighted 20,000.00" in page
    assert 'data-stage-kind="lost"' in page and "kanban.js" in page


@pytest.mark.django_db
def test_the_board_costs_the_same_queries_for_more_deals(signed_in, client_org):
    http = signed_in("member")
    url = reverse("crm:pipeline")
    OpportunityFactory.create_batch(3, client=client_org)
    few = queries(http, url)
    OpportunityFactory.create_batch(6, client=ClientFactory(), stage=stage("Proposal"))
    assert queries(http, url) == few


@pytest.mark.django_db
def test_my_deals_shows_only_mine(signed_in, client_org, users):
    OpportunityFactory(client=client_org, title="我的商机", owner=users["member"])
    OpportunityFactory(client=client_org, title="别人的商机", owner=users["manager"])
    page = signed_in("member").get(reverse("crm:pipeline"), {"owner": "me"}).content.decode()
    assert "我的商机" in page and "别人的商机" not in page


@pytest.mark.django_db
def test_a_drag_and_drop_move_answers_the_refreshed_board(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    response = move(signed_in("member"), deal, stage("Proposal"))
    assert response.status_code == 200
    assert response.templates[0].name == "crm/pipeline/partials/board.html"
    deal.refresh_from_db()
    assert (deal.stage.name_en, deal.probability, deal.version) == ("Proposal", 50, 2)
    assert f'data-moved="{deal.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_a_stale_card_gets_409_with_a_message_and_the_latest_board(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    http = signed_in("member")
    assert move(http, deal, stage("Proposal")).status_code == 200
    stale = move(http, deal, stage("Won"), version=1)
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Someone else saved this record" in body
    assert "is in Proposal now" in body
    assert 'name="version" value="2"' in body  # the refreshed card carries the new version
    assert Opportunity.objects.get(pk=deal.pk).stage.name_en == "Proposal"


@pytest.mark.django_db
def test_the_move_menu_works_without_javascript(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    http = signed_in("member")
    response = move(http, deal, stage("Qualified"), htmx=False, next="/pipeline/?owner=me")
    assert response.status_code == 302 and response["Location"] == "/pipeline/?owner=me"
    follow = http.get(response["Location"]).content.decode()
    assert "moved to Qualified" in follow


@pytest.mark.django_db
def test_a_move_to_lost_asks_for_the_reason(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    http = signed_in("member")
    asked = move(http, deal, stage("Lost"), htmx=False)
    assert asked.status_code == 422
    assert "Say why the deal was lost" in asked.content.decode()
    assert Opportunity.objects.get(pk=deal.pk).stage.name_en == "Lead"
    done = move(http, deal, stage("Lost"), htmx=False, lost_reason="预算冻结")
    assert done.status_code == 302
    deal.refresh_from_db()
    assert (deal.stage.name_en, deal.lost_reason) == ("Lost", "预算冻结")


@pytest.mark.django_db
def test_the_move_page_offers_every_stage(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    page = signed_in("member").get(reverse("crm:opportunity_move", args=[deal.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("<option") == Stage.objects.count()


# ---- opportunities -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_filters_searches_and_sorts(signed_in, client_org, other_client_org, users):
    OpportunityFactory(client=client_org, title="ERP 实施", amount=Decimal("10"))
    OpportunityFactory(
        client=client_org,
        title="CRM 升级",
        amount=Decimal("30"),
        owner=users["member"],
        expected_close=datetime.date(2027, 5, 9),
    )
    OpportunityFactory(client=other_client_org, title="ERP 北风", stage=stage("Proposal"))
    http = signed_in("member")
    url = reverse("crm:opportunity_list")

    def titles(**params):
        response = http.get(url, params, **HTMX)
        return [deal.title for deal in response.context["page"].object_list]

    assert sorted(titles(q="erp")) == ["ERP 北风", "ERP 实施"]
    assert titles(client=client_org.pk, sort="-amount") == ["CRM 升级", "ERP 实施"]
    assert titles(stage=stage("Proposal").pk) == ["ERP 北风"]
    assert titles(owner=users["member"].pk) == ["CRM 升级"]
    assert titles(month="2027-05") == ["CRM 升级"]
    assert len(titles(month="not-a-month")) == 3  # a bad filter is ignored, not an error


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_more_deals(signed_in, client_org):
    http = signed_in("member")
    url = reverse("crm:opportunity_list")
    OpportunityFactory.create_batch(3, client=client_org)
    few = queries(http, url)
    OpportunityFactory.create_batch(6, client=ClientFactory())
    assert queries(http, url) == few


@pytest.mark.django_db
def test_the_list_exports_what_matches(signed_in, client_org):
    OpportunityFactory(client=client_org, title="ERP 实施", amount=Decimal("1234.50"))
    OpportunityFactory(client=client_org, title="CRM")
    http = signed_in("member")
    url = reverse("crm:opportunity_list")
    csv = http.get(url, {"q": "ERP", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Title,Client,Stage,Amount")
    assert len(lines) == 2 and "ERP 实施" in lines[1] and "1234.50" in lines[1]
    xlsx = http.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 3
    assert http.get(url, {"format": "pdf"}).status_code == 404


@pytest.mark.django_db
def test_adding_a_deal_takes_the_stage_probability(signed_in, client_org, users):
    http = signed_in("member")
    form = http.get(reverse("crm:opportunity_create"), {"client": client_org.pk})
    assert form.context["form"]["client"].value() == str(client_org.pk)
    response = http.post(
        reverse("crm:opportunity_create"),
        {
            "client": client_org.pk,
            "title": "数据平台",
            "amount": "880000",
            "currency": "CNY",
            "stage": stage("Proposal").pk,
            "probability": "",
            "owner": users["member"].pk,
            "expected_close": "2027-06-30",
        },
    )
    deal = Opportunity.objects.get(title="数据平台")
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    assert (deal.probability, deal.amount, deal.owner) == (50, Decimal("880000"), users["member"])


@pytest.mark.django_db
def test_adding_a_lost_deal_without_a_reason_is_refused(signed_in, client_org):
    response = signed_in("member").post(
        reverse("crm:opportunity_create"),
        {
            "client": client_org.pk,
            "title": "X",
            "amount": "1",
            "currency": "CNY",
            "stage": stage("Lost").pk,
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors["lost_reason"]
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_a_stale_edit_is_refused_with_409(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    http = signed_in("member")
    url = reverse("crm:opportunity_edit", args=[deal.pk])
    data = {
        "client": client_org.pk,
        "title": "新标题",
        "amount": "5",
        "currency": "CNY",
        "stage": deal.stage.pk,
        "probability": "10",
        "version": "1",
    }
    assert http.post(url, data).status_code == 302
    stale = http.post(url, {**data, "title": "又一个标题"})
    assert stale.status_code == 409
    assert Opportunity.objects.get(pk=deal.pk).title == "新标题"


@pytest.mark.django_db
def test_the_opportunity_page_shows_facts_interactions_and_files(signed_in, client_org):
    deal = OpportunityFactory(client=client_org, title="ERP 实施", next_step="发送报价")
    InteractionFactory(client=client_org, opportunity=deal, summary="需求访谈")
    page = signed_in("member").get(deal.get_absolute_url()).content.decode()
    assert "发送报价" in page and "需求访谈" in page
    assert reverse("core:attachments", args=["crm.opportunity", deal.pk]) in page
    assert reverse("core:history", args=["crm.opportunity", deal.pk]) in page
    assert f"{reverse('crm:interaction_create')}?client={client_org.pk}&amp;opportunity=" in page


# ---- forecast ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_forecast_page_keeps_currencies_apart(signed_in, client_org, users):
    for currency, amount in [("CNY", "1000"), ("USD", "400")]:
        OpportunityFactory(
            client=client_org,
            currency=currency,
            amount=Decimal(amount),
            owner=users["member"],
            stage=stage("Proposal"),
            probability=50,
            expected_close=datetime.date(2027, 3, 1),
        )
    page = signed_in("member").get(reverse("crm:forecast")).content.decode()
    assert 'data-testid="forecast-CNY"' in page and 'data-testid="forecast-USD"' in page
    assert "CNY 500.00" in page and "USD 200.00" in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "cdn" not in page.lower()


# ---- stage settings ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_managers_rename_and_reorder_stages(signed_in):
    http = signed_in("manager")
    lead = stage("Lead")
    response = http.post(
        reverse("crm:stage_edit", args=[lead.pk]),
        {"name_zh": "初步线索", "name_en": "New lead", "kind": "open", "probability": "5"},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.name_zh, lead.name_en, lead.probability) == ("初步线索", "New lead", 5)
    http.post(reverse("crm:stage_move", args=[lead.pk]), {"direction": "down"})
    order = list(Stage.objects.order_by("order", "pk").values_list("name_en", flat=True))
    assert order[:2] == ["Qualified", "New lead"]
    assert (
        http.post(
            reverse("crm:stage_create"),
            {"name_zh": "合同", "name_en": "Contract", "kind": "open", "probability": "90"},
        ).status_code
        == 302
    )
    assert Stage.objects.order_by("order", "pk").last().name_en == "Contract"


@pytest.mark.django_db
def test_deleting_a_stage_with_deals_explains_why_not(signed_in, client_org):
    OpportunityFactory(client=client_org, stage=stage("Proposal"))
    http = signed_in("manager")
    url = reverse("crm:stage_delete", args=[stage("Proposal").pk])
    assert "still has 1 deal" in http.get(url).content.decode()
    response = http.post(url, follow=True)
    assert "still has 1 deals" in response.content.decode()
    assert Stage.objects.filter(name_en="Proposal").exists()
    assert http.post(reverse("crm:stage_delete", args=[stage("Qualified").pk])).status_code == 302
    assert not Stage.objects.filter(name_en="Qualified").exists()


@pytest.mark.django_db
def test_changing_the_last_won_stage_to_open_is_refused(signed_in):
    won = stage("Won")
    response = signed_in("manager").post(
        reverse("crm:stage_edit", args=[won.pk]),
        {"name_zh": "赢单", "name_en": "Won", "kind": "open", "probability": "100"},
    )
    assert response.status_code == 422
    assert "at least one open, one won and one lost stage" in response.content.decode()
    assert stage("Won").kind == "won"


# ---- access ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_client_users_see_none_of_the_pipeline(signed_in, client_org):
    deal = OpportunityFactory(client=client_org)
    portal = signed_in("client")
    for url in [
        reverse("crm:pipeline"),
        reverse("crm:forecast"),
        reverse("crm:opportunity_list"),
        reverse("crm:opportunity_list") + "?format=csv",
        reverse("crm:opportunity_create"),
        deal.get_absolute_url(),
        reverse("crm:opportunity_edit", args=[deal.pk]),
        reverse("crm:opportunity_move", args=[deal.pk]),
        reverse("crm:stage_list"),
    ]:
        assert portal.get(url).status_code == 403, url
    assert move(portal, deal, stage("Won")).status_code == 403
    assert Opportunity.objects.get(pk=deal.pk).stage.name_en == "Lead"


@pytest.mark.django_db
def test_members_may_not_configure_stages(signed_in):
    http = signed_in("member")
    assert http.get(reverse("crm:stage_list")).status_code == 403
    assert http.post(reverse("crm:stage_delete", args=[stage("Qualified").pk])).status_code == 403
    assert Stage.objects.filter(name_en="Qualified").exists()


@pytest.mark.django_db
def test_staff_find_the_pipeline_in_the_navigation(signed_in):
    assert reverse("crm:pipeline") in signed_in("member").get("/").content.decode()
    assert reverse("crm:pipeline") not in signed_in("client").get("/").content.decode()
