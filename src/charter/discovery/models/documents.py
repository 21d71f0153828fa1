"""The requirements document (需求文档): narrative per section around the requirement data,
frozen into hashed versions that the client's contacts confirm through personal links."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.models import VersionedModel
from charter.discovery.choices import Decision, DocumentSection
from charter.discovery.models.base import OnProjectOrDeal, PersonalLink, created_by_field
from charter.discovery.querysets import OnProjectOrDealQuerySet


class RequirementsDocument(OnProjectOrDeal, VersionedModel):
    """The live draft of a project's (or deal's) requirements document: one per parent. The
    requirement sections are generated from the register; the text fields are the narrative
    written per section."""

    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="zh-hans"
    )
    background = models.TextField(DocumentSection.BACKGROUND.label, blank=True)
    goals = models.TextField(DocumentSection.GOALS.label, blank=True)
    requirements_intro = models.TextField(DocumentSection.REQUIREMENTS.label, blank=True)
    expectations = models.TextField(DocumentSection.EXPECTATIONS.label, blank=True)
    constraints_text = models.TextField(DocumentSection.CONSTRAINTS.label, blank=True)
    scope_in = models.TextField(_("in scope"), blank=True)
    scope_out = models.TextField(_("out of scope"), blank=True)
    glossary = models.TextField(
        DocumentSection.GLOSSARY.label, blank=True, help_text=_("One term per line: term: meaning")
    )
    confirmers = models.ManyToManyField(
        "crm.Contact",
        verbose_name=_("required confirmers"),
        blank=True,
        related_name="+",
        help_text=_("The document is confirmed when all of them have confirmed a version."),
    )
    created_by = created_by_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OnProjectOrDealQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("requirements document")
        verbose_name_plural = _("requirements documents")
        constraints = [
            *OnProjectOrDeal.Meta.constraints,
            models.UniqueConstraint(fields=["project"], name="discovery_document_per_project"),
            models.UniqueConstraint(
                fields=["opportunity"], name="discovery_document_per_opportunity"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discovery:document_detail", args=[self.pk])


class DocumentVersion(models.Model):
    """A published, frozen version: ``content`` is the whole document as data (sections with
    their narrative and requirement rows) and ``content_hash`` its SHA-256 over canonical JSON.
    Never changed after publishing."""

    document = models.ForeignKey(
        RequirementsDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    published_by = created_by_field()
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="discovery_document_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("discovery:document_version", args=[self.pk])


class ConfirmationRequest(PersonalLink):
    """A contact's personal link to read one version and confirm it or ask for changes. The
    decision records who (the contact), when, from which IP, and the hash of what they saw."""

    link_purpose = "confirm"
    url_name = "discovery:confirm"

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="confirmations"
    )
    contact = models.ForeignKey(
        "crm.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    decided_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)
    sent_by = created_by_field()

    class Meta:
        verbose_name = _("confirmation request")
        verbose_name_plural = _("confirmation requests")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "contact"], name="discovery_confirmation_once_per_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.contact}"


class SectionComment(models.Model):
    """A confirmer's comment on one section of the version they were sent."""

    request = models.ForeignKey(
        ConfirmationRequest, on_delete=models.CASCADE, related_name="comments"
    )
    section = models.CharField(_("section"), max_length=16, choices=DocumentSection)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("section comment")
        verbose_name_plural = _("section comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.body[:60]}"
