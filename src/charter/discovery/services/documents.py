"""The requirements document: create and edit the draft, publish frozen versions, send a
version to the client's contacts and record their decisions."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import lock_row, update_versioned
from charter.crm.models import Contact
from charter.discovery.choices import Decision, DocumentSection, RequirementStatus
from charter.discovery.models import (
    ConfirmationRequest,
    DocumentVersion,
    Requirement,
    RequirementsDocument,
    SectionComment,
)
from charter.discovery.models.base import parent_field
from charter.discovery.services.document_content import (
    NARRATIVE_FIELDS,
    build_content,
    content_hash,
    document_plan,
)

DOCUMENT_FIELDS = ("title", "language", *NARRATIVE_FIELDS)
EDITABLE_DOCUMENT_FIELDS = (*DOCUMENT_FIELDS, "confirmers")
LINK_VALID_DAYS = 30

ACTION_LABELS.update(
    {
        "published": gettext_lazy("published a version of"),
        "sent_for_confirmation": gettext_lazy("sent for confirmation"),
        "confirmed": gettext_lazy("confirmed"),
        "changes_requested": gettext_lazy("requested changes to"),
    }
)


def default_title(parent: models.Model, language: str) -> str:
    with translation.override(language):
        return _("Requirements document — %(parent)s") % {"parent": parent}


@transaction.atomic
def create_document(
    parent: models.Model, *, actor: Any, language: str, title: str = ""
) -> RequirementsDocument:
    """Start the requirements document of a project or deal (one each). Locks the parent row,
    so two people starting it at once get one document and a clear error."""
    field_name = parent_field(parent)
    lock_row(parent)
    if RequirementsDocument.objects.filter(**{field_name: parent}).exists():
        raise ValidationError(_("This requirements document already exists."), code="exists")
    document = RequirementsDocument(
        **{field_name: parent},
        language=language,
        title=(title or "").strip() or default_title(parent, language),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.full_clean()
    document.save()
    audit.record_created(document, ("title", "language", field_name), actor=actor)
    return document


def client_contacts(document: RequirementsDocument) -> models.QuerySet[Contact]:
    """The contacts who may confirm the document: those of the parent's client."""
    return Contact.objects.filter(client_id=document.parent.client_id)  # type: ignore[attr-defined]


def _check_contacts(document: RequirementsDocument, contacts: list[Contact], name: str) -> None:
    allowed = set(client_contacts(document).values_list("pk", flat=True))
    if any(contact.pk not in allowed for contact in contacts):
        raise ValidationError(
            {name: _("Choose contacts of this client only.")}, code="foreign_contact"
        )


def _confirmer_names(document: RequirementsDocument) -> list[str]:
    return sorted(str(contact) for contact in document.confirmers.all())


@transaction.atomic
def update_document(
    document: RequirementsDocument, *, actor: Any, expected_version: int, **changes: Any
) -> RequirementsDocument:
    """Edit the draft: title, language, narrative, required confirmers. Audited as a field
    diff. Raises StaleEdit (nothing written) when saved by someone since ``expected_version``;
    ValidationError for invalid values or confirmers of another client."""
    unknown = set(changes) - set(EDITABLE_DOCUMENT_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    confirmers = changes.pop("confirmers", None)
    before = {**audit.snapshot(document, DOCUMENT_FIELDS), "confirmers": _confirmer_names(document)}
    for name, value in changes.items():
        setattr(document, name, value.strip() if isinstance(value, str) else value)
    document.full_clean(exclude=["project", "opportunity"])
    if confirmers is not None:
        confirmers = list(confirmers)
        _check_contacts(document, confirmers, "confirmers")
    update_versioned(document, expected_version=expected_version, fields=changes or ["title"])
    if confirmers is not None:
        document.confirmers.set(confirmers)
    after = {**audit.snapshot(document, DOCUMENT_FIELDS), "confirmers": _confirmer_names(document)}
    changed = audit.diff(before, after)
    if changed:
        audit.record(document, "updated", actor=actor, changes=changed)
    return document


def register_rows(document: RequirementsDocument) -> models.QuerySet[Requirement]:
    """The register's requirements the document lists: all but the rejected, in code order."""
    return (
        Requirement.objects.filter(
            **{f"{document.parent_kind}_id": document.project_id or document.opportunity_id}
        )
        .exclude(status=RequirementStatus.REJECTED)
        .order_by("number", "pk")
    )


def draft_content(document: RequirementsDocument) -> dict[str, Any]:
    """The draft as it would be published now (one query for the requirements; three more for
    a project's goals and scope statements)."""
    return build_content(
        title=document.title,
        language=document.language,
        texts={name: getattr(document, name) for name in NARRATIVE_FIELDS},
        requirements=register_rows(document),
        **document_plan(document),
    )


@transaction.atomic
def publish_document(
    document: RequirementsDocument, *, actor: Any, note: str = ""
) -> DocumentVersion:
    """Freeze the draft as the next version (content + SHA-256). Locks the document row, so
    concurrent publishes never take one number. Refuses (ValidationError) when nothing
    changed since the last version."""
    document = RequirementsDocument.objects.select_for_update().get(pk=document.pk)
    content = draft_content(document)
    digest = content_hash(content)
    last = document.versions.order_by("-number").first()
    if last is not None and last.content_hash == digest:
        raise ValidationError(
            _("Nothing changed since version %(number)s, so there is nothing to publish.")
            % {"number": last.number},
            code="unchanged",
        )
    version = DocumentVersion.objects.create(
        document=document,
        number=(last.number if last else 0) + 1,
        content=content,
        content_hash=digest,
        note=(note or "").strip(),
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        document,
        "published",
        actor=actor,
        changes={
            "version": [last.number if last else None, version.number],
            "hash": [None, digest],
        },
    )
    return version


@dataclass
class Invite:
    request: ConfirmationRequest
    token: str  # what the link carries


def _pending_request(
    version: DocumentVersion, contact: Contact, *, actor: Any, expires: Any
) -> ConfirmationRequest:
    """A new request, or the contact's undecided one with a fresh link (the old link stops
    working). A contact who already decided on this version is refused."""
    request = (
        ConfirmationRequest.objects.select_for_update()
        .filter(version=version, contact=contact)
        .first()
    )
    if request is None:
        request = ConfirmationRequest(version=version, contact=contact)
    elif request.decision != Decision.PENDING:
        raise ValidationError(
            {
                "contacts": _("%(contact)s has already decided on version %(number)s.")
                % {"contact": contact, "number": version.number}
            },
            code="decided",
        )
    request.new_link()
    request.expires_at = expires
    request.sent_at = timezone.now()
    request.sent_by = actor if getattr(actor, "is_authenticated", False) else None
    request.save()
    return request


@transaction.atomic
def send_version(
    version: DocumentVersion,
    *,
    actor: Any,
    contacts: list[Contact],
    base_url: str,
    valid_days: int = LINK_VALID_DAYS,
) -> list[Invite]:
    """Give each contact (of the parent's client) a personal link to read ``version`` and
    confirm it or request changes; e-mails the link to those with an address. Returns the
    links' tokens, to show the sender."""
    from charter.discovery.tasks_documents import send_confirmation_email

    if not contacts:
        raise ValidationError({"contacts": _("Choose at least one contact.")}, code="required")
    if not 1 <= valid_days <= 365:
        raise ValidationError({"valid_days": _("Choose between 1 and 365 days.")}, code="range")
    _check_contacts(version.document, contacts, "contacts")
    expires = timezone.now() + datetime.timedelta(days=valid_days)
    invites = []
    for contact in contacts:
        request = _pending_request(version, contact, actor=actor, expires=expires)
        invites.append(Invite(request, request.token))
        if contact.email:
            send_confirmation_email.enqueue(request.pk, base_url)
    audit.record(
        version.document,
        "sent_for_confirmation",
        actor=actor,
        changes={
            "version": [None, version.number],
            "contacts": [None, [str(contact) for contact in contacts]],
        },
    )
    return invites


def find_request(raw_token: str) -> ConfirmationRequest | None:
    """The request a link's token opens, or None for an unknown or altered token."""
    return (
        ConfirmationRequest.find(raw_token).select_related("version__document", "contact").first()
    )


def is_expired(request: ConfirmationRequest) -> bool:
    return request.expires_at <= timezone.now()


def mark_opened(request: ConfirmationRequest) -> None:
    if request.opened_at is None:
        request.opened_at = timezone.now()
        ConfirmationRequest.objects.filter(pk=request.pk, opened_at=None).update(
            opened_at=request.opened_at
        )


@transaction.atomic
def decide(
    request: ConfirmationRequest,
    *,
    decision: str,
    content_hash: str,
    ip: str | None,
    message: str = "",
    comments: dict[str, str] | None = None,
) -> ConfirmationRequest:
    """Record a contact's decision on the version they were sent, with their per-section
    comments. Locks the request: one decision per link, nothing stored twice. Refuses an
    expired link, a decision on content other than the version's (hash mismatch), and a
    change request without a message."""
    request = ConfirmationRequest.objects.select_for_update().get(pk=request.pk)
    version = request.version
    if request.decision != Decision.PENDING:
        raise ValidationError(_("You have already answered this request."), code="decided")
    if is_expired(request):
        raise ValidationError(_("This link has expired."), code="expired")
    if content_hash != version.content_hash:
        raise ValidationError(
            _("The document changed while you were reading it. Reload the page and read it again."),
            code="hash_mismatch",
        )
    message = (message or "").strip()
    if decision == Decision.CHANGES_REQUESTED and not message:
        raise ValidationError({"message": _("Tell us what should change.")}, code="required")
    if decision not in (Decision.CONFIRMED, Decision.CHANGES_REQUESTED):
        raise ValidationError(_("Choose to confirm or to request changes."), code="decision")
    request.decision = decision
    request.decided_at = timezone.now()
    request.decided_ip = ip
    request.decided_hash = content_hash
    request.message = message
    request.save(update_fields=["decision", "decided_at", "decided_ip", "decided_hash", "message"])
    valid_sections = set(DocumentSection.values)
    SectionComment.objects.bulk_create(
        SectionComment(request=request, section=section, body=body.strip())
        for section, body in (comments or {}).items()
        if section in valid_sections and body.strip()
    )
    audit.record(
        version.document,
        decision,
        actor=None,
        changes={
            "contact": [None, str(request.contact)],
            "version": [None, version.number],
            "hash": [None, content_hash],
        },
    )
    return request


# ---- status -------------------------------------------------------------------------------------


@dataclass
class DocumentStatus:
    """Where the document stands: draft, published vN, or confirmed vN."""

    latest: DocumentVersion | None
    draft_hash: str
    confirmers: list[Contact]
    confirmations: list[ConfirmationRequest] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.latest is None:
            return "draft"
        return "confirmed" if self.confirmed else "published"

    @property
    def draft_differs(self) -> bool:
        return self.latest is not None and self.latest.content_hash != self.draft_hash

    @property
    def confirmed_by(self) -> list[ConfirmationRequest]:
        """The latest version's confirmations (of its own content)."""
        return [
            request
            for request in self.confirmations
            if request.decision == Decision.CONFIRMED
            and self.latest is not None
            and request.decided_hash == self.latest.content_hash
        ]

    @property
    def waiting_for(self) -> list[Contact]:
        done = {request.contact_id for request in self.confirmed_by}
        return [contact for contact in self.confirmers if contact.pk not in done]

    @property
    def confirmed(self) -> bool:
        """Every required confirmer confirmed the latest version (none required: not yet)."""
        return bool(self.latest and self.confirmers and not self.waiting_for)


def document_status(
    document: RequirementsDocument, *, content: dict[str, Any] | None = None
) -> DocumentStatus:
    """The document's status in a fixed number of queries; ``content``: the draft content if
    the caller already built it."""
    latest = document.versions.order_by("-number").first()
    confirmations = (
        list(latest.confirmations.select_related("contact")) if latest is not None else []
    )
    return DocumentStatus(
        latest=latest,
        draft_hash=content_hash(content if content is not None else draft_content(document)),
        confirmers=list(document.confirmers.all()),
        confirmations=confirmations,
    )
