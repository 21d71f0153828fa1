"""The verbs of the pipeline: configure stages, create, edit and move opportunities.

Also the read models of the pipeline pages (the kanban board and the weighted forecast), so the
HTML views and the API compute them the same way.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.crm.choices import Currency, StageKind
from charter.crm.models import Client, Opportunity, Stage

ACTION_LABELS.update({"moved": gettext_lazy("moved"), "reordered": gettext_lazy("reordered")})

STAGE_FIELDS = ("name_zh", "name_en", "kind", "probability")
OPPORTUNITY_FIELDS = (
    "client",
    "title",
    "amount",
    "currency",
    "expected_close",
    "probability",
    "owner",
    "stage",
    "next_step",
    "lost_reason",
)
AUDITED_FIELDS = (*OPPORTUNITY_FIELDS, "closed_at")
# Won and lost deals stay on the board this long after they closed.
BOARD_CLOSED_DAYS = 90


def _check_fields(fields: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")


# ---- stages ------------------------------------------------------------------------------------


def _require_every_kind(kinds: Iterable[str]) -> None:
    """The pipeline needs somewhere to put open, won and lost deals."""
    present = set(kinds)
    missing = [StageKind(kind).label for kind in StageKind.values if kind not in present]
    if missing:
        raise ValidationError(
            _(
                "The pipeline needs at least one open, one won and one lost stage; "
                "this change would leave none of kind: %(kinds)s."
            )
            % {"kinds": ", ".join(str(label) for label in missing)},
            code="stage_kinds",
        )


def _locked_stages() -> list[Stage]:
    return list(Stage.objects.select_for_update().order_by("order", "pk"))


@transaction.atomic
def create_stage(*, actor: Any, **fields: Any) -> Stage:
    """A new stage at the end of the pipeline."""
    _check_fields(fields, STAGE_FIELDS)
    last = Stage.objects.aggregate(last=Max("order"))["last"]
    stage = Stage(**fields, order=0 if last is None else last + 10)
    stage.full_clean()
    stage.save()
    audit.record_created(stage, STAGE_FIELDS, actor=actor)
    return stage


@transaction.atomic
def update_stage(stage: Stage, *, actor: Any, position: int | None = None, **changes: Any) -> Stage:
    """Rename a stage, change its kind or default probability, and/or move it to ``position``
    (1 = first) in the pipeline.

    Refuses (ValidationError) a kind change that leaves no open, won or lost stage. Deals in the
    stage keep their own probability; the default applies to deals that move in later.
    """
    _check_fields(changes, STAGE_FIELDS)
    stages = _locked_stages()
    before = audit.snapshot(stage, STAGE_FIELDS)
    for name, value in changes.items():
        setattr(stage, name, value)
    stage.full_clean()
    _require_every_kind(stage.kind if other.pk == stage.pk else other.kind for other in stages)
    stage.save(update_fields=list(changes) or None)
    changed = audit.diff(before, audit.snapshot(stage, STAGE_FIELDS))
    if changed:
        audit.record(stage, "updated", actor=actor, changes=changed)
    if position is not None:
        _reorder(stages, stage, target=position - 1, actor=actor)
    return stage


@transaction.atomic
def move_stage(stage: Stage, *, actor: Any, offset: int) -> None:
    """Move a stage ``offset`` places later (negative: earlier) in the pipeline's order."""
    stages = _locked_stages()
    index = next(i for i, other in enumerate(stages) if other.pk == stage.pk)
    _reorder(stages, stage, target=index + offset, actor=actor)


def _reorder(stages: list[Stage], stage: Stage, *, target: int, actor: Any) -> None:
    """Put ``stage`` at index ``target`` (clamped) of the locked ``stages`` and renumber them."""
    index = next(i for i, other in enumerate(stages) if other.pk == stage.pk)
    target = min(max(target, 0), len(stages) - 1)
    if target == index:
        return
    stages.insert(target, stages.pop(index))
    for position, other in enumerate(stages):
        other.order = position * 10
        if other.pk == stage.pk:
            stage.order = other.order
    Stage.objects.bulk_update(stages, ["order"])
    audit.record(stage, "reordered", actor=actor, changes={"order": [index + 1, target + 1]})


@transaction.atomic
def delete_stage(stage: Stage, *, actor: Any) -> None:
    """Remove a stage; refused while deals are in it or if it is the last of its kind."""
    stages = _locked_stages()
    deals = stage.opportunities.count()
    if deals:
        raise ValidationError(
            _(
                "“%(stage)s” still has %(count)d deals. Move them to another stage first, "
                "then delete it."
            )
            % {"stage": stage, "count": deals},
            code="stage_in_use",
        )
    _require_every_kind(other.kind for other in stages if other.pk != stage.pk)
    gone = audit.diff(audit.snapshot(stage, STAGE_FIELDS), dict.fromkeys(STAGE_FIELDS))
    audit.record(stage, "deleted", actor=actor, changes=gone)
    stage.delete()


def first_open_stage() -> Stage:
    stage = Stage.objects.filter(kind=StageKind.OPEN).order_by("order", "pk").first()
    if stage is None:
        raise ValidationError({"stage": _("The pipeline has no open stage.")})
    return stage


# ---- opportunities -----------------------------------------------------------------------------


def _enter_stage(opportunity: Opportunity, previous: Stage | None) -> None:
    """What a deal's new stage implies: closed or not, and a lost reason only when lost."""
    stage = opportunity.stage
    if stage.kind == StageKind.OPEN:
        opportunity.closed_at = None
    elif previous is None or previous.kind != stage.kind or opportunity.closed_at is None:
        opportunity.closed_at = timezone.now()
    if stage.kind != StageKind.LOST:
        opportunity.lost_reason = ""


def _validate(opportunity: Opportunity) -> None:
    opportunity.lost_reason = opportunity.lost_reason.strip()
    opportunity.full_clean(exclude=["client", "stage", "owner"])
    if opportunity.stage.kind == StageKind.LOST and not opportunity.lost_reason:
        raise ValidationError(
            {"lost_reason": _("Say why the deal was lost: the reason is required in a lost stage.")}
        )


def _just_won(opportunity: Opportunity, previous: Stage | None) -> bool:
    return opportunity.stage.kind == StageKind.WON and (
        previous is None or previous.kind != StageKind.WON
    )


def _after_won(opportunity: Opportunity, *, actor: Any) -> None:
    """Clients that ask for it get their project as soon as a deal is won (same transaction)."""
    if not Client.objects.filter(pk=opportunity.client_id, auto_convert_won=True).exists():
        return
    from charter.planning.services import convert_opportunity_automatically

    convert_opportunity_automatically(opportunity, actor=actor)


@transaction.atomic
def create_opportunity(
    *,
    actor: Any,
    client: Client,
    title: str,
    stage: Stage | None = None,
    probability: int | None = None,
    **fields: Any,
) -> Opportunity:
    """A new deal, in the first open stage unless ``stage`` says otherwise.

    Without ``probability`` it takes the stage's default. A deal created in a won stage of a
    client with ``auto_convert_won`` becomes a project at once, like one moved there.
    """
    _check_fields(fields, OPPORTUNITY_FIELDS)
    stage = stage or first_open_stage()
    opportunity = Opportunity(client=client, title=title, stage=stage, **fields)
    opportunity.probability = stage.probability if probability is None else probability
    _enter_stage(opportunity, None)
    _validate(opportunity)
    opportunity.save()
    audit.record_created(opportunity, AUDITED_FIELDS, actor=actor)
    if _just_won(opportunity, None):
        _after_won(opportunity, actor=actor)
    return opportunity


def _save_changes(
    opportunity: Opportunity,
    *,
    actor: Any,
    expected_version: int,
    before: dict[str, Any],
    previous: Stage,
    action: str,
) -> Opportunity:
    _validate(opportunity)
    update_versioned(opportunity, expected_version=expected_version, fields=AUDITED_FIELDS)
    changed = audit.diff(before, audit.snapshot(opportunity, AUDITED_FIELDS))
    if changed:
        audit.record(opportunity, action, actor=actor, changes=changed)
    if _just_won(opportunity, previous):
        _after_won(opportunity, actor=actor)
    return opportunity


@transaction.atomic
def update_opportunity(
    opportunity: Opportunity, *, actor: Any, expected_version: int, **changes: Any
) -> Opportunity:
    """Edit a deal. A new stage brings its default probability unless the edit sets another.

    Raises StaleEdit (nothing written) if the deal was saved since ``expected_version``,
    ValidationError for invalid values (a lost stage needs ``lost_reason``).
    """
    _check_fields(changes, OPPORTUNITY_FIELDS)
    before = audit.snapshot(opportunity, AUDITED_FIELDS)
    previous = opportunity.stage
    sets_probability = changes.get("probability", opportunity.probability) != (
        opportunity.probability
    )
    for name, value in changes.items():
        setattr(opportunity, name, value)
    if opportunity.stage.pk != previous.pk:
        if not sets_probability:
            opportunity.probability = opportunity.stage.probability
        _enter_stage(opportunity, previous)
    elif opportunity.stage.kind != StageKind.LOST:
        opportunity.lost_reason = ""
    return _save_changes(
        opportunity,
        actor=actor,
        expected_version=expected_version,
        before=before,
        previous=previous,
        action="updated",
    )


@transaction.atomic
def move_opportunity(
    opportunity: Opportunity,
    *,
    stage: Stage,
    actor: Any,
    expected_version: int,
    lost_reason: str = "",
) -> Opportunity:
    """Move a deal to ``stage``: its probability becomes the stage's default; a won or lost
    stage closes the deal (``closed_at``), an open one reopens it.

    Raises StaleEdit if the deal changed since ``expected_version`` (the board shows a stale
    card), ValidationError when a lost stage comes without ``lost_reason``. Moving a deal of a
    client with ``auto_convert_won`` into a won stage creates its project in this transaction.
    """
    before = audit.snapshot(opportunity, AUDITED_FIELDS)
    previous = opportunity.stage
    opportunity.stage = stage
    opportunity.probability = stage.probability
    opportunity.lost_reason = lost_reason
    _enter_stage(opportunity, previous)
    return _save_changes(
        opportunity,
        actor=actor,
        expected_version=expected_version,
        before=before,
        previous=previous,
        action="moved",
    )


# ---- the board ---------------------------------------------------------------------------------


@dataclass
class Amounts:
    """Totals of one currency: the sum of amounts and of weighted amounts."""

    currency: str
    total: Decimal = Decimal("0.00")
    weighted: Decimal = Decimal("0.00")


def currency_order(currency: str) -> tuple[int, str]:
    """CNY first, then the other currencies alphabetically: they are never added together."""
    return (0 if currency == Currency.CNY else 1, currency)


def amounts_by_currency(deals: Iterable[Opportunity]) -> list[Amounts]:
    sums: dict[str, Amounts] = {}
    for deal in deals:
        amounts = sums.setdefault(deal.currency, Amounts(deal.currency))
        amounts.total += deal.amount
        amounts.weighted += deal.weighted_amount
    return [sums[currency] for currency in sorted(sums, key=currency_order)]


@dataclass(frozen=True)
class PipelineSummary:
    """The open pipeline at a glance: deals per open stage, and amounts per currency."""

    stages: list[tuple[str, int]]
    amounts: list[Amounts]

    @property
    def deal_count(self) -> int:
        return sum(count for _label, count in self.stages)


def pipeline_summary(user: Any) -> PipelineSummary:
    """For the dashboard, in three queries whatever the number of deals."""
    deals = Opportunity.objects.for_user(user).filter(stage__kind=StageKind.OPEN)
    counts = dict(deals.values_list("stage").annotate(count=Count("pk")).order_by())
    sums: dict[str, Amounts] = {}
    totals = deals.values_list("currency").annotate(
        total=Sum("amount"), weighted=Sum(F("amount") * F("probability")) / 100
    )
    for currency, total, weighted_total in totals.order_by():
        sums[currency] = Amounts(currency, total, Decimal(weighted_total).quantize(Decimal("0.01")))
    stages = Stage.objects.filter(kind=StageKind.OPEN)
    return PipelineSummary(
        stages=[(str(stage), counts.get(stage.pk, 0)) for stage in stages],
        amounts=[sums[currency] for currency in sorted(sums, key=currency_order)],
    )


@dataclass
class Column:
    stage: Stage
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def amounts(self) -> list[Amounts]:
        return amounts_by_currency(self.cards)


def board_deals(deals: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Open deals, and won or lost ones closed within the last BOARD_CLOSED_DAYS days."""
    since = timezone.now() - datetime.timedelta(days=BOARD_CLOSED_DAYS)
    return (
        deals.filter(Q(stage__kind=StageKind.OPEN) | Q(closed_at__gte=since))
        .select_related("client", "owner")
        .order_by("expected_close", "pk")
    )


def board(deals: QuerySet[Opportunity]) -> list[Column]:
    """One column per stage, in pipeline order, holding its deals: two queries in all."""
    columns = {stage.pk: Column(stage) for stage in Stage.objects.order_by("order", "pk")}
    for deal in board_deals(deals):
        column = columns[deal.stage_id]
        deal.stage = column.stage  # no query per card for its stage
        column.cards.append(deal)
    return list(columns.values())


# ---- the weighted forecast ----------------------------------------------------------------------


@dataclass
class ForecastRow:
    owner: str
    cells: list[Decimal]
    total: Decimal


@dataclass
class Forecast:
    """Weighted amounts of open deals in one currency: rows per owner, columns per month
    (``None``: deals without an expected close date)."""

    currency: str
    months: list[datetime.date | None]
    rows: list[ForecastRow]
    month_totals: list[Decimal]
    total: Decimal


def forecast(deals: QuerySet[Opportunity]) -> list[Forecast]:
    """The weighted forecast of the open ``deals``, one table per currency (CNY first)."""
    cells: dict[str, dict[tuple[int | None, datetime.date | None], Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    owners: dict[int | None, str] = {}
    for deal in deals.filter(stage__kind=StageKind.OPEN).select_related("owner"):
        month = deal.expected_close.replace(day=1) if deal.expected_close else None
        owners[deal.owner_id] = str(deal.owner) if deal.owner else _("Unassigned")
        cells[deal.currency][(deal.owner_id, month)] += deal.weighted_amount
    return [
        _forecast_table(currency, cells[currency], owners)
        for currency in sorted(cells, key=currency_order)
    ]


def _forecast_table(
    currency: str,
    cells: dict[tuple[int | None, datetime.date | None], Decimal],
    owners: dict[int | None, str],
) -> Forecast:
    present = {month for _owner, month in cells}
    months: list[datetime.date | None] = sorted(present - {None})  # type: ignore[type-var]
    if None in present:
        months.append(None)  # the "no date" column comes last
    rows = []
    for owner in sorted({owner for owner, _month in cells}, key=lambda pk: owners[pk]):
        values = [cells.get((owner, month), Decimal("0.00")) for month in months]
        rows.append(ForecastRow(owners[owner], values, sum(values, Decimal("0.00"))))
    month_totals = [
        sum(column, Decimal("0.00")) for column in zip(*(r.cells for r in rows), strict=True)
    ]
    return Forecast(currency, months, rows, month_totals, sum(month_totals, Decimal("0.00")))
