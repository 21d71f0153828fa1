"""Discovery started on a deal moves into its project at conversion."""

from typing import Any

from django.db.models import F
from django.utils import timezone

from charter.core.models import VersionedModel
from charter.crm.models import Opportunity
from charter.discovery.models import (
    Campaign,
    Finding,
    FocusGroup,
    Interview,
    RequirementsDocument,
)
from charter.discovery.services.requirements import carry_requirements
from charter.planning.models import Project

CARRIED = (Campaign, Interview, FocusGroup, Finding)


def carry_discovery(deal: Opportunity, project: Project, *, actor: Any) -> dict[str, Any]:
    """Move the deal's requirements (keeping their codes), campaigns, interviews, focus groups,
    findings and requirements document to ``project``. Call inside the conversion's transaction
    (the deal's row is locked there). A project that already has a document keeps its own and
    the deal keeps its one. Returns what moved, for the conversion's audit summary."""
    moved: dict[str, Any] = {"requirements": carry_requirements(deal, project, actor=actor)}
    for model in (*CARRIED, RequirementsDocument):
        rows = model._default_manager.filter(opportunity=deal)
        if (
            model is RequirementsDocument
            and RequirementsDocument.objects.filter(project=project).exists()
        ):
            continue
        changes: dict[str, Any] = {"project": project, "opportunity": None}
        if issubclass(model, VersionedModel):
            changes |= {"version": F("version") + 1, "updated_at": timezone.now()}
        count = rows.update(**changes)
        if count:
            moved[str(model._meta.model_name)] = count
    return moved
