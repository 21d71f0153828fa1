"""Questionnaire campaigns (问卷调查): choose contacts, send each a personal link, remind those
who have not answered, close. Only each link's SHA-256 is stored, so a link is shown exactly
once — when it is issued — and a reminder or a re-sent link carries a fresh one."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.core.tokens import new_token
from charter.crm.models import Contact
from charter.discovery.choices import CampaignStatus
from charter.discovery.models import Campaign, Invitation, Questionnaire
from charter.planning.models import Project

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
    """A personal link as issued: shown to the sender once, never stored."""

    invitation: Invitation
    url: str

    @property
    def emailed(self) -> bool:
        return bool(self.invitation.contact.email)


def default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=DEFAULT_DAYS)


def respond_link(raw_token: str, base_url: str) -> str:
    """The absolute answering link; ``base_url`` is the site's root URL."""
    relative = reverse("discovery:respond", args=[raw_token]).removeprefix(get_script_prefix())
    return urljoin(base_url.rstrip("/") + "/", relative)


def invitable_contacts(parent: models.Model) -> models.QuerySet[Contact]:
    """The contacts a campaign of this project or deal may go to: its client's people."""
    return Contact.objects.filter(client_id=parent.client_id).order_by("name", "pk")  # type: ignore[attr-defined]


def _parent_field(parent: models.Model) -> str:
    return "project" if isinstance(parent, Project) else "opportunity"


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
        **{_parent_field(parent): parent},
        questionnaire=questionnaire,
        name=name.strip(),
        message=message,
        expires_at=expires_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.full_clean()
    campaign.save()
    # Each draft invitation holds the hash of a token nobody ever sees; sending replaces it.
    Invitation.objects.bulk_create(
        Invitation(
            campaign=campaign,
            contact=contact,
            token_hash=new_token()[1],
            language=contact.language,
            expires_at=expires_at,
        )
        for contact in chosen
    )
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


def _reissue(invitation: Invitation, base_url: str, **fields: Any) -> IssuedLink:
    """A fresh token for the invitation (the previous link stops working)."""
    raw, digest = new_token()
    invitation.token_hash = digest
    for name, value in fields.items():
        setattr(invitation, name, value)
    invitation.save(update_fields=["token_hash", *fields])
    return IssuedLink(invitation, respond_link(raw, base_url))


def _email(link: IssuedLink, kind: str) -> None:
    from charter.discovery.tasks import send_campaign_email

    if link.invitation.contact.email:
        # The link rides in the task's arguments: the database keeps only its hash.
        send_campaign_email.enqueue(link.invitation.pk, link.url, kind)


def _invitations(campaign: Campaign) -> models.QuerySet[Invitation]:
    return campaign.invitations.select_related("contact").order_by("contact__name", "pk")


@transaction.atomic
def send_campaign(campaign: Campaign, *, actor: Any, base_url: str) -> list[IssuedLink]:
    """Open a draft campaign: a fresh link per invitation, e-mailed (in the contact's
    language) to contacts with an address. Returns every link, to show the sender once.
    Locks the campaign row, so two clicks cannot send twice."""
    campaign = _lock(campaign)
    _require_status(campaign, CampaignStatus.DRAFT, _("This campaign was already sent."))
    _check_expiry(campaign.expires_at)
    now = timezone.now()
    links = [
        _reissue(invitation, base_url, sent_at=now, expires_at=campaign.expires_at)
        for invitation in _invitations(campaign)
    ]
    if not links:
        raise ValidationError(_("This campaign has no contacts to send to."), code="state")
    for link in links:
        _email(link, "invitation")
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
    """E-mail a reminder with a fresh link to each :func:`reminder_targets` invitee (their saved
    answers stay); returns how many. Locks the campaign row."""
    campaign = _lock(campaign)
    _require_status(campaign, CampaignStatus.OPEN, _("Only an open campaign sends reminders."))
    now = timezone.now()
    invitations = list(reminder_targets(campaign).select_related("contact").order_by("pk"))
    for invitation in invitations:
        count = invitation.reminder_count + 1
        _email(_reissue(invitation, base_url, reminded_at=now, reminder_count=count), "reminder")
    audit.record(campaign, "campaign_reminded", actor=actor, changes={"reminded": len(invitations)})
    return len(invitations)


@transaction.atomic
def resend_link(invitation: Invitation, *, actor: Any, base_url: str) -> IssuedLink:
    """A new link for one invitee of an open campaign; the old link stops working. E-mailed
    when the contact has an address; returned to show the sender once."""
    campaign = _lock(invitation.campaign)
    _require_status(campaign, CampaignStatus.OPEN, _("Only an open campaign issues links."))
    invitation = (
        Invitation.objects.select_for_update().select_related("contact").get(pk=invitation.pk)
    )
    if hasattr(invitation, "response") and invitation.response.submitted_at:
        raise ValidationError(_("This contact has already answered."), code="state")
    link = _reissue(invitation, base_url, sent_at=timezone.now(), expires_at=campaign.expires_at)
    _email(link, "invitation")
    audit.record(
        campaign, "link_reissued", actor=actor, changes={"contact": str(invitation.contact)}
    )
    return link


@transaction.atomic
def close_campaign(campaign: Campaign, *, actor: Any) -> Campaign:
    """Stop taking answers: every link of the campaign answers "closed" from now on."""
    campaign = _lock(campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("This campaign is already closed."), code="state")
    changes = _set_status(campaign, CampaignStatus.CLOSED)
    audit.record(campaign, "campaign_closed", actor=actor, changes=changes)
    return campaign
