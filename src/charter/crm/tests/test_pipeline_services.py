"""Pipeline services: stages, creating, editing and moving deals, the board and the forecast."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.crm.models import Opportunity, Stage
from charter.crm.services import pipeline as services
from charter.testing.factories import ClientFactory, OpportunityFactory, UserFactory


def stage(name_en):
    return Stage.objects.get(name_en=name_en)


# ---- opportunities -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_deal_starts_in_the_first_open_stage_with_its_probability(manager, client_org):
    deal = services.create_opportunity(actor=manager, client=client_org, title="ERP 实施")
    assert (deal.stage.name_en, deal.probability, deal.closed_at) == ("Lead", 10, None)
    event = AuditEvent.objects.for_object(deal).get()
    assert event.action == "created"
    assert event.changes["title"] == [None, "ERP 实施"]


@pytest.mark.django_db
def test_an_explicit_probability_wins_over_the_stage_default(manager, client_org):
    deal = services.create_opportunity(
        actor=manager, client=client_org, title="CRM", stage=stage("Proposal"), probability=65
    )
    assert deal.probability == 65


@pytest.mark.django_db
def test_moving_to_won_closes_and_back_to_open_reopens(manager, client_org):
    deal = OpportunityFactory(client=client_org)
    services.move_opportunity(deal, stage=stage("Won"), actor=manager, expected_version=1)
    deal.refresh_from_db()
    assert (deal.probability, deal.version) == (100, 2)
    assert deal.closed_at is not None
    services.move_opportunity(deal, stage=stage("Negotiation"), actor=manager, expected_version=2)
    deal.refresh_from_db()
    assert (deal.stage.name_en, deal.probability, deal.closed_at) == ("Negotiation", 75, None)
    moves = AuditEvent.objects.for_object(deal).filter(action="moved")
    assert [event.changes["stage"] for event in moves.order_by("pk")] == [
        ["Lead", "Won"],
        ["Won", "Negotiation"],
    ]


@pytest.mark.django_db
def test_a_lost_stage_needs_a_reason_and_nothing_is_written_without_one(manager, client_org):
    deal = OpportunityFactory(client=client_org)
    with pytest.raises(ValidationError) as error:
        services.move_opportunity(deal, stage=stage("Lost"), actor=manager, expected_version=1)
    assert "lost_reason" in error.value.message_dict
    stored = Opportunity.objects.get(pk=deal.pk)
    assert (stored.stage.name_en, stored.version) == ("Lead", 1)

    services.move_opportunity(
        stored, stage=stage("Lost"), actor=manager, expected_version=1, lost_reason=" 价格太高 "
    )
    stored.refresh_from_db()
    assert (stored.lost_reason, stored.probability) == ("价格太高", 0)
    assert stored.closed_at is not None


@pytest.mark.django_db
def test_reopening_a_lost_deal_clears_its_reason(manager, client_org):
    deal = OpportunityFactory(client=client_org)
    services.move_opportunity(
        deal, stage=stage("Lost"), actor=manager, expected_version=1, lost_reason="预算取消"
    )
    services.move_opportunity(deal, stage=stage("Lead"), actor=manager, expected_version=2)
    deal.refresh_from_db()
    assert (deal.lost_reason, deal.closed_at) == ("", None)


@pytest.mark.django_db
def test_a_stale_move_writes_nothing(manager, client_org):
    deal = OpportunityFactory(client=client_org)
    services.update_opportunity(deal, actor=manager, expected_version=1, title="改过的")
    stale = Opportunity.objects.get(pk=deal.pk)
    with pytest.raises(StaleEdit):
        services.move_opportunity(stale, stage=stage("Won"), actor=manager, expected_version=1)
    assert Opportunity.objects.get(pk=deal.pk).stage.name_en == "Lead"


@pytest.mark.django_db
def test_editing_the_stage_brings_its_probability_unless_one_is_set(manager, client_org):
    deal = OpportunityFactory(client=client_org)
    services.update_opportunity(
        deal, actor=manager, expected_version=1, stage=stage("Proposal"), probability=10
    )
    assert deal.probability == 50  # unchanged probability: the new stage's default
    services.update_opportunity(
        deal, actor=manager, expected_version=2, stage=stage("Negotiation"), probability=60
    )
    assert deal.probability == 60
    event = AuditEvent.objects.for_object(deal).filter(action="updated").first()
    assert event.changes["probability"] == [50, 60]


@pytest.mark.django_db
def test_won_deals_of_auto_converting_clients_become_projects(manager):
    from charter.planning.models import Project, ProjectTemplate

    ProjectTemplate.objects.create(name="软件实施", is_default=True)
    auto = ClientFactory(auto_convert_won=True)
    deal = OpportunityFactory(client=auto, amount=Decimal("500000.00"))
    services.move_opportunity(deal, stage=stage("Won"), actor=manager, expected_version=1)
    assert Project.objects.filter(opportunity=deal).exists()


@pytest.mark.django_db
def test_won_deals_of_other_clients_stay_deals(manager, client_org):
    from charter.planning.models import Project

    deal = OpportunityFactory(client=client_org)
    services.move_opportunity(deal, stage=stage("Won"), actor=manager, expected_version=1)
    assert not Project.objects.filter(opportunity=deal).exists()


# ---- stages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_stage_goes_last_and_moves_up(manager):
    added = services.create_stage(
        actor=manager, name_zh="合同签订", name_en="Contract", kind="open", probability=90
    )
    assert list(Stage.objects.values_list("name_en", flat=True))[-1] == "Contract"
    services.move_stage(added, actor=manager, offset=-2)
    names = list(Stage.objects.order_by("order", "pk").values_list("name_en", flat=True))
    assert names == ["Lead", "Qualified", "Proposal", "Negotiation", "Contract", "Won", "Lost"]
    services.update_stage(added, actor=manager, position=1)
    assert Stage.objects.order_by("order", "pk").first().name_en == "Contract"


@pytest.mark.django_db
def test_a_stage_with_deals_cannot_be_deleted(manager, client_org):
    OpportunityFactory.create_batch(2, client=client_org, stage=stage("Proposal"))
    with pytest.raises(ValidationError) as error:
        services.delete_stage(stage("Proposal"), actor=manager)
    assert "still has 2 deals" in error.value.messages[0]
    assert Stage.objects.filter(name_en="Proposal").exists()


@pytest.mark.django_db
def test_the_last_stage_of_a_kind_stays(manager):
    with pytest.raises(ValidationError) as error:
        services.delete_stage(stage("Won"), actor=manager)
    assert "at least one open, one won and one lost stage" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.update_stage(stage("Lost"), actor=manager, kind="open")
    assert stage("Lost").kind == "lost"
    services.delete_stage(stage("Qualified"), actor=manager)
    assert not Stage.objects.filter(name_en="Qualified").exists()


@pytest.mark.django_db
def test_renaming_a_stage_is_audited(manager):
    services.update_stage(stage("Lead"), actor=manager, name_zh="潜在线索", probability=5)
    event = AuditEvent.objects.for_object(stage("Lead")).get()
    assert event.changes == {"name_zh": ["线索", "潜在线索"], "probability": [10, 5]}


# ---- board and forecast ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_has_a_column_per_stage_with_totals_per_currency(client_org):
    OpportunityFactory(client=client_org, amount=Decimal("1000.00"))
    OpportunityFactory(client=client_org, amount=Decimal("3000.00"))
    OpportunityFactory(client=client_org, amount=Decimal("500.00"), currency="USD")
    columns = services.board(Opportunity.objects.all())
    assert [column.stage.name_en for column in columns][:2] == ["Lead", "Qualified"]
    lead = columns[0]
    assert len(lead.cards) == 3
    assert [(a.currency, a.total, a.weighted) for a in lead.amounts] == [
        ("CNY", Decimal("4000.00"), Decimal("400.00")),
        ("USD", Decimal("500.00"), Decimal("50.00")),
    ]


@pytest.mark.django_db
def test_the_forecast_weights_open_deals_by_owner_and_month_per_currency(client_org):
    alice, bob = UserFactory(display_name="Alice"), UserFactory(display_name="Bob")
    march, april = datetime.date(2027, 3, 5), datetime.date(2027, 4, 20)
    proposal, won = stage("Proposal"), stage("Won")
    for owner, close, amount, currency, in_stage in [
        (alice, march, "1000", "CNY", proposal),
        (alice, march.replace(day=28), "3000", "CNY", proposal),
        (bob, april, "2000", "CNY", proposal),
        (bob, april, "800", "USD", proposal),
        (bob, None, "100", "CNY", proposal),
        (alice, march, "99999", "CNY", won),  # closed: not forecast
    ]:
        OpportunityFactory(
            client=client_org,
            owner=owner,
            expected_close=close,
            amount=Decimal(amount),
            currency=currency,
            stage=in_stage,
            probability=in_stage.probability,
        )
    cny, usd = services.forecast(Opportunity.objects.all())
    assert cny.currency == "CNY" and usd.currency == "USD"
    assert cny.months == [datetime.date(2027, 3, 1), datetime.date(2027, 4, 1), None]
    assert [(row.owner, row.cells, row.total) for row in cny.rows] == [
        ("Alice", [Decimal("2000.00"), Decimal("0.00"), Decimal("0.00")], Decimal("2000.00")),
        ("Bob", [Decimal("0.00"), Decimal("1000.00"), Decimal("50.00")], Decimal("1050.00")),
    ]
    assert cny.total == Decimal("3050.00")
    assert [(row.owner, row.cells) for row in usd.rows] == [("Bob", [Decimal("400.00")])]


@pytest.mark.django_db
def test_pipeline_summary_counts_open_deals_per_stage_and_keeps_currencies_apart(
    users, django_assert_num_queries
):
    lead, qualified = Stage.objects.filter(kind="open")[:2]
    OpportunityFactory(stage=lead, amount=Decimal("100000"), probability=10)
    OpportunityFactory(stage=qualified, amount=Decimal("200000"), probability=50)
    OpportunityFactory(stage=qualified, amount=Decimal("1000"), currency="USD", probability=50)
    OpportunityFactory(stage=Stage.objects.get(kind="won"), amount=Decimal("999999"))
    with django_assert_num_queries(3):
        summary = services.pipeline_summary(users["manager"])
    assert summary.deal_count == 3
    assert summary.stages[:2] == [(str(lead), 1), (str(qualified), 2)]
    assert [(a.currency, a.total, a.weighted) for a in summary.amounts] == [
        ("CNY", Decimal("300000.00"), Decimal("110000.00")),
        ("USD", Decimal("1000.00"), Decimal("500.00")),
    ]
    assert services.pipeline_summary(users["client"]).deal_count == 0
