"""Baselines: up to eleven saved copies of the plan (Baseline, Baseline 1–10, as in MS Project),
against which variance is shown."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

BASELINE_SLOTS = 11


class Baseline(models.Model):
    project = models.ForeignKey(
        "planning.Project", on_delete=models.CASCADE, related_name="baselines"
    )
    number = models.PositiveSmallIntegerField(
        _("baseline"), validators=[MaxValueValidator(BASELINE_SLOTS - 1)]
    )
    name = models.CharField(_("name"), max_length=120)
    start = models.DateTimeField(_("start"), null=True, blank=True)
    finish = models.DateTimeField(_("finish"), null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="planning_baseline_slot"),
            models.CheckConstraint(
                condition=models.Q(number__lt=BASELINE_SLOTS), name="planning_baseline_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BaselineTask(models.Model):
    """A task as it stood when the baseline was saved."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="rows")
    task = models.ForeignKey(
        "planning.Task", on_delete=models.CASCADE, related_name="baseline_rows"
    )
    start = models.DateTimeField(_("baseline start"), null=True, blank=True)
    finish = models.DateTimeField(_("baseline finish"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("baseline duration"), default=0)
    cost = models.DecimalField(_("baseline cost"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("baseline task")
        verbose_name_plural = _("baseline tasks")
        constraints = [
            models.UniqueConstraint(fields=["baseline", "task"], name="planning_baseline_task_once")
        ]

    def __str__(self) -> str:
        return f"{self.baseline} · {self.task_id}"
