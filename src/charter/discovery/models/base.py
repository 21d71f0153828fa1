"""What every discovery record shares: it belongs to exactly one project or one deal."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OnProjectOrDeal(models.Model):
    """Discovery starts on a deal (pre-sales) and moves into its project at conversion."""

    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )
    opportunity = models.ForeignKey(
        "crm.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, opportunity__isnull=True)
                | Q(project__isnull=True, opportunity__isnull=False),
                name="%(app_label)s_%(class)s_one_parent",
            ),
        ]

    @property
    def parent(self) -> models.Model:
        return self.project or self.opportunity  # type: ignore[return-value]

    @property
    def parent_kind(self) -> str:
        return "project" if self.project_id else "opportunity"


def created_by_field() -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
