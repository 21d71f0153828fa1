"""Roles, skills and what tasks need: the verbs, candidates for a need, and assigning from a
need or in place of a generic (placeholder) resource. What a project needs week by week and its
needs against the staff assigned are read in ``services.needs_report``.

Every verb runs in one transaction and writes an audit event; edits of existing rows take the
version the editor loaded (``expected_version``) and raise StaleEdit when it moved on.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.concurrency import update_versioned
from charter.engine.utilisation import week_of
from charter.planning.adapters import schedule_project, to_local
from charter.planning.models import Task
from charter.resources import utilisation
from charter.resources.choices import ResourceKind
from charter.resources.models import Assignment, Resource, ResourceSkill, Role, Skill, TaskNeed
from charter.resources.services import pool

ACTION_LABELS.update(
    {
        "need_added": gettext_lazy("added a need to"),
        "need_changed": gettext_lazy("changed a need of"),
        "need_removed": gettext_lazy("removed a need from"),
        "skill_added": gettext_lazy("added a skill to"),
        "skill_changed": gettext_lazy("changed a skill of"),
        "skill_removed": gettext_lazy("removed a skill from"),
        "placeholder_replaced": gettext_lazy("replaced a generic resource on"),
    }
)
CHANGE_LABELS.update({"need": gettext_lazy("need"), "skill": gettext_lazy("skill")})

ROLE_FIELDS = ("name", "description")
SKILL_FIELDS = ("name",)
NEED_FIELDS = ("role", "skill", "min_level", "quantity", "effort_hours", "note")
CANDIDATES = 10


def _only(changes: dict[str, Any], allowed: Sequence[str]) -> None:
    if unknown := set(changes) - set(allowed):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")


def _in_use(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is still in use: remove it from the needs and resources first.")
        % {"name": name},
        code="protected",
    )


# ---- roles and skills ------------------------------------------------------------------------


def _clean_named(obj: Role | Skill) -> None:
    obj.name = (obj.name or "").strip()
    obj.full_clean()


@transaction.atomic
def create_role(*, actor: Any, name: str, description: str = "") -> Role:
    """ValidationError (nothing written) for an empty or taken name."""
    role = Role(name=name, description=(description or "").strip())
    _clean_named(role)
    role.save()
    audit.record_created(role, ROLE_FIELDS, actor=actor)
    return role


def _update_named[Named: (Role, Skill)](
    obj: Named, fields: tuple[str, ...], *, actor: Any, expected_version: int, changes: Any
) -> Named:
    _only(changes, fields)
    before = audit.snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    _clean_named(obj)
    update_versioned(obj, expected_version=expected_version, fields=fields)
    if changed := audit.diff(before, audit.snapshot(obj, fields)):
        audit.record(obj, "updated", actor=actor, changes=changed)
    return obj


@transaction.atomic
def update_role(role: Role, *, actor: Any, expected_version: int, **changes: Any) -> Role:
    return _update_named(
        role, ROLE_FIELDS, actor=actor, expected_version=expected_version, changes=changes
    )


@transaction.atomic
def delete_role(role: Role, *, actor: Any) -> None:
    """Refused while a task needs the role; resources of the role keep no role."""
    if role.needs.exists():
        raise _in_use(role.name)
    audit.record(role, "deleted", actor=actor, changes={"name": [role.name, None]})
    role.delete()


@transaction.atomic
def create_skill(*, actor: Any, name: str) -> Skill:
    skill = Skill(name=name)
    _clean_named(skill)
    skill.save()
    audit.record_created(skill, SKILL_FIELDS, actor=actor)
    return skill


@transaction.atomic
def update_skill(skill: Skill, *, actor: Any, expected_version: int, **changes: Any) -> Skill:
    return _update_named(
        skill, SKILL_FIELDS, actor=actor, expected_version=expected_version, changes=changes
    )


@transaction.atomic
def delete_skill(skill: Skill, *, actor: Any) -> None:
    """Refused while a resource has the skill or a task needs it."""
    audit.record(skill, "deleted", actor=actor, changes={"name": [skill.name, None]})
    try:
        with transaction.atomic():
            skill.delete()
    except ProtectedError:
        raise _in_use(skill.name) from None


# ---- a resource's skills ----------------------------------------------------------------------


def _skill_label(row: ResourceSkill) -> str:
    return f"{row.skill.name} {row.level}"


@transaction.atomic
def add_resource_skill(
    resource: Resource, skill: Skill, *, actor: Any, level: int = 3
) -> ResourceSkill:
    """ValidationError (nothing written) for a level outside 1–5 or a skill it has already."""
    row = ResourceSkill(resource=resource, skill=skill, level=level)
    row.full_clean(exclude=["resource", "skill"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(
            {
                "skill": _("“%(name)s” has this skill already: change its level.")
                % {"name": resource}
            }
        ) from None
    audit.record(resource, "skill_added", actor=actor, changes={"skill": [None, _skill_label(row)]})
    return row


@transaction.atomic
def update_resource_skill(
    row: ResourceSkill, *, actor: Any, expected_version: int, level: int
) -> ResourceSkill:
    before = _skill_label(row)
    row.level = level
    row.full_clean(exclude=["resource", "skill"], validate_unique=False, validate_constraints=False)
    update_versioned(row, expected_version=expected_version, fields=("level",))
    if before != _skill_label(row):
        audit.record(
            row.resource,
            "skill_changed",
            actor=actor,
            changes={"skill": [before, _skill_label(row)]},
        )
    return row


@transaction.atomic
def delete_resource_skill(row: ResourceSkill, *, actor: Any) -> None:
    audit.record(
        row.resource, "skill_removed", actor=actor, changes={"skill": [_skill_label(row), None]}
    )
    row.delete()


# ---- needs -----------------------------------------------------------------------------------


def _need_label(need: TaskNeed) -> str:
    """How the history shows a need: “后端工程师 ×2 · PostgreSQL ≥ 3 · 80 h”."""
    parts = [f"{need.role.name} ×{need.quantity}"]
    if need.skill is not None:
        parts.append(f"{need.skill.name} ≥ {need.min_level}")
    parts.append(f"{Decimal(need.effort_hours).normalize():f} h")
    return " · ".join(parts)


def _check_need(need: TaskNeed) -> None:
    need.note = (need.note or "").strip()
    if need.task.is_summary:
        raise ValidationError(_("A summary task has no needs of its own: add them to its tasks."))
    need.full_clean(exclude=["task", "role", "skill"], validate_constraints=False)


@transaction.atomic
def create_need(task: Task, *, actor: Any, role: Role, **fields: Any) -> TaskNeed:
    """Say ``task`` needs people of ``role``. ValidationError (nothing written) for a summary
    task, a level outside 1–5, no people or negative effort."""
    _only(fields, NEED_FIELDS)
    need = TaskNeed(task=task, role=role, **fields)
    _check_need(need)
    need.save()
    audit.record(task, "need_added", actor=actor, changes={"need": [None, _need_label(need)]})
    return need


@transaction.atomic
def update_need(need: TaskNeed, *, actor: Any, expected_version: int, **changes: Any) -> TaskNeed:
    _only(changes, NEED_FIELDS)
    before = _need_label(need)
    for name, value in changes.items():
        setattr(need, name, value)
    _check_need(need)
    update_versioned(need, expected_version=expected_version, fields=NEED_FIELDS)
    if before != _need_label(need):
        audit.record(
            need.task, "need_changed", actor=actor, changes={"need": [before, _need_label(need)]}
        )
    return need


@transaction.atomic
def delete_need(need: TaskNeed, *, actor: Any) -> None:
    audit.record(
        need.task, "need_removed", actor=actor, changes={"need": [_need_label(need), None]}
    )
    need.delete()


# ---- assigning -------------------------------------------------------------------------------


def need_work(need: TaskNeed, resource: Resource) -> tuple[Decimal, int]:
    """The units and working minutes an assignment from ``need`` gets: a person takes an
    equal share of the effort at 100 %; a generic resource takes all of it, at as many people
    as the need asks for."""
    minutes = Decimal(need.effort_hours) * pool.MINUTES_PER_HOUR
    if resource.is_placeholder:
        return Decimal(need.quantity), int(minutes.to_integral_value(ROUND_HALF_UP))
    share = minutes / need.quantity
    return Decimal(1), int(share.to_integral_value(ROUND_HALF_UP))


@transaction.atomic
def assign_from_need(need: TaskNeed, resource: Resource, *, actor: Any) -> Assignment:
    """Assign ``resource`` to the need's task at the need's effort (``need_work``).
    ValidationError as ``pool.assign``, or for a resource that is not a person."""
    if resource.kind != ResourceKind.WORK:
        raise ValidationError({"resource": _("A need is met by people (work resources).")})
    units, work = need_work(need, resource)
    return pool.assign(need.task, resource, actor=actor, units=units, work=work)


@transaction.atomic
def replace_placeholder(
    assignment: Assignment,
    person: Resource,
    *,
    actor: Any,
    expected_version: int | None = None,
) -> Assignment:
    """Put ``person`` on the task in place of the generic resource, keeping units and work.
    ValidationError (nothing written) unless the assignment is a generic resource's and
    ``person`` an active, named person not yet on the task; StaleEdit if the assignment changed
    since ``expected_version``. Reschedules."""
    if not assignment.resource.is_placeholder:
        raise ValidationError(
            {"resource": _("“%(name)s” is not a generic resource.") % {"name": assignment.resource}}
        )
    if person.is_placeholder or person.kind != ResourceKind.WORK or not person.is_active:
        raise ValidationError({"person": _("Choose an active person.")})
    if Assignment.objects.filter(task_id=assignment.task_id, resource=person).exists():
        raise ValidationError(
            {"person": _("“%(name)s” is already assigned to this task.") % {"name": person}}
        )
    before = pool.assignment_label(assignment)
    assignment.resource = person
    update_versioned(
        assignment,
        expected_version=assignment.version if expected_version is None else expected_version,
        fields=("resource",),
    )
    audit.record(
        assignment.task,
        "placeholder_replaced",
        actor=actor,
        changes={"assignment": [before, pool.assignment_label(assignment)]},
    )
    schedule_project(assignment.task.project)
    return assignment


# ---- candidates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A person who could meet a need, with the parts of the ranking."""

    resource: Resource
    role_match: bool
    level: int | None  # the person's level in the need's skill; None: not held (or no skill)
    meets_level: bool  # no skill asked, or level ≥ the need's minimum
    capacity_hours: Decimal | None  # over the task's weeks; None: the task is not scheduled
    allocated_hours: Decimal | None
    free_hours: Decimal | None

    @property
    def key(self) -> tuple[Any, ...]:
        free = self.free_hours if self.free_hours is not None else Decimal(0)
        return (
            not self.role_match,
            not self.meets_level,
            -(self.level or 0),
            -free,
            self.resource.name,
            self.resource.pk,
        )


def task_window(task: Task) -> utilisation.Window | None:
    """The ISO weeks the task runs in (at most 52); None when it is not scheduled."""
    start, finish = to_local(task.start), to_local(task.finish)
    if start is None or finish is None:
        return None
    weeks = (finish.date() - start.date()).days // 7 + 2
    window = utilisation.Window.of(start.date(), weeks)
    last = week_of(finish.date())
    return utilisation.Window(tuple(week for week in window.weeks if week <= last))


def free_people(task_id: int) -> list[Resource]:
    """Active named people not yet on the task, by name."""
    return list(
        Resource.objects.filter(is_active=True, is_placeholder=False, kind=ResourceKind.WORK)
        .exclude(assignments__task_id=task_id)
        .select_related("role", "user")
        .order_by("name", "pk")
    )


def candidates_by_need(
    task: Task,
    needs: Sequence[TaskNeed],
    *,
    user: Any,
    limit: int = CANDIDATES,
    people: list[Resource] | None = None,
) -> dict[int, list[Candidate]]:
    """For each of the task's ``needs`` (by id), active named people not yet on the task, best
    first: role match, then the need's skill at the minimum level or more, higher level first,
    then free hours (capacity − allocation across the projects ``user`` sees) in the task's
    weeks. A constant number of queries whatever the number of needs; ``people`` is
    ``free_people(task)`` when the caller has it already."""
    if not needs:
        return {}
    people = free_people(task.pk) if people is None else people
    skills = {need.skill_id for need in needs if need.skill_id}
    levels: dict[tuple[int, int], int] = {}
    if skills and people:
        rows = ResourceSkill.objects.filter(
            skill_id__in=skills, resource__in=[p.pk for p in people]
        ).values_list("resource_id", "skill_id", "level")
        levels = {(resource, skill): level for resource, skill, level in rows}
    window = task_window(task)
    loads: dict[int, utilisation.Row] = {}
    if window is not None and people:
        loads = {row.resource.pk: row for row in utilisation.rows_for(user, window, people)}
    return {need.pk: _ranked(need, people, levels, loads)[:limit] for need in needs}


def _ranked(
    need: TaskNeed,
    people: Sequence[Resource],
    levels: dict[tuple[int, int], int],
    loads: dict[int, utilisation.Row],
) -> list[Candidate]:
    found = []
    for person in people:
        level = levels.get((person.pk, need.skill_id)) if need.skill_id else None
        row = loads.get(person.pk)
        found.append(
            Candidate(
                resource=person,
                role_match=person.role_id == need.role_id,
                level=level,
                meets_level=not need.skill_id or (level or 0) >= need.min_level,
                capacity_hours=row.capacity_hours if row else None,
                allocated_hours=row.allocated_hours if row else None,
                free_hours=(row.capacity_hours - row.allocated_hours) if row else None,
            )
        )
    return sorted(found, key=lambda candidate: candidate.key)


def candidates(need: TaskNeed, *, user: Any, limit: int = CANDIDATES) -> list[Candidate]:
    """``candidates_by_need`` for one need."""
    return candidates_by_need(need.task, [need], user=user, limit=limit)[need.pk]


def replacement_candidates(
    task: Task, role_ids: Iterable[int | None], *, people: list[Resource] | None = None
) -> dict[int | None, list[Resource]]:
    """Per role id, the people who may take a generic resource's place on ``task``: active
    named people not on it, those of the role first. One query, none when ``people``
    (``free_people(task)``) is given."""
    people = free_people(task.pk) if people is None else people
    return {
        role_id: sorted(people, key=lambda person: person.role_id != role_id)
        for role_id in set(role_ids)
    }


def needs_of(task: Task) -> list[TaskNeed]:
    return list(task.needs.select_related("role", "skill").order_by("role__name", "pk"))


__all__ = [
    "Candidate",
    "add_resource_skill",
    "assign_from_need",
    "candidates",
    "candidates_by_need",
    "create_need",
    "create_role",
    "create_skill",
    "delete_need",
    "delete_resource_skill",
    "delete_role",
    "delete_skill",
    "free_people",
    "replace_placeholder",
    "replacement_candidates",
    "update_need",
    "update_resource_skill",
    "update_role",
    "update_skill",
]
