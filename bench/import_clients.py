"""Import of SIZE clients from a CSV file: time and peak memory.

Ours: the whole import as a person runs it, through the service (not HTTP) — read the file and
guess the mapping, the dry run (validate every row, match against existing clients), then the
commit (validate and match again, insert clients, tags, external ids and one audit event per
client, in one transaction). The reference reads the same file with the csv module and
inserts the same rows with a plain ``Client.objects.bulk_create``, in the same process and
database. Each run starts from an empty client table; the figures are medians. Peak memory is
measured (tracemalloc) in a separate run of ours, since tracing slows Python down.

    python bench/import_clients.py [--size 100000] [--runs 3]
"""

import argparse
import csv
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from _harness import report, setup_django

NAME = "import-clients"
HEADINGS = [
    "客户名称",
    "简称",
    "行业",
    "地区",
    "网站",
    "生命周期",
    "统一社会信用代码",
    "标签",
    "负责人",
    "外部编号",
    "系统",
]


def uscc(number: int) -> str:
    from charter.crm.validators import uscc_check_character

    first = f"91330100{number:09d}"
    return first + uscc_check_character(first)


def write_csv(folder: Path, size: int) -> Path:
    path = folder / "clients.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADINGS)
        for n in range(size):
            writer.writerow(
                [
                    f"基准导入客户{n:06d}有限公司",
                    f"客户{n}",
                    ("软件", "制造", "零售")[n % 3],
                    "浙江省杭州市",
                    f"https://c{n}.example.cn",
                    "active",
                    uscc(n),
                    "华东,重点" if n % 2 else "华东",
                    "bench-manager",
                    f"Z{n}",
                    "zoho",
                ]
            )
    return path


def clear() -> None:
    from charter.core.models import AuditEvent
    from charter.crm.models import Client, ExternalId, ImportJob, ImportMapping

    AuditEvent.objects.all().delete()
    ExternalId.objects.all().delete()
    Client.objects.all().delete()
    ImportJob.objects.all().delete()
    ImportMapping.objects.all().delete()


def ours(path: Path, manager, size: int) -> None:
    from django.core.files import File

    from charter.crm.services import imports

    with path.open("rb") as file:
        job = imports.start_import(actor=manager, kind="clients", upload=File(file, path.name))
    job = imports.check_import(job, actor=manager, mapping=job.mapping, inline=True)
    job = imports.commit_import(job, actor=manager, inline=True)
    if job.status != "done" or job.to_create != size:
        raise RuntimeError(f"import ended {job.status}: {job.message} {job.errors[:3]}")


def reference(path: Path, manager, size: int) -> None:
    from charter.crm.models import Client

    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = csv.reader(file)
        next(rows)
        clients = [
            Client(
                name=row[0],
                short_name=row[1],
                industry=row[2],
                region=row[3],
                website=row[4],
                lifecycle=row[5],
                uscc=row[6],
                owner=manager,
            )
            for row in rows
        ]
    Client.objects.bulk_create(clients)
    if Client.objects.filter(name__startswith="基准导入客户").count() != size:
        raise RuntimeError("the reference did not insert every row")


def timed(call, *args) -> float:
    clear()
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


def peak_mb(path: Path, manager, size: int) -> float:
    clear()
    tracemalloc.start()
    ours(path, manager, size)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="rows in the file")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each")
    options = parser.parse_args()

    setup_django()
    from charter.accounts.choices import Role
    from charter.testing.factories import UserFactory

    manager = UserFactory(username="bench-manager", role=Role.MANAGER)
    with tempfile.TemporaryDirectory(prefix="charter-bench-import-") as folder:
        path = write_csv(Path(folder), options.size)
        args = (path, manager, options.size)
        ours_s, reference_s = [], []
        for _ in range(options.runs):
            ours_s.append(timed(ours, *args))
            reference_s.append(timed(reference, *args))
        memory = peak_mb(*args)
    ours_median, reference_median = statistics.median(ours_s), statistics.median(reference_s)
    report(
        NAME,
        size=options.size,
        ours_s=ours_median,
        reference_s=reference_median,
        ratio=ours_median / reference_median,
        peak_mb=memory,
    )


if __name__ == "__main__":
    main()
