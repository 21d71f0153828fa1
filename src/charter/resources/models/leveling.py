"""A leveling proposal: what resource leveling would change in a plan, computed in the
background, shown to the user, then applied (one audited transaction) or discarded."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.resources.choices import LevelingMode, ProposalStatus
from charter.resources.querysets import LevelingProposalQuerySet


class LevelingProposal(models.Model):
    """``options``: scope, time_limit (seconds), date_from and date_to (ISO dates or null).
    ``result``: what the run found (moves with their dates before and after, unplaced tasks
    with reasons, the finish before and after, over-allocations before and after).
    ``plan_fingerprint`` is a digest of the plans the run read: applying refuses when it no
    longer matches, so a proposal is never applied to a plan changed since."""

    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="leveling_proposals",
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=LevelingMode, default=LevelingMode.FAST
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus, default=ProposalStatus.RUNNING
    )
    progress = models.FloatField(_("progress"), default=0.0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    plan_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = LevelingProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("leveling proposal")
        verbose_name_plural = _("leveling proposals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                name="resources_leveling_progress",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("resources:leveling_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """Running or ready: not yet decided."""
        return self.status in (ProposalStatus.RUNNING, ProposalStatus.READY)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)
