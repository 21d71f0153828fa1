"""Findings: record what discovery learned from a source, and turn it into a requirement."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.crm.models import Interaction
from charter.discovery.models import Answer, FocusGroup, Idea, Interview, Question, Requirement
from charter.discovery.models.findings import Finding
from charter.discovery.services.requirements import EDITABLE_FIELDS, create_requirement

FINDING_FIELDS = ("text", "latent_need", "requirement")

ACTION_LABELS.update({"promoted": gettext_lazy("turned into a requirement")})


def source_field(source: models.Model) -> dict[str, models.Model]:
    """The Finding fields that point at ``source`` (an idea also names its focus group)."""
    if isinstance(source, Idea):
        return {"focus_group": source.focus_group, "idea": source}
    for kind, model in (
        ("answer", Answer),
        ("question", Question),
        ("interview", Interview),
        ("focus_group", FocusGroup),
        ("interaction", Interaction),
    ):
        if isinstance(source, model):
            return {kind: source}
    raise TypeError(f"a finding cannot come from {source!r}")


@transaction.atomic
def record_finding(
    parent: models.Model,
    *,
    source: models.Model,
    text: str,
    actor: Any,
    latent_need: bool = False,
) -> Finding:
    """Note a finding of ``parent`` (project or deal) learned from ``source``."""
    field = "project" if parent._meta.model_name == "project" else "opportunity"
    finding = Finding(
        **{field: parent},
        **source_field(source),
        text=(text or "").strip(),
        latent_need=latent_need,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if not finding.text:
        raise ValidationError({"text": _("Write what was learned.")}, code="required")
    finding.full_clean()
    finding.save()
    audit.record_created(finding, ("text", "latent_need", field), actor=actor)
    return finding


@transaction.atomic
def promote_finding(finding: Finding, *, actor: Any, **fields: Any) -> Requirement:
    """Turn a finding into a new requirement of the same parent, linked back to the finding.
    The title defaults to the finding's first line; a latent finding gives a latent need whose
    evidence is the finding. Locks the finding: a finding becomes one requirement only."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.requirement_id:
        raise ValidationError(
            _("This finding already became requirement %(code)s.")
            % {"code": finding.requirement.code},  # type: ignore[union-attr]
            code="promoted",
        )
    first_line = finding.text.strip().splitlines()[0]
    defaults: dict[str, Any] = {"title": first_line[:200], "description": finding.text}
    if finding.latent_need:
        defaults |= {"latent_need": True, "latent_evidence": finding.text}
    values = {**defaults, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS}}
    requirement = create_requirement(finding.parent, actor=actor, **values)
    finding.requirement = requirement
    finding.save(update_fields=["requirement"])
    audit.record(
        finding, "promoted", actor=actor, changes={"requirement": [None, str(requirement)]}
    )
    return requirement
