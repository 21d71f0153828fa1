"""Where the reference data sets live (../shared/DESIGN.md: ``../shared/data/`` beside the
checkout). CHARTER_SHARED_DATA overrides; a checkout elsewhere on this machine finds
/work/shared/data. Missing data fails the test that needs it, loudly: it is never skipped."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[4]
CANDIDATES = [
    Path(os.environ["CHARTER_SHARED_DATA"]) if os.environ.get("CHARTER_SHARED_DATA") else None,
    PROJECT_ROOT.parent / "shared" / "data",
    Path("/work/shared/data"),
]


def shared_data(name: str) -> Path:
    """The folder ``name`` of the shared data sets (e.g. "mspdi")."""
    for root in CANDIDATES:
        if root is not None and (root / name).is_dir():
            return root / name
    tried = ", ".join(str(root) for root in CANDIDATES if root is not None)
    raise FileNotFoundError(f"the shared data set {name!r} is in none of: {tried}")
