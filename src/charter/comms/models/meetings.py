"""Meetings with their calendar invitations, minutes and action items."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import validate_time_zone
from charter.comms.querysets import MeetingQuerySet
from charter.core.models import VersionedModel


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(VersionedModel):
    """A meeting of a project, sent to its attendees as an iCalendar invitation. ``uid`` names
    the event in every attendee's calendar for good; ``sequence`` rises with each re-sent
    version, so calendars replace the older one (RFC 5546)."""

    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organizer"),
        on_delete=models.PROTECT,
        related_name="organized_meetings",
    )
    contacts = models.ManyToManyField(
        "crm.Contact", verbose_name=_("client attendees"), blank=True, related_name="meetings"
    )
    colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleagues"),
        blank=True,
        related_name="meetings",
    )
    uid = models.CharField(_("calendar UID"), max_length=255, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="comms_meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("comms:meeting_detail", args=[self.pk])


class ActionItem(models.Model):
    """Something to do that a meeting decided; it may become a task of the project's plan."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items"
    )
    text = models.CharField(_("action item"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    task = models.ForeignKey(
        "planning.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text
