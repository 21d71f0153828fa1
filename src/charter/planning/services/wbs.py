"""The shape of a plan: the task tree, its WBS codes and its order.

Every service that changes the tree ends with :func:`renumber`, which recomputes ``wbs``,
``outline_level``, ``position`` and ``is_summary`` of the whole plan in one pass and writes only
the rows that changed."""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from charter.planning.models import MINUTES_PER_DAY, Project, Task

TREE_FIELDS = ["order", "wbs", "outline_level", "position", "is_summary"]


def renumber(project: Project) -> list[Task]:
    """Recompute the tree fields of every task of ``project``; returns the tasks in plan order."""
    tasks = list(
        Task.objects.filter(project=project)
        .only("pk", "parent_id", *TREE_FIELDS)
        .order_by("order", "pk")
    )
    children: dict[int | None, list[Task]] = defaultdict(list)
    for task in tasks:
        children[task.parent_id].append(task)
    ordered: list[Task] = []
    changed: list[Task] = []
    _number(children, None, "", 1, ordered, changed)
    Task.objects.bulk_update(changed, TREE_FIELDS, batch_size=500)
    if summaries := [task.pk for task in changed if task.is_summary]:
        # A summary has no work of its own: splits of the task it was are gone.
        Task.objects.filter(pk__in=summaries).update(pauses=[], segments=[])
    return ordered


def _number(
    children: dict[int | None, list[Task]],
    parent: int | None,
    prefix: str,
    level: int,
    ordered: list[Task],
    changed: list[Task],
) -> None:
    for number, task in enumerate(children.get(parent, ()), start=1):
        values = (number, f"{prefix}{number}", level, len(ordered), task.pk in children)
        if values != tuple(getattr(task, field) for field in TREE_FIELDS):
            task.order, task.wbs, task.outline_level, task.position, task.is_summary = values
            changed.append(task)
        ordered.append(task)
        _number(children, task.pk, f"{prefix}{number}.", level + 1, ordered, changed)


def add_phase_tree(
    project: Project, phases: Iterable[tuple[str, Sequence[tuple[str, int, bool]]]]
) -> int:
    """Summary tasks (phases) with their tasks ``(name, working days, milestone)`` appended to the
    plan, as a template or an import gives them; returns how many tasks were created."""
    start = Task.objects.filter(project=project, parent=None).count()
    specs = list(phases)
    summaries = Task.objects.bulk_create(
        Task(project=project, name=name, order=start + i, duration=0)
        for i, (name, _tasks) in enumerate(specs)
    )
    Task.objects.bulk_create(
        Task(
            project=project,
            parent=summary,
            name=name,
            order=order,
            duration=0 if milestone else days * MINUTES_PER_DAY,
            is_milestone=milestone,
        )
        for summary, (_name, tasks) in zip(summaries, specs, strict=True)
        for order, (name, days, milestone) in enumerate(tasks)
    )
    renumber(project)
    return len(summaries) + sum(len(tasks) for _name, tasks in specs)
