"""Field sets shared by template rows and project rows."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.planning.choices import RiskLevel, RiskResponse


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
