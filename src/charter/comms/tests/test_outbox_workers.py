"""Exactly once with real concurrency: two schedulers enqueue the same occurrences and two
workers send them, on PostgreSQL, to a local SMTP server. Run with
CHARTER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_outbox."""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import override_settings

from charter.comms import outbox
from charter.comms.models import OutboxMessage, OutboxStatus
from charter.testing.fake_smtp import FakeSmtp

MESSAGES = 200
WORKERS = 2


def _in_threads(work: Callable[[int], None]) -> None:
    """Run ``work(n)`` in ``WORKERS`` threads released together; re-raise their errors."""
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            barrier.wait()
            work(number)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _schedule_every_occurrence(number: int) -> None:
    for index in range(MESSAGES):
        outbox.enqueue_email(
            key=f"status-report:{index}",
            to=[f"client{index}@example.com"],
            subject=f"Status report {index}",
            text=f"Report {index} (scheduled by scheduler {number})",
        )


def _pending() -> bool:
    return OutboxMessage.objects.filter(status__in=outbox.PENDING).exists()


# The deferring queue keeps enqueueing from sending there and then: only the workers send.
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_two_schedulers_and_two_workers_send_each_occurrence_once(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs row locks (SELECT … FOR UPDATE SKIP LOCKED) and concurrent writers; run with "
            "CHARTER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_outbox"
        )
    _in_threads(_schedule_every_occurrence)
    assert OutboxMessage.objects.count() == MESSAGES

    sent_by: Counter[int] = Counter()

    def work(number: int) -> None:
        while _pending():
            sent_by[number] += outbox.deliver_due(limit=10)

    with FakeSmtp() as smtp, override_settings(MAILERS=smtp.mailers()):
        _in_threads(work)

    subjects = Counter(str(message["Subject"]) for message in smtp.messages)
    assert len(smtp.messages) == MESSAGES
    assert subjects == Counter(f"Status report {index}" for index in range(MESSAGES))
    assert sum(sent_by.values()) == MESSAGES and all(sent_by[n] for n in range(WORKERS))
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}
