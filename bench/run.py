"""Run every benchmark in bench/ (``make bench``) or one (``make bench B=request-path``).

Each bench/<name>.py runs in its own process, so each sets up Django and its own throwaway
database in its own way; their ``bench …`` lines pass through as they come. Exits non-zero if
any benchmark fails.
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> dict[str, Path]:
    """``{name: file}`` of every bench/<name>.py; helpers start with ``_``."""
    return {
        path.stem.replace("_", "-"): path
        for path in sorted(HERE.glob("*.py"))
        if not path.name.startswith("_") and path.name != Path(__file__).name
    }


def main(argv: list[str]) -> int:
    available = benchmarks()
    wanted = [name.replace("_", "-").removesuffix(".py") for name in argv] or list(available)
    unknown = [name for name in wanted if name not in available]
    if unknown:
        print(
            f"No benchmark named {', '.join(unknown)}. Available: {', '.join(available)}",
            file=sys.stderr,
        )
        return 2
    failed = []
    for name in wanted:
        print(f"# {name}", flush=True)
        start = time.perf_counter()
        status = subprocess.call([sys.executable, str(available[name])], cwd=HERE.parent)
        print(f"# {name} took {time.perf_counter() - start:.1f}s (exit {status})", flush=True)
        if status != 0:
            failed.append(name)
    if failed:
        print(f"FAILED benchmarks: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
