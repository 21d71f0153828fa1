"""Projects and project templates. The planning issue grows Phase/Task into the full WBS."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.comms.models import CommunicationFields
from charter.core.models import VersionedModel
from charter.crm.choices import Currency, DecisionRole
from charter.planning.choices import ProjectStatus, RiskLevel, RiskResponse
from charter.planning.querysets import ProjectQuerySet, ProjectTemplateQuerySet


class Ordered(models.Model):
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class PhaseFields(Ordered):
    name = models.CharField(_("phase"), max_length=120)

    class Meta(Ordered.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.name


class TaskFields(Ordered):
    """A task as a template defines it and a project starts with it."""

    name = models.CharField(_("task"), max_length=200)
    duration_days = models.PositiveSmallIntegerField(_("duration (working days)"), default=1)
    is_milestone = models.BooleanField(_("milestone"), default=False)

    class Meta(Ordered.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.name


class RiskFields(models.Model):
    """A risk with its probability × impact assessment and planned response."""

    title = models.CharField(_("risk"), max_length=200)
    probability = models.PositiveSmallIntegerField(
        _("probability"), choices=RiskLevel, default=RiskLevel.MEDIUM
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=RiskLevel, default=RiskLevel.MEDIUM
    )
    response = models.CharField(
        _("response"), max_length=16, choices=RiskResponse, default=RiskResponse.MITIGATE
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.probability * self.impact


class ChecklistFields(Ordered):
    title = models.CharField(_("kickoff step"), max_length=200)

    class Meta(Ordered.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.title


class ProjectTemplate(VersionedModel):
    """What a new project starts with: phases, standard tasks, communication, risks, kickoff."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="zh-hans",
        help_text=_("The language its phases, tasks and texts are written in."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used when a won deal converts automatically.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProjectTemplateQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("project template")
        verbose_name_plural = _("project templates")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:template_detail", args=[self.pk])


class TemplatePhase(PhaseFields):
    template = models.ForeignKey(ProjectTemplate, on_delete=models.CASCADE, related_name="phases")


class TemplateTask(TaskFields):
    phase = models.ForeignKey(TemplatePhase, on_delete=models.CASCADE, related_name="tasks")


class TemplateCommunication(CommunicationFields):
    template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="communications"
    )


class TemplateRisk(Ordered, RiskFields):  # Ordered first: its Meta (ordering) is inherited
    template = models.ForeignKey(ProjectTemplate, on_delete=models.CASCADE, related_name="risks")


class TemplateChecklistItem(ChecklistFields):
    template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="checklist"
    )


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
        ProjectTemplate,
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


class Phase(PhaseFields):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")


class Task(TaskFields):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )


class Risk(RiskFields):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="risks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["pk"]


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
