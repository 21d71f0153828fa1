"""The scheduler: turns the communication plan's due occurrences into outbox messages.

``run_due`` takes the items whose cursor is due (an indexed column, so a tick costs the due
items, not the plan), and for each handles the occurrence under the cursor and moves it on,
in one transaction per occurrence: the item row is locked (SKIP LOCKED: another scheduler
takes other items meanwhile), the occurrence row is unique per (item, rule date), and the
messages are stored in the same transaction. However many schedulers run, and wherever one
dies, each occurrence is handled once; the outbox then sends each message once.

An occurrence found more than ``GRACE`` after its time (or a meeting after it began) — the
scheduler did not run — is marked missed and its owner told, never dropped silently; so is one
that cannot be sent (nobody to send to, no template). The scheduler never sends a missed
occurrence late: its owner may (``send_now``), a meeting excepted.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charter.comms import meetings, occurrences, outbox, plan, templating, unsubscribe
from charter.comms.channels.base import ChatMessage
from charter.comms.models import (
    CommunicationItem,
    CommunicationKind,
    CommunicationOccurrence,
    ContactOptOut,
    OccurrenceStatus,
)
from charter.core import audit
from charter.core.models import Attachment
from charter.core.querysets import parent_filter
from charter.crm.choices import Channel
from charter.discovery.choices import CampaignStatus
from charter.discovery.services import campaigns
from charter.engine import recurrence
from charter.engine.recurrence import Occurrence

GRACE = datetime.timedelta(hours=6)


class NotSent(Exception):
    """Why an occurrence could not go out; the text is shown to its owner."""


@dataclass(frozen=True)
class Recipient:
    key: str  # part of the outbox key: c<contact id> or u<user id>
    name: str
    email: str
    language: str
    contact: Any = None


# ---- the loop --------------------------------------------------------------------------------


def run_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Handle every due occurrence of up to ``limit`` items; returns how many occurrences
    this call handled (sent, missed or found skipped). Call outside a transaction."""
    now = now or timezone.now()
    due = (
        CommunicationItem.objects.filter(is_active=True, next_due_at__lte=now)
        .order_by("next_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(_catch_up(item_id, now) for item_id in list(due))


def _catch_up(item_id: int, now: datetime.datetime) -> int:
    handled = 0
    while _handle_next(item_id, now):
        handled += 1
    return handled


@transaction.atomic
def _handle_next(item_id: int, now: datetime.datetime) -> bool:
    """Handle the occurrence under the item's cursor if it is due and no other scheduler
    holds the item, and move the cursor on; False when there was nothing to do."""
    item = (
        CommunicationItem.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("project__client", "owner", "robot", "template", "campaign")
        .filter(pk=item_id, is_active=True, next_due_at__lte=now)
        .first()
    )
    if item is None or item.next_nominal_on is None or item.next_on is None:
        return False
    current = Occurrence(item.next_nominal_on, item.next_on)
    row = occurrences.occurrence_row(item, current)
    if row.status == OccurrenceStatus.PLANNED:
        if now > _deadline(item, row):
            _miss(
                item,
                row,
                _("The scheduler was not running when it fell due (%(when)s).")
                % {"when": timezone.localtime(row.due_at).strftime("%Y-%m-%d %H:%M")},
            )
        else:
            _send(item, row, actor=None)
    calendar = plan.working_days(item.project, current.on, current.on + plan.CALENDAR_HORIZON)
    plan.set_cursor(item, recurrence.following(plan.recurrence_of(item), calendar, current))
    item.save(update_fields=["next_nominal_on", "next_on", "next_due_at"])
    return True


def _deadline(item: CommunicationItem, row: CommunicationOccurrence) -> datetime.datetime:
    return row.due_at if item.kind == CommunicationKind.MEETING else row.due_at + GRACE


def _send(item: CommunicationItem, row: CommunicationOccurrence, *, actor: Any) -> None:
    """Send the occurrence (or mark it missed with the reason it cannot be sent)."""
    try:
        outcome = SENDERS[_route(item)](item, row)
    except (NotSent, ValidationError) as error:
        reason = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _miss(item, row, reason, actor=actor)
        return
    occurrences.mark_handled(row, OccurrenceStatus.SENT, actor=actor, outcome=outcome)


def _miss(
    item: CommunicationItem, row: CommunicationOccurrence, reason: str, *, actor: Any = None
) -> None:
    occurrences.mark_handled(row, OccurrenceStatus.MISSED, actor=actor, outcome=reason)
    owner = item.owner
    if owner is None or not owner.email:
        return
    with translation.override(templating.language_of(owner.language)):
        outbox.enqueue_email(
            key=f"occurrence:{row.pk}:missed",
            to=[owner.email],
            subject=_("Not sent: %(what)s (%(project)s)")
            % {"what": item.content, "project": item.project.name},
            text=_("“%(what)s” due %(when)s was not sent: %(reason)s")
            % {"what": item.content, "when": row.on, "reason": reason},
            project=item.project,
            client=item.project.client,
            occurrence=row,
        )


def send_now(
    item: CommunicationItem, nominal_on: datetime.date, *, actor: Any
) -> CommunicationOccurrence:
    """Send an occurrence now, as its owner asked: one still ahead (the scheduler will find it
    handled) or one that was missed (sent late, on purpose). ValidationError (nothing sent)
    when it was sent or skipped already, cannot be sent, is a missed meeting (its time has
    passed) or the item is switched off."""
    with transaction.atomic():
        item = occurrences.locked_item(item)
        row = occurrences.locked_row(item, nominal_on, OccurrenceStatus.MISSED)
        if row is not None and not occurrences.can_send(item, row):
            raise ValidationError(_late_refusal(item))
        row = row or occurrences.occurrence_row(
            item, occurrences.planned_occurrence(item, nominal_on)
        )
        try:
            outcome = SENDERS[_route(item)](item, row)
        except NotSent as error:
            raise ValidationError(str(error)) from error
        occurrences.mark_handled(row, OccurrenceStatus.SENT, actor=actor, outcome=outcome)
        occurrences.advance_past(item, row)
        audit.record(item, "occurrence_sent", actor=actor, changes={"date": str(row.on)})
    return row


def _late_refusal(item: CommunicationItem) -> str:
    if item.kind == CommunicationKind.MEETING:
        return _(
            "A missed meeting cannot be sent late: its time has passed. Schedule a new meeting "
            "instead."
        )
    return _("The plan item is switched off: switch it on to send this occurrence late.")


# ---- what is sent ----------------------------------------------------------------------------


def _route(item: CommunicationItem) -> str:
    if item.kind in (CommunicationKind.MEETING, CommunicationKind.SURVEY):
        return item.kind
    if item.channel in plan.ROBOT_CHANNELS:
        return "robot"
    if item.channel == Channel.EMAIL:
        return "email"
    return "reminder"  # phone, WeChat: nothing to send through, so the owner is reminded


def render_for(
    item: CommunicationItem,
    row: CommunicationOccurrence,
    *,
    language: str,
    recipient: str,
    facts: dict[str, Any] | None = None,
) -> templating.Rendered:
    """The occurrence's words for one reader (its own edit, else the item's template)."""
    facts = facts or templating.project_facts(item.project, base_url=templating.site_url())
    context = templating.context_for(
        facts, language=language, owner=item.owner, recipient=recipient, on=row.on
    )
    return templating.render(
        templating.template_for(item),
        language=language,
        context=context,
        subject=row.subject,
        body=row.body,
    )


def email_recipients(item: CommunicationItem) -> tuple[list[Recipient], int]:
    """Who an e-mail of ``item`` goes to (contacts, then colleagues, with an address) and how
    many contacts are left out because they unsubscribed (non-essential items only)."""
    contacts = [c for c in item.contacts.order_by("name", "pk") if c.email]
    left_out = 0
    if not item.essential:
        gone = set(
            ContactOptOut.objects.filter(contact__in=contacts).values_list("contact_id", flat=True)
        )
        left_out = len(gone)
        contacts = [c for c in contacts if c.pk not in gone]
    people = [Recipient(f"c{c.pk}", c.name, c.email, c.language, c) for c in contacts]
    people += [
        Recipient(f"u{u.pk}", str(u), u.email, u.language)
        for u in item.colleagues.filter(is_active=True).order_by("pk")
        if u.email
    ]
    return people, left_out


def _send_email(item: CommunicationItem, row: CommunicationOccurrence) -> str:
    people, left_out = email_recipients(item)
    if not people:
        raise NotSent(_("Nobody to send to: no recipient with an e-mail address."))
    facts = templating.project_facts(item.project, base_url=templating.site_url())
    files = list(Attachment.objects.filter(parent_filter(item)).order_by("pk"))
    for person in people:
        language = templating.language_of(person.language)
        words = render_for(item, row, language=language, recipient=person.name, facts=facts)
        text, headers = words.text, {}
        if person.contact is not None and not item.essential:
            with translation.override(language):
                text += "\n\n" + unsubscribe.footer(person.contact)
            headers = unsubscribe.headers(person.contact)
        outbox.enqueue_email(
            key=f"occurrence:{row.pk}:{person.key}",
            to=[person.email],
            subject=words.subject,
            text=text,
            html=templating.text_to_html(text),
            reply_to=item.owner.email if item.owner else "",
            project=item.project,
            client=item.project.client,
            actor=item.owner,
            occurrence=row,
            headers=headers,
            attachments=files,
        )
    outcome = ngettext("%(count)d e-mail queued.", "%(count)d e-mails queued.", len(people)) % {
        "count": len(people)
    }
    if left_out:
        outcome += " " + ngettext(
            "%(count)d contact unsubscribed and was left out.",
            "%(count)d contacts unsubscribed and were left out.",
            left_out,
        ) % {"count": left_out}
    return outcome


def _group_language(item: CommunicationItem) -> str:
    """A group chat has no one reader: the language most of the item's contacts read."""
    languages = [templating.language_of(c.language) for c in item.contacts.all()]
    if not languages:
        return templating.language_of(item.owner.language if item.owner else "")
    return max(sorted(set(languages)), key=languages.count)


def _send_robot(item: CommunicationItem, row: CommunicationOccurrence) -> str:
    robot = item.robot
    if robot is None or not robot.is_active:
        raise NotSent(_("The chat robot is missing or switched off."))
    facts = templating.project_facts(item.project, base_url=templating.site_url())
    words = render_for(item, row, language=_group_language(item), recipient="", facts=facts)
    message = ChatMessage(
        title=words.subject,
        text=words.text,
        markdown=f"**{words.subject}**\n\n{words.text}",
        link=facts["portal_link"],
    )
    outbox.enqueue_robot(
        key=f"occurrence:{row.pk}:robot",
        robot=robot,
        message=message,
        actor=item.owner,
        occurrence=row,
    )
    return _("Posted to %(robot)s.") % {"robot": robot.name}


def _send_meeting(item: CommunicationItem, row: CommunicationOccurrence) -> str:
    if item.owner is None:
        raise NotSent(_("A meeting needs an organizer: give the plan item an owner."))
    language = templating.language_of(item.owner.language)
    words = render_for(item, row, language=language, recipient="")
    starts_at = plan.occurs_at(item, row.on)
    place = item.location.strip()
    is_link = place.startswith(("http://", "https://"))
    meeting = meetings.schedule_meeting(
        item.project,
        actor=item.owner,
        contacts=list(item.contacts.all()),
        colleagues=list(item.colleagues.filter(is_active=True)),
        fields={
            # The meeting is called what the plan calls it, unless this time was renamed.
            "title": words.subject if row.subject else item.content,
            "agenda": words.text,
            "starts_at": starts_at,
            "ends_at": starts_at + datetime.timedelta(minutes=item.meeting_minutes),
            "time_zone": item.time_zone,
            "location": "" if is_link else place,
            "video_link": place if is_link else "",
        },
    )
    row.meeting = meeting
    return _("Meeting scheduled and invitations sent.")


def _send_survey(item: CommunicationItem, row: CommunicationOccurrence) -> str:
    campaign = item.campaign
    actor = item.owner
    if campaign is None:
        raise NotSent(_("The questionnaire campaign is gone."))
    if campaign.status == CampaignStatus.DRAFT:
        links = campaigns.send_campaign(campaign, actor=actor, base_url=templating.site_url())
        return _("Questionnaire sent to %(count)d contacts.") % {"count": len(links)}
    if campaign.status == CampaignStatus.OPEN:
        count = campaigns.remind_campaign(campaign, actor=actor, base_url=templating.site_url())
        return _("Reminder sent to %(count)d contacts.") % {"count": count}
    raise NotSent(_("The questionnaire campaign is closed."))


def _send_reminder(item: CommunicationItem, row: CommunicationOccurrence) -> str:
    owner = item.owner
    if owner is None or not owner.email:
        raise NotSent(_("Nobody to remind: the plan item has no owner with an e-mail address."))
    with translation.override(templating.language_of(owner.language)):
        people = ", ".join(
            f"{c.name} {c.mobile}".strip() for c in item.contacts.order_by("name", "pk")
        )
        outbox.enqueue_email(
            key=f"occurrence:{row.pk}:reminder",
            to=[owner.email],
            subject=_("Reminder: %(what)s (%(project)s)")
            % {"what": item.content, "project": item.project.name},
            text=_("Due today through %(channel)s: %(what)s. Audience: %(audience)s")
            % {
                "channel": Channel(item.channel).label,
                "what": item.content,
                "audience": people or item.audience or "—",
            },
            project=item.project,
            client=item.project.client,
            occurrence=row,
        )
        return _("Reminder e-mailed to %(name)s.") % {"name": owner}


SENDERS: dict[str, Callable[[CommunicationItem, CommunicationOccurrence], str]] = {
    "email": _send_email,
    "robot": _send_robot,
    CommunicationKind.MEETING: _send_meeting,
    CommunicationKind.SURVEY: _send_survey,
    "reminder": _send_reminder,
}
