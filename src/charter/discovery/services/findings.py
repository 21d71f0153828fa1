"""Findings: record what discovery learned from a source, and turn it into a requirement."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.crm.models import Interaction, Opportunity
from charter.discovery.models import (
    Answer,
    Campaign,
    FocusGroup,
    Idea,
    Interview,
    Question,
    Questionnaire,
    Requirement,
)
from charter.discovery.models.base import parent_field
from charter.discovery.models.findings import SOURCES, Finding
from charter.discovery.querysets import OnProjectOrDealQuerySet
from charter.discovery.services.requirements import EDITABLE_FIELDS, create_requirement
from charter.planning.models import Project

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
    field = parent_field(parent)
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
    The title defaults to the finding's first line (the description to the whole finding when
    it says more than that); a latent finding gives a latent need whose
    evidence is the finding. Locks the finding: a finding becomes one requirement only."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.requirement_id:
        raise ValidationError(
            _("This finding already became requirement %(code)s.")
            % {"code": finding.requirement.code},  # type: ignore[union-attr]
            code="promoted",
        )
    text = finding.text.strip()
    title = text.splitlines()[0][:200]
    defaults: dict[str, Any] = {"title": title, "description": "" if text == title else text}
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


@transaction.atomic
def promote_source(
    parent: models.Model,
    *,
    source: models.Model,
    text: str,
    actor: Any,
    latent_need: bool = False,
) -> Requirement:
    """The one-click path: record a finding from ``source`` and turn it into a requirement at
    once; either both are written or neither."""
    finding = record_finding(parent, source=source, text=text, actor=actor, latent_need=latent_need)
    return promote_finding(finding, actor=actor)


@transaction.atomic
def update_finding(
    finding: Finding, *, actor: Any, text: str | None = None, latent_need: bool | None = None
) -> Finding:
    """Reword a finding or change its latent-need flag (its source never changes)."""
    before = audit.snapshot(finding, ("text", "latent_need"))
    if text is not None:
        finding.text = text.strip()
    if latent_need is not None:
        finding.latent_need = latent_need
    if not finding.text:
        raise ValidationError({"text": _("Write what was learned.")}, code="required")
    finding.full_clean()
    finding.save(update_fields=["text", "latent_need"])
    if changed := audit.diff(before, audit.snapshot(finding, ("text", "latent_need"))):
        audit.record(finding, "updated", actor=actor, changes=changed)
    return finding


@transaction.atomic
def link_finding(finding: Finding, *, actor: Any, requirement: Requirement) -> Finding:
    """Let a finding back an existing requirement of the same project or deal. Locks the
    finding; refused when it already backs one."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.requirement_id:
        raise ValidationError(
            _("This finding already backs requirement %(code)s.")
            % {"code": finding.requirement.code},  # type: ignore[union-attr]
            code="promoted",
        )
    if (requirement.project_id, requirement.opportunity_id) != (
        finding.project_id,
        finding.opportunity_id,
    ):
        raise ValidationError(
            {"requirement": _("Choose a requirement of the same project or opportunity.")}
        )
    finding.requirement = requirement
    finding.save(update_fields=["requirement"])
    audit.record(finding, "updated", actor=actor, changes={"requirement": [None, str(requirement)]})
    return finding


# ---- reading: which source the user means, and the findings list ---------------------------

SOURCE_KINDS = ("answer", "question", "interview", "focus_group", "idea", "interaction")


def _visible_parent(user: Any, kind: str, pk: Any) -> models.Model:
    model: Any = {"project": Project, "opportunity": Opportunity}.get(kind)
    if model is None:
        raise ValidationError(
            {"parent_kind": _("Say whether the finding is about a project or an opportunity.")}
        )
    parent = model.objects.for_user(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if parent is None:
        raise Http404
    return parent


def _visible(rows: models.QuerySet, pk: Any) -> Any:
    row = rows.filter(pk=pk).first() if str(pk).isdigit() else None
    if row is None:
        raise Http404
    return row


def resolve_source(
    user: Any,
    kind: str,
    source_id: Any,
    *,
    parent_kind: str = "",
    parent_id: Any = None,
) -> tuple[models.Model, models.Model]:
    """(parent, source) for a finding the user is about to record, read through the user's
    visible rows: Http404 for a source (or parent) the user may not see, ValidationError for a
    request that cannot name a parent.

    An answer belongs to its campaign's parent; an interview, focus group or idea to theirs; a
    question lives in the shared library, so its parent is given (``parent_kind``/``parent_id``)
    and must have sent its questionnaire; an interaction belongs to its project, else its deal.
    """
    if kind == "answer":
        campaigns = Campaign.objects.for_user(user).values("pk")
        answer = _visible(
            Answer.objects.filter(response__invitation__campaign__in=campaigns).select_related(
                "question", "response__invitation__campaign"
            ),
            source_id,
        )
        return answer.response.invitation.campaign.parent, answer
    if kind in ("interview", "focus_group"):
        model: Any = Interview if kind == "interview" else FocusGroup
        session = _visible(model.objects.for_user(user, "view"), source_id)
        return session.parent, session
    if kind == "idea":
        groups = FocusGroup.objects.for_user(user).values("pk")
        idea = _visible(
            Idea.objects.filter(focus_group__in=groups).select_related("focus_group"), source_id
        )
        return idea.focus_group.parent, idea
    if kind == "question":
        return _question_source(user, source_id, parent_kind, parent_id)
    if kind == "interaction":
        return _interaction_source(user, source_id)
    raise ValidationError(
        {"source": _("Choose the source: %(kinds)s.") % {"kinds": ", ".join(SOURCE_KINDS)}}
    )


def _question_source(
    user: Any, source_id: Any, parent_kind: str, parent_id: Any
) -> tuple[models.Model, models.Model]:
    questionnaires = Questionnaire.objects.for_user(user).values("pk")
    question = _visible(Question.objects.filter(questionnaire__in=questionnaires), source_id)
    if not parent_kind or parent_id in (None, ""):
        raise ValidationError(
            {
                "parent_kind": _(
                    "A question's results belong to the project or opportunity that ran the "
                    "questionnaire: send parent_kind and parent_id."
                )
            }
        )
    parent = _visible_parent(user, parent_kind, parent_id)
    field = parent_field(parent)
    if not Campaign.objects.filter(
        **{field: parent}, questionnaire=question.questionnaire_id
    ).exists():
        raise ValidationError(
            {
                "source_id": _("This questionnaire was never sent for %(parent)s.")
                % {"parent": parent}
            }
        )
    return parent, question


def _interaction_source(user: Any, source_id: Any) -> tuple[models.Model, models.Model]:
    interaction = _visible(Interaction.objects.for_user(user), source_id)
    if interaction.project_id:
        return _visible_parent(user, "project", interaction.project_id), interaction
    if interaction.opportunity_id:
        return _visible_parent(user, "opportunity", interaction.opportunity_id), interaction
    raise ValidationError(
        _(
            "This interaction is about neither a project nor an opportunity, so its finding "
            "would belong nowhere. Link the interaction to an opportunity first."
        ),
        code="no_parent",
    )


def filter_findings(
    rows: OnProjectOrDealQuerySet,
    *,
    source: str = "",
    promoted: bool | None = None,
    latent: bool | None = None,
) -> OnProjectOrDealQuerySet:
    """Narrow by source kind (``idea``: findings from one idea of a focus group), promoted or
    not, latent or not; rows carry their source chain and requirement (a fixed query count)."""
    if source == "idea":
        rows = rows.filter(idea__isnull=False)
    elif source in SOURCES:
        rows = rows.filter(**{f"{source}__isnull": False})
    if promoted is not None:
        rows = rows.filter(requirement__isnull=not promoted)
    if latent is not None:
        rows = rows.filter(latent_need=latent)
    return rows.select_related(
        "answer__question",
        "answer__response__invitation__campaign",
        "question",
        "interview",
        "focus_group",
        "idea",
        "interaction",
        "requirement",
    )
