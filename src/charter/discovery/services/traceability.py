"""Traceability: each requirement with its sources (findings), the plan tasks that deliver it
and the change requests that touch it, and the gaps — requirements with no source, or (on a
project) no delivery path."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from charter.changes.models import ChangeRequest
from charter.discovery.choices import RequirementStatus
from charter.discovery.models import Finding, Requirement
from charter.planning.models import Task

# A requirement needs no delivery path once it is delivered or rejected.
SETTLED = (RequirementStatus.DELIVERED, RequirementStatus.REJECTED)

GAPS = {
    "no_source": _("No source"),
    "no_delivery": _("No delivery path"),
}

SOURCE_RELATIONS = (
    "answer__question",
    "answer__response__invitation__campaign",
    "question",
    "interview",
    "focus_group",
    "interaction",
)


def _has_source() -> Exists:
    return Exists(Finding.objects.filter(requirement=OuterRef("pk")))


def _has_task() -> Exists:
    return Exists(Requirement.tasks.through.objects.filter(requirement=OuterRef("pk")))


def gap_condition(gap: str) -> Q:
    """The rows that have ``gap`` (see GAPS); the queryset must carry the trace annotations."""
    if gap == "no_source":
        return Q(has_source=False)
    if gap == "no_delivery":
        return Q(project__isnull=False, has_task=False) & ~Q(status__in=SETTLED)
    raise ValueError(gap)


def with_trace(rows: QuerySet[Requirement]) -> QuerySet[Requirement]:
    """``rows`` with ``has_source``/``has_task`` annotations and their findings (with each
    source), tasks (in plan order) and change requests (in code order, as ``trace_changes``)
    prefetched: a constant number of queries. A change request only touches requirements of
    its own project, so whoever sees the requirement sees its change requests."""
    findings = Finding.objects.select_related(*SOURCE_RELATIONS).order_by("created_at", "pk")
    tasks = Task.objects.order_by("position", "pk")
    changes = ChangeRequest.objects.order_by("number", "pk")
    return rows.annotate(has_source=_has_source(), has_task=_has_task()).prefetch_related(
        Prefetch("findings", queryset=findings, to_attr="trace_sources"),
        Prefetch("tasks", queryset=tasks, to_attr="trace_tasks"),
        Prefetch("change_requests", queryset=changes, to_attr="trace_changes"),
    )


def trace(rows: QuerySet[Requirement], *, gap: str = "") -> QuerySet[Requirement]:
    """The matrix rows, optionally only those with ``gap``, in code order."""
    rows = with_trace(rows)
    if gap:
        rows = rows.filter(gap_condition(gap))
    return rows.order_by("number", "pk")


def gap_counts(rows: QuerySet[Requirement]) -> dict[str, Any]:
    """``{"total": n, "no_source": n, "no_delivery": n}`` in one query."""
    annotated = rows.annotate(has_source=_has_source(), has_task=_has_task())
    return annotated.aggregate(
        total=Count("pk"),
        **{gap: Count("pk", filter=gap_condition(gap)) for gap in GAPS},
    )


def is_delivered(requirement: Requirement) -> bool:
    return requirement.status == RequirementStatus.DELIVERED
