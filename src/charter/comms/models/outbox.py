"""The outbox: every outgoing message, stored before it is sent (charter.comms.outbox)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.comms.models.robots import ChatRobot


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
    occurrence = models.ForeignKey(
        "comms.CommunicationOccurrence",
        verbose_name=_("plan occurrence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    headers = models.JSONField(
        _("extra e-mail headers"), default=dict, blank=True, help_text=_("List-Unsubscribe, say.")
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


class OutboxAttachment(models.Model):
    """A file sent with an outbox e-mail: a copy taken when the message was stored, so the
    message goes out as it was written even if the original file is deleted meanwhile."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=127)
    file = models.FileField(_("file"), upload_to="outbox/%Y/%m/", max_length=255)

    class Meta:
        verbose_name = _("outgoing attachment")
        verbose_name_plural = _("outgoing attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
