"""What a plan needs before names are known, and what resources cost over time.

A ``Role`` ("Backend engineer") and ``Skill`` ("PostgreSQL") describe people; a resource has at
most one role and any skills at a level of 1–5. A ``TaskNeed`` says a task needs ``quantity``
people of a role (optionally with a skill at ``min_level`` or more) for ``effort_hours`` in
all. A ``RateChange`` gives a resource new cost and bill rates from a day on; before the first
one, the resource's standard rate applies (``services.rates``)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.crm.choices import Currency
from charter.resources.querysets import TaskNeedQuerySet

LEVELS = [MinValueValidator(1), MaxValueValidator(5)]
LEVEL_HELP = _("1 (beginner) to 5 (expert).")


class Role(VersionedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resources:roles")


class Skill(VersionedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resources:roles")


class ResourceSkill(VersionedModel):
    resource = models.ForeignKey(
        "resources.Resource",
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="skills",
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="holders"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), default=3, validators=LEVELS, help_text=LEVEL_HELP
    )

    class Meta:
        verbose_name = _("resource skill")
        verbose_name_plural = _("resource skills")
        ordering = ["resource", "skill__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "skill"], name="resources_resourceskill_once"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5),
                name="resources_resourceskill_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.level})"


class RateChange(VersionedModel):
    """From ``effective_from`` on, ``resource`` costs ``cost_rate`` and is billed at
    ``bill_rate`` (per hour for people and equipment, per unit for material)."""

    resource = models.ForeignKey(
        "resources.Resource",
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="rate_changes",
    )
    effective_from = models.DateField(_("effective from"))
    cost_rate = models.DecimalField(
        _("cost rate"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "What the resource costs: per hour for people and equipment, per unit for material."
        ),
    )
    bill_rate = models.DecimalField(
        _("bill rate"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What the client is charged for it."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.CNY)

    class Meta:
        verbose_name = _("rate change")
        verbose_name_plural = _("rate changes")
        ordering = ["resource", "-effective_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "effective_from"], name="resources_ratechange_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.effective_from:%Y-%m-%d}"


class TaskNeed(VersionedModel):
    """``task`` needs ``quantity`` people of ``role`` (with ``skill`` at ``min_level`` or more,
    when given) for ``effort_hours`` in all."""

    task = models.ForeignKey(
        "planning.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="needs"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="needs"
    )
    skill = models.ForeignKey(
        Skill,
        verbose_name=_("skill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    min_level = models.PositiveSmallIntegerField(
        _("minimum level"), default=1, validators=LEVELS, help_text=LEVEL_HELP
    )
    quantity = models.PositiveSmallIntegerField(
        _("people"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many people of this role."),
    )
    effort_hours = models.DecimalField(
        _("effort (hours)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The work all of them put in, in hours."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = TaskNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task need")
        verbose_name_plural = _("task needs")
        ordering = ["task", "role__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_level__gte=1, min_level__lte=5),
                name="resources_taskneed_level",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="resources_taskneed_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} ×{self.quantity} → {self.task}"
