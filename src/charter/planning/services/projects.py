"""Editing a project's header and team, and ticking off its kickoff checklist."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from charter.accounts.choices import Role
from charter.core import audit
from charter.core.concurrency import update_versioned
from charter.planning.models import KickoffItem, Project

EDITABLE_FIELDS = ("name", "budget", "status", "manager", "start_date")


@transaction.atomic
def update_project(
    project: Project,
    *,
    actor: Any,
    expected_version: int,
    team: Iterable[Any] | None = None,
    **changes: Any,
) -> Project:
    """Change the project's name, budget, status, manager, start date or team.

    The manager is always on the team. Raises StaleEdit (nothing written) if someone saved the
    project since ``expected_version``, ValidationError for invalid values (a client user or a
    deactivated account in the team).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    manager = changes.get("manager")
    if "manager" in changes and (manager is None or not manager.is_active):
        raise ValidationError({"manager": _("Choose an active colleague as project manager.")})
    before = audit.snapshot(project, EDITABLE_FIELDS)
    for name, value in changes.items():
        setattr(project, name, value)
    if isinstance(project.name, str):
        project.name = project.name.strip()
    project.full_clean(exclude=["code"])
    update_versioned(project, expected_version=expected_version, fields=changes or ["name"])
    team_before = team_names(project)
    if team is not None:
        project.members.set(checked_team(team))
    project.members.add(project.manager)
    changed = audit.diff(before, audit.snapshot(project, EDITABLE_FIELDS))
    if team_names(project) != team_before:
        changed["members"] = [team_before, team_names(project)]
    if changed:
        audit.record(project, "updated", actor=actor, changes=changed)
    return project


def team_names(project: Project) -> list[str]:
    return sorted(str(member) for member in project.members.all())


def checked_team(team: Iterable[Any]) -> list[Any]:
    members = list(team)
    if any(not member.is_active or member.role == Role.CLIENT for member in members):
        raise ValidationError(
            {"team": _("The team holds active colleagues only, no client users.")}
        )
    return members


@transaction.atomic
def set_kickoff_done(item: KickoffItem, *, actor: Any, done: bool) -> KickoffItem:
    """Tick a kickoff step off (or reopen it); audited on the project."""
    locked = KickoffItem.objects.select_for_update().select_related("project").get(pk=item.pk)
    if locked.done == done:
        return locked
    locked.done = done
    locked.save(update_fields=["done"])
    action = "kickoff_done" if done else "kickoff_reopened"
    audit.record(locked.project, action, actor=actor, changes={"kickoff": [None, locked.title]})
    return locked
