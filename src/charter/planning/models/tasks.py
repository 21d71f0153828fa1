"""The plan: a tree of tasks (summary tasks, work, milestones) with dependencies. Services keep
``wbs``, ``outline_level``, ``position`` and ``is_summary`` true after every change to the tree;
scheduling (``planning.adapters``) writes the computed dates."""

import datetime
import itertools
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.planning.choices import DependencyType, TaskConstraint
from charter.planning.models.base import Ordered
from charter.planning.querysets import TaskQuerySet

MINUTES_PER_DAY = 480  # the working day durations are shown in, as MS Project's default


def days_of(minutes: int) -> Decimal:
    """Working minutes as working days to two decimals, without trailing zeros (2, 2.5, 10)."""
    days = (Decimal(minutes) / MINUTES_PER_DAY).quantize(Decimal("0.01"))
    return days.quantize(Decimal(1)) if days == days.to_integral_value() else days.normalize()


def percent_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("% complete"),
        default=0,
        validators=[MaxValueValidator(100)],
    )


class Task(Ordered, VersionedModel):
    """A WBS element. ``order`` is the place among its siblings; ``position`` the place in the
    whole plan (pre-order), which is how the plan is listed and paged."""

    project = models.ForeignKey("planning.Project", on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("summary task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("task"), max_length=200)
    wbs = models.CharField(_("WBS"), max_length=64, editable=False, blank=True)
    outline_level = models.PositiveSmallIntegerField(_("outline level"), default=1, editable=False)
    position = models.PositiveIntegerField(default=0, editable=False)
    is_summary = models.BooleanField(_("summary task"), default=False, editable=False)
    is_milestone = models.BooleanField(_("milestone"), default=False)
    duration = models.PositiveIntegerField(
        _("duration"), default=MINUTES_PER_DAY, help_text=_("Working minutes.")
    )
    effort_hours = models.DecimalField(
        _("effort (hours)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=500, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_tasks",
    )
    percent_complete = percent_field()
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateTimeField(_("actual finish"), null=True, blank=True)
    constraint_type = models.CharField(
        _("constraint"), max_length=4, choices=TaskConstraint, default=TaskConstraint.ASAP
    )
    constraint_date = models.DateTimeField(_("constraint date"), null=True, blank=True)
    calendar = models.ForeignKey(
        "planning.Calendar",
        verbose_name=_("task calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        help_text=_("Empty: the project calendar."),
    )
    deliverable = models.CharField(
        _("deliverable"), max_length=200, blank=True, help_text=_("What this task hands over.")
    )
    cost = models.DecimalField(
        _("fixed cost"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    notes = models.TextField(_("notes"), blank=True)
    client_visible = models.BooleanField(
        _("visible to the client"), default=False, help_text=_("Shown in the client portal.")
    )
    external_uid = models.PositiveIntegerField(
        _("MS Project UID"), null=True, blank=True, editable=False
    )
    pauses = models.JSONField(
        _("splits"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "Where the work stops and for how long: [work done before, pause] in working "
            "minutes of the task's calendar. Leveling, an MS Project import or the API write "
            "them; they move with the task."
        ),
    )
    # Written by scheduling; never edited by hand.
    start = models.DateTimeField(_("start"), null=True, blank=True, editable=False)
    finish = models.DateTimeField(_("finish"), null=True, blank=True, editable=False)
    late_start = models.DateTimeField(_("late start"), null=True, blank=True, editable=False)
    late_finish = models.DateTimeField(_("late finish"), null=True, blank=True, editable=False)
    total_float = models.IntegerField(_("total float"), null=True, blank=True, editable=False)
    free_float = models.IntegerField(_("free float"), null=True, blank=True, editable=False)
    is_critical = models.BooleanField(_("critical"), default=False, editable=False)
    constraint_violated = models.BooleanField(
        _("constraint not met"), default=False, editable=False
    )
    segments = models.JSONField(
        _("segments"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("A split task's runs of work: [start, finish] pairs (ISO 8601)."),
    )

    objects = TaskQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["project", "position"], name="planning_task_position")]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100), name="planning_task_percent"
            ),
            models.CheckConstraint(
                condition=Q(actual_finish__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_finish__gte=F("actual_start")),
                name="planning_task_actuals_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wbs} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("planning:task_detail", args=[self.pk])

    @property
    def duration_in_days(self) -> Decimal:
        return days_of(self.duration)

    @property
    def segment_moments(self) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """A split task's runs of work as aware datetimes; empty when it is not split."""
        return [
            (datetime.datetime.fromisoformat(start), datetime.datetime.fromisoformat(finish))
            for start, finish in self.segments
        ]

    @property
    def gaps(self) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The pauses between a split task's segments, as aware datetimes."""
        moments = self.segment_moments
        return [(before[1], after[0]) for before, after in itertools.pairwise(moments)]


class Dependency(models.Model):
    """``successor`` depends on ``predecessor``: FS, SS, FF or SF, with a lag (negative: lead)."""

    project = models.ForeignKey(
        "planning.Project", on_delete=models.CASCADE, related_name="dependencies"
    )
    predecessor = models.ForeignKey(
        Task,
        verbose_name=_("predecessor"),
        on_delete=models.CASCADE,
        related_name="successor_links",
    )
    successor = models.ForeignKey(
        Task,
        verbose_name=_("successor"),
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    type = models.CharField(
        _("type"), max_length=2, choices=DependencyType, default=DependencyType.FS
    )
    lag = models.IntegerField(
        _("lag"), default=0, help_text=_("Working minutes; negative is a lead.")
    )

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="planning_dependency_once"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="planning_dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} {self.type}"
