"""Working calendars: weekdays and hours, plus dated exceptions (public holidays, 调休 make-up
workdays, company days). The engine indexes a calendar once (``charter.engine.calendar``);
``planning.adapters`` builds that index from these rows."""

from itertools import pairwise

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.planning.choices import ExceptionSource
from charter.planning.querysets import CalendarQuerySet

type Interval = tuple[int, int]  # minutes from midnight, [start, end)


def parse_hours(text: str) -> list[Interval]:
    """``"09:00-12:00, 13:00-18:00"`` → ``[(540, 720), (780, 1080)]``; ValueError when malformed
    or when the intervals overlap or run backwards."""
    intervals = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, sep, end = part.partition("-")
        if not sep:
            raise ValueError(part)
        intervals.append((_minute_of_day(start), _minute_of_day(end)))
    for (s1, e1), (s2, _e2) in pairwise(intervals):
        if not s1 < e1 <= s2:
            raise ValueError(text)
    if intervals and not intervals[-1][0] < intervals[-1][1]:
        raise ValueError(text)
    return intervals


def _minute_of_day(text: str) -> int:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit():
        raise ValueError(text)
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 24 * 60 or int(minutes) >= 60:
        raise ValueError(text)
    return value


class Calendar(VersionedModel):
    """A working calendar. Without a project it is shared: any project may use it."""

    name = models.CharField(_("name"), max_length=120)
    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_calendars",
        help_text=_("Empty: a shared calendar any project can use."),
    )
    working_weekdays = models.CharField(
        _("working weekdays"),
        max_length=7,
        default="01234",
        help_text=_("Weekday numbers, Monday = 0 … Sunday = 6."),
    )
    hours = models.CharField(
        _("working hours"),
        max_length=120,
        default="09:00-12:00,13:00-18:00",
        help_text=_("For example 09:00-12:00,13:00-18:00"),
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=8,
        blank=True,
        default="CN",
        help_text=_("Country whose public holidays (and make-up workdays) are imported."),
    )
    holidays_through = models.PositiveSmallIntegerField(
        _("holiday data up to"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Last year the imported public-holiday data covers."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used by new projects.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CalendarQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:calendar_detail", args=[self.pk])

    @property
    def weekdays(self) -> list[int]:
        return sorted({int(day) for day in self.working_weekdays})

    @property
    def intervals(self) -> list[Interval]:
        return parse_hours(self.hours)


class CalendarException(models.Model):
    """One date that differs from the calendar's week: a day off (holiday) or a working day
    (调休 make-up workday on a weekend, or a company working day with its own hours)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("date"))
    working = models.BooleanField(
        _("working day"), default=False, help_text=_("Off: a day off. On: a working day.")
    )
    hours = models.CharField(
        _("working hours"),
        max_length=120,
        blank=True,
        help_text=_("Only for a working day; empty: the calendar's usual hours."),
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=ExceptionSource, default=ExceptionSource.MANUAL
    )

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["calendar", "day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="planning_exception_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"
