"""`charter worker` in a real process: runs queued tasks and stops cleanly on SIGTERM."""

import signal
import time
from pathlib import Path

import pytest
from django.tasks import task

from charter.testing.processes import Running, charter_env, run_charter, wait_until

ENQUEUE = (
    "from charter.core.tests.test_worker import hold_until_released as t; t.enqueue({folder!r})"
)
# The worker also queues its own sweep of due outbox messages when it starts: read this test's task.
STATUS = (
    "from django_tasks_db.models import DBTaskResult as R; "
    "print(R.objects.get(task_path__endswith='hold_until_released').status)"
)


@task()
def hold_until_released(folder: str) -> str:
    """Mark that it started, then wait until the test creates ``release``."""
    path = Path(folder)
    (path / "started").touch()
    while not (path / "release").exists():
        time.sleep(0.02)
    (path / "finished").touch()
    return "finished"


@pytest.fixture
def env(tmp_path):
    env = charter_env(tmp_path / "var")
    assert run_charter("migrate", env=env).returncode == 0
    return env


def shell(code, env):
    result = run_charter("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def test_sigterm_during_a_task_finishes_it_then_exits_0(env, tmp_path):
    worker = Running("worker", env=env)
    try:
        shell(ENQUEUE.format(folder=str(tmp_path)), env)
        wait_until((tmp_path / "started").exists, "the task to start")
        worker.process.send_signal(signal.SIGTERM)
        worker.wait_for("shutting down gracefully")
        assert worker.process.poll() is None  # still finishing the task
        (tmp_path / "release").touch()
        assert worker.process.wait(timeout=60) == 0
    finally:
        worker.kill()
    assert (tmp_path / "finished").exists()
    assert shell(STATUS, env) == "SUCCESSFUL"


def test_idle_worker_exits_0_on_sigterm(env):
    worker = Running("worker", env=env)
    try:
        worker.wait_for("Starting worker")
        assert worker.finish(signal.SIGTERM) == 0
    finally:
        worker.kill()
    assert "queues=*" in worker.output
