"""Chat robots: a group chat's webhook that messages are posted to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from charter.comms.querysets import ChatRobotQuerySet
from charter.core.crypto import EncryptedTextField
from charter.core.models import VersionedModel


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
