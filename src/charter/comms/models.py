"""The communication plan. The communication issue makes these items send themselves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
