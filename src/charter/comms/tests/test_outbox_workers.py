"""Exactly once with real concurrency: two schedulers enqueue the same occurrences (outbox
keys, then the communication plan's own scheduler) and two workers send them, on PostgreSQL,
to a local SMTP server. Run with
CHARTER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_outbox."""

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import override_settings

from charter.comms import outbox, scheduler
from charter.comms.models import (
    CommunicationOccurrence,
    MessageTemplate,
    OutboxMessage,
    OutboxStatus,
)
from charter.comms.tests.test_scheduler import MONDAY, at, make_item
from charter.testing.factories import ContactFactory
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


PLAN_ITEMS = 60


def _plan_items(project: Any, users: Any, monkeypatch: Any) -> None:
    """``PLAN_ITEMS`` weekly status reports to two contacts each, due Monday 09:00."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(MONDAY - timedelta(days=3)))
    for templates_kind in ("status_report",):
        MessageTemplate.objects.update_or_create(
            kind=templates_kind,
            is_default=True,
            defaults={
                "name": "report",
                "subject_zh": "{{ project }} 周报",
                "body_zh": "{{ recipient }}：{{ progress }}",
                "subject_en": "{{ project }} weekly report",
                "body_en": "{{ recipient }}: {{ progress }}",
            },
        )
    for index in range(PLAN_ITEMS):
        contacts = [
            ContactFactory(client=project.client, email=f"c{index}-{n}@example.com")
            for n in range(2)
        ]
        make_item(project, users, contacts=contacts, content=f"Report {index}", essential=True)
    monkeypatch.undo()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_two_schedulers_handle_each_plan_occurrence_once(transactional_db, project, users):
    if connection.vendor != "postgresql":
        pytest.skip("needs SELECT … FOR UPDATE SKIP LOCKED; run on PostgreSQL")
    with pytest.MonkeyPatch.context() as patch:
        _plan_items(project, users, patch)
    handled: Counter[int] = Counter()

    def schedule(number: int) -> None:
        # Small batches, as a scheduler restarted between ticks would leave them.
        while batch := scheduler.run_due(now=at(MONDAY, 9, 1), limit=5):
            handled[number] += batch

    _in_threads(schedule)
    assert sum(handled.values()) == PLAN_ITEMS
    rows = CommunicationOccurrence.objects.filter(item__project=project)
    assert rows.count() == PLAN_ITEMS and set(rows.values_list("status", flat=True)) == {"sent"}

    def work(number: int) -> None:
        while _pending():
            outbox.deliver_due(limit=10)

    with FakeSmtp() as smtp, override_settings(MAILERS=smtp.mailers()):
        _in_threads(work)
    recipients = Counter(str(message["To"]) for message in smtp.messages)
    assert len(smtp.messages) == 2 * PLAN_ITEMS
    assert set(recipients.values()) == {1}
