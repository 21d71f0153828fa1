"""Requirements: what the client needs, on a deal (pre-sales) or a project."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.models import VersionedModel
from charter.discovery.choices import Priority, RequirementStatus, RequirementType
from charter.discovery.models.base import OnProjectOrDeal, created_by_field
from charter.discovery.querysets import RequirementQuerySet

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Requirement(OnProjectOrDeal, VersionedModel):
    """A requirement of exactly one project or one opportunity, coded REQ-001… within it."""

    number = models.PositiveIntegerField(_("number"), editable=False)
    code = models.CharField(_("code"), max_length=16, editable=False)
    title = models.CharField(pgettext_lazy("requirement", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(
        _("type"), max_length=16, choices=RequirementType, default=RequirementType.FUNCTIONAL
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority, default=Priority.SHOULD
    )
    value = models.PositiveSmallIntegerField(_("value"), default=3, validators=SCORE)
    effort = models.PositiveSmallIntegerField(_("effort"), default=3, validators=SCORE)
    latent_need = models.BooleanField(
        _("latent need"), default=False, help_text=_("A need the client did not say out loud.")
    )
    latent_evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What shows the latent need.")
    )
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequirementStatus, default=RequirementStatus.PROPOSED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    tasks = models.ManyToManyField(
        "planning.Task",
        verbose_name=_("tasks"),
        blank=True,
        related_name="requirements",
        help_text=_("The plan tasks that deliver this requirement."),
    )
    created_by = created_by_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RequirementQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["number", "pk"]
        constraints = [
            *OnProjectOrDeal.Meta.constraints,
            models.CheckConstraint(
                condition=Q(latent_need=False) | ~Q(latent_evidence=""),
                name="discovery_requirement_latent_evidence",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5, effort__gte=1, effort__lte=5),
                name="discovery_requirement_scores",
            ),
            models.UniqueConstraint(
                fields=["project", "code"], name="discovery_requirement_code_per_project"
            ),
            models.UniqueConstraint(
                fields=["opportunity", "code"], name="discovery_requirement_code_per_opportunity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("discovery:requirement_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.latent_need and not (self.latent_evidence or "").strip():
            raise ValidationError(
                {"latent_evidence": _("Say what shows the latent need.")}, code="evidence"
            )


def requirement_code(number: int) -> str:
    return f"REQ-{number:03d}"


class RequirementComment(models.Model):
    """A colleague's remark on a requirement; comments are kept, never edited."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="discovery_comment_body")]

    def __str__(self) -> str:
        return self.body[:80]
