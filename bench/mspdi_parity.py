"""Parity with Microsoft Project (``charter.engine.mspdi``): import every file under
``../shared/data/mspdi/``, reschedule it with Charter's engine and count the auto-scheduled
tasks whose start and finish both equal the dates Microsoft Project saved in the file.

One line per file and one for all files::

    bench mspdi-parity file=sample.xml tasks=19 matched=19 same_index=19 manual=0 share=1.00

``same_index`` counts the tasks whose dates fall on the same working minutes as Microsoft
Project's, even if shown at another moment of a break (17:00 against 08:00 the next day).
Every mismatch gets a comment line with the dates and what the file uses that the import
does not model (the likely cause); a file the reader cannot handle gets ``read=no`` and its
reason. Manual tasks and the project summary (UID 0) are not compared. The last lines list
what the rescheduling does not model (``mspdi_parity.NOT_MODELLED``), whether or not a file
uses it.

    python bench/mspdi_parity.py [--data ../shared/data/mspdi]
"""

import argparse
from pathlib import Path

from _harness import figure, report

from charter.engine.mspdi import MspdiError, read_project
from charter.engine.mspdi_parity import NOT_MODELLED, Comparison, reschedule

NAME = "mspdi-parity"
DATA = Path("../shared/data/mspdi")


def mismatch_line(file: str, comparison: Comparison) -> str:
    c = comparison
    reason = "; ".join(c.causes) or "unexplained"
    if c.same_minute:
        reason = f"same working minutes, shown at another moment; {reason}"
    return (
        f'# {file} task {c.id} "{c.name}": ours {c.ours_start:%Y-%m-%dT%H:%M}'
        f"–{c.ours_finish:%Y-%m-%dT%H:%M} ms {_moment(c.ms_start)}–{_moment(c.ms_finish)}"
        f" reason? {reason}"
    )


def _moment(value: object) -> str:
    return "none" if value is None else f"{value:%Y-%m-%dT%H:%M}"


def share(matched: int, tasks: int) -> str:
    return figure(matched / tasks) if tasks else "-"


def bench_file(path: Path) -> tuple[int, int, int] | None:
    """Report one file; (tasks, matched, same_index), or None when it cannot be read."""
    try:
        project = read_project(path)
        comparisons = reschedule(project)
    except (MspdiError, ValueError) as error:
        report(NAME, file=path.name, read="no")
        print(f"# {path.name} not read: {error}", flush=True)
        return None
    matched = sum(c.matched for c in comparisons)
    same = sum(c.same_minute for c in comparisons)
    manual = sum(task.manual for task in project.tasks)
    fields: dict[str, object] = {"tasks": len(comparisons), "matched": matched}
    report(
        NAME,
        file=path.name,
        **fields,
        same_index=same,
        manual=manual,
        share=share(matched, len(comparisons)),
    )
    for comparison in comparisons:
        if not comparison.matched:
            print(mismatch_line(path.name, comparison), flush=True)
    return len(comparisons), matched, same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    files = sorted(args.data.glob("*.xml"))
    if not files:
        raise SystemExit(f"no .xml files under {args.data}")
    results = [result for result in map(bench_file, files) if result is not None]
    tasks, matched, same = (sum(column) for column in zip(*results, strict=True))
    report(
        NAME,
        file="all",
        files=len(files),
        read=len(results),
        tasks=tasks,
        matched=matched,
        same_index=same,
        share=share(matched, tasks),
    )
    for deviation in NOT_MODELLED:
        print(f"# not modelled: {deviation}", flush=True)


if __name__ == "__main__":
    main()
