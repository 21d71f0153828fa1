"""Requirements: create, edit (versioned) one or many, comment, link plan tasks, and carry a
deal's requirements into its project."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import StaleEdit, lock_row, update_versioned
from charter.core.numbering import next_number
from charter.crm.models import Opportunity
from charter.discovery.models import Requirement, RequirementComment, requirement_code
from charter.discovery.models.base import parent_field
from charter.planning.models import Project, Task

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
BULK_FIELDS = ("status", "priority", "owner", "type", "client_visible")

ACTION_LABELS.update(
    {
        "status_changed": gettext_lazy("changed the status of"),
        "carried_over": gettext_lazy("carried into the project"),
        "commented": gettext_lazy("commented on"),
        "tasks_linked": gettext_lazy("changed the plan tasks of"),
    }
)


@transaction.atomic
def create_requirement(parent: models.Model, *, actor: Any, **fields: Any) -> Requirement:
    """Add a requirement to a project or an opportunity, coded REQ-<next number> within it.

    Locks the parent row (SELECT … FOR UPDATE) so concurrent creates never take one code.
    Raises ValidationError (nothing written) for invalid values.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    field = parent_field(parent)
    number = next_number(parent, Requirement.objects.filter(**{field: parent}))
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


class StaleRequirements(StaleEdit):
    """Some of the selected requirements were saved by someone else since the list was loaded."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.codes = sorted(codes)
        Exception.__init__(
            self,
            _(
                "Someone else saved %(codes)s after you opened the list, so nothing was changed. "
                "Reload the list and try again."
            )
            % {"codes": ", ".join(self.codes)},
        )


@transaction.atomic
def bulk_update_requirements(
    parent: models.Model, *, actor: Any, versions: Mapping[int, int], **changes: Any
) -> list[Requirement]:
    """Apply the same ``changes`` (see BULK_FIELDS) to the requirements of ``parent`` whose ids
    are the keys of ``versions``, each based on the version given for it. All or nothing:
    locks the rows (SELECT … FOR UPDATE, by id); raises StaleRequirements naming every row saved
    since its version, ValidationError for an id not in the register or an invalid value.
    Each requirement gets its own audited field diff."""
    unknown = set(changes) - set(BULK_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable in bulk")
    if not versions:
        raise ValidationError(_("Select at least one requirement."), code="empty")
    if not changes:
        raise ValidationError(_("Choose at least one thing to change."), code="no_change")
    rows = list(
        Requirement.objects.select_for_update()
        .filter(**{parent_field(parent): parent}, pk__in=list(versions))
        .order_by("pk")
    )
    if len(rows) != len(versions):
        raise ValidationError(
            _("Some of the selected requirements are not in this register."), code="foreign"
        )
    stale = [row.code for row in rows if row.version != versions[row.pk]]
    if stale:
        raise StaleRequirements(stale)
    for row in rows:
        update_requirement(row, actor=actor, expected_version=versions[row.pk], **changes)
    return rows


@transaction.atomic
def add_requirement_comment(
    requirement: Requirement, *, author: Any, body: str
) -> RequirementComment:
    """Add a colleague's comment (kept, never edited); audited on the requirement."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")}, code="required")
    comment = RequirementComment.objects.create(requirement=requirement, author=author, body=body)
    audit.record(requirement, "commented", actor=author, changes={"comment": [None, body]})
    return comment


@transaction.atomic
def set_requirement_tasks(
    requirement: Requirement, *, actor: Any, tasks: Iterable[Task]
) -> list[Task]:
    """Make ``tasks`` (plan tasks of the requirement's own project) the ones that deliver it.

    Locks the requirement row so two editors' link lists do not interleave. Raises
    ValidationError for a deal's requirement (deals have no plan) or a task of another
    project; audited as the list of task names before and after."""
    chosen = list(dict.fromkeys(tasks))
    if not requirement.project_id:
        raise ValidationError(
            {"tasks": _("A deal has no plan tasks; link tasks once the deal is a project.")},
            code="deal",
        )
    foreign = [task for task in chosen if task.project_id != requirement.project_id]
    if foreign:
        raise ValidationError(
            {
                "tasks": _("%(tasks)s belong to another project.")
                % {"tasks": ", ".join(str(task) for task in foreign)}
            },
            code="foreign",
        )
    lock_row(requirement)
    before = sorted(str(task) for task in requirement.tasks.all())
    requirement.tasks.set(chosen)
    after = sorted(str(task) for task in chosen)
    if before != after:
        audit.record(requirement, "tasks_linked", actor=actor, changes={"tasks": [before, after]})
    return chosen


def carry_requirements(deal: Opportunity, project: Project, *, actor: Any) -> list[str]:
    """Move the deal's requirements to ``project``, keeping their codes; a code the project
    already has gets the next free number instead. Call inside the conversion's transaction
    (the deal's row is locked there); returns the codes the requirements have now."""
    rows = list(
        Requirement.objects.select_for_update().filter(opportunity=deal).order_by("number", "pk")
    )
    if not rows:
        return []
    lock_row(project)
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
