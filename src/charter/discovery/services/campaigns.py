"""Questionnaire campaigns (问卷调查): choose contacts, send each a personal link, remind those
who have not answered (with the link they already have), close. A new link for one contact
retires their old one (see charter.core.tokens for how links are made)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.crm.models import Contact
from charter.discovery.choices import CampaignStatus
from charter.discovery.models import Campaign, Invitation, Questionnaire
from charter.discovery.models.base import parent_field

EDITABLE_FIELDS = ("name", "message", "expires_at")
AUDITED_FIELDS = ("name", "questionnaire", "message", "status", "expires_at")
DEFAULT_DAYS = 14

ACTION_LABELS.update(
    {
        "campaign_sent": gettext_lazy("sent the questionnaire of"),
        "campaign_reminded": gettext_lazy("sent reminders for"),
        "campaign_closed": gettext_lazy("closed"),
        "link_reissued": gettext_lazy("issued a new link for"),
    }
)


@dataclass(frozen=True)
class IssuedLink:
    """A contact's personal link, to show the sender (for sharing by chat, say)."""

    invitation: Invitation
    url: str

    @property
    def emailed(self) -> bool:
        return bool(self.invitation.contact.email)


def default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=DEFAULT_DAYS)


def invitable_contacts(parent: models.Model) -> models.QuerySet[Contact]:
    """The contacts a campaign of this project or deal may go to: its client's people."""
    return Contact.objects.filter(client_id=parent.client_id).order_by("name", "pk")  # type: ignore[attr-defined]


def _check_expiry(expires_at: datetime.datetime) -> None:
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose a date in the future.")})


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _set_status(campaign: Campaign, status: str, *fields: str) -> dict[str, list[Any]]:
    """Move a locked campaign to ``status`` (a new version, so held ETags go stale)."""
    before = campaign.status
    campaign.status = status
    update_versioned(campaign, expected_version=campaign.version, fields=["status", *fields])
    return {"status": [before, status]}


def _require_status(campaign: Campaign, status: str, message: str) -> None:
    if campaign.status != status:
        raise ValidationError(message, code="state")


@transaction.atomic
def create_campaign(
    parent: models.Model,
    *,
    actor: Any,
    questionnaire: Questionnaire,
    name: str,
    contacts: Iterable[Contact],
    expires_at: datetime.datetime | None = None,
    message: str = "",
) -> Campaign:
    """A draft campaign of ``parent`` for ``contacts`` (people of the parent's client). Nothing
    is sent yet; :func:`send_campaign` issues the links."""
    if questionnaire.is_template:
        raise ValidationError(
            {"questionnaire": _("Copy the template into a questionnaire first, then send that.")}
        )
    chosen = list({contact.pk: contact for contact in contacts}.values())
    if not chosen:
        raise ValidationError({"contacts": _("Choose at least one contact.")})
    allowed = set(invitable_contacts(parent).values_list("pk", flat=True))
    if any(contact.pk not in allowed for contact in chosen):
        raise ValidationError({"contacts": _("Choose contacts of this client only.")})
    expires_at = expires_at or default_expiry()
    _check_expiry(expires_at)
    campaign = Campaign(
        **{parent_field(parent): parent},
        questionnaire=questionnaire,
        name=name.strip(),
        message=message,
        expires_at=expires_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.full_clean()
    campaign.save()
    invitations = [
        Invitation(
            campaign=campaign, contact=contact, language=contact.language, expires_at=expires_at
        )
        for contact in chosen
    ]
    for invitation in invitations:
        invitation.new_link()  # opens nothing while the campaign is a draft
    Invitation.objects.bulk_create(invitations)
    audit.record_created(campaign, AUDITED_FIELDS, actor=actor)
    return campaign


@transaction.atomic
def update_campaign(
    campaign: Campaign, *, actor: Any, expected_version: int, **changes: Any
) -> Campaign:
    """Change the name, message or expiry (which moves every unanswered link's expiry too).
    Raises StaleEdit if saved by someone since ``expected_version``, ValidationError for
    invalid values or a closed campaign."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("A closed campaign cannot be changed."), code="state")
    if "expires_at" in changes and changes["expires_at"] != campaign.expires_at:
        _check_expiry(changes["expires_at"])
    before = audit.snapshot(campaign, EDITABLE_FIELDS)
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.name = campaign.name.strip()
    campaign.full_clean()
    update_versioned(campaign, expected_version=expected_version, fields=changes or ["name"])
    changed = audit.diff(before, audit.snapshot(campaign, EDITABLE_FIELDS))
    if "expires_at" in changed:
        campaign.invitations.filter(
            Q(response__isnull=True) | Q(response__submitted_at__isnull=True)
        ).update(expires_at=campaign.expires_at)
    if changed:
        audit.record(campaign, "updated", actor=actor, changes=changed)
    return campaign


def _email(invitation: Invitation, base_url: str, kind: str) -> None:
    from charter.discovery.tasks import send_campaign_email

    if invitation.contact.email:
        send_campaign_email.enqueue(invitation.pk, base_url, kind)


def _invitations(campaign: Campaign) -> models.QuerySet[Invitation]:
    return campaign.invitations.select_related("contact").order_by("contact__name", "pk")


@transaction.atomic
def send_campaign(campaign: Campaign, *, actor: Any, base_url: str) -> list[IssuedLink]:
    """Open a draft campaign: each invitation's link starts working and is e-mailed (in the
    contact's language) to contacts with an address. Returns every link, to show the sender.
    Locks the campaign row, so two clicks cannot send twice."""
    campaign = _lock(campaign)
    _require_status(campaign, CampaignStatus.DRAFT, _("This campaign was already sent."))
    _check_expiry(campaign.expires_at)
    now = timezone.now()
    invitations = list(_invitations(campaign))
    if not invitations:
        raise ValidationError(_("This campaign has no contacts to send to."), code="state")
    campaign.invitations.update(sent_at=now, expires_at=campaign.expires_at)
    for invitation in invitations:
        _email(invitation, base_url, "invitation")
    links = [IssuedLink(invitation, invitation.link(base_url)) for invitation in invitations]
    campaign.sent_at = now
    changes = _set_status(campaign, CampaignStatus.OPEN, "sent_at")
    audit.record(campaign, "campaign_sent", actor=actor, changes={**changes, "links": len(links)})
    return links


def reminder_targets(campaign: Campaign) -> models.QuerySet[Invitation]:
    """Invitees a reminder goes to: with an e-mail address, not yet submitted, link valid."""
    return (
        campaign.invitations.exclude(contact__email="")
        .filter(sent_at__isnull=False, expires_at__gt=timezone.now())
        .filter(Q(response__isnull=True) | Q(response__submitted_at__isnull=True))
    )


@transaction.atomic
def remind_campaign(campaign: Campaign, *, actor: Any, base_url: str) -> int:
    """E-mail a reminder with their link to each :func:`reminder_targets` invitee; returns how
    many. Locks the campaign row."""
    campaign = _lock(campaign)
    _require_status(campaign, CampaignStatus.OPEN, _("Only an open campaign sends reminders."))
    now = timezone.now()
    invitations = list(reminder_targets(campaign).select_related("contact").order_by("pk"))
    Invitation.objects.filter(pk__in=[row.pk for row in invitations]).update(
        reminded_at=now, reminder_count=F("reminder_count") + 1
    )
    for invitation in invitations:
        _email(invitation, base_url, "reminder")
    audit.record(campaign, "campaign_reminded", actor=actor, changes={"reminded": len(invitations)})
    return len(invitations)


@transaction.atomic
def resend_link(invitation: Invitation, *, actor: Any, base_url: str) -> IssuedLink:
    """A new link for one invitee of an open campaign (a forwarded or leaked link, say); the
    old link stops working. E-mailed when the contact has an address."""
    campaign = _lock(invitation.campaign)
    _require_status(campaign, CampaignStatus.OPEN, _("Only an open campaign issues links."))
    invitation = (
        Invitation.objects.select_for_update().select_related("contact").get(pk=invitation.pk)
    )
    if hasattr(invitation, "response") and invitation.response.submitted_at:
        raise ValidationError(_("This contact has already answered."), code="state")
    invitation.new_link()
    invitation.sent_at, invitation.expires_at = timezone.now(), campaign.expires_at
    invitation.save(update_fields=["token_nonce", "token_hash", "sent_at", "expires_at"])
    _email(invitation, base_url, "invitation")
    audit.record(
        campaign, "link_reissued", actor=actor, changes={"contact": str(invitation.contact)}
    )
    return IssuedLink(invitation, invitation.link(base_url))


@transaction.atomic
def close_campaign(campaign: Campaign, *, actor: Any) -> Campaign:
    """Stop taking answers: every link of the campaign answers "closed" from now on."""
    campaign = _lock(campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("This campaign is already closed."), code="state")
    changes = _set_status(campaign, CampaignStatus.CLOSED)
    audit.record(campaign, "campaign_closed", actor=actor, changes=changes)
    return campaign
