"""The resource pool (people, equipment, material, cost items) and who or what is assigned to
which task. A task worked by resources is scheduled on their calendar, and MS Project files bring
their resources and assignments in. Roles, skills, needs and rates over time are in
``models.needs``; timesheets, leveling and budgets in their own modules; capacity against
allocated work is read in ``resources.utilisation``."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.crm.choices import Currency
from charter.resources.choices import ResourceKind
from charter.resources.querysets import AssignmentQuerySet, ResourceQuerySet


class Resource(VersionedModel):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("type"), max_length=16, choices=ResourceKind, default=ResourceKind.WORK
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleague"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
        help_text=_("When the resource is a person who uses Charter."),
    )
    initials = models.CharField(_("initials"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    max_units = models.DecimalField(
        _("max units"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "1 is one full-time person (100%); 2 is two of them. Equipment: the quantity "
            "owned (3 cranes: 3)."
        ),
    )
    standard_rate = models.DecimalField(
        _("standard rate"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Per hour for people and equipment; per unit for material."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.CNY)
    calendar = models.ForeignKey(
        "planning.Calendar",
        verbose_name=_("resource calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        help_text=_("When the resource works, e.g. a night shift. Empty: the project calendar."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    role = models.ForeignKey(
        "resources.Role",
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
        help_text=_("What the person does; task needs ask for roles."),
    )
    is_placeholder = models.BooleanField(
        _("generic resource"),
        default=False,
        help_text=_(
            "Stands for people not yet named, e.g. “Senior backend engineer” with max units 2; "
            "replace it with a person later."
        ),
    )
    cost_per_use = models.DecimalField(
        _("cost per use"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Charged once per assignment, e.g. for equipment and material."),
    )
    external_uid = models.PositiveIntegerField(
        _("MS Project UID"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    charter_history = True
    charter_history_private = ("standard_rate", "currency", "cost_per_use")  # managers only

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resources:resource_detail", args=[self.pk])


class Assignment(VersionedModel):
    """``resource`` works on ``task`` at ``units`` (1 = 100%) for ``work`` working minutes."""

    task = models.ForeignKey("planning.Task", on_delete=models.CASCADE, related_name="assignments")
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="assignments"
    )
    units = models.DecimalField(
        _("units"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("1 is full time on this task (100%)."),
    )
    work = models.PositiveIntegerField(_("work"), default=0, help_text=_("Working minutes."))
    external_uid = models.PositiveIntegerField(
        _("MS Project UID"), null=True, blank=True, editable=False
    )

    objects = AssignmentQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["task", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "resource"], name="resources_assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.task}"
