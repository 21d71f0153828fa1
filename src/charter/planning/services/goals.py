"""A project's measurable goals and scope statements: add, edit (versioned), delete, reorder,
all audited; and whether the client has confirmed them as they stand.

The client confirms goals and scope through the requirements document: its frozen content
holds them (``discovery.services.document_content``), so a confirmed version says what was
confirmed, by whom and when.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.discovery.models import (
    ConfirmationRequest,
    DocumentVersion,
    Requirement,
    RequirementsDocument,
)
from charter.discovery.services.document_content import (
    ItemChange,
    goal_row,
    plan_changes,
    plan_part,
    project_plan,
    scope_row,
)
from charter.discovery.services.documents import DocumentStatus
from charter.planning.models import Goal, Project, ScopeItem

ACTION_LABELS.update(
    {
        "goals_reordered": gettext_lazy("reordered the goals of"),
        "scope_reordered": gettext_lazy("reordered the scope statements of"),
    }
)

GOAL_FIELDS = ("title", "target", "unit", "baseline_value", "due_date")
SCOPE_FIELDS = ("text", "in_scope")
TEXT_FIELDS = ("title", "unit", "text")

Item = Goal | ScopeItem


def _fields(model: type[Item]) -> tuple[str, ...]:
    return GOAL_FIELDS if model is Goal else SCOPE_FIELDS


def _codes(goal: Goal) -> list[str]:
    return [requirement.code for requirement in goal.requirements.order_by("number")]


def _snapshot(item: Item) -> dict[str, Any]:
    values = audit.snapshot(item, _fields(type(item)))
    if isinstance(item, Goal):
        values["requirements"] = _codes(item)
    return values


def _check_requirements(project: Project, requirements: list[Requirement]) -> None:
    if any(requirement.project_id != project.pk for requirement in requirements):
        raise ValidationError(
            {"requirements": _("Choose requirements of this project only.")},
            code="foreign_requirement",
        )


def _set_values(item: Item, values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(_fields(type(item)))
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    for name, value in values.items():
        setattr(item, name, value.strip() if name in TEXT_FIELDS and value else value)
    item.full_clean(exclude=["project", "order"])


def _lock_list(project_id: int) -> None:
    """Lock the project row: additions and reorderings of its lists happen one at a time, so
    each addition gets its own place at the end and a reordering sees every row."""
    Project.objects.select_for_update().filter(pk=project_id).values("pk").get()


@transaction.atomic
def _create(
    model: type[Item],
    project: Project,
    *,
    actor: Any,
    values: Mapping[str, Any],
    requirements: Iterable[Requirement] | None = None,
) -> Item:
    _lock_list(project.pk)
    last = model._default_manager.filter(project=project).aggregate(last=Max("order"))["last"]
    item = model(project=project, order=0 if last is None else last + 1)
    _set_values(item, values)
    chosen = list(requirements or [])
    _check_requirements(project, chosen)
    item.save()
    if isinstance(item, Goal):
        item.requirements.set(chosen)
    audit.record(item, "created", actor=actor, changes=audit.diff({}, _snapshot(item)))
    return item


@transaction.atomic
def _update(
    item: Item,
    *,
    actor: Any,
    expected_version: int,
    values: Mapping[str, Any],
    requirements: Iterable[Requirement] | None = None,
) -> Item:
    before = _snapshot(item)
    _set_values(item, values)
    chosen = None if requirements is None else list(requirements)
    if chosen is not None:
        _check_requirements(item.project, chosen)
    update_versioned(item, expected_version=expected_version, fields=_fields(type(item)))
    if isinstance(item, Goal) and chosen is not None:
        item.requirements.set(chosen)
    changed = audit.diff(before, _snapshot(item))
    if changed:
        audit.record(item, "updated", actor=actor, changes=changed)
    return item


@transaction.atomic
def _delete(item: Item, *, actor: Any) -> None:
    gone = {name: [value, None] for name, value in _snapshot(item).items()}
    audit.record(item, "deleted", actor=actor, changes=gone)
    item.delete()


@transaction.atomic
def _reorder(model: type[Item], project: Project, *, actor: Any, ids: list[int]) -> None:
    """Put the project's rows of ``model`` in the order of ``ids`` (each of them once)."""
    _lock_list(project.pk)
    manager: Any = model._default_manager  # Goal's or ScopeItem's, chosen at run time
    current = list(manager.filter(project=project))
    rows = {row.pk: row for row in current}
    if sorted(ids) != sorted(rows):
        raise ValidationError(
            {"order": _("List every item of this project once.")}, code="incomplete"
        )
    before = [str(row) for row in current]
    for position, pk in enumerate(ids):
        rows[pk].order = position
    manager.bulk_update(rows.values(), ["order"])
    after = [str(rows[pk]) for pk in ids]
    if after != before:
        action, name = (
            ("goals_reordered", "goals") if model is Goal else ("scope_reordered", "scope")
        )
        audit.record(project, action, actor=actor, changes={name: [before, after]})


@transaction.atomic
def _move(item: Item, *, actor: Any, step: int) -> None:
    """Swap ``item`` with the row ``step`` places from it among its kind (goals; in-scope or
    out-of-scope statements, which the page lists apart); nothing at the ends."""
    _lock_list(item.project_id)
    rows: Any = type(item)._default_manager.filter(project_id=item.project_id)
    order = list(rows.values_list("pk", flat=True))
    if isinstance(item, ScopeItem):
        rows = rows.filter(in_scope=item.in_scope)
    kin = list(rows.values_list("pk", flat=True))
    position = kin.index(item.pk) + step
    if not 0 <= position < len(kin):
        return
    here, there = order.index(item.pk), order.index(kin[position])
    order[here], order[there] = order[there], order[here]
    _reorder(type(item), item.project, actor=actor, ids=order)


# ---- goals ------------------------------------------------------------------------------------


def create_goal(
    project: Project,
    *,
    actor: Any,
    title: str,
    target: Decimal,
    unit: str,
    due_date: datetime.date,
    baseline_value: Decimal | None = None,
    requirements: Iterable[Requirement] = (),
) -> Goal:
    """Add a measurable goal at the end of the project's list, linked to requirements of the
    project. ValidationError (nothing written) for invalid values or other requirements."""
    values = {
        "title": title,
        "target": target,
        "unit": unit,
        "due_date": due_date,
        "baseline_value": baseline_value,
    }
    goal = _create(Goal, project, actor=actor, values=values, requirements=requirements)
    assert isinstance(goal, Goal)
    return goal


def update_goal(
    goal: Goal,
    *,
    actor: Any,
    expected_version: int,
    requirements: Iterable[Requirement] | None = None,
    **changes: Any,
) -> Goal:
    """Edit a goal (``GOAL_FIELDS``; ``requirements`` replaces the links). Raises StaleEdit
    (nothing written) when saved by someone since ``expected_version``; ValidationError for
    invalid values."""
    updated = _update(
        goal,
        actor=actor,
        expected_version=expected_version,
        values=changes,
        requirements=requirements,
    )
    assert isinstance(updated, Goal)
    return updated


def delete_goal(goal: Goal, *, actor: Any) -> None:
    _delete(goal, actor=actor)


def reorder_goals(project: Project, *, actor: Any, goal_ids: list[int]) -> None:
    """Order the project's goals as ``goal_ids`` (every goal once; ValidationError otherwise)."""
    _reorder(Goal, project, actor=actor, ids=goal_ids)


def move_goal(goal: Goal, *, actor: Any, step: int) -> None:
    """Move a goal ``step`` places up (negative) or down in its project's list."""
    _move(goal, actor=actor, step=step)


# ---- scope statements -------------------------------------------------------------------------


def create_scope_item(
    project: Project, *, actor: Any, text: str, in_scope: bool = True
) -> ScopeItem:
    """Add a scope statement (in scope, or explicitly out of scope) at the end of the list."""
    item = _create(ScopeItem, project, actor=actor, values={"text": text, "in_scope": in_scope})
    assert isinstance(item, ScopeItem)
    return item


def update_scope_item(
    item: ScopeItem, *, actor: Any, expected_version: int, **changes: Any
) -> ScopeItem:
    """Edit a scope statement (text, in or out). StaleEdit / ValidationError as for goals."""
    updated = _update(item, actor=actor, expected_version=expected_version, values=changes)
    assert isinstance(updated, ScopeItem)
    return updated


def delete_scope_item(item: ScopeItem, *, actor: Any) -> None:
    _delete(item, actor=actor)


def reorder_scope_items(project: Project, *, actor: Any, item_ids: list[int]) -> None:
    """Order the project's scope statements as ``item_ids`` (every statement once)."""
    _reorder(ScopeItem, project, actor=actor, ids=item_ids)


def move_scope_item(item: ScopeItem, *, actor: Any, step: int) -> None:
    _move(item, actor=actor, step=step)


# ---- confirmation -----------------------------------------------------------------------------

NEVER_CONFIRMED = "never_confirmed"
CONFIRMED = "confirmed"
CHANGED = "changed"


@dataclass
class GoalsConfirmation:
    """Whether the goals and scope as they stand are what the client last confirmed.

    ``state``: never_confirmed (no document, or no version confirmed by every required
    confirmer), confirmed (the goals and scope equal those of ``version``, the latest confirmed
    version) or changed (they differ: ``changes``)."""

    state: str
    document: RequirementsDocument | None = None
    version: DocumentVersion | None = None
    confirmations: list[ConfirmationRequest] = field(default_factory=list)
    changes: dict[str, list[ItemChange]] = field(default_factory=dict)
    latest_number: int | None = None  # the latest published version, confirmed or not

    @property
    def confirmed_at(self) -> datetime.datetime | None:
        times = [request.decided_at for request in self.confirmations if request.decided_at]
        return max(times, default=None)

    @property
    def confirmed_by(self) -> list[str]:
        return [str(request.contact) for request in self.confirmations]

    @property
    def changed_items(self) -> list[ItemChange]:
        return [*self.changes.get("goals", []), *self.changes.get("scope", [])]

    @property
    def waiting_number(self) -> int | None:
        """The number of a version published after the confirmed one (not yet confirmed)."""
        confirmed = self.version.number if self.version else 0
        return self.latest_number if (self.latest_number or 0) > confirmed else None


def current_plan(project: Project) -> dict[str, list[dict[str, Any]]]:
    """The goals and scope rows as a document published now would freeze them."""
    plan = project_plan(project.pk)
    return {
        "goals": [goal_row(goal) for goal in plan["goals"]],
        "scope": [scope_row(item) for item in plan["scope"]],
    }


def _latest_confirmed(
    document: RequirementsDocument,
) -> tuple[DocumentVersion | None, list[ConfirmationRequest], int | None]:
    """The newest version every required confirmer confirmed (the rule of
    ``DocumentStatus.confirmed``), its confirmations, and the latest version's number."""
    confirmers = list(document.confirmers.all())
    requests = ConfirmationRequest.objects.select_related("contact").order_by("decided_at", "pk")
    versions = list(
        document.versions.defer("content")
        .prefetch_related(Prefetch("confirmations", queryset=requests))
        .order_by("-number")
    )
    latest_number = versions[0].number if versions else None
    for version in versions:
        status = DocumentStatus(
            latest=version,
            draft_hash="",
            confirmers=confirmers,
            confirmations=list(version.confirmations.all()),
        )
        if status.confirmed:
            return version, status.confirmed_by, latest_number
    return None, [], latest_number


def confirmation_state(project: Project) -> GoalsConfirmation:
    """Compare the project's goals and scope with the latest version of its requirements
    document that the client confirmed. A fixed number of queries."""
    document = RequirementsDocument.objects.filter(project=project).first()
    if document is None:
        return GoalsConfirmation(NEVER_CONFIRMED)
    version, confirmations, latest_number = _latest_confirmed(document)
    if version is None:
        return GoalsConfirmation(NEVER_CONFIRMED, document, latest_number=latest_number)
    changes = plan_changes(plan_part(version.content), current_plan(project))
    state = CHANGED if any(changes.values()) else CONFIRMED
    return GoalsConfirmation(
        state,
        document,
        version,
        confirmations,
        changes if state == CHANGED else {},
        latest_number,
    )
