"""The plan page with a big plan: is a 10,000-task plan still usable?

On a throwaway SQLite database, with Django's test client signed in as a manager:

- ``view``: GET the plan page (task table + Gantt, one page of 100 rows) of a SIZE-task plan,
  against the same page of a 300-task plan. The page reads one page of rows, so the ratio
  should stay near 1 whatever SIZE is; the query counts are printed too.
- ``deep-page``: the same for the last page of rows.
- ``edit``: change one task's duration from the table (POST, reschedule of the whole plan, the
  redrawn page) in the SIZE-task plan, against the engine alone scheduling the same plan
  (``charter.engine.plan.schedule_plan`` on rows already loaded): the ratio is what loading the
  plan, writing the dates back and drawing the page cost on top of the scheduling.

Plans are generated from a fixed seed: summaries of 50 tasks, each task linked to one or two of
the 20 before it (FS mostly, some SS/FF with lags), 5% milestones.

    python bench/plan_page.py [--size 10000] [--runs 5]
"""

import argparse
import datetime
import random

from _harness import compare, fetch, queries, report, setup_django

NAME = "plan-page"
SEED = 7
PER_SUMMARY = 50
REFERENCE_SIZE = 300  # enough for a full first page of 100 rows


def make_plan(manager, client, size: int):
    """A project with ``size`` tasks (summaries included) and its links, scheduled."""
    from charter.planning.adapters import schedule_project
    from charter.planning.models import MINUTES_PER_DAY, Dependency, Project, Task
    from charter.planning.services.wbs import renumber

    rng = random.Random(SEED)
    project = Project.objects.create(
        name=f"基准计划 {size}",
        code=f"BENCH-{size}",
        client=client,
        manager=manager,
        start_date=datetime.date(2027, 3, 1),
    )
    summaries = Task.objects.bulk_create(
        Task(project=project, name=f"阶段 {n}", order=n, duration=0)
        for n in range(size // (PER_SUMMARY + 1))
    )
    leaves = Task.objects.bulk_create(
        (
            Task(
                project=project,
                parent=summary,
                name=f"任务 {summary.order}.{n}",
                order=n,
                is_milestone=rng.random() < 0.05,
                duration=rng.randint(1, 10) * MINUTES_PER_DAY // 2,
            )
            for summary in summaries
            for n in range(PER_SUMMARY)
        ),
        batch_size=2000,
    )
    links = {}
    for index in range(1, len(leaves)):
        for predecessor in rng.sample(
            range(max(0, index - 20), index), min(index, rng.choice([1, 2]))
        ):
            kind = rng.choice(["FS"] * 8 + ["SS", "FF"])
            lag = rng.choice([0, 0, 0, MINUTES_PER_DAY]) if kind != "FS" else 0
            links[(leaves[predecessor].pk, leaves[index].pk)] = (kind, lag)
    Dependency.objects.bulk_create(
        (
            Dependency(project=project, predecessor_id=p, successor_id=s, type=kind, lag=lag)
            for (p, s), (kind, lag) in links.items()
        ),
        batch_size=2000,
    )
    renumber(project)
    schedule_project(project)
    return project, leaves[len(leaves) // 2]


def edit(http, task):
    """POST the table row of ``task`` with its duration alternating between two values."""
    from charter.planning.models import Task

    state = {"days": 3}

    def call():
        state["days"] = 7 - state["days"]  # 3, 4, 3, 4 …
        version = Task.objects.values_list("version", flat=True).get(pk=task.pk)
        response = http.post(
            f"/tasks/{task.pk}/row/",
            {
                "name": task.name,
                "duration_days": state["days"],
                "percent_complete": 0,
                "version": version,
            },
            HTTP_HX_REQUEST="true",
        )
        if response.status_code != 200:
            raise RuntimeError(f"the row edit answered {response.status_code}")

    return call


def engine_alone(project):
    """The reference for an edit: the engine scheduling the same plan, rows already loaded."""
    from charter.planning.adapters import load_plan, run

    plan = load_plan(project)
    return lambda: run(plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="tasks in the big plan")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure")
    options = parser.parse_args()

    setup_django()
    from django.test import Client as HttpClient

    from charter.accounts.choices import Role
    from charter.testing.factories import ClientFactory, UserFactory

    manager = UserFactory(username="bench-manager", role=Role.MANAGER)
    client = ClientFactory()
    big, middle_task = make_plan(manager, client, options.size)
    small, _task = make_plan(manager, client, REFERENCE_SIZE)
    http = HttpClient()
    http.force_login(manager)

    last_page = -(-big.tasks.count() // 100)
    figures = {
        "view": (
            fetch(http, f"/projects/{big.pk}/plan/"),
            fetch(http, f"/projects/{small.pk}/plan/"),
        ),
        "deep-page": (
            fetch(http, f"/projects/{big.pk}/plan/?page={last_page}"),
            fetch(http, f"/projects/{small.pk}/plan/"),
        ),
    }
    for case, (ours, reference) in figures.items():
        ours_s, reference_s = compare(ours, reference, runs=options.runs, repeat=3, warmup=2)
        report(
            NAME,
            case=case,
            size=options.size,
            ours_s=ours_s,
            reference_s=reference_s,
            ratio=ours_s / reference_s,
            queries=queries(ours),
            reference_queries=queries(reference),
        )
    ours_s, reference_s = compare(
        edit(http, middle_task), engine_alone(big), runs=options.runs, repeat=1, warmup=1
    )
    report(
        NAME,
        case="edit",
        size=options.size,
        ours_s=ours_s,
        reference_s=reference_s,
        ratio=ours_s / reference_s,
    )


if __name__ == "__main__":
    main()
