"""The RAID log (RAID 日志): risks, assumptions, issues and decisions of a project.

Every entry is created, edited (optimistic concurrency) and deleted here, one transaction and
one audit trail each. A status change is recorded as its own audit event ("status_changed"),
so the history shows when a risk occurred or an issue was resolved, apart from other edits.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import lock_row, update_versioned
from charter.planning.choices import (
    AssumptionStatus,
    IssueStatus,
    RiskLevel,
    RiskStatus,
)
from charter.planning.forms import colleagues
from charter.planning.models import Assumption, Decision, Project, ProjectIssue, Risk

ACTION_LABELS.update({"status_changed": gettext_lazy("changed the status of")})

RISK_FIELDS = (
    "title",
    "description",
    "probability",
    "impact",
    "response",
    "owner",
    "trigger",
    "mitigation",
    "status",
    "review_date",
    "client_visible",
)
ASSUMPTION_FIELDS = ("statement", "owner", "status", "verify_by", "notes", "client_visible")
ISSUE_FIELDS = (
    "title",
    "description",
    "severity",
    "with_client",
    "owner",
    "status",
    "escalation_path",
    "resolution",
    "agreed_by",
    "due_date",
    "client_visible",
)
DECISION_FIELDS = ("title", "decided_by", "decided_on", "rationale", "issue", "client_visible")

Entry = Risk | Assumption | ProjectIssue | Decision
RaidModel = type[Risk] | type[Assumption] | type[ProjectIssue] | type[Decision]

FIELDS: dict[Any, tuple[str, ...]] = {
    Risk: RISK_FIELDS,
    Assumption: ASSUMPTION_FIELDS,
    ProjectIssue: ISSUE_FIELDS,
    Decision: DECISION_FIELDS,
}
# Fields the services set themselves, saved with the user's edits.
DERIVED_FIELDS: dict[Any, tuple[str, ...]] = {ProjectIssue: ("resolved_at",)}

# An issue in one of these states is settled: it needs a resolution and has resolved_at.
SETTLED_ISSUE = (IssueStatus.RESOLVED, IssueStatus.CLOSED)
# States in which a date that passed means something is late.
STILL_OPEN = {
    Risk: (RiskStatus.OPEN, RiskStatus.OCCURRED),
    Assumption: (AssumptionStatus.UNVERIFIED,),
    ProjectIssue: (IssueStatus.OPEN, IssueStatus.ESCALATED),
}
DUE_FIELD = {Risk: "review_date", Assumption: "verify_by", ProjectIssue: "due_date"}


def entries_for_user(model: RaidModel, user: Any, action: str = "view") -> models.QuerySet:
    """The model's entries on projects the user may see, if the role may ``action`` them."""
    return model.objects.for_user(user, action)


# ---- checks ------------------------------------------------------------------------------------


def _check_owner(entry: Entry) -> None:
    owner_id = getattr(entry, "owner_id", None)
    if owner_id is not None and not colleagues().filter(pk=owner_id).exists():
        raise ValidationError({"owner": _("Choose an active colleague as owner.")})


def _check_issue(issue: ProjectIssue) -> None:
    """A settled issue says how it was resolved and since when; a reopened one is not resolved."""
    if issue.status not in SETTLED_ISSUE:
        issue.resolved_at = None
        return
    if not issue.resolution.strip():
        raise ValidationError(
            {"resolution": _("Write how the issue was resolved before you settle it.")}
        )
    if issue.resolved_at is None:
        issue.resolved_at = timezone.now()


def _check_decision(decision: Decision) -> None:
    if decision.issue_id is not None and decision.issue.project_id != decision.project_id:  # type: ignore[union-attr]
        raise ValidationError({"issue": _("Choose an issue of the same project.")})


def _check(entry: Entry, *, owner_changed: bool) -> None:
    # An owner who left later does not block other edits; a newly chosen one must be active.
    if owner_changed:
        _check_owner(entry)
    if isinstance(entry, ProjectIssue):
        _check_issue(entry)
    if isinstance(entry, Decision):
        _check_decision(entry)
    entry.full_clean(exclude=["project", "created_by"])


def _strip_texts(entry: Entry) -> None:
    for field in entry._meta.concrete_fields:
        value = getattr(entry, field.attname)
        if isinstance(value, str):
            setattr(entry, field.attname, value.strip())


# ---- the verbs, shared by the four kinds -------------------------------------------------------


def _unknown(model: RaidModel, names: Mapping[str, Any]) -> None:
    if unknown := set(names) - set(FIELDS[model]):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable on {model.__name__}")


@transaction.atomic
def _create(model: RaidModel, project: Project, *, actor: Any, fields: Mapping[str, Any]) -> Any:
    _unknown(model, fields)
    entry = model(
        project=project,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _strip_texts(entry)
    _check(entry, owner_changed=True)
    entry.save()
    audit.record_created(entry, FIELDS[model], actor=actor)
    return entry


@transaction.atomic
def _update(entry: Entry, *, actor: Any, expected_version: int, changes: Mapping[str, Any]) -> Any:
    model = type(entry)
    _unknown(model, changes)
    tracked = (*FIELDS[model], *DERIVED_FIELDS.get(model, ()))
    before = audit.snapshot(entry, tracked)
    owner_before = getattr(entry, "owner_id", None)
    for name, value in changes.items():
        setattr(entry, name, value)
    _strip_texts(entry)
    _check(entry, owner_changed=getattr(entry, "owner_id", None) != owner_before)
    update_versioned(entry, expected_version=expected_version, fields=tracked)
    changed = audit.diff(before, audit.snapshot(entry, tracked))
    status_change: dict[str, Any] = {
        name: changed.pop(name) for name in ("status", "resolved_at") if name in changed
    }
    if status_change:
        audit.record(entry, "status_changed", actor=actor, changes=status_change)
    if changed:
        audit.record(entry, "updated", actor=actor, changes=changed)
    return entry


@transaction.atomic
def _delete(entry: Entry, *, actor: Any) -> None:
    lock_row(entry)
    audit.record(entry, "deleted", actor=actor, changes={"title": [str(entry), None]})
    entry.delete()


def create_risk(project: Project, *, actor: Any, **fields: Any) -> Risk:
    """Log a risk (fields of RISK_FIELDS). ValidationError (nothing written) for invalid values
    or an owner who is not an active colleague."""
    return _create(Risk, project, actor=actor, fields=fields)


def update_risk(risk: Risk, *, actor: Any, expected_version: int, **changes: Any) -> Risk:
    """Edit a risk. StaleEdit (nothing written) if saved since ``expected_version``."""
    return _update(risk, actor=actor, expected_version=expected_version, changes=changes)


def delete_risk(risk: Risk, *, actor: Any) -> None:
    _delete(risk, actor=actor)


def create_assumption(project: Project, *, actor: Any, **fields: Any) -> Assumption:
    """Log an assumption (fields of ASSUMPTION_FIELDS); ValidationError as for risks."""
    return _create(Assumption, project, actor=actor, fields=fields)


def update_assumption(
    assumption: Assumption, *, actor: Any, expected_version: int, **changes: Any
) -> Assumption:
    """Edit an assumption. StaleEdit (nothing written) if saved since ``expected_version``."""
    return _update(assumption, actor=actor, expected_version=expected_version, changes=changes)


def delete_assumption(assumption: Assumption, *, actor: Any) -> None:
    _delete(assumption, actor=actor)


def create_issue(project: Project, *, actor: Any, **fields: Any) -> ProjectIssue:
    """Log an issue (fields of ISSUE_FIELDS), a conflict with the client too (``with_client``).
    One logged as resolved or closed needs its resolution text and gets ``resolved_at``."""
    return _create(ProjectIssue, project, actor=actor, fields=fields)


def update_issue(
    issue: ProjectIssue, *, actor: Any, expected_version: int, **changes: Any
) -> ProjectIssue:
    """Edit an issue. Resolving or closing it needs a resolution text (ValidationError) and sets
    ``resolved_at``; reopening clears it. StaleEdit if saved since ``expected_version``."""
    return _update(issue, actor=actor, expected_version=expected_version, changes=changes)


def delete_issue(issue: ProjectIssue, *, actor: Any) -> None:
    """Delete an issue; decisions that named it stay, without it."""
    _delete(issue, actor=actor)


def create_decision(project: Project, *, actor: Any, **fields: Any) -> Decision:
    """Record a decision (fields of DECISION_FIELDS): what, who, when, why, and optionally the
    issue of the same project it settles (ValidationError otherwise)."""
    return _create(Decision, project, actor=actor, fields=fields)


def update_decision(
    decision: Decision, *, actor: Any, expected_version: int, **changes: Any
) -> Decision:
    """Edit a decision. StaleEdit (nothing written) if saved since ``expected_version``."""
    return _update(decision, actor=actor, expected_version=expected_version, changes=changes)


def delete_decision(decision: Decision, *, actor: Any) -> None:
    _delete(decision, actor=actor)


# ---- reading -----------------------------------------------------------------------------------


def with_overdue(rows: models.QuerySet, *, today: datetime.date | None = None) -> models.QuerySet:
    """Annotate ``overdue``: the review / verify-by / due date passed while still open."""
    model = rows.model
    if model not in DUE_FIELD:
        return rows.annotate(overdue=models.Value(False))
    late = Q(**{f"{DUE_FIELD[model]}__lt": today or timezone.localdate()}) & Q(
        status__in=STILL_OPEN[model]
    )
    return rows.annotate(
        overdue=models.Case(
            models.When(late, then=models.Value(True)),
            default=models.Value(False),
            output_field=models.BooleanField(),
        )
    )


def in_list_order(rows: models.QuerySet) -> models.QuerySet:
    """Risks by score, issues by severity, decisions by date, each newest first on a tie."""
    model = rows.model
    if model is Risk:
        rows = rows.annotate(rank=F("probability") * F("impact"))
        return rows.order_by("-rank", "-created_at", "-pk")
    if model is ProjectIssue:
        return rows.order_by("-severity", "-created_at", "-pk")
    if model is Decision:
        return rows.order_by("-decided_on", "-created_at", "-pk")
    return rows.order_by("-created_at", "-pk")


def filter_entries(
    rows: models.QuerySet,
    *,
    status: str = "",
    owner: Any = None,
    severity: int | None = None,
    probability: int | None = None,
    impact: int | None = None,
) -> models.QuerySet:
    """Keep the entries matching every given filter (a filter the model lacks is an error)."""
    given = {
        "status": status or None,
        "owner": owner,
        "severity": severity,
        "probability": probability,
        "impact": impact,
    }
    return rows.filter(**{name: value for name, value in given.items() if value is not None})


def raid_counts(project: Project) -> dict[str, int]:
    """How many risks, assumptions, issues and decisions the project has, in one query."""
    counts = Project.objects.filter(pk=project.pk).aggregate(
        risks=Count("risks", distinct=True),
        assumptions=Count("assumptions", distinct=True),
        issues=Count("issues", distinct=True),
        decisions=Count("decisions", distinct=True),
    )
    return {name: int(value or 0) for name, value in counts.items()}


@dataclass(frozen=True)
class HeatCell:
    """One cell of the heat map; its colour follows the score (the template's bands)."""

    probability: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.probability * self.impact


def heat_map(risks: models.QuerySet[Risk]) -> list[list[HeatCell]]:
    """The 5×5 grid of ``risks`` counted by probability × impact, in one query: rows from
    probability 5 (top) down to 1, columns from impact 1 to 5."""
    counts = {
        (row["probability"], row["impact"]): row["count"]
        for row in risks.order_by().values("probability", "impact").annotate(count=Count("pk"))
    }
    levels = sorted(RiskLevel.values)
    return [
        [HeatCell(probability, impact, counts.get((probability, impact), 0)) for impact in levels]
        for probability in reversed(levels)
    ]
