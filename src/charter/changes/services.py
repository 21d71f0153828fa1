"""The verbs of change requests: raise one, edit it while it is proposed, decide it (approve or
reject, with a note), mark an approved one implemented, delete a proposed one. One transaction
each, audited. Approving a change marks the confirmed requirements it touches as "changed", so
the requirements register and the requirements document show what the client's confirmation
no longer covers."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.changes.choices import NEXT_STATUSES, ChangeStatus
from charter.changes.models import ChangeRequest, change_request_code
from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import lock_row, update_versioned
from charter.core.numbering import next_number
from charter.discovery.choices import RequirementStatus
from charter.discovery.models import Requirement
from charter.discovery.services.requirements import update_requirement
from charter.planning.models import Project

ACTION_LABELS.update(
    {
        "change_decided": gettext_lazy("took a decision on"),
        "change_implemented": gettext_lazy("marked implemented"),
    }
)

FIELDS = ("title", "description", "reason", "requested_by", "requested_on", "client_visible")
# The statuses a decision may give: those that may follow "proposed".
DECISIONS = NEXT_STATUSES[ChangeStatus.PROPOSED]


def _only(fields: Iterable[str], allowed: Sequence[str]) -> None:
    if unknown := set(fields) - set(allowed):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")


def _state(change: ChangeRequest, requirements: Iterable[Requirement]) -> dict[str, Any]:
    """What the audit trail records of ``change``: its fields and its requirements' codes."""
    state = audit.snapshot(change, FIELDS)
    state["requirements"] = sorted(requirement.code for requirement in requirements)
    return state


def _check(change: ChangeRequest, requirements: Sequence[Requirement] | None) -> None:
    change.title = (change.title or "").strip()
    change.description = (change.description or "").strip()
    change.reason = (change.reason or "").strip()
    contact = change.requested_by
    if contact is not None and contact.client_id != change.project.client_id:
        raise ValidationError({"requested_by": _("Choose a contact of the project's client.")})
    if requirements is not None and any(r.project_id != change.project_id for r in requirements):
        raise ValidationError({"requirements": _("Choose requirements of this project.")})
    change.full_clean(exclude=["project", "requirements"], validate_unique=False)


@transaction.atomic
def create_change_request(
    project: Project,
    *,
    actor: Any,
    requirements: Sequence[Requirement] = (),
    **fields: Any,
) -> ChangeRequest:
    """Raise a change request on ``project``, coded CR-<next number>, proposed. ValidationError
    (nothing written) for an empty title, a contact of another client or a requirement of
    another project. Locks the project row so two requests never take the same number."""
    _only(fields, FIELDS)
    fields.setdefault("requested_on", timezone.localdate())
    change = ChangeRequest(
        project=project,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _check(change, list(requirements))
    change.number = next_number(project, ChangeRequest.objects.filter(project=project))
    change.code = change_request_code(change.number)
    change.save()
    change.requirements.set(requirements)
    created = _state(change, requirements)
    audit.record(change, "created", actor=actor, changes=audit.diff({}, created))
    return change


def _refuse_unless_proposed(change: ChangeRequest) -> None:
    if not change.is_open:
        raise ValidationError(
            _("%(code)s is %(status)s: a decided change request is kept as it was decided.")
            % {"code": change.code, "status": change.get_status_display()}
        )


@transaction.atomic
def update_change_request(
    change: ChangeRequest,
    *,
    actor: Any,
    expected_version: int,
    requirements: Sequence[Requirement] | None = None,
    **changes: Any,
) -> ChangeRequest:
    """Edit a proposed change request (``requirements`` replaces its requirements when given).
    ValidationError once it is decided or for invalid values; StaleEdit (nothing written) if
    it was saved since ``expected_version``."""
    _only(changes, FIELDS)
    _refuse_unless_proposed(change)
    before = _state(change, change.requirements.all())
    for name, value in changes.items():
        setattr(change, name, value)
    _check(change, None if requirements is None else list(requirements))
    update_versioned(change, expected_version=expected_version, fields=FIELDS)
    if requirements is not None:
        change.requirements.set(requirements)
    after = _state(change, change.requirements.all())
    if changed := audit.diff(before, after):
        audit.record(change, "updated", actor=actor, changes=changed)
    return change


def _move(change: ChangeRequest, status: str) -> str:
    """Move ``change`` to ``status`` if its way allows; returns the status it had."""
    if status not in NEXT_STATUSES[ChangeStatus(change.status)]:
        raise ValidationError(
            {
                "status": _("%(code)s is %(status)s and cannot become %(next)s.")
                % {
                    "code": change.code,
                    "status": change.get_status_display(),
                    "next": ChangeStatus(status).label,
                }
            }
        )
    before = change.status
    change.status = status
    return before


@transaction.atomic
def decide_change_request(
    change: ChangeRequest, *, actor: Any, expected_version: int, status: str, note: str = ""
) -> ChangeRequest:
    """Approve or reject a proposed change request, with a note. Approving marks each of its
    confirmed requirements "changed" (each audited on the requirement). ValidationError for
    another status or a request already decided; StaleEdit if saved since
    ``expected_version``."""
    if status not in DECISIONS:
        raise ValidationError({"status": _("Decide by approving or rejecting.")})
    before = _move(change, status)
    change.decision_note = (note or "").strip()
    change.decided_at = timezone.now()
    change.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    update_versioned(
        change,
        expected_version=expected_version,
        fields=("status", "decision_note", "decided_at", "decided_by"),
    )
    audit.record(
        change,
        "change_decided",
        actor=actor,
        changes={"status": [before, change.status], "decision_note": [None, change.decision_note]},
    )
    if status == ChangeStatus.APPROVED:
        confirmed = change.requirements.select_for_update().filter(
            status=RequirementStatus.CONFIRMED
        )
        for requirement in confirmed.order_by("pk"):
            update_requirement(
                requirement,
                actor=actor,
                expected_version=requirement.version,
                status=RequirementStatus.CHANGED,
            )
    return change


@transaction.atomic
def mark_implemented(change: ChangeRequest, *, actor: Any, expected_version: int) -> ChangeRequest:
    """An approved change request is implemented: the plan and the requirements carry it.
    ValidationError unless it is approved; StaleEdit if saved since ``expected_version``."""
    before = _move(change, ChangeStatus.IMPLEMENTED)
    update_versioned(change, expected_version=expected_version, fields=("status",))
    audit.record(
        change, "change_implemented", actor=actor, changes={"status": [before, change.status]}
    )
    return change


@transaction.atomic
def delete_change_request(change: ChangeRequest, *, actor: Any) -> None:
    """Delete a proposed change request (a decided one is a record and stays)."""
    lock_row(change)
    change.refresh_from_db(fields=["status"])  # decided since it was read: it stays
    _refuse_unless_proposed(change)
    audit.record(change, "deleted", actor=actor, changes={"title": [str(change), None]})
    change.delete()
