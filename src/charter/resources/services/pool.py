"""The verbs of the resource pool: keep resources, and assign them to tasks.

A task's assignments decide the calendar it is worked on, so every change to them reschedules
the task's project (``charter.planning.adapters.schedule_project``) in the same transaction.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from charter.core import audit, policy
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.concurrency import lock_row, update_versioned
from charter.planning.adapters import schedule_project
from charter.planning.models import Project, Task
from charter.resources.choices import TIME_BASED, ResourceKind
from charter.resources.models import Assignment, Resource

ACTION_LABELS.update(
    {
        "assigned": gettext_lazy("assigned a resource to"),
        "assignment_changed": gettext_lazy("changed an assignment of"),
        "unassigned": gettext_lazy("removed a resource from"),
    }
)
CHANGE_LABELS.update({"assignment": gettext_lazy("assignment")})

RESOURCE_FIELDS = (
    "name",
    "kind",
    "user",
    "initials",
    "email",
    "max_units",
    "standard_rate",
    "currency",
    "calendar",
    "is_active",
    "role",
    "is_placeholder",
    "cost_per_use",
)
ASSIGNMENT_FIELDS = ("units", "work")
MINUTES_PER_HOUR = 60


def sees_rates(user: Any) -> bool:
    """Only managers and administrators see what a resource costs."""
    return policy.role_of(user) in policy.MANAGERS


# ---- resources -------------------------------------------------------------------------------


def _check_resource(resource: Resource) -> None:
    resource.name = (resource.name or "").strip()
    resource.initials = (resource.initials or "").strip()
    if resource.user is not None and policy.role_of(resource.user) == policy.CLIENT:
        raise ValidationError(
            {"user": _("A client user cannot be a resource: choose a colleague.")}
        )
    if resource.calendar is not None and resource.calendar.project_id is not None:
        # A resource works across projects: one project's own calendar cannot be its calendar.
        raise ValidationError({"calendar": _("Choose a shared calendar.")})
    if resource.kind == ResourceKind.EQUIPMENT and resource.user is not None:
        raise ValidationError({"user": _("Equipment is not a colleague: leave this empty.")})
    if resource.is_placeholder and resource.user is not None:
        raise ValidationError(
            {"is_placeholder": _("A resource that is a colleague cannot be generic.")}
        )
    if resource.is_placeholder and resource.kind != ResourceKind.WORK:
        raise ValidationError({"is_placeholder": _("Only people (work resources) are generic.")})
    resource.full_clean(exclude=["external_uid"])


def _projects_using(resource: Resource) -> QuerySet[Project]:
    return Project.objects.filter(tasks__assignments__resource=resource).distinct().order_by("pk")


@transaction.atomic
def create_resource(*, actor: Any, **fields: Any) -> Resource:
    """Add a resource to the pool. ValidationError (nothing written) for invalid fields, a
    client user as the resource's colleague, equipment with a colleague, or a generic
    resource (placeholder) that is a colleague or not a person."""
    if unknown := set(fields) - set(RESOURCE_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")
    resource = Resource(**fields)
    _check_resource(resource)
    resource.save()
    audit.record_created(resource, RESOURCE_FIELDS, actor=actor)
    return resource


@transaction.atomic
def update_resource(
    resource: Resource, *, actor: Any, expected_version: int, **changes: Any
) -> Resource:
    """Edit a resource. StaleEdit (nothing written) if saved since ``expected_version``;
    ValidationError as for create. A new calendar reschedules the projects it works on."""
    if unknown := set(changes) - set(RESOURCE_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = audit.snapshot(resource, RESOURCE_FIELDS)
    calendar_before = resource.calendar_id
    for name, value in changes.items():
        setattr(resource, name, value)
    _check_resource(resource)
    update_versioned(resource, expected_version=expected_version, fields=RESOURCE_FIELDS)
    if changed := audit.diff(before, audit.snapshot(resource, RESOURCE_FIELDS)):
        audit.record(resource, "updated", actor=actor, changes=changed)
    if resource.calendar_id != calendar_before:
        for project in _projects_using(resource):
            schedule_project(project)
    return resource


def deactivate_resource(resource: Resource, *, actor: Any, expected_version: int) -> Resource:
    """Take a resource out of use: its assignments stay, it cannot be assigned any more."""
    return update_resource(
        resource, actor=actor, expected_version=expected_version, is_active=False
    )


@transaction.atomic
def delete_resource(resource: Resource, *, actor: Any) -> None:
    """Delete a resource; refused while it is assigned to a task (deactivate it instead).
    Locks the row so no assignment sneaks in meanwhile."""
    lock_row(resource)
    count = resource.assignments.count()
    if count:
        raise ValidationError(
            ngettext(
                "“%(name)s” is assigned to %(count)d task. Remove that assignment first, or "
                "deactivate the resource instead.",
                "“%(name)s” is assigned to %(count)d tasks. Remove those assignments first, "
                "or deactivate the resource instead.",
                count,
            )
            % {"name": resource.name, "count": count},
            code="protected",
        )
    audit.record(resource, "deleted", actor=actor, changes={"name": [resource.name, None]})
    resource.delete()


def filter_resources(
    rows: QuerySet[Resource],
    *,
    user: Any,
    q: str = "",
    kind: str = "",
    active: bool | None = None,
    role: Any = None,
    placeholder: bool | None = None,
) -> QuerySet[Resource]:
    """Search name, initials, e-mail and the colleague's name; narrow by type, whether
    active, role (a Role or its id) and whether generic. Rows carry their colleague,
    calendar, role and ``assignment_count`` (the assignments ``user`` may see) in one query."""
    for word in (q or "").split():
        rows = rows.filter(
            Q(name__icontains=word)
            | Q(initials__icontains=word)
            | Q(email__icontains=word)
            | Q(user__display_name__icontains=word)
            | Q(user__username__icontains=word)
        )
    if kind:
        rows = rows.filter(kind=kind)
    if active is not None:
        rows = rows.filter(is_active=active)
    if role is not None:
        rows = rows.filter(role=role)
    if placeholder is not None:
        rows = rows.filter(is_placeholder=placeholder)
    visible = Assignment.objects.for_user(user).values("pk")
    return (
        rows.select_related("user", "calendar", "role")
        .annotate(assignment_count=Count("assignments", filter=Q(assignments__in=visible)))
        .order_by("name", "pk")
    )


# ---- assignments -----------------------------------------------------------------------------


def default_work(task: Task, resource: Resource, units: Decimal) -> int:
    """MS Project's rule: a work resource (here also equipment) works the task's duration at
    its units."""
    if resource.kind not in TIME_BASED:
        return 0
    return int((Decimal(task.duration) * units).to_integral_value())


def _check_assignment(assignment: Assignment) -> None:
    assignment.full_clean(exclude=["task", "resource", "external_uid"])
    if assignment.units > 0:
        return
    if assignment.resource.kind == ResourceKind.WORK:
        raise ValidationError({"units": _("A person works on a task at more than 0%.")})
    if assignment.resource.kind == ResourceKind.EQUIPMENT:
        raise ValidationError({"units": _("Equipment is used on a task at more than 0%.")})


def assignment_label(assignment: Assignment) -> str:
    """How the history shows an assignment: “王工 100% · 40 h”."""
    percent = (assignment.units * 100).normalize()
    hours = (Decimal(assignment.work) / MINUTES_PER_HOUR).quantize(Decimal("0.01")).normalize()
    return f"{assignment.resource.name} {percent:f}% · {hours:f} h"


@transaction.atomic
def assign(
    task: Task,
    resource: Resource,
    *,
    actor: Any,
    units: Decimal = Decimal("1"),
    work: int | None = None,
) -> Assignment:
    """Put ``resource`` on ``task`` at ``units`` (1 = 100%) for ``work`` working minutes
    (None: the task's duration at those units). ValidationError (nothing written) for an
    inactive resource, a person at 0%, or a resource already on the task. Reschedules."""
    if not resource.is_active:
        raise ValidationError(
            {"resource": _("“%(name)s” is inactive and cannot be assigned.") % {"name": resource}}
        )
    units = Decimal(units)
    if work is None:
        work = default_work(task, resource, units)
    assignment = Assignment(task=task, resource=resource, units=units, work=work)
    _check_assignment(assignment)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(
            {"resource": _("“%(name)s” is already assigned to this task.") % {"name": resource}}
        ) from None
    audit.record(
        task, "assigned", actor=actor, changes={"assignment": [None, assignment_label(assignment)]}
    )
    schedule_project(task.project)
    return assignment


@transaction.atomic
def update_assignment(
    assignment: Assignment, *, actor: Any, expected_version: int, **changes: Any
) -> Assignment:
    """Change the units or work of an assignment. StaleEdit (nothing written) if saved since
    ``expected_version``; ValidationError for a person at 0%. Reschedules."""
    if unknown := set(changes) - set(ASSIGNMENT_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = assignment_label(assignment)
    for name, value in changes.items():
        setattr(assignment, name, value)
    # An inactive resource keeps its assignments; only assigning it anew is refused.
    _check_assignment(assignment)
    update_versioned(assignment, expected_version=expected_version, fields=ASSIGNMENT_FIELDS)
    after = assignment_label(assignment)
    if before != after:
        audit.record(
            assignment.task,
            "assignment_changed",
            actor=actor,
            changes={"assignment": [before, after]},
        )
    schedule_project(assignment.task.project)
    return assignment


@transaction.atomic
def unassign(assignment: Assignment, *, actor: Any) -> None:
    """Take the resource off the task. Reschedules."""
    task = assignment.task
    audit.record(
        task,
        "unassigned",
        actor=actor,
        changes={"assignment": [assignment_label(assignment), None]},
    )
    assignment.delete()
    schedule_project(task.project)


def assignable_resources(task: Task) -> QuerySet[Resource]:
    """Active resources not yet on ``task``."""
    return Resource.objects.filter(is_active=True).exclude(assignments__task=task)


def with_tasks(rows: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Assignments with their resource, task and project, by project and plan order."""
    return rows.select_related("resource", "task__project").order_by(
        "task__project__code", "task__position", "resource__name", "pk"
    )
