"""Requirements: create, edit (versioned), and carry a deal's requirements into its project."""

from typing import Any

from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.crm.models import Opportunity
from charter.discovery.models import Requirement, requirement_code
from charter.planning.models import Project

EDITABLE_FIELDS = (
    "title",
    "description",
    "type",
    "priority",
    "value",
    "effort",
    "latent_need",
    "latent_evidence",
    "acceptance_criteria",
    "status",
    "owner",
    "client_visible",
)
AUDITED_FIELDS = ("code", "project", "opportunity", *EDITABLE_FIELDS)

ACTION_LABELS.update(
    {
        "status_changed": gettext_lazy("changed the status of"),
        "carried_over": gettext_lazy("carried into the project"),
    }
)


def _parent_field(parent: models.Model) -> str:
    if isinstance(parent, Project):
        return "project"
    if isinstance(parent, Opportunity):
        return "opportunity"
    raise TypeError(f"a requirement belongs to a project or an opportunity, not {parent!r}")


def _lock(parent: models.Model) -> None:
    """SELECT … FOR UPDATE on the parent row: numbering within it is serialised."""
    type(parent)._default_manager.select_for_update().filter(pk=parent.pk).values("pk").get()


def _next_number(field: str, parent: models.Model) -> int:
    used = Requirement.objects.filter(**{field: parent}).aggregate(top=Max("number"))["top"]
    return (used or 0) + 1


@transaction.atomic
def create_requirement(parent: models.Model, *, actor: Any, **fields: Any) -> Requirement:
    """Add a requirement to a project or an opportunity, coded REQ-<next number> within it.

    Locks the parent row (SELECT … FOR UPDATE) so concurrent creates never take one code.
    Raises ValidationError (nothing written) for invalid values.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    field = _parent_field(parent)
    _lock(parent)
    number = _next_number(field, parent)
    requirement = Requirement(
        **{field: parent},
        **fields,
        number=number,
        code=requirement_code(number),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    requirement.title = (requirement.title or "").strip()
    requirement.full_clean()
    requirement.save()
    audit.record_created(requirement, AUDITED_FIELDS, actor=actor)
    return requirement


@transaction.atomic
def update_requirement(
    requirement: Requirement, *, actor: Any, expected_version: int, **changes: Any
) -> Requirement:
    """Change a requirement's fields; audited as a field diff ("status_changed" when only the
    status moved). Raises StaleEdit (nothing written) if saved by someone since
    ``expected_version``, ValidationError for invalid values."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = audit.snapshot(requirement, EDITABLE_FIELDS)
    for name, value in changes.items():
        setattr(requirement, name, value)
    requirement.title = (requirement.title or "").strip()
    requirement.full_clean()
    update_versioned(requirement, expected_version=expected_version, fields=changes or ["title"])
    changed = audit.diff(before, audit.snapshot(requirement, EDITABLE_FIELDS))
    if changed:
        action = "status_changed" if set(changed) == {"status"} else "updated"
        audit.record(requirement, action, actor=actor, changes=changed)
    return requirement


def carry_requirements(deal: Opportunity, project: Project, *, actor: Any) -> list[str]:
    """Move the deal's requirements to ``project``, keeping their codes; a code the project
    already has gets the next free number instead. Call inside the conversion's transaction
    (the deal's row is locked there); returns the codes the requirements have now."""
    rows = list(
        Requirement.objects.select_for_update().filter(opportunity=deal).order_by("number", "pk")
    )
    if not rows:
        return []
    _lock(project)
    taken = set(Requirement.objects.filter(project=project).values_list("number", flat=True))
    free = max(taken | {row.number for row in rows}, default=0) + 1
    now = timezone.now()
    for row in rows:
        before = {"code": row.code, "project": None, "opportunity": str(deal)}
        if row.number in taken:
            row.number, free = free, free + 1
            row.code = requirement_code(row.number)
        taken.add(row.number)
        row.project, row.opportunity = project, None
        after = {"code": row.code, "project": str(project), "opportunity": None}
        audit.record(row, "carried_over", actor=actor, changes=audit.diff(before, after))
    for row in rows:
        Requirement.objects.filter(pk=row.pk).update(
            project=project,
            opportunity=None,
            number=row.number,
            code=row.code,
            version=F("version") + 1,
            updated_at=now,
        )
    return [row.code for row in rows]
