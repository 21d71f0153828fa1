"""What every benchmark shares: a throwaway Charter database, timing, the result line."""

import atexit
import math
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def setup_django() -> Path:
    """Charter with its production settings on a fresh, migrated SQLite database in a temp
    folder. Static file URLs come unhashed from the source folders (no collectstatic); the
    manifest lookup that production adds is one dictionary access per URL."""
    var_dir = Path(tempfile.mkdtemp(prefix="charter-bench-"))
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    (var_dir / "static").mkdir()  # whitenoise warns when STATIC_ROOT is missing
    os.environ["CHARTER_VAR_DIR"] = str(var_dir)
    os.environ.pop("CHARTER_DATABASE_URL", None)
    os.environ.setdefault("CHARTER_SECRET_KEY", "bench-only-" + "b" * 50)
    os.environ.setdefault("CHARTER_DEBUG", "false")
    os.environ.setdefault("CHARTER_HTTPS", "false")
    os.environ.setdefault("CHARTER_LOG_LEVEL", "WARNING")
    os.environ["CHARTER_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "charter.settings"

    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    django.setup()
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    return var_dir


def serve_also(name: str, patterns: list[object]) -> None:
    """From now on the URLs are ``patterns`` (a reference view, say) followed by Charter's.

    Set after ``setup_django`` so the system checks run by ``migrate`` see only Charter's own
    URLs: a reference view declares no policy on purpose.
    """
    import sys
    import types

    from django.test.utils import override_settings

    from charter.urls import urlpatterns

    module = types.ModuleType(name)
    module.urlpatterns = [*patterns, *urlpatterns]  # type: ignore[attr-defined]
    sys.modules[name] = module
    override_settings(ROOT_URLCONF=name).enable()


def time_per_call(call: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - start) / repeat


def compare(
    ours: Callable[[], object],
    reference: Callable[[], object],
    *,
    runs: int = 15,
    repeat: int = 20,
    warmup: int = 5,
) -> tuple[float, float]:
    """Median seconds per call of ``ours`` and ``reference``, their runs interleaved so that
    a slow moment of the machine hits both alike."""
    for _ in range(warmup):
        ours()
        reference()
    ours_s, reference_s = [], []
    for _ in range(runs):
        ours_s.append(time_per_call(ours, repeat))
        reference_s.append(time_per_call(reference, repeat))
    return statistics.median(ours_s), statistics.median(reference_s)


def figure(value: float) -> str:
    """Three significant digits, never in exponent form: 0.00312, 7.83, 1320."""
    if value == 0:
        return "0"
    decimals = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def report(name: str, **fields: object) -> None:
    """One result line in the form of DESIGN.md §6: ``bench NAME key=value …``."""
    values = " ".join(
        f"{key}={figure(value) if isinstance(value, float) else value}"
        for key, value in fields.items()
    )
    print(f"bench {name} {values}", flush=True)


def fetch(http, url: str, status: int = 200):
    def call():
        response = http.get(url)
        if response.status_code != status:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not {status}")
        return response

    return call


def queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)
