"""A project, its team and stakeholder register, and its kickoff checklist."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.crm.choices import Currency, DecisionRole
from charter.planning.choices import ProjectStatus
from charter.planning.models.base import ChecklistFields
from charter.planning.querysets import ProjectQuerySet


class Project(VersionedModel):
    """A project for a client, usually converted from a won opportunity."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=32, unique=True)
    client = models.ForeignKey(
        "crm.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="projects"
    )
    opportunity = models.ForeignKey(
        "crm.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    template = models.ForeignKey(
        "planning.ProjectTemplate",
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project manager"),
        on_delete=models.PROTECT,
        related_name="managed_projects",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("team"), blank=True, related_name="projects"
    )
    start_date = models.DateField(_("start date"))
    budget = models.DecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.CNY)
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus, default=ProjectStatus.INITIATING
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=500,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("1–1000, like MS Project: the higher wins when projects compete for people."),
    )
    calendar = models.ForeignKey(
        "planning.Calendar",
        verbose_name=_("project calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        help_text=_("Working days, hours and holidays the plan is scheduled on."),
    )
    status_date = models.DateField(
        _("status date"),
        null=True,
        blank=True,
        help_text=_("Progress is reported up to this date; remaining work is scheduled after it."),
    )
    finish_date = models.DateTimeField(_("scheduled finish"), null=True, blank=True, editable=False)
    scheduled_at = models.DateTimeField(_("last scheduled"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    charter_attachable = True
    charter_history = True

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("planning:project_detail", args=[self.pk])


class Stakeholder(models.Model):
    """A client contact in the project's stakeholder register (干系人登记册)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stakeholders")
    contact = models.ForeignKey(
        "crm.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="stakes"
    )
    role = models.CharField(_("role in decisions"), max_length=16, choices=DecisionRole)
    influence = models.PositiveSmallIntegerField(_("influence"), default=3)
    interest = models.PositiveSmallIntegerField(_("interest"), default=3)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "contact"], name="planning_stakeholder_once")
        ]

    def __str__(self) -> str:
        return str(self.contact)


class KickoffItem(ChecklistFields):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="kickoff")
    done = models.BooleanField(_("done"), default=False)
