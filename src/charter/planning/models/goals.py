"""Measurable goals and the scope statement of a project. The client confirms them with the
requirements document: they are its Goals and Scope sections
(``discovery.services.document_content``)."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.planning.models.base import Ordered
from charter.planning.querysets import GoalQuerySet


class Goal(Ordered, VersionedModel):
    project = models.ForeignKey("planning.Project", on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    unit = models.CharField(
        _("unit"), max_length=40, help_text=_("For example %, days, orders/day")
    )
    baseline_value = models.DecimalField(
        _("today"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Where it stands before the project."),
    )
    due_date = models.DateField(_("due"))
    requirements = models.ManyToManyField(
        "discovery.Requirement", verbose_name=_("requirements"), blank=True, related_name="goals"
    )

    objects = GoalQuerySet.as_manager()

    charter_history = True

    class Meta(Ordered.Meta):
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        target = self.target.normalize() if isinstance(self.target, Decimal) else self.target
        return f"{self.title}: {target} {self.unit}"


class ScopeItem(Ordered, VersionedModel):
    project = models.ForeignKey(
        "planning.Project", on_delete=models.CASCADE, related_name="scope_items"
    )
    text = models.CharField(_("statement"), max_length=300)
    in_scope = models.BooleanField(_("in scope"), default=True)

    objects = GoalQuerySet.as_manager()

    charter_history = True

    class Meta(Ordered.Meta):
        verbose_name = _("scope statement")
        verbose_name_plural = _("scope statements")

    def __str__(self) -> str:
        return self.text
