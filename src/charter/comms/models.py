"""The communication plan. The communication issue makes these items send themselves."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import validate_time_zone
from charter.comms.querysets import ChatRobotQuerySet, MeetingQuerySet
from charter.core.crypto import EncryptedTextField
from charter.core.models import VersionedModel
from charter.crm.choices import Channel


class CommunicationFields(models.Model):
    """What, to whom, how often and how: shared by templates and project plans."""

    content = models.CharField(_("what"), max_length=200)
    audience = models.CharField(_("audience"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=120)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.content


class CommunicationItem(CommunicationFields):
    """One line of a project's communication plan: what, to whom, how often, how, by whom."""

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

    class Meta(CommunicationFields.Meta):
        verbose_name = _("communication plan item")
        verbose_name_plural = _("communication plan items")


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk custom robot")
    FEISHU = "feishu", _("Feishu / Lark custom bot")
    SLACK = "slack", _("Slack incoming webhook")


class ChatRobot(VersionedModel):
    """A group chat's robot that messages are posted to, set up for one project or one client.
    The webhook address (its key is the credential) and the signing secret are encrypted at
    rest and never shown back in full."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=16, choices=RobotKind)
    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_robots",
    )
    client = models.ForeignKey(
        "crm.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_robots",
    )
    webhook_url = EncryptedTextField(_("webhook address"))
    secret = EncryptedTextField(
        _("signing secret"),
        blank=True,
        help_text=_("DingTalk (starts with SEC) and Feishu robots with signing turned on."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_tested_at = models.DateTimeField(_("last tested"), null=True, blank=True, editable=False)
    last_test_ok = models.BooleanField(_("last test passed"), null=True, editable=False)
    last_test_answer = models.TextField(_("last answer"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ChatRobotQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("chat robot")
        verbose_name_plural = _("chat robots")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, client__isnull=True)
                | Q(project__isnull=True, client__isnull=False),
                name="comms_robot_project_or_client",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OutboxChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    ROBOT = "robot", _("Chat robot")


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent out")
    RETRYING = "retrying", _("Waiting to retry")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One outgoing message, rendered and stored before anything is sent (charter.comms.outbox
    sends it). ``key`` names the occurrence it is for, so each occurrence is sent once;
    ``claimed_until`` is the lease of the worker sending it: a worker that dies mid-send lets
    another take the message once the lease has run out."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=OutboxChannel)
    robot = models.ForeignKey(
        ChatRobot,
        verbose_name=_("chat robot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    reply_to = models.EmailField(_("reply to"), blank=True)
    subject = models.TextField(_("subject"))
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    body_markdown = models.TextField(_("Markdown"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    calendar = models.TextField(
        _("calendar"), blank=True, help_text=_("An iCalendar object sent with the e-mail.")
    )
    calendar_method = models.CharField(_("calendar method"), max_length=16, blank=True)
    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    client = models.ForeignKey(
        "crm.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_answer = models.TextField(_("last answer"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="comms_outbox_due"),
            models.Index(fields=["status", "claimed_until"], name="comms_outbox_lease"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel=OutboxChannel.EMAIL) | Q(channel=OutboxChannel.ROBOT),
                name="comms_outbox_channel_known",
            )
        ]

    def __str__(self) -> str:
        return self.subject


# ---- meetings --------------------------------------------------------------------------------


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
