"""The verbs of the CRM about client organisations: create, edit, tag, and read their timeline."""

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from charter.core import audit
from charter.core.concurrency import update_versioned
from charter.core.models import Attachment, AuditEvent
from charter.crm.filtersets import TAG_SEPARATOR
from charter.crm.models import Client, Contact, ExternalId, Interaction, Opportunity, Tag

CLIENT_FIELDS = (
    "name",
    "short_name",
    "industry",
    "size",
    "region",
    "address",
    "website",
    "uscc",
    "owner",
    "lifecycle",
    "auto_convert_won",
)
# Audited like a field, written through the many-to-many table.
TAGS = "tags"
TAG_SEPARATORS = re.compile(r"[,，;；]")


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - {*CLIENT_FIELDS, TAGS}
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")


def parse_tags(text: str) -> list[str]:
    """``"制造业, key account; VIP"`` → the distinct names, in order (Chinese commas too)."""
    names: list[str] = []
    for part in TAG_SEPARATORS.split(text or ""):
        name = " ".join(part.split())[: Tag._meta.get_field("name").max_length]
        if name and name.casefold() not in {known.casefold() for known in names}:
            names.append(name)
    return names


def tag_names(client: Client) -> list[str]:
    """The client's tag names, sorted; free when the row came through ``with_tag_names``."""
    if hasattr(client, "tag_names_joined"):
        joined = client.tag_names_joined or ""
        return sorted(name for name in joined.split(TAG_SEPARATOR) if name)
    return sorted(tag.name for tag in client.tags.all())


def _set_tags(client: Client, names: Iterable[str]) -> None:
    """Tags by name, created on the fly; an existing tag is matched whatever its case."""
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    client.tags.set(tags)
    client.__dict__.pop("tag_names_joined", None)  # a list query's annotation is stale now


def _normalise(client: Client) -> None:
    client.uscc = client.uscc.strip().upper()
    client.name = client.name.strip()
    client.short_name = client.short_name.strip()


def _snapshot(client: Client) -> dict[str, Any]:
    return {**audit.snapshot(client, CLIENT_FIELDS), TAGS: tag_names(client)}


@transaction.atomic
def create_client(*, actor: Any, tags: Iterable[str] = (), **fields: Any) -> Client:
    """A new client organisation with its tags (created when new).

    ValidationError (nothing written) for a taken or empty name, a wrong USCC or website.
    """
    _check_fields(fields)
    client = Client(**fields)
    _normalise(client)
    client.full_clean()
    client.save()
    _set_tags(client, tags)
    given = {name: value for name, value in _snapshot(client).items() if value not in ("", [])}
    audit.record(client, "created", actor=actor, changes=audit.diff({}, given))
    return client


@transaction.atomic
def update_client(client: Client, *, actor: Any, expected_version: int, **changes: Any) -> Client:
    """Change a client's fields and, when ``tags`` is given, replace its tags.

    Raises StaleEdit (nothing written) if someone saved the client since ``expected_version``,
    ValidationError for invalid values.
    """
    _check_fields(changes)
    before = _snapshot(client)
    tags = changes.pop(TAGS, None)
    for name, value in changes.items():
        setattr(client, name, value)
    _normalise(client)
    client.full_clean()
    update_versioned(client, expected_version=expected_version, fields=changes)
    if tags is not None:
        _set_tags(client, tags)
    changed = audit.diff(before, _snapshot(client))
    if changed:
        audit.record(client, "updated", actor=actor, changes=changed)
    return client


def external_ids(obj: Client | Contact) -> QuerySet[ExternalId]:
    """The ids this record has in connected CRMs, one per system."""
    content_type = ContentType.objects.get_for_model(obj)
    return ExternalId.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by(
        "system"
    )


# ---- the client's timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened about a client, as the client page lists it."""

    kind: str  # interaction | opportunity_created | opportunity_closed | project | document | audit
    at: datetime
    title: str
    detail: str
    actor: str
    url: str | None


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    number: int
    has_previous: bool
    has_next: bool


TIMELINE_PAGE_SIZE = 20


def _url(obj: Any) -> str | None:
    """The object's page, if its app has one yet (opportunity and project pages come later)."""
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return None


def _interactions(client: Client, user: Any, limit: int) -> Iterator[TimelineEntry]:
    rows = (
        Interaction.objects.for_user(user)
        .filter(client=client)
        .select_related("owner")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.only("pk", "name")))
        .order_by("-occurred_at", "-pk")[:limit]
    )
    for row in rows:
        people = ", ".join(contact.name for contact in row.contacts.all())
        yield TimelineEntry(
            kind="interaction",
            at=row.occurred_at,
            title=row.get_kind_display(),
            detail=f"{row.summary}" + (f" · {people}" if people else ""),
            actor=str(row.owner or ""),
            url=None,
        )


def _opportunities(client: Client, user: Any, limit: int) -> Iterator[TimelineEntry]:
    deals = Opportunity.objects.for_user(user).filter(client=client).select_related("owner")
    for row in deals.order_by("-created_at", "-pk")[:limit]:
        yield TimelineEntry(
            kind="opportunity_created",
            at=row.created_at,
            title=_("Opportunity opened: %(title)s") % {"title": row.title},
            detail=f"{row.amount} {row.currency}",
            actor=str(row.owner or ""),
            url=_url(row),
        )
    closed = deals.filter(closed_at__isnull=False).select_related("stage")
    for row in closed.order_by("-closed_at", "-pk")[:limit]:
        yield TimelineEntry(
            kind="opportunity_closed",
            at=row.closed_at,
            title=_("Opportunity closed: %(title)s") % {"title": row.title},
            detail=str(row.stage) + (f" · {row.lost_reason}" if row.lost_reason else ""),
            actor=str(row.owner or ""),
            url=_url(row),
        )


def _projects(client: Client, user: Any, limit: int) -> Iterator[TimelineEntry]:
    from charter.planning.models import Project

    rows = Project.objects.for_user(user).filter(client=client).select_related("manager")
    for row in rows.order_by("-created_at", "-pk")[:limit]:
        yield TimelineEntry(
            kind="project",
            at=row.created_at,
            title=_("Project started: %(name)s") % {"name": row},
            detail=row.get_status_display(),
            actor=str(row.manager),
            url=_url(row),
        )


def _documents(client: Client, user: Any, limit: int) -> Iterator[TimelineEntry]:
    for row in Attachment.objects.for_parent(client, user).order_by("-uploaded_at", "-pk")[:limit]:
        yield TimelineEntry(
            kind="document",
            at=row.uploaded_at,
            title=_("File added: %(name)s") % {"name": row.name},
            detail=row.description,
            actor=str(row.uploaded_by or ""),
            url=None,
        )


def _audit_events(client: Client, user: Any, limit: int) -> Iterator[TimelineEntry]:
    rows = AuditEvent.objects.for_user(user).for_object(client).select_related("actor")
    for row in rows.order_by("-created_at", "-pk")[:limit]:
        fields = ", ".join(label for label, _old, _new in row.change_rows())
        yield TimelineEntry(
            kind="audit",
            at=row.created_at,
            title=_("Client record %(action)s") % {"action": row.action_label},
            detail=fields,
            actor=row.actor_label,
            url=None,
        )


def _messages(client: Client, user: Any, limit: int) -> Iterator[TimelineEntry]:
    """Messages Charter sent (or is sending, or failed to send) about the client and its
    projects, with their delivery status."""
    from charter.comms.log import client_messages, log_url

    rows = client_messages(client, user).select_related("robot", "created_by")
    for row in rows.order_by("-created_at", "-pk")[:limit]:
        to = str(row.robot or "") if row.robot_id else ", ".join(row.recipients)
        facts = (row.get_channel_display(), row.get_status_display(), to, row.last_answer)
        yield TimelineEntry(
            kind="message",
            at=row.created_at,
            title=_("Message: %(subject)s") % {"subject": row.subject},
            detail=" · ".join(str(fact) for fact in facts if fact),
            actor=str(row.created_by or ""),
            url=log_url(client),
        )


TIMELINE_SOURCES = (
    _interactions,
    _opportunities,
    _projects,
    _documents,
    _audit_events,
    _messages,
)


def client_timeline(client: Client, user: Any, *, page: int = 1) -> TimelinePage:
    """Everything about ``client`` the user may see, newest first, one page of it.

    Each source is read once, limited to what the page can need, so the cost is a constant
    number of queries however long the history is.
    """
    page = max(page, 1)
    needed = page * TIMELINE_PAGE_SIZE + 1
    streams = [list(source(client, user, needed)) for source in TIMELINE_SOURCES]
    for stream in streams:
        stream.sort(key=lambda entry: entry.at, reverse=True)
    merged = list(islice(heapq.merge(*streams, key=lambda entry: entry.at, reverse=True), needed))
    start = (page - 1) * TIMELINE_PAGE_SIZE
    return TimelinePage(
        entries=merged[start : start + TIMELINE_PAGE_SIZE],
        number=page,
        has_previous=page > 1,
        has_next=len(merged) > page * TIMELINE_PAGE_SIZE,
    )
