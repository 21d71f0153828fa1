"""The RAID log: risks, assumptions, issues (client conflicts included) and decisions."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.planning.choices import AssumptionStatus, IssueSeverity, IssueStatus, RiskStatus
from charter.planning.models.base import RiskFields
from charter.planning.querysets import RaidQuerySet


def owner_field() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def project_field(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        "planning.Project", on_delete=models.CASCADE, related_name=related_name
    )


class RaidEntry(VersionedModel):
    """What every RAID entry has: a project, an author, a time, and whether the client sees it."""

    client_visible = models.BooleanField(_("visible to the client"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RaidQuerySet.as_manager()

    charter_history = True

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]


class Risk(RiskFields, RaidEntry):
    """A risk: probability × impact gives its score on the heat map."""

    project = project_field("risks")
    owner = owner_field()
    description = models.TextField(_("description"), blank=True)
    trigger = models.CharField(
        _("trigger"), max_length=300, blank=True, help_text=_("The sign that it is happening.")
    )
    mitigation = models.TextField(_("mitigation actions"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RiskStatus, default=RiskStatus.OPEN
    )
    review_date = models.DateField(_("review date"), null=True, blank=True)

    class Meta(RaidEntry.Meta):
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["pk"]  # the register's order: as entered (the template's order at conversion)

    def get_absolute_url(self) -> str:
        return reverse("planning:risk_detail", args=[self.pk])


class Assumption(RaidEntry):
    project = project_field("assumptions")
    statement = models.CharField(_("assumption"), max_length=300)
    owner = owner_field()
    status = models.CharField(
        _("status"), max_length=16, choices=AssumptionStatus, default=AssumptionStatus.UNVERIFIED
    )
    verify_by = models.DateField(_("verify by"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta(RaidEntry.Meta):
        verbose_name = _("assumption")
        verbose_name_plural = _("assumptions")

    def __str__(self) -> str:
        return self.statement

    def get_absolute_url(self) -> str:
        return reverse("planning:assumption_detail", args=[self.pk])


class ProjectIssue(RaidEntry):
    """Something that is going wrong now; a conflict with the client is one too."""

    project = project_field("issues")
    title = models.CharField(_("issue"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=IssueSeverity, default=IssueSeverity.MEDIUM
    )
    with_client = models.BooleanField(_("conflict with the client"), default=False)
    owner = owner_field()
    status = models.CharField(
        _("status"), max_length=16, choices=IssueStatus, default=IssueStatus.OPEN
    )
    escalation_path = models.TextField(
        _("escalation path"), blank=True, help_text=_("Who it goes to next, and when.")
    )
    resolution = models.TextField(_("resolution"), blank=True)
    agreed_by = models.CharField(
        _("agreed by"), max_length=200, blank=True, help_text=_("Who accepted the resolution.")
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)

    class Meta(RaidEntry.Meta):
        verbose_name = _("issue")
        verbose_name_plural = _("issues")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:issue_detail", args=[self.pk])


class Decision(RaidEntry):
    project = project_field("decisions")
    title = models.CharField(_("decision"), max_length=200)
    decided_by = models.CharField(_("decided by"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    rationale = models.TextField(_("why"), blank=True)
    issue = models.ForeignKey(
        ProjectIssue,
        verbose_name=_("issue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )

    class Meta(RaidEntry.Meta):
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:decision_detail", args=[self.pk])
