"""Meetings of a project: schedule one and every attendee gets a calendar invitation by e-mail
(iCalendar REQUEST through the outbox); change it and they get the new version (same UID,
higher SEQUENCE); cancel it and they get a CANCEL. Afterwards: minutes and action items, and
an action item becomes a task of the project's plan.

Attendees are contacts of the project's client and colleagues; each receives the e-mail in
their own language, with the times in the meeting's time zone.
"""

import datetime
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.comms import ics, outbox
from charter.comms.models import ActionItem, Meeting, MeetingStatus
from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import lock_row, update_versioned
from charter.crm.models import Contact
from charter.planning.choices import TaskConstraint
from charter.planning.forms import colleagues as active_colleagues
from charter.planning.forms.plan import end_of_day
from charter.planning.models import MINUTES_PER_DAY, Project, Task
from charter.planning.services import plan

ACTION_LABELS.update(
    {
        "meeting_cancelled": gettext_lazy("cancelled"),
        "minutes_recorded": gettext_lazy("recorded the minutes of"),
        "action_item_added": gettext_lazy("added an action item to"),
        "action_item_planned": gettext_lazy("made a plan task from an action item of"),
    }
)

# What the invitation carries: a change to any of them is a new version for the calendars.
MEETING_FIELDS = ("title", "agenda", "starts_at", "ends_at", "time_zone", "location", "video_link")


# ---- checks ----------------------------------------------------------------------------------


def _check(meeting: Meeting, contacts: list[Contact], colleagues: list[Any]) -> None:
    """End after start; contacts of the project's client; active colleagues; at least one
    attendee with an e-mail address (someone must receive the invitation)."""
    errors: dict[str, str] = {}
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    client_id = meeting.project.client_id
    if strangers := [str(c) for c in contacts if c.client_id != client_id]:
        errors["contacts"] = _("Not contacts of %(client)s: %(names)s.") % {
            "client": meeting.project.client,
            "names": ", ".join(strangers),
        }
    allowed = set(
        active_colleagues().filter(pk__in=[u.pk for u in colleagues]).values_list("pk", flat=True)
    )
    if outsiders := [str(u) for u in colleagues if u.pk not in allowed]:
        errors["colleagues"] = _("Only active colleagues can be invited: %(names)s.") % {
            "names": ", ".join(outsiders)
        }
    if not any(person.email for person in [*contacts, *colleagues]):
        errors.setdefault("contacts", _("Invite at least one person with an e-mail address."))
    if errors:
        raise ValidationError(errors)
    meeting.full_clean(exclude=["project", "organizer", "uid"])


def _refuse_if_cancelled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled; it can no longer be changed."))


# ---- the invitation --------------------------------------------------------------------------


def _site_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "charter@localhost"


def new_uid() -> str:
    """A UID no other calendar object has, on this site's mail domain (RFC 5545 §3.8.4.7)."""
    domain = _site_address().rpartition("@")[2] or "localhost"
    return f"charter-meeting-{uuid.uuid4()}@{domain}"


def default_time_zone(user: Any) -> str:
    return getattr(user, "time_zone", "") or settings.TIME_ZONE


def _person(person: Any) -> ics.Person:
    return ics.Person(name=str(person), email=person.email)


def _organizer(meeting: Meeting) -> ics.Person:
    """The organizer's own address, which attendees' answers go to; the site's without one."""
    organizer = meeting.organizer
    return ics.Person(name=str(organizer), email=organizer.email or _site_address())


def attendees(meeting: Meeting) -> list[Any]:
    """Contacts, then colleagues, who have an e-mail address (only they can be invited)."""
    people: list[Any] = [*meeting.contacts.all(), *meeting.colleagues.all()]
    return [person for person in people if person.email]


def place(meeting: Meeting) -> str:
    return " / ".join(value for value in (meeting.location, meeting.video_link) if value)


def invitation(meeting: Meeting, *, method: str, people: Iterable[Any]) -> ics.Invitation:
    return ics.Invitation(
        method=method,
        uid=meeting.uid,
        sequence=meeting.sequence,
        title=meeting.title,
        description=meeting.agenda,
        location=place(meeting),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        time_zone=meeting.time_zone,
        organizer=_organizer(meeting),
        attendees=tuple(_person(person) for person in people),
        stamp=timezone.now(),
        url=meeting.video_link,
    )


def when(meeting: Meeting) -> str:
    """Start and end in the meeting's time zone and the active language, with the zone named."""
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    same_day = start.date() == end.date()
    end_text = formats.time_format(end) if same_day else formats.date_format(end, "DATETIME_FORMAT")
    return f"{formats.date_format(start, 'DATETIME_FORMAT')} – {end_text} ({meeting.time_zone})"


def _subject(meeting: Meeting, method: str) -> str:
    if method == ics.CANCEL:
        return _("Cancelled: %(title)s") % {"title": meeting.title}
    if meeting.sequence:
        return _("Updated invitation: %(title)s") % {"title": meeting.title}
    return _("Invitation: %(title)s") % {"title": meeting.title}


def compose_email(meeting: Meeting, *, method: str, language: str) -> tuple[str, str, str]:
    """(subject, text, HTML) of the e-mail carrying ``method`` for the meeting, in
    ``language``: what, when, where, who organises it, the agenda."""
    with translation.override(language):
        context = {
            "meeting": meeting,
            "cancelled": method == ics.CANCEL,
            "updated": meeting.sequence > 0,
            "when": when(meeting),
            "organizer": _organizer(meeting),
        }
        return (
            _subject(meeting, method),
            render_to_string("comms/meetings/email.txt", context),
            render_to_string("comms/meetings/email.html", context),
        )


def _by_language(people: Iterable[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for person in people:
        groups.setdefault(person.language or settings.LANGUAGE_CODE, []).append(person)
    return groups


def send_invitations(
    meeting: Meeting, *, actor: Any, method: str, to: Iterable[Any] | None = None
) -> None:
    """Queue ``method`` (REQUEST or CANCEL) of the meeting's current version to ``to`` (every
    attendee by default): one e-mail per language, each naming all of them as ATTENDEEs.
    Idempotent per version, method and language (the outbox key)."""
    people = attendees(meeting) if to is None else [p for p in to if p.email]
    if not people:
        return
    calendar = ics.build_calendar(invitation(meeting, method=method, people=people))
    organizer = meeting.organizer.email
    for language, group in sorted(_by_language(people).items()):
        subject, text, html = compose_email(meeting, method=method, language=language)
        outbox.enqueue_email(
            key=f"meeting:{meeting.uid}:{meeting.sequence}:{method}:{language}",
            to=[person.email for person in group],
            subject=subject,
            text=text,
            html=html,
            reply_to=organizer,
            project=meeting.project,
            client=meeting.project.client,
            actor=actor,
            calendar=calendar,
            calendar_method=method,
        )


# ---- verbs -----------------------------------------------------------------------------------


def _names(contacts: Iterable[Contact], colleagues: Iterable[Any]) -> dict[str, list[str]]:
    return {
        "contacts": sorted(str(person) for person in contacts),
        "colleagues": sorted(str(person) for person in colleagues),
    }


@transaction.atomic
def schedule_meeting(
    project: Project,
    *,
    actor: Any,
    contacts: Iterable[Contact] = (),
    colleagues: Iterable[Any] = (),
    fields: Mapping[str, Any],
) -> Meeting:
    """Schedule a meeting organised by ``actor`` and send the invitations. ``fields``: title,
    starts_at, ends_at (aware), and optionally agenda, time_zone (default: the actor's),
    location, video_link. ValidationError (nothing written or sent) per :func:`_check`."""
    if unknown := set(fields) - set(MEETING_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")
    contacts, colleagues = list(contacts), list(colleagues)
    meeting = Meeting(
        project=project,
        organizer=actor,
        uid=new_uid(),
        **{"time_zone": default_time_zone(actor), **fields},
    )
    meeting.title = (meeting.title or "").strip()
    _check(meeting, contacts, colleagues)
    meeting.save()
    meeting.contacts.set(contacts)
    meeting.colleagues.set(colleagues)
    created = audit.diff({}, audit.snapshot(meeting, MEETING_FIELDS))
    people = {name: [None, names] for name, names in _names(contacts, colleagues).items()}
    audit.record(meeting, "created", actor=actor, changes={**created, **people})
    send_invitations(meeting, actor=actor, method=ics.REQUEST)
    return meeting


@transaction.atomic
def update_meeting(
    meeting: Meeting,
    *,
    actor: Any,
    expected_version: int,
    contacts: Iterable[Contact] | None = None,
    colleagues: Iterable[Any] | None = None,
    **changes: Any,
) -> Meeting:
    """Change what the invitation says (``MEETING_FIELDS``, the attendees). Any real change is
    a new version: SEQUENCE rises, everyone invited gets the REQUEST again and anyone taken
    off the list gets a CANCEL. StaleEdit if saved since ``expected_version``; ValidationError
    for a cancelled meeting or as for scheduling."""
    if unknown := set(changes) - set(MEETING_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    _refuse_if_cancelled(meeting)
    was_invited = attendees(meeting)
    old_contacts, old_colleagues = list(meeting.contacts.all()), list(meeting.colleagues.all())
    before = {**audit.snapshot(meeting, MEETING_FIELDS), **_names(old_contacts, old_colleagues)}
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting.title = (meeting.title or "").strip()
    contacts = old_contacts if contacts is None else list(contacts)
    colleagues = old_colleagues if colleagues is None else list(colleagues)
    _check(meeting, contacts, colleagues)
    after = {**audit.snapshot(meeting, MEETING_FIELDS), **_names(contacts, colleagues)}
    changed = audit.diff(before, after)
    if changed:
        meeting.sequence += 1
    # The compare-and-set locks the row: no other edit interleaves with the people set next.
    update_versioned(
        meeting, expected_version=expected_version, fields=(*MEETING_FIELDS, "sequence")
    )
    meeting.contacts.set(contacts)
    meeting.colleagues.set(colleagues)
    if changed:
        audit.record(meeting, "updated", actor=actor, changes=changed)
        send_invitations(meeting, actor=actor, method=ics.REQUEST)
        still = {(type(p), p.pk) for p in attendees(meeting)}
        dropped = [p for p in was_invited if (type(p), p.pk) not in still]
        send_invitations(meeting, actor=actor, method=ics.CANCEL, to=dropped)
    return meeting


@transaction.atomic
def cancel_meeting(meeting: Meeting, *, actor: Any) -> Meeting:
    """Cancel the meeting: SEQUENCE rises and every attendee gets METHOD:CANCEL with
    STATUS:CANCELLED. ValidationError if it was cancelled already. Locks the meeting row."""
    lock_row(meeting)
    meeting.refresh_from_db(fields=["status", "sequence", "version"])
    _refuse_if_cancelled(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    update_versioned(meeting, expected_version=meeting.version, fields=("status", "sequence"))
    audit.record(
        meeting,
        "meeting_cancelled",
        actor=actor,
        changes={"status": [MeetingStatus.SCHEDULED.value, MeetingStatus.CANCELLED.value]},
    )
    send_invitations(meeting, actor=actor, method=ics.CANCEL)
    return meeting


@transaction.atomic
def record_minutes(meeting: Meeting, *, actor: Any, expected_version: int, minutes: str) -> Meeting:
    """Keep what was discussed and decided; sends nothing. StaleEdit if saved meanwhile."""
    before = audit.snapshot(meeting, ("minutes",))
    meeting.minutes = (minutes or "").strip()
    update_versioned(meeting, expected_version=expected_version, fields=("minutes",))
    if changed := audit.diff(before, audit.snapshot(meeting, ("minutes",))):
        audit.record(meeting, "minutes_recorded", actor=actor, changes=changed)
    return meeting


def team(project: Project) -> QuerySet[Any]:
    """Who may own an action item: the project's manager and team (they may own its tasks)."""
    return (
        get_user_model()
        .objects.filter(Q(pk=project.manager_id) | Q(projects=project), is_active=True)
        .distinct()
        .order_by("display_name", "username")
    )


@transaction.atomic
def add_action_item(
    meeting: Meeting,
    *,
    actor: Any,
    text: str,
    owner: Any = None,
    due_date: datetime.date | None = None,
) -> ActionItem:
    """Note something the meeting decided to do. ValidationError for an owner not on the
    project's team."""
    item = ActionItem(meeting=meeting, text=(text or "").strip(), owner=owner, due_date=due_date)
    if owner is not None and not team(meeting.project).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("The owner must be on the project team.")})
    item.full_clean(exclude=["meeting", "owner", "task"])
    item.save()
    after = audit.snapshot(item, ("text", "owner", "due_date"))
    audit.record(meeting, "action_item_added", actor=actor, changes=audit.diff({}, after))
    return item


@transaction.atomic
def plan_action_item(item: ActionItem, *, actor: Any) -> Task:
    """Make the action item a task at the end of the project's plan: one day's work, its
    owner, to finish by its due date (a finish-no-later-than constraint). ValidationError if
    it is a task already (or the plan refuses the task). Locks the action item."""
    item = ActionItem.objects.select_for_update().select_related("meeting__project").get(pk=item.pk)
    if item.task_id is not None:
        raise ValidationError(_("This action item is a plan task already."))
    fields: dict[str, Any] = {
        "name": item.text[: Task._meta.get_field("name").max_length],
        "duration": MINUTES_PER_DAY,
        "owner": item.owner,
        "notes": _("From the meeting “%(title)s”.") % {"title": item.meeting.title},
    }
    if item.due_date is not None:
        fields["constraint_type"] = TaskConstraint.FNLT
        fields["constraint_date"] = end_of_day(item.due_date)
    task = plan.add_task(item.meeting.project, actor=actor, fields=fields)
    item.task = task
    item.save(update_fields=["task"])
    audit.record(
        item.meeting, "action_item_planned", actor=actor, changes={"task": [None, str(task)]}
    )
    return task


def split_by_time(rows: QuerySet[Meeting], *, now: datetime.datetime) -> tuple[Any, Any]:
    """(upcoming, earliest first; past, latest first): a meeting is past once it ended."""
    return (
        rows.filter(ends_at__gte=now).order_by("starts_at", "pk"),
        rows.filter(ends_at__lt=now).order_by("-starts_at", "-pk"),
    )
