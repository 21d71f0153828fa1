"""The worker's clock: every job runs on each tick, and a failing one stops nothing."""

import threading

from charter.core import ticker


def test_each_job_runs_every_tick_even_after_another_fails():
    calls: list[str] = []
    enough = threading.Event()

    def failing() -> None:
        calls.append("failing")
        raise RuntimeError("a bad tick")

    def counting() -> None:
        calls.append("counting")
        if calls.count("counting") == 3:
            enough.set()

    stop = ticker.start([failing, counting], seconds=0)
    assert enough.wait(5)
    stop.set()
    assert calls[:4] == ["failing", "counting", "failing", "counting"]
