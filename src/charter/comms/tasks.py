"""Background work of comms: sending what the outbox holds.

Retries need no code here: the outbox itself schedules this task again with ``run_after``
(at the next attempt, and at the end of each send's lease) on a backend that supports it, as
django-tasks-db does. ``deliver_due_messages`` is the sweep for everything else: run it when a
worker starts, so messages whose task never made it to the queue go out too.
"""

from django.tasks import task

from charter.comms import outbox


@task()
def deliver_message(message_id: int) -> str:
    """Send outbox message ``message_id`` if it is due and free; returns its status."""
    return outbox.deliver(message_id)


@task()
def deliver_due_messages(limit: int = 100) -> int:
    """Send up to ``limit`` due outbox messages; returns how many were sent or tried."""
    return outbox.deliver_due(limit=limit)
