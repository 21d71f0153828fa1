"""Interviews (深度访谈) and focus groups (焦点小组) with their ideas and dot-votes."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.models import VersionedModel
from charter.discovery.models.base import OnProjectOrDeal, created_by_field
from charter.discovery.querysets import OnProjectOrDealQuerySet


class Interview(OnProjectOrDeal, VersionedModel):
    """An in-depth interview; the recording and other files are attachments of it."""

    title = models.CharField(pgettext_lazy("interview", "title"), max_length=200)
    held_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("interviewers"), related_name="+"
    )
    interviewees = models.ManyToManyField(
        "crm.Contact", verbose_name=_("interviewees"), related_name="interviews"
    )
    guide = models.TextField(
        _("interview guide"), blank=True, help_text=_("The questions to ask, one per line.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = created_by_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OnProjectOrDealQuerySet.as_manager()

    charter_history = True
    charter_attachable = True  # the recording, photos of the whiteboard…

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-held_at", "pk"]
        constraints = [*OnProjectOrDeal.Meta.constraints]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discovery:interview_detail", args=[self.pk])


class FocusGroup(OnProjectOrDeal, VersionedModel):
    """A focus-group session: participants bring ideas and spread ``dots_per_participant``
    votes over them."""

    title = models.CharField(pgettext_lazy("focus group", "topic"), max_length=200)
    held_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), related_name="+"
    )
    participants = models.ManyToManyField(
        "crm.Contact", verbose_name=_("participants"), related_name="focus_groups"
    )
    agenda = models.TextField(_("agenda"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    dots_per_participant = models.PositiveSmallIntegerField(
        _("votes per participant"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    created_by = created_by_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OnProjectOrDealQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("focus group")
        verbose_name_plural = _("focus groups")
        ordering = ["-held_at", "pk"]
        constraints = [*OnProjectOrDeal.Meta.constraints]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discovery:focusgroup_detail", args=[self.pk])


class Idea(models.Model):
    focus_group = models.ForeignKey(FocusGroup, on_delete=models.CASCADE, related_name="ideas")
    text = models.CharField(_("idea"), max_length=500)
    proposed_by = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class IdeaVote(models.Model):
    """The dots one participant put on one idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="+")
    dots = models.PositiveSmallIntegerField(_("votes"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "participant"], name="discovery_vote_once_per_idea"
            ),
            models.CheckConstraint(condition=Q(dots__gte=1), name="discovery_vote_dots"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.idea} ({self.dots})"
