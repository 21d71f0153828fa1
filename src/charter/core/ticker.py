"""Work a worker does on the clock rather than from the queue: every minute, in a daemon
thread of the worker process, each job runs once (each is safe to run in several workers at
once: the communication plan claims its occurrences, reminders are keyed in the outbox)."""

import logging
import threading
from collections.abc import Callable, Sequence

from django.db import close_old_connections

logger = logging.getLogger(__name__)

TICK_SECONDS = 60


def start(jobs: Sequence[Callable[[], object]], *, seconds: int = TICK_SECONDS) -> threading.Event:
    """Run each of ``jobs`` every ``seconds``; set the returned event to stop."""
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            for job in jobs:
                try:
                    job()
                except Exception:  # one failing job must not stop the others or the ticker
                    logger.exception("the clock job %s failed", getattr(job, "__name__", job))
                finally:
                    close_old_connections()
            stop.wait(seconds)

    threading.Thread(target=tick, name="charter-ticker", daemon=True).start()
    return stop
