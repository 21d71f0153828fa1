"""The verbs of a plan: add, edit, delete, indent, outdent and move tasks; link them. Each call is
one transaction that ends by rescheduling the project (``planning.adapters``), so what the user
sees next is always a scheduled plan; a link that would close a cycle is refused with the tasks
of the cycle named, and nothing is written."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.engine.model import CycleError
from charter.engine.splits import check, normalised
from charter.planning.adapters import schedule_project
from charter.planning.models import Dependency, Project, Task
from charter.planning.services.wbs import renumber

ACTION_LABELS.update(
    {
        "indented": gettext_lazy("indented"),
        "outdented": gettext_lazy("outdented"),
        "moved": gettext_lazy("moved"),
        "linked": gettext_lazy("linked"),
        "unlinked": gettext_lazy("removed a link from"),
        "progress": gettext_lazy("reported progress on"),
    }
)

TASK_FIELDS = (
    "name",
    "is_milestone",
    "duration",
    "effort_hours",
    "priority",
    "owner",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "constraint_type",
    "constraint_date",
    "calendar",
    "deliverable",
    "cost",
    "notes",
    "client_visible",
    "pauses",
)
PROGRESS_FIELDS = ("percent_complete", "actual_start", "actual_finish")
DATED_CONSTRAINTS = {"SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"}


def _check(task: Task, *, pauses_given: bool = False) -> None:
    """Field rules beyond the model's: a dated constraint needs its date, a milestone has no
    duration, actual finish needs an actual start, 100% complete means finished, splits given
    must split the task (those it had are dropped where its new duration no longer holds them)."""
    errors: dict[str, str] = {}
    if task.constraint_type in DATED_CONSTRAINTS and task.constraint_date is None:
        errors["constraint_date"] = _("This constraint needs a date.")
    if task.constraint_type not in DATED_CONSTRAINTS:
        task.constraint_date = None
    if task.is_milestone:
        task.duration = 0
    _fit_pauses(task, errors, given=pauses_given)
    if task.actual_finish and not task.actual_start:
        errors["actual_start"] = _("A finished task needs its actual start too.")
    if task.calendar is not None and task.calendar.project_id not in (None, task.project_id):
        errors["calendar"] = _("Choose a shared calendar or one of this project's calendars.")
    if task.owner_id and not _may_own(task):
        errors["owner"] = _("The owner must be on the project team.")
    if errors:
        raise ValidationError(errors)
    task.full_clean(exclude=["project", "parent", "calendar", "owner"])


def _fit_pauses(task: Task, errors: dict[str, str], *, given: bool) -> None:
    """Pauses given must split the task, which must not be a summary; those it had keep the
    ones its (new) duration still holds."""
    if task.is_summary:
        if given and task.pauses:
            errors["pauses"] = _("A summary task has no work of its own to split.")
        else:
            task.pauses = []
        return
    pauses = _splits(task.duration, task.pauses) if given else task.pauses
    if pauses is None:
        errors["pauses"] = _(
            "Each split must come after some of the task's work and before all of it is done, "
            "in order, and last some time."
        )
    else:
        task.pauses = [list(pause) for pause in normalised(task.duration, pauses)]


def _splits(duration: int, pauses: Any) -> list[tuple[int, int]] | None:
    """``pauses`` as given, when they are pairs of whole minutes that split the task."""
    try:
        pairs = [(int(worked), int(length)) for worked, length in pauses]
        check(duration, pairs)
    except (TypeError, ValueError):
        return None
    return pairs


def _may_own(task: Task) -> bool:
    project = task.project
    return task.owner_id == project.manager_id or project.members.filter(pk=task.owner_id).exists()


def _reschedule(project: Project) -> None:
    try:
        schedule_project(project)
    except CycleError as cycle:
        raise ValidationError({"predecessor": cycle_message(cycle.tasks)}) from cycle


def cycle_message(task_ids: Sequence[int]) -> str:
    labels = {
        pk: f"{wbs} {name}"
        for pk, wbs, name in Task.objects.filter(pk__in=task_ids).values_list("pk", "wbs", "name")
    }
    path = [labels[pk] for pk in [*task_ids, task_ids[0]]]
    return _("These links would form a loop, so none was saved: %(path)s.") % {
        "path": " → ".join(path)
    }


@transaction.atomic
def add_task(
    project: Project,
    *,
    actor: Any,
    parent: Task | None = None,
    after: Task | None = None,
    fields: Mapping[str, Any],
) -> Task:
    """A new task as the last child of ``parent`` (the top level when None), or right after
    its sibling ``after``."""
    if unknown := set(fields) - set(TASK_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")
    if after is not None:
        parent = after.parent
    if parent is not None and parent.project_id != project.pk:
        raise ValidationError({"parent": _("The summary task belongs to another project.")})
    siblings = Task.objects.filter(project=project, parent=parent)
    if after is None:
        order = siblings.count() + 1
    else:
        order = after.order + 1
        siblings.filter(order__gte=order).update(order=F("order") + 1)
    task = Task(project=project, parent=parent, order=order, **fields)
    task.name = (task.name or "").strip()
    _check(task, pauses_given="pauses" in fields)
    task.save()
    renumber(project)
    _reschedule(project)
    task.refresh_from_db()
    audit.record_created(task, ("wbs", *TASK_FIELDS), actor=actor)
    return task


@transaction.atomic
def update_task(
    task: Task,
    *,
    actor: Any,
    expected_version: int,
    fields: Mapping[str, Any],
    reschedule: bool = True,
) -> Task:
    """Set ``fields`` of ``task`` and reschedule its project. ``reschedule=False`` leaves the
    rescheduling to a caller that updates many tasks of a project in one transaction and then
    reschedules it once (``schedule_project``)."""
    if unknown := set(fields) - set(TASK_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")
    before = audit.snapshot(task, TASK_FIELDS)
    for name, value in fields.items():
        setattr(task, name, value)
    _check(task, pauses_given="pauses" in fields)
    update_versioned(task, expected_version=expected_version, fields=TASK_FIELDS)
    changes = audit.diff(before, audit.snapshot(task, TASK_FIELDS))
    if set(fields) <= set(PROGRESS_FIELDS):
        audit.record(task, "progress", actor=actor, changes=changes)
    else:
        audit.record(task, "changed", actor=actor, changes=changes)
    if reschedule:
        _reschedule(task.project)
        task.refresh_from_db()
    return task


@transaction.atomic
def delete_tasks(project: Project, tasks: Iterable[Task], *, actor: Any) -> int:
    """Delete ``tasks`` with everything under them; returns how many rows went."""
    doomed = list(tasks)
    if any(task.project_id != project.pk for task in doomed):
        raise ValidationError(_("Choose tasks of this project only."))
    for task in doomed:
        audit.record(project, "deleted", actor=actor, changes={"task": [str(task), None]})
    count, _detail = Task.objects.filter(pk__in=[task.pk for task in doomed]).delete()
    renumber(project)
    _reschedule(project)
    return count


def _topmost(tasks: Iterable[Task]) -> list[Task]:
    """The chosen tasks that are not under another chosen task (a subtree moves whole), in
    plan order."""
    chosen = {task.pk: task for task in tasks}
    parents = dict(
        Task.objects.filter(project_id__in={t.project_id for t in chosen.values()}).values_list(
            "pk", "parent_id"
        )
    )

    def under_chosen(pk: int) -> bool:
        parent = parents.get(pk)
        while parent is not None:
            if parent in chosen:
                return True
            parent = parents.get(parent)
        return False

    return sorted(
        (task for pk, task in chosen.items() if not under_chosen(pk)), key=lambda t: t.position
    )


@transaction.atomic
def indent_tasks(project: Project, tasks: Iterable[Task], *, actor: Any) -> int:
    """Each chosen task becomes the last child of the sibling just above it (which becomes a
    summary task), as MS Project indents. A task with no sibling above stays; returns how many
    moved."""
    moved = 0
    for task in _topmost(tasks):
        task.refresh_from_db(fields=["parent", "order"])
        above = (
            Task.objects.filter(project=project, parent=task.parent_id, order__lt=task.order)
            .order_by("-order")
            .first()
        )
        if above is None:
            continue
        last = above.children.order_by("-order").values_list("order", flat=True).first() or 0
        Task.objects.filter(pk=task.pk).update(parent=above, order=last + 1)
        audit.record(task, "indented", actor=actor, changes={"parent": [None, str(above)]})
        moved += 1
    _finish_tree_change(project)
    return moved


@transaction.atomic
def outdent_tasks(project: Project, tasks: Iterable[Task], *, actor: Any) -> int:
    """Each chosen task moves up one level, right after its summary task; the siblings that were
    below it become its children, so the rows keep their order (as MS Project outdents)."""
    moved = 0
    for task in reversed(_topmost(tasks)):
        task.refresh_from_db(fields=["parent", "order"])
        parent = task.parent
        if parent is None:
            continue
        below = Task.objects.filter(parent=parent, order__gt=task.order)
        last = task.children.order_by("-order").values_list("order", flat=True).first() or 0
        below.update(parent=task, order=F("order") - task.order + last)
        Task.objects.filter(
            project=project, parent=parent.parent_id, order__gt=parent.order
        ).update(order=F("order") + 1)
        Task.objects.filter(pk=task.pk).update(parent=parent.parent_id, order=parent.order + 1)
        audit.record(task, "outdented", actor=actor, changes={"parent": [str(parent), None]})
        moved += 1
    _finish_tree_change(project)
    return moved


@transaction.atomic
def move_task(task: Task, *, actor: Any, up: bool) -> bool:
    """Swap ``task`` with the sibling above (``up``) or below it; False when there is none."""
    siblings = Task.objects.filter(project=task.project_id, parent=task.parent_id)
    neighbour = (
        siblings.filter(order__lt=task.order).order_by("-order")
        if up
        else siblings.filter(order__gt=task.order).order_by("order")
    ).first()
    if neighbour is None:
        return False
    Task.objects.filter(pk=neighbour.pk).update(order=task.order)
    Task.objects.filter(pk=task.pk).update(order=neighbour.order)
    audit.record(task, "moved", actor=actor, changes={"wbs": [task.wbs, neighbour.wbs]})
    _finish_tree_change(task.project)
    return True


def _finish_tree_change(project: Project) -> None:
    _check_summary_links(project)
    renumber(project)
    _reschedule(project)


def _check_summary_links(project: Project) -> None:
    """A link between a summary task and a task inside it has no meaning (MS Project refuses
    it too); the tree change that would create one is refused."""
    parents = dict(Task.objects.filter(project=project).values_list("pk", "parent_id"))
    for predecessor, successor in Dependency.objects.filter(project=project).values_list(
        "predecessor_id", "successor_id"
    ):
        if _is_ancestor(parents, predecessor, successor) or _is_ancestor(
            parents, successor, predecessor
        ):
            raise ValidationError(
                _("A task cannot be linked to its own summary task; remove the link first.")
            )


def _is_ancestor(parents: Mapping[int, int | None], ancestor: int, task: int) -> bool:
    current = parents.get(task)
    while current is not None:
        if current == ancestor:
            return True
        current = parents.get(current)
    return False


LINK_FIELDS = ("type", "lag")


@transaction.atomic
def add_dependency(
    project: Project,
    *,
    actor: Any,
    predecessor: Task,
    successor: Task,
    type: str = "FS",
    lag: int = 0,
) -> Dependency:
    """Link two tasks of ``project``; refused (nothing saved) when it would close a loop."""
    if predecessor.project_id != project.pk or successor.project_id != project.pk:
        raise ValidationError({"predecessor": _("Both tasks must belong to this project.")})
    if predecessor.pk == successor.pk:
        raise ValidationError({"predecessor": _("A task cannot depend on itself.")})
    if Dependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationError({"predecessor": _("These two tasks are already linked.")})
    link = Dependency(
        project=project, predecessor=predecessor, successor=successor, type=type, lag=lag
    )
    link.full_clean(exclude=["project", "predecessor", "successor"])
    link.save()
    _check_summary_links(project)
    _reschedule(project)
    audit.record(
        successor,
        "linked",
        actor=actor,
        changes={"predecessor": [None, f"{predecessor} {type} {lag:+d}"]},
    )
    return link


@transaction.atomic
def update_dependency(link: Dependency, *, actor: Any, type: str, lag: int) -> Dependency:
    before = f"{link.type} {link.lag:+d}"
    link.type, link.lag = type, lag
    link.full_clean(exclude=["project", "predecessor", "successor"])
    link.save(update_fields=["type", "lag"])
    _reschedule(link.project)
    audit.record(
        link.successor,
        "changed",
        actor=actor,
        changes={"predecessor": [before, f"{link.type} {link.lag:+d}"]},
    )
    return link


@transaction.atomic
def delete_dependency(link: Dependency, *, actor: Any) -> None:
    audit.record(
        link.successor,
        "unlinked",
        actor=actor,
        changes={"predecessor": [f"{link.predecessor} {link.type}", None]},
    )
    project = link.project
    link.delete()
    _reschedule(project)
