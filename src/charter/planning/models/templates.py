"""Project templates: what a new project starts with."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.comms.models import CommunicationFields
from charter.core.models import VersionedModel
from charter.planning.models.base import (
    ChecklistFields,
    Ordered,
    PhaseFields,
    RiskFields,
    TaskFields,
)
from charter.planning.querysets import ProjectTemplateQuerySet


class ProjectTemplate(VersionedModel):
    """What a new project starts with: phases, standard tasks, communication, risks, kickoff."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="zh-hans",
        help_text=_("The language its phases, tasks and texts are written in."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used when a won deal converts automatically.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProjectTemplateQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("project template")
        verbose_name_plural = _("project templates")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:template_detail", args=[self.pk])


class TemplatePhase(PhaseFields):
    template = models.ForeignKey(ProjectTemplate, on_delete=models.CASCADE, related_name="phases")


class TemplateTask(TaskFields):
    phase = models.ForeignKey(TemplatePhase, on_delete=models.CASCADE, related_name="tasks")


class TemplateCommunication(CommunicationFields):
    template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="communications"
    )


class TemplateRisk(Ordered, RiskFields):  # Ordered first: its Meta (ordering) is inherited
    template = models.ForeignKey(ProjectTemplate, on_delete=models.CASCADE, related_name="risks")


class TemplateChecklistItem(ChecklistFields):
    template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="checklist"
    )
