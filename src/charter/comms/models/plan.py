"""The communication plan: items that send themselves on a schedule, their occurrences, the
message templates they are written with, and the contacts who asked for fewer messages."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.accounts.models import validate_time_zone
from charter.comms.models.meetings import Meeting
from charter.comms.models.robots import ChatRobot
from charter.comms.querysets import CommunicationItemQuerySet, MessageTemplateQuerySet
from charter.core.models import VersionedModel
from charter.crm.choices import Channel
from charter.engine.recurrence import Shift


class CommunicationKind(models.TextChoices):
    STATUS_REPORT = "status_report", _("Status report")
    MEETING = "meeting", _("Meeting")
    MILESTONE_NOTICE = "milestone_notice", _("Milestone notice")
    SURVEY = "survey", _("Survey")
    CUSTOM = "custom", _("Custom message")


class ShiftChoice(models.TextChoices):
    NEXT = Shift.NEXT.value, _("Move to the next working day")
    PREVIOUS = Shift.PREVIOUS.value, _("Move to the previous working day")
    SKIP = Shift.SKIP.value, _("Skip that time")
    KEEP = Shift.KEEP.value, _("Send on the day off all the same")


class CommunicationFields(models.Model):
    """What, to whom, how often and how: shared by templates and project plans."""

    kind = models.CharField(
        _("type"), max_length=20, choices=CommunicationKind, default=CommunicationKind.CUSTOM
    )
    content = models.CharField(_("what"), max_length=200)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    frequency = models.CharField(
        _("frequency in words"),
        max_length=120,
        blank=True,
        help_text=_("How people say it, e.g. “every Friday”; the rule decides the dates."),
    )
    rule = models.CharField(
        _("recurrence rule"),
        max_length=500,
        blank=True,
        help_text=_(
            "An iCalendar RRULE such as FREQ=WEEKLY;BYDAY=MO (every Monday) or "
            "FREQ=MONTHLY;BYMONTHDAY=-1 (the last day of each month); empty: once."
        ),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.content


class MessageTemplate(VersionedModel):
    """The words of a communication, in Chinese and English, with ``{{ variables }}`` filled
    in when it is sent (charter.comms.templating lists them). Each type has one default."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=20, choices=CommunicationKind)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("text (English)"))
    is_default = models.BooleanField(
        _("default for its type"),
        default=False,
        help_text=_("Plan items of this type without a template of their own use it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MessageTemplateQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_default=True), name="comms_one_default_template"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CommunicationItem(CommunicationFields, VersionedModel):
    """One line of a project's communication plan. Its occurrences fall on the rule's dates
    (moved off the project calendar's days off as ``shift`` says) at ``send_time``; the
    scheduler (charter.comms.scheduler) sends each once. ``next_*`` is the scheduler's cursor:
    the next occurrence and when to act on it, null once the item has no more."""

    project = models.ForeignKey(
        "planning.Project", on_delete=models.CASCADE, related_name="communications"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    template = models.ForeignKey(
        MessageTemplate,
        verbose_name=_("message template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        help_text=_("Empty: the default template of the item's type."),
    )
    contacts = models.ManyToManyField(
        "crm.Contact",
        verbose_name=_("client contacts"),
        blank=True,
        related_name="communication_items",
    )
    colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("colleagues"), blank=True, related_name="+"
    )
    robot = models.ForeignKey(
        ChatRobot,
        verbose_name=_("chat robot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communication_items",
        help_text=_("The group chat a WeCom, DingTalk, Feishu or Slack item posts to."),
    )
    campaign = models.ForeignKey(
        "discovery.Campaign",
        verbose_name=_("questionnaire campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communication_items",
        help_text=_("A survey item sends this campaign, then reminds those who have not answered."),
    )
    starts_on = models.DateField(_("first date"), default=datetime.date.today)
    ends_on = models.DateField(_("last date"), null=True, blank=True)
    send_time = models.TimeField(_("time of day"), default=datetime.time(9, 0))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    shift = models.CharField(
        _("on a day off"), max_length=10, choices=ShiftChoice, default=ShiftChoice.NEXT
    )
    meeting_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=60)
    location = models.CharField(_("meeting place or video link"), max_length=500, blank=True)
    is_active = models.BooleanField(
        _("sending"),
        default=True,
        help_text=_("Off: the item stays in the plan and sends nothing."),
    )
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    essential = models.BooleanField(
        _("essential"),
        default=False,
        help_text=_("Essential messages reach contacts who unsubscribed from the others."),
    )
    next_nominal_on = models.DateField(null=True, blank=True, editable=False)
    next_on = models.DateField(_("next date"), null=True, blank=True, editable=False)
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = CommunicationItemQuerySet.as_manager()

    charter_history = True
    charter_attachable = True  # files sent with each of its e-mails

    class Meta(CommunicationFields.Meta):
        verbose_name = _("communication plan item")
        verbose_name_plural = _("communication plan items")
        indexes = [
            models.Index(
                fields=["next_due_at"],
                condition=Q(is_active=True, next_due_at__isnull=False),
                name="comms_item_due",
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("comms:communication_detail", args=[self.pk])


class OccurrenceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SKIPPED = "skipped", _("Skipped")
    SENT = "sent", pgettext_lazy("occurrence", "Sent")
    MISSED = "missed", _("Missed")


class CommunicationOccurrence(VersionedModel):
    """One time a plan item is due. Rows exist for occurrences someone acted on (edited,
    skipped, sent now) and for every one the scheduler handled; ``(item, nominal_on)`` is
    unique, so however many schedulers run, each occurrence is handled once."""

    item = models.ForeignKey(
        CommunicationItem, on_delete=models.CASCADE, related_name="occurrences"
    )
    nominal_on = models.DateField(_("rule date"))
    on = models.DateField(_("date"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=OccurrenceStatus, default=OccurrenceStatus.PLANNED
    )
    subject = models.CharField(
        _("subject"), max_length=200, blank=True, help_text=_("Empty: the template's.")
    )
    body = models.TextField(_("text"), blank=True, help_text=_("Empty: the template's."))
    outcome = models.TextField(_("what happened"), blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acted_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("communication occurrence")
        verbose_name_plural = _("communication occurrences")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "nominal_on"], name="comms_occurrence_once")
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.on}"


class OptOutSource(models.TextChoices):
    LINK = "link", _("Unsubscribe link")
    STAFF = "staff", _("Recorded by the team")


class ContactOptOut(models.Model):
    """A contact who wants no non-essential messages (status reports, notices) any more."""

    contact = models.OneToOneField(
        "crm.Contact", on_delete=models.CASCADE, related_name="comms_opt_out"
    )
    opted_out_at = models.DateTimeField(_("unsubscribed"), default=timezone.now)
    source = models.CharField(_("how"), max_length=8, choices=OptOutSource)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("unsubscribed contact")
        verbose_name_plural = _("unsubscribed contacts")

    def __str__(self) -> str:
        return str(self.contact)
