"""Questionnaires (问卷调查): a library of questionnaires and templates, campaigns that send
one to chosen contacts of a project or deal, each with a personal link, and their answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.models import VersionedModel
from charter.discovery.choices import CampaignStatus, QuestionKind
from charter.discovery.models.base import OnProjectOrDeal, PersonalLink, created_by_field
from charter.discovery.querysets import OnProjectOrDealQuerySet, QuestionnaireQuerySet


class Questionnaire(VersionedModel):
    """A questionnaire, or (``is_template``) a reusable one that new questionnaires copy."""

    title = models.CharField(pgettext_lazy("questionnaire", "title"), max_length=200)
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown to the respondent above the questions.")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_template = models.BooleanField(_("template"), default=False)
    created_by = created_by_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-is_template", "title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discovery:questionnaire_detail", args=[self.pk])


class QuestionSection(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(pgettext_lazy("section", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question. ``options`` lists the choices (single, multiple, ranking). A Kano pair asks
    about ``kano_feature`` twice: ``text`` is the functional question (the feature is there),
    ``dysfunctional_text`` the dysfunctional one (it is not). A question that already has answers
    is archived instead of deleted, so results keep them."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        QuestionSection,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=16, choices=QuestionKind)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True)
    allow_other = models.BooleanField(_("allow “other”"), default=False)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    kano_feature = models.CharField(_("feature"), max_length=200, blank=True)
    dysfunctional_text = models.CharField(_("dysfunctional question"), max_length=500, blank=True)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=QuestionKind.KANO)
                | (~Q(kano_feature="") & ~Q(dysfunctional_text="")),
                name="discovery_question_kano_pair",
            ),
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max")),
                name="discovery_question_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Campaign(OnProjectOrDeal, VersionedModel):
    """One sending of a questionnaire to chosen contacts of a project or a deal."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    name = models.CharField(_("name"), max_length=200)
    message = models.TextField(
        _("message"), blank=True, help_text=_("Sent with each personal link.")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CampaignStatus, default=CampaignStatus.DRAFT
    )
    expires_at = models.DateTimeField(_("links expire"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_by = created_by_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OnProjectOrDealQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("questionnaire campaign")
        verbose_name_plural = _("questionnaire campaigns")
        ordering = ["-created_at", "pk"]
        constraints = [*OnProjectOrDeal.Meta.constraints]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("discovery:campaign_detail", args=[self.pk])


class Invitation(PersonalLink):
    """A contact's personal link to a campaign; it works until ``expires_at`` and takes one
    response."""

    link_purpose = "respond"
    url_name = "discovery:respond"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(
        "crm.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact"], name="discovery_invitation_once_per_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.contact}"


class Response(models.Model):
    """The one response an invitation takes: saved as the respondent goes, final once
    ``submitted_at`` is set."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    saved_at = models.DateTimeField(_("saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return str(self.invitation)


class Answer(models.Model):
    """One answer; ``value`` by kind: text → str, single → str, multiple → [str], rating/nps →
    int, ranking → [str] best first, date → "YYYY-MM-DD", kano → {"functional": KanoAnswer,
    "dysfunctional": KanoAnswer}. ``other_text`` holds a written-in "other" choice."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(_("answer"), null=True, blank=True)
    other_text = models.CharField(_("other"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="discovery_answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"
