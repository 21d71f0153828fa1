"""Findings: what discovery learned, from exactly one source, on its way to a requirement."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.discovery.models.base import OnProjectOrDeal, created_by_field
from charter.discovery.querysets import OnProjectOrDealQuerySet

SOURCES = ("answer", "question", "interview", "focus_group", "interaction")
SOURCE_LABELS = {
    "answer": _("Questionnaire answer"),
    "question": _("Questionnaire results"),
    "interview": _("Interview"),
    "focus_group": _("Focus group"),
    "interaction": _("Interaction"),
}


def _exactly_one_source() -> Q:
    condition = Q()
    for chosen in SOURCES:
        condition |= Q(
            **{f"{name}__isnull": name != chosen for name in SOURCES},
        )
    return condition


class Finding(OnProjectOrDeal):
    """One thing learned. Its source is an answer, a question's results (e.g. a Kano row), an
    interview, a focus group (optionally one idea of it) or a CRM interaction. Turning it into
    a requirement sets ``requirement``; several findings may back one requirement."""

    text = models.TextField(_("finding"))
    latent_need = models.BooleanField(_("latent need"), default=False)
    answer = models.ForeignKey(
        "discovery.Answer", null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    question = models.ForeignKey(
        "discovery.Question",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    interview = models.ForeignKey(
        "discovery.Interview",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    focus_group = models.ForeignKey(
        "discovery.FocusGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    idea = models.ForeignKey(
        "discovery.Idea", null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    interaction = models.ForeignKey(
        "crm.Interaction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    requirement = models.ForeignKey(
        "discovery.Requirement",
        verbose_name=_("requirement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    created_by = created_by_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OnProjectOrDealQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "pk"]
        constraints = [
            *OnProjectOrDeal.Meta.constraints,
            models.CheckConstraint(
                condition=_exactly_one_source(), name="discovery_finding_source"
            ),
            models.CheckConstraint(
                condition=Q(idea__isnull=True) | Q(focus_group__isnull=False),
                name="discovery_finding_idea_in_group",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="discovery_finding_text"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def source_kind(self) -> str:
        return next(name for name in SOURCES if getattr(self, f"{name}_id"))

    @property
    def source(self) -> models.Model:
        return getattr(self, self.source_kind)  # type: ignore[no-any-return]

    @property
    def source_label(self) -> str:
        """ "Interview · 访谈：财务总监", for lists and the traceability matrix."""
        return f"{SOURCE_LABELS[self.source_kind]} · {self.source}"

    @property
    def source_url(self) -> str:
        source = self.source
        if self.answer_id:
            campaign = self.answer.response.invitation.campaign  # type: ignore[union-attr]
            return reverse("discovery:campaign_results", args=[campaign.pk])
        if self.question_id:
            return reverse("discovery:questionnaire_detail", args=[source.questionnaire_id])  # type: ignore[attr-defined]
        if self.interaction_id:
            return reverse("crm:interaction_edit", args=[source.pk])
        return source.get_absolute_url()  # type: ignore[attr-defined,no-any-return]
