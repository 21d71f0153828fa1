"""The outbox: every outgoing message is rendered and stored first, then sent by a worker.

A send is claimed in one short transaction (the row locked with SKIP LOCKED, marked "sending"
with a lease), made outside any transaction, and its outcome recorded in another. Temporary
failures wait 1, 2, 4 … minutes (at most an hour) and give up after ``MAX_ATTEMPTS``;
permanent ones stop at once, keeping the remote's answer for the owner. Because the key is
unique and a claim needs a due row, each occurrence goes out once however many workers run.

With a task backend that can defer (django-tasks-db), each claim also schedules a check for
when its lease runs out (a worker that died mid-send is noticed), and each temporary failure
schedules the retry; with one that cannot, ``deliver_due`` — run by a worker or a test —
picks up whatever is due.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import MIMEPart
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.comms.channels import registry
from charter.comms.channels.base import ChatMessage, Delivery
from charter.comms.models import (
    ChatRobot,
    CommunicationOccurrence,
    OutboxAttachment,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
)
from charter.core.models import Attachment
from charter.crm.models import Client
from charter.planning.models import Project

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than any send may take (SMTP timeout 30 s, robots 10 s)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 8
KEY_LENGTH = OutboxMessage._meta.get_field("key").max_length or 200
PENDING = (OutboxStatus.QUEUED, OutboxStatus.RETRYING)


def enqueue_email(
    *,
    key: str,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: str = "",
    project: Project | None = None,
    client: Client | None = None,
    actor: Any = None,
    calendar: str = "",
    calendar_method: str = "",
    occurrence: CommunicationOccurrence | None = None,
    headers: dict[str, str] | None = None,
    attachments: Iterable[Attachment] = (),
) -> OutboxMessage:
    """Store an e-mail to ``to`` (plain ``text``, optional ``html`` alternative) and have it
    sent once this transaction commits. The same ``key`` again returns the stored message and
    sends nothing more. ``calendar`` is an iCalendar object (an invitation) sent along as a
    ``text/calendar`` part whose ``method`` parameter is ``calendar_method``; the two must
    agree with the object's own METHOD (Outlook insists). ``headers`` are added to the e-mail
    (List-Unsubscribe); ``attachments`` are copied, so the message keeps them for good."""
    if not to:
        raise ValueError("an e-mail needs at least one recipient")
    if bool(calendar) != bool(calendar_method):
        raise ValueError("a calendar needs its method, and a method its calendar")
    return _enqueue(
        key,
        channel=OutboxChannel.EMAIL,
        recipients=list(to),
        reply_to=reply_to,
        subject=subject,
        body_text=text,
        body_html=html,
        calendar=calendar,
        calendar_method=calendar_method.upper(),
        project=project,
        client=client,
        created_by=_user(actor),
        occurrence=occurrence,
        headers=headers or {},
        attachments=list(attachments),
    )


def enqueue_robot(
    *,
    key: str,
    robot: ChatRobot,
    message: ChatMessage,
    actor: Any = None,
    occurrence: CommunicationOccurrence | None = None,
) -> OutboxMessage:
    """Store ``message`` for the group of ``robot`` and have it posted once this transaction
    commits; idempotent on ``key`` like :func:`enqueue_email`."""
    return _enqueue(
        key,
        channel=OutboxChannel.ROBOT,
        robot=robot,
        subject=message.title,
        body_text=message.text,
        body_markdown=message.markdown,
        link=message.link,
        project=robot.project,
        client=robot.client,
        created_by=_user(actor),
        occurrence=occurrence,
    )


def deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Send the message if it is due (queued or waiting to retry and its time has come, or
    left "sending" by a worker whose lease ran out) and no other worker holds it; returns its
    status afterwards. Must be called outside a transaction, so the claim commits before the
    remote is contacted. ``now`` fixes the clock (tests)."""
    status = _attempt(message_id, now=now)
    return _status(message_id) if status is None else status


def deliver_due(*, limit: int = 100, now: datetime | None = None) -> int:
    """Send up to ``limit`` due messages, oldest first; returns how many this call sent or
    tried (messages another worker took meanwhile are skipped)."""
    due = (
        OutboxMessage.objects.filter(_due(now or timezone.now()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(_attempt(message_id, now=now) is not None for message_id in list(due))


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th attempt failed temporarily."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


# ---- storing ---------------------------------------------------------------------------------


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def _enqueue(key: str, *, attachments: Iterable[Attachment] = (), **fields: Any) -> OutboxMessage:
    if not key or len(key) > KEY_LENGTH:
        raise ValueError(f"an outbox key is 1 to {KEY_LENGTH} characters, not {key!r}")
    message, created = OutboxMessage.objects.get_or_create(key=key, defaults=fields)
    if created:
        for attachment in attachments:
            _copy(attachment, message)
        transaction.on_commit(lambda: _schedule(message.pk))
    return message


def _copy(attachment: Attachment, message: OutboxMessage) -> None:
    with attachment.file.open("rb") as source:
        copy = OutboxAttachment(
            message=message, name=attachment.name, mime_type=attachment.mime_type
        )
        copy.file.save(attachment.name, File(source), save=True)


def _schedule(message_id: int, *, at: datetime | None = None) -> None:
    """Queue the delivery task, now or at ``at``; a backend that cannot defer gets nothing for
    a later time (the sweep, ``deliver_due``, picks the message up when it is due)."""
    from charter.comms.tasks import deliver_message  # the tasks module imports this one

    task = deliver_message
    if at is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=at)
    task.enqueue(message_id)


# ---- sending ---------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return Q(status__in=PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lt=now
    )


def _attempt(message_id: int, *, now: datetime | None) -> str | None:
    """Claim, send, record; None when the message was not ours to send."""
    message = _claim(message_id, now=now or timezone.now())
    if message is None:
        return None
    delivery = _send(message)
    return _record(message, delivery, now=now or timezone.now())


@transaction.atomic
def _claim(message_id: int, *, now: datetime) -> OutboxMessage | None:
    # SKIP LOCKED: a row another worker is claiming right now is theirs. SQLite has no row
    # locks but runs every transaction IMMEDIATE (settings), which serialises claims.
    message = (
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .filter(_due(now), pk=message_id)
        .first()
    )
    if message is None:
        return None
    if message.attempts >= MAX_ATTEMPTS:  # only a lease that ran out gets here: workers died
        message.status = OutboxStatus.FAILED
        message.last_answer = _("The sending worker stopped too many times.")
        message.save(update_fields=["status", "last_answer"])
        return None
    message.status = OutboxStatus.SENDING
    message.attempts += 1
    message.claimed_until = now + LEASE
    message.save(update_fields=["status", "attempts", "claimed_until"])
    _schedule(message.pk, at=message.claimed_until)  # in this transaction: claim and check
    return message


def _send(message: OutboxMessage) -> Delivery:
    if message.channel == OutboxChannel.EMAIL:
        return _send_email(message)
    return _post_to_robot(message)


def _send_email(message: OutboxMessage) -> Delivery:
    email = EmailMultiAlternatives(
        message.subject,
        message.body_text,
        to=message.recipients,
        reply_to=[message.reply_to] if message.reply_to else [],
        headers={**message.headers, "Message-ID": _message_id(message)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as content:
            email.attach(attachment.name, content.read(), attachment.mime_type)
    if message.calendar:
        email.attach(_calendar_part(message.calendar, message.calendar_method))
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        return _refused(error.recipients)
    except smtplib.SMTPResponseException as error:
        return _smtp_answer(error.smtp_code, error.smtp_error)
    except (smtplib.SMTPException, OSError) as error:  # disconnected, refused, timed out
        answer = _("No answer from the mail server: %(error)s") % {"error": error}
        return Delivery(ok=False, permanent=False, answer=answer)
    except ValueError as error:  # an address that cannot be written in a message
        return Delivery(ok=False, permanent=True, answer=str(error))
    return Delivery(ok=True, permanent=False, answer="")


def _calendar_part(calendar: str, method: str) -> MIMEPart:
    """``text/calendar; charset=UTF-8; method=…; name=invite.ics`` (RFC 6047), inline, where
    calendar clients look for it. Bytes in base64: text content would have its CRLF line
    ends (RFC 5545 wants them) turned into LF, and no relay may rewrap the lines."""
    part = MIMEPart()
    part.set_content(
        calendar.encode(),
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"charset": "UTF-8", "method": method, "name": "invite.ics"},
    )
    return part


def _message_id(message: OutboxMessage) -> str:
    """The same Message-ID on every attempt, so a receiver can drop a repeat of a message
    whose acknowledgement was lost."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<charter-outbox-{message.pk}@{domain}>"


def _smtp_answer(code: int, text: bytes | str, recipient: str = "") -> Delivery:
    """5xx is the server's final word (no such mailbox, relaying denied, refused login);
    4xx (busy, over quota for now, closing) is worth another try."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    answer = f"{recipient}: {code} {text}" if recipient else f"{code} {text}"
    return Delivery(ok=False, permanent=code >= 500, answer=answer, status=code)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> Delivery:
    """Every recipient was refused; permanent only when every refusal is."""
    answers = [_smtp_answer(code, text, address) for address, (code, text) in recipients.items()]
    return Delivery(
        ok=False,
        permanent=all(answer.permanent for answer in answers),
        answer="\n".join(answer.answer for answer in answers),
    )


def _post_to_robot(message: OutboxMessage) -> Delivery:
    robot = message.robot
    if robot is None:
        return Delivery(ok=False, permanent=True, answer=_("The chat robot was removed."))
    if not robot.is_active:
        return Delivery(ok=False, permanent=True, answer=_("The chat robot is turned off."))
    chat = ChatMessage(
        title=message.subject,
        text=message.body_text,
        markdown=message.body_markdown,
        link=message.link,
    )
    return registry.post(robot.kind, robot.webhook_url, robot.secret, chat)


# ---- recording -------------------------------------------------------------------------------


@transaction.atomic
def _record(message: OutboxMessage, delivery: Delivery, *, now: datetime) -> str:
    if delivery.ok:
        status, fields = OutboxStatus.SENT, {"sent_at": now}
    elif delivery.permanent or message.attempts >= MAX_ATTEMPTS:
        status, fields = OutboxStatus.FAILED, {}
    else:
        status = OutboxStatus.RETRYING
        fields = {"next_attempt_at": now + retry_delay(message.attempts)}
    # Ours only while nobody re-claimed it (which would have raised ``attempts``).
    recorded = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, attempts=message.attempts
    ).update(status=status, last_answer=delivery.answer, claimed_until=None, **fields)
    if not recorded:
        logger.warning("outbox message %s was taken over while being sent", message.pk)
        return _status(message.pk)
    if status == OutboxStatus.RETRYING:
        _schedule(message.pk, at=fields["next_attempt_at"])
    return status


def _status(message_id: int) -> str:
    return (
        OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True).first() or ""
    )
