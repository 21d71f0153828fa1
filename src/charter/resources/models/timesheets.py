"""Timesheets: each person's hours per task per day for one week (Monday to Sunday), submitted
to and approved by a project manager. Approved sheets are locked, and their work is applied to
the plan (actual start, percent complete) with its cost frozen at the person's rate."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.resources.choices import TimesheetStatus
from charter.resources.querysets import TimesheetQuerySet

MINUTES_PER_DAY_MAX = 24 * 60
DAYS_PER_WEEK = 7


# The owner may change the entries only in these states; an approved sheet is locked.
EDITABLE = (TimesheetStatus.DRAFT, TimesheetStatus.REJECTED)


class Timesheet(VersionedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="timesheets",
    )
    week_start = models.DateField(_("week of"), help_text=_("The Monday the week starts on."))
    status = models.CharField(
        _("status"), max_length=16, choices=TimesheetStatus, default=TimesheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_timesheets",
    )
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    rejection_note = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TimesheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        ordering = ["-week_start", "user", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="resources_timesheet_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.week_start.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("resources:timesheet_detail", args=[self.pk])

    def clean(self) -> None:
        if self.week_start and self.week_start.isoweekday() != 1:
            raise ValidationError({"week_start": _("A week starts on a Monday.")})

    @property
    def days(self) -> list[datetime.date]:
        return [self.week_start + datetime.timedelta(days=n) for n in range(DAYS_PER_WEEK)]

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=DAYS_PER_WEEK - 1)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class TimesheetEntry(models.Model):
    """``minutes`` worked on ``task`` on ``day``. ``cost`` is written once, when the sheet is
    approved (hours × the person's standard rate then), so later rate changes keep history."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="entries")
    task = models.ForeignKey(
        "planning.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="timesheet_entries",
    )
    day = models.DateField(_("day"))
    minutes = models.PositiveIntegerField(
        _("minutes"), default=0, validators=[MaxValueValidator(MINUTES_PER_DAY_MAX)]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    cost = models.DecimalField(
        _("actual cost"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, editable=False)

    class Meta:
        verbose_name = _("timesheet entry")
        verbose_name_plural = _("timesheet entries")
        ordering = ["timesheet", "task", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["timesheet", "task", "day"], name="resources_timesheetentry_once"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=0) & Q(minutes__lte=MINUTES_PER_DAY_MAX),
                name="resources_timesheetentry_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.day.isoformat()} {self.minutes}"
