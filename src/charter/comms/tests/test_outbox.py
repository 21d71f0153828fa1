from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from charter.comms import outbox, services
from charter.comms.channels.base import ChatMessage
from charter.comms.models import OutboxMessage, OutboxStatus, RobotKind
from charter.testing.fake_robots import FakeRobots, Outage
from charter.testing.fake_smtp import FakeSmtp

pytestmark = pytest.mark.django_db

ALICE = "alice@example.com"
NOBODY = "nobody@example.com"
MINUTE = timedelta(minutes=1)


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as server, override_settings(MAILERS=server.mailers()):
        yield server


@pytest.fixture
def robots() -> Iterator[FakeRobots]:
    with FakeRobots() as fake:
        yield fake


def _email(key: str = "kickoff-1", to: str = ALICE, **fields) -> OutboxMessage:
    return outbox.enqueue_email(
        key=key,
        to=[to],
        subject=fields.pop("subject", "项目启动会 / Kick-off"),
        text=fields.pop("text", "See you on Monday."),
        **fields,
    )


GROUP = "grp-key"  # the robot's key in its webhook address


def _robot(project, users, robots: FakeRobots):
    return services.create_robot(
        project,
        actor=users["manager"],
        name="项目群",
        kind=RobotKind.WECOM,
        webhook_url=robots.url_for("wecom", GROUP),
    )


def _fresh(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


# ---- storing ---------------------------------------------------------------------------------


def test_the_same_key_twice_stores_and_schedules_one_message(
    django_capture_on_commit_callbacks, users
):
    with django_capture_on_commit_callbacks() as first:
        message = _email(actor=users["manager"])
    with django_capture_on_commit_callbacks() as second:
        again = _email(subject="a different rendering")
    assert again.pk == message.pk and again.subject == message.subject
    assert OutboxMessage.objects.count() == 1
    assert (len(first), len(second)) == (1, 0)
    assert (message.status, message.created_by) == (OutboxStatus.QUEUED, users["manager"])


def test_a_message_goes_out_once_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _email()
        assert mail.outbox == []
    assert [sent.subject for sent in mail.outbox] == ["项目启动会 / Kick-off"]
    assert _fresh(message).status == OutboxStatus.SENT


def test_a_key_must_fit_and_an_email_needs_a_recipient():
    with pytest.raises(ValueError):
        _email(key="k" * 201)
    with pytest.raises(ValueError):
        outbox.enqueue_email(key="x", to=[], subject="s", text="t")
    assert not OutboxMessage.objects.exists()


# ---- e-mail over SMTP ------------------------------------------------------------------------


def test_an_email_reaches_the_smtp_server_with_both_parts_and_reply_to(smtp):
    message = _email(html="<p>See you on <b>Monday</b>.</p>", reply_to="pm@example.com")
    assert outbox.deliver(message.pk) == OutboxStatus.SENT
    [received] = smtp.messages
    assert received["Subject"] == "项目启动会 / Kick-off"
    assert received["Reply-To"] == "pm@example.com"
    assert received["Message-ID"] == f"<charter-outbox-{message.pk}@localhost>"
    assert smtp.recipients == [[ALICE]]
    assert received.get_body(("plain",)).get_content().strip() == "See you on Monday."
    assert "<b>Monday</b>" in received.get_body(("html",)).get_content()
    sent = _fresh(message)
    assert (sent.attempts, sent.claimed_until, sent.sent_at is not None) == (1, None, True)


def test_a_busy_mailbox_is_retried_with_backoff_until_it_goes_out(smtp):
    smtp.refuse(ALICE, "450 4.2.1 Mailbox busy, try later")
    message = _email()
    now = timezone.now()
    assert outbox.deliver(message.pk, now=now) == OutboxStatus.RETRYING
    waiting = _fresh(message)
    assert waiting.next_attempt_at == now + MINUTE
    assert waiting.last_answer == f"{ALICE}: 450 4.2.1 Mailbox busy, try later"
    assert outbox.deliver_due(now=now + MINUTE / 2) == 0  # not due yet
    assert outbox.deliver(message.pk, now=now + MINUTE) == OutboxStatus.RETRYING
    assert _fresh(message).next_attempt_at == now + 3 * MINUTE  # waited 1, then 2 minutes
    smtp.accept(ALICE)
    assert outbox.deliver_due(now=now + 3 * MINUTE) == 1
    assert (_fresh(message).status, _fresh(message).attempts) == (OutboxStatus.SENT, 3)
    assert len(smtp.messages) == 1


def test_a_message_waits_while_the_mail_server_is_down(smtp):
    smtp.stop()
    message = _email()
    now = timezone.now()
    assert outbox.deliver(message.pk, now=now) == OutboxStatus.RETRYING
    assert _fresh(message).last_answer.startswith("No answer from the mail server")
    smtp.start()
    assert outbox.deliver(message.pk, now=now + MINUTE) == OutboxStatus.SENT
    assert len(smtp.messages) == 1


def test_an_unknown_mailbox_fails_at_once_with_the_servers_words(smtp):
    smtp.refuse(NOBODY, "550 5.1.1 <nobody@example.com>: Recipient address rejected")
    message = _email(to=NOBODY)
    assert outbox.deliver(message.pk) == OutboxStatus.FAILED
    failed = _fresh(message)
    assert failed.last_answer == (
        f"{NOBODY}: 550 5.1.1 <nobody@example.com>: Recipient address rejected"
    )
    assert outbox.deliver_due(now=timezone.now() + timedelta(days=1)) == 0
    assert (_fresh(message).attempts, smtp.messages) == (1, [])


def test_an_address_that_cannot_be_written_fails_at_once(smtp):
    message = _email(to="not an address")
    assert outbox.deliver(message.pk) == OutboxStatus.FAILED
    assert "not an address" in _fresh(message).last_answer


def test_temporary_failures_give_up_after_the_last_attempt(smtp):
    smtp.refuse(ALICE, "421 4.3.2 Service shutting down")
    message = _email()
    now = timezone.now()
    waits = []
    while outbox.deliver(message.pk, now=now) == OutboxStatus.RETRYING:
        following = _fresh(message).next_attempt_at
        waits.append((following - now) // MINUTE)
        now = following
    assert waits == [1, 2, 4, 8, 16, 32, 60]
    failed = _fresh(message)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, outbox.MAX_ATTEMPTS)
    assert "421 4.3.2 Service shutting down" in failed.last_answer


def test_the_wait_doubles_from_a_minute_up_to_an_hour():
    waits = [outbox.retry_delay(attempt) // MINUTE for attempt in range(1, 10)]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


# ---- chat robots -----------------------------------------------------------------------------


def test_a_robot_message_is_posted_to_its_group(robots, project, users):
    robot = _robot(project, users, robots)
    chat = ChatMessage(title="周报", text="Week 12", markdown="**Week 12**", link="https://x/p/1")
    message = outbox.enqueue_robot(key="weekly-12", robot=robot, message=chat)
    assert (message.project, message.client) == (project, None)
    assert outbox.deliver(message.pk) == OutboxStatus.SENT
    content = robots.accepted[-1].body["markdown"]["content"]
    assert "## 周报" in content and "**Week 12**" in content and "https://x/p/1" in content
    assert _fresh(message).last_answer == "errcode 0: ok"


def test_a_revoked_robot_key_fails_with_the_remotes_error(robots, project, users):
    robot = _robot(project, users, robots)
    robots.revoke("wecom", GROUP)
    message = outbox.enqueue_robot(key="weekly-13", robot=robot, message=ChatMessage("t", "x", "x"))
    assert outbox.deliver(message.pk) == OutboxStatus.FAILED
    assert _fresh(message).last_answer.startswith("errcode 93000: invalid webhook url")


def test_a_robot_outage_is_retried_and_a_removed_robot_fails(robots, project, users):
    robot = _robot(project, users, robots)
    robots.set_outage("wecom", GROUP, Outage(status=503))
    message = outbox.enqueue_robot(key="weekly-14", robot=robot, message=ChatMessage("t", "x", "x"))
    now = timezone.now()
    assert outbox.deliver(message.pk, now=now) == OutboxStatus.RETRYING
    assert _fresh(message).last_answer == "HTTP 503: Service Unavailable"
    services.delete_robot(robot, actor=users["manager"])
    assert outbox.deliver(message.pk, now=now + MINUTE) == OutboxStatus.FAILED
    assert _fresh(message).last_answer == "The chat robot was removed."


# ---- workers that die ------------------------------------------------------------------------


def _die_while_sending(monkeypatch) -> None:
    def killed(self, *args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", killed)


def test_another_worker_takes_a_message_after_a_dead_workers_lease(smtp, monkeypatch):
    message = _email()
    now = timezone.now()
    with monkeypatch.context() as patched:
        _die_while_sending(patched)
        with pytest.raises(SystemExit):
            outbox.deliver(message.pk, now=now)
    assert _fresh(message).status == OutboxStatus.SENDING
    assert outbox.deliver_due(now=now + outbox.LEASE - MINUTE) == 0  # still leased
    assert outbox.deliver_due(now=now + outbox.LEASE + MINUTE) == 1
    taken = _fresh(message)
    assert (taken.status, taken.attempts, len(smtp.messages)) == (OutboxStatus.SENT, 2, 1)


def test_a_message_that_keeps_killing_workers_fails(smtp, monkeypatch):
    message = _email()
    now = timezone.now()
    _die_while_sending(monkeypatch)
    for _ in range(outbox.MAX_ATTEMPTS):
        with pytest.raises(SystemExit):
            outbox.deliver(message.pk, now=now)
        now += outbox.LEASE + MINUTE
    assert outbox.deliver(message.pk, now=now) == OutboxStatus.FAILED
    assert _fresh(message).last_answer == "The sending worker stopped too many times."


# ---- the task queue --------------------------------------------------------------------------


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_a_queue_that_can_defer_gets_the_lease_check_and_the_retry(smtp):
    smtp.refuse(ALICE, "451 4.3.0 Temporary local problem")
    message = _email()
    now = timezone.now()
    assert outbox.deliver(message.pk, now=now) == OutboxStatus.RETRYING
    queued = DBTaskResult.objects.filter(task_path="charter.comms.tasks.deliver_message")
    assert sorted(queued.values_list("run_after", flat=True)) == [now + MINUTE, now + outbox.LEASE]
    assert {tuple(task.args_kwargs["args"]) for task in queued} == {(message.pk,)}
