import subprocess
import sys
from pathlib import Path

import charter

# A fresh interpreter (the test process has Django loaded by pytest-django) imports every
# module of the engine package and reports whether any Django module came with them.
IMPORTS_DJANGO = """
import pkgutil, sys, importlib, charter.engine as engine
for module in pkgutil.walk_packages(engine.__path__, "charter.engine."):
    if ".tests" not in module.name:
        importlib.import_module(module.name)
print(sorted(m for m in sys.modules if m.startswith("charter.engine.")))
print(any(m.startswith("django") for m in sys.modules))
"""


def test_the_engine_imports_nothing_from_django() -> None:
    source_root = Path(charter.__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS_DJANGO],
        cwd=source_root,
        capture_output=True,
        text=True,
        check=True,
    )
    modules, imports_django = result.stdout.strip().splitlines()
    assert "charter.engine.cpm" in modules and "charter.engine.calendar" in modules
    assert imports_django == "False"
