"""The message log: what went out through the outbox (e-mails and chat-robot posts) and what
people logged in the CRM (calls, meetings, e-mails, visits, notes), on one timeline per project
and per client, newest first; "retry now" for a message that failed or waits to retry; and the
failed messages each owner should hear about."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.comms.models import OutboxChannel, OutboxMessage, OutboxStatus
from charter.comms.tasks import deliver_message
from charter.core import audit, policy
from charter.core.choices import ACTION_LABELS
from charter.crm.models import Client, Interaction
from charter.planning.models import Project

ACTION_LABELS.update({"retried": gettext_lazy("sent again")})

RETRYABLE = (OutboxStatus.FAILED, OutboxStatus.RETRYING)
MESSAGE = "message"
INTERACTION = "interaction"


class LogChannel(models.TextChoices):
    """What the log can be narrowed to: the outbox's two channels, or what people logged."""

    EMAIL = OutboxChannel.EMAIL.value, gettext_lazy("E-mail")
    ROBOT = OutboxChannel.ROBOT.value, gettext_lazy("Chat robot")
    INTERACTION = INTERACTION, gettext_lazy("Logged by people")


@dataclass(frozen=True)
class LogRow:
    """One line of the log: an outbox message or a CRM interaction (the other is None)."""

    kind: str  # MESSAGE | INTERACTION
    at: datetime
    message: OutboxMessage | None = None
    interaction: Interaction | None = None


class MessageLog:
    """Both sources merged by time, newest first; countable and sliceable without loading
    everything, so Django's Paginator and ninja's pagination can page it. A slice costs at
    most four queries however long the history is."""

    def __init__(self, messages: QuerySet[OutboxMessage], interactions: QuerySet[Interaction]):
        self.messages = messages
        self.interactions = interactions

    def _timeline(self) -> QuerySet[Any]:
        messages = self.messages.annotate(
            source=Value(MESSAGE, output_field=models.CharField()), at=F("created_at")
        ).values_list("source", "pk", "at")
        interactions = self.interactions.annotate(
            source=Value(INTERACTION, output_field=models.CharField()), at=F("occurred_at")
        ).values_list("source", "pk", "at")
        return messages.order_by().union(interactions.order_by(), all=True)

    def count(self) -> int:
        return self._timeline().count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[LogRow]:
        if not isinstance(index, slice):
            raise TypeError("the message log is read a page (a slice) at a time")
        keys = list(self._timeline().order_by("-at", "-source", "-pk")[index])
        return self._rows(keys)

    def _rows(self, keys: list[tuple[str, int, datetime]]) -> list[LogRow]:
        wanted = {
            kind: [pk for source, pk, _at in keys if source == kind]
            for kind in (MESSAGE, INTERACTION)
        }
        messages = {}
        if wanted[MESSAGE]:
            rows = self.messages.filter(pk__in=wanted[MESSAGE]).select_related(
                "robot", "created_by", "project", "client"
            )
            messages = {row.pk: row for row in rows}
        interactions = {}
        if wanted[INTERACTION]:
            rows_i = (
                self.interactions.filter(pk__in=wanted[INTERACTION])
                .select_related("owner")
                .prefetch_related("contacts")
            )
            interactions = {row.pk: row for row in rows_i}
        return [
            LogRow(MESSAGE, at, message=messages[pk])
            if source == MESSAGE
            else LogRow(INTERACTION, at, interaction=interactions[pk])
            for source, pk, at in keys
            if pk in (messages if source == MESSAGE else interactions)
        ]


# ---- reading ---------------------------------------------------------------------------------


def visible_messages(user: Any) -> QuerySet[OutboxMessage]:
    """Outbox messages the user may see: those of the projects they may see (members: the
    ones they manage or are on), and those of a client without a project (staff)."""
    if not policy.allows(user, "comms.message", "view"):
        return OutboxMessage.objects.none()
    projects = Project.objects.for_user(user)
    clients = Client.objects.for_user(user, "detail")
    return OutboxMessage.objects.filter(
        Q(project__in=projects) | Q(project__isnull=True, client__in=clients)
    )


def client_messages(client: Client, user: Any) -> QuerySet[OutboxMessage]:
    """The messages about ``client`` the user may see: its own and its projects'."""
    return visible_messages(user).filter(Q(client=client) | Q(project__client=client))


def project_log(
    project: Project, user: Any, *, q: str = "", status: str = "", channel: str = ""
) -> MessageLog:
    """The project's messages and the interactions carried over into it."""
    return _log(
        visible_messages(user).filter(project=project),
        Interaction.objects.for_user(user).filter(project=project),
        q=q,
        status=status,
        channel=channel,
    )


def client_log(
    client: Client, user: Any, *, q: str = "", status: str = "", channel: str = ""
) -> MessageLog:
    """The client's messages (its own and its projects') and every interaction with it."""
    return _log(
        client_messages(client, user),
        Interaction.objects.for_user(user).filter(client=client),
        q=q,
        status=status,
        channel=channel,
    )


LOGS: dict[str, Callable[..., "MessageLog"]] = {"project": project_log, "client": client_log}


def _log(
    messages: QuerySet[OutboxMessage],
    interactions: QuerySet[Interaction],
    *,
    q: str,
    status: str,
    channel: str,
) -> MessageLog:
    """``status`` keeps only messages in it (interactions have none); ``channel`` one of
    :class:`LogChannel`; ``q`` words in the subject, text, recipients, robot, summary or the
    contacts' names."""
    if query := (q or "").strip():
        messages = messages.filter(_message_matches(query))
        matching = Interaction.objects.filter(
            Q(summary__icontains=query) | Q(contacts__name__icontains=query)
        )
        interactions = interactions.filter(pk__in=matching.values("pk"))
    if status:
        messages = messages.filter(status=status)
        interactions = interactions.none()
    if channel == LogChannel.INTERACTION:
        messages = messages.none()
    elif channel:
        messages = messages.filter(channel=channel)
        interactions = interactions.none()
    return MessageLog(messages, interactions)


def _message_matches(query: str) -> Q:
    return (
        Q(subject__icontains=query)
        | Q(body_text__icontains=query)
        | Q(recipients__icontains=query)
        | Q(robot__name__icontains=query)
    )


def log_url(parent: Project | Client, *, status: str = "") -> str:
    """The message log page of a project or a client, filtered by ``status`` if given."""
    return _log_url("project" if isinstance(parent, Project) else "client", parent.pk, status)


def _log_url(kind: str, pk: int, status: str) -> str:
    url = reverse(f"comms:{kind}_messages", args=[pk])
    return f"{url}?status={status}" if status else url


# ---- retry now -------------------------------------------------------------------------------


@transaction.atomic
def retry_now(message: OutboxMessage, *, actor: Any) -> OutboxMessage:
    """Put a failed message, or one waiting to retry, back in the queue due now, with a fresh
    set of attempts, and have it sent once this transaction commits. ValidationError (nothing
    changed) for a message in any other state."""
    before = message.status
    queued = OutboxMessage.objects.filter(pk=message.pk, status__in=RETRYABLE).update(
        status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
    )
    if not queued:
        raise ValidationError(
            _("Only a message that failed or waits to retry can be sent again now.")
        )
    message.refresh_from_db()
    audit.record(message, "retried", actor=actor, changes={"status": [before, message.status]})
    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


# ---- what failed, for the owners -------------------------------------------------------------


@dataclass(frozen=True)
class FailedPlace:
    """A project (or a client, for messages sent without a project) with failed messages."""

    name: str
    count: int
    url: str


@dataclass(frozen=True)
class FailedMessages:
    total: int
    places: list[FailedPlace]


def failed_messages(user: Any) -> FailedMessages:
    """Failed messages of the projects ``user`` manages and of the clients they own (those
    sent without a project), counted per project or client; one query."""
    if not policy.allows(user, "comms.message", "view"):
        return FailedMessages(total=0, places=[])
    rows = (
        OutboxMessage.objects.filter(status=OutboxStatus.FAILED)
        .filter(Q(project__manager=user) | Q(project__isnull=True, client__owner=user))
        .values("project_id", "project__name", "client_id", "client__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "project__name", "client__name")
    )
    places = [_failed_place(row) for row in rows]
    return FailedMessages(total=sum(place.count for place in places), places=places)


def _failed_place(row: Mapping[str, Any]) -> FailedPlace:
    kind = "project" if row["project_id"] else "client"
    return FailedPlace(
        name=row[f"{kind}__name"],
        count=row["count"],
        url=_log_url(kind, row[f"{kind}_id"], OutboxStatus.FAILED),
    )
