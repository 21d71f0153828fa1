"""Project templates: what a converted project starts with. Create, edit, clone, delete."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from charter.core import audit
from charter.core.concurrency import update_versioned
from charter.planning.choices import RiskLevel, RiskResponse
from charter.planning.models import (
    ProjectTemplate,
    TemplateChecklistItem,
    TemplateCommunication,
    TemplatePhase,
    TemplateRisk,
    TemplateTask,
)

TEMPLATE_FIELDS = ("name", "description", "language", "is_default")


@dataclass(frozen=True)
class TaskSpec:
    name: str
    duration_days: int = 1
    is_milestone: bool = False


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    tasks: tuple[TaskSpec, ...] = ()


@dataclass(frozen=True)
class CommunicationSpec:
    content: str
    audience: str
    frequency: str
    channel: str
    kind: str = "custom"
    rule: str = ""


@dataclass(frozen=True)
class RiskSpec:
    title: str
    probability: int = RiskLevel.MEDIUM
    impact: int = RiskLevel.MEDIUM
    response: str = RiskResponse.MITIGATE


@dataclass(frozen=True)
class TemplateContent:
    """Everything a template holds besides its own fields, in order."""

    phases: tuple[PhaseSpec, ...] = ()
    communications: tuple[CommunicationSpec, ...] = ()
    risks: tuple[RiskSpec, ...] = ()
    checklist: tuple[str, ...] = field(default=())


def template_content(template: ProjectTemplate) -> TemplateContent:
    """The content of a stored template (reads its prefetched children when present)."""
    return TemplateContent(
        phases=tuple(
            PhaseSpec(
                phase.name,
                tuple(TaskSpec(t.name, t.duration_days, t.is_milestone) for t in phase.tasks.all()),
            )
            for phase in template.phases.all()
        ),
        communications=tuple(
            CommunicationSpec(c.content, c.audience, c.frequency, c.channel, c.kind, c.rule)
            for c in template.communications.all()
        ),
        risks=tuple(
            RiskSpec(r.title, r.probability, r.impact, r.response) for r in template.risks.all()
        ),
        checklist=tuple(item.title for item in template.checklist.all()),
    )


def content_summary(content: TemplateContent) -> dict[str, int]:
    return {
        "phases": len(content.phases),
        "tasks": sum(len(phase.tasks) for phase in content.phases),
        "communications": len(content.communications),
        "risks": len(content.risks),
        "kickoff": len(content.checklist),
    }


def _validated(rows: Iterable[Any], prefix: str) -> list[Any]:
    """full_clean each unsaved child row; errors name the row (``risks.2.title``)."""
    rows = list(rows)
    errors: dict[str, list[Any]] = {}
    for index, row in enumerate(rows):
        try:
            row.full_clean(exclude=["template", "phase"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(prefix, []).extend(
                    f"{index + 1}. {name if name != '__all__' else ''}: {message}"
                    for message in messages
                )
    if errors:
        raise ValidationError(errors)
    return rows


def _write_content(template: ProjectTemplate, content: TemplateContent) -> None:
    """Replace the template's children with ``content``; ValidationError names the bad rows."""
    phases = _validated(
        (
            TemplatePhase(template=template, name=p.name, order=i)
            for i, p in enumerate(content.phases)
        ),
        "phases",
    )
    tasks = _validated(
        (
            TemplateTask(name=t.name, duration_days=t.duration_days, is_milestone=t.is_milestone)
            for p in content.phases
            for t in p.tasks
        ),
        "phases",
    )
    communications = _validated(
        (
            TemplateCommunication(template=template, order=i, **asdict(c))
            for i, c in enumerate(content.communications)
        ),
        "communications",
    )
    risks = _validated(
        (
            TemplateRisk(template=template, order=i, **asdict(r))
            for i, r in enumerate(content.risks)
        ),
        "risks",
    )
    checklist = _validated(
        (
            TemplateChecklistItem(template=template, title=title, order=i)
            for i, title in enumerate(content.checklist)
        ),
        "checklist",
    )
    template.phases.all().delete()
    template.communications.all().delete()
    template.risks.all().delete()
    template.checklist.all().delete()
    TemplatePhase.objects.bulk_create(phases)
    task_rows = iter(tasks)
    for phase, spec in zip(phases, content.phases, strict=True):
        for order, _spec in enumerate(spec.tasks):
            task = next(task_rows)
            task.phase, task.order = phase, order
    TemplateTask.objects.bulk_create(tasks)
    TemplateCommunication.objects.bulk_create(communications)
    TemplateRisk.objects.bulk_create(risks)
    TemplateChecklistItem.objects.bulk_create(checklist)


def _only_default_of_its_language(template: ProjectTemplate) -> None:
    """One default template per language: the automatic conversion must not have to guess."""
    if template.is_default:
        others = ProjectTemplate.objects.filter(language=template.language, is_default=True)
        others.exclude(pk=template.pk).update(is_default=False)


def _snapshot(template: ProjectTemplate, content: TemplateContent) -> dict[str, Any]:
    return {**audit.snapshot(template, TEMPLATE_FIELDS), **content_summary(content)}


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")


@transaction.atomic
def create_template(
    *, actor: Any, content: TemplateContent = TemplateContent(), **fields: Any
) -> ProjectTemplate:
    """A new project template with its phases, tasks, communications, risks and checklist.

    ValidationError (nothing written) for an empty name or an invalid row.
    """
    _check_fields(fields)
    template = ProjectTemplate(**fields)
    template.name = template.name.strip()
    template.full_clean()
    template.save()
    _write_content(template, content)
    _only_default_of_its_language(template)
    changes = audit.diff({}, _snapshot(template, content))
    audit.record(template, "created", actor=actor, changes=changes)
    return template


@transaction.atomic
def update_template(
    template: ProjectTemplate,
    *,
    actor: Any,
    expected_version: int,
    content: TemplateContent | None = None,
    **changes: Any,
) -> ProjectTemplate:
    """Change a template's fields and, when ``content`` is given, replace all of its content.

    Projects converted earlier keep their copies. Raises StaleEdit if someone saved the template
    since ``expected_version``, ValidationError (nothing written) for invalid values.
    """
    _check_fields(changes)
    old_content = template_content(template)
    before = _snapshot(template, old_content)
    for name, value in changes.items():
        setattr(template, name, value.strip() if name == "name" else value)
    template.full_clean()
    update_versioned(template, expected_version=expected_version, fields=changes or ["name"])
    new_content = old_content if content is None else content
    if new_content != old_content:
        _write_content(template, new_content)
    _only_default_of_its_language(template)
    changed = audit.diff(before, _snapshot(template, new_content))
    if new_content != old_content:
        changed["content"] = [None, _("phases, tasks, communications, risks or checklist edited")]
    if changed:
        audit.record(template, "updated", actor=actor, changes=changed)
    return template


def copy_name(name: str) -> str:
    suffix = _(" (copy)")
    limit = ProjectTemplate._meta.get_field("name").max_length or 120
    return name[: limit - len(suffix)] + suffix


@transaction.atomic
def clone_template(template: ProjectTemplate, *, actor: Any) -> ProjectTemplate:
    """A deep copy named "… (copy)", never the default, for editing into a variant."""
    return create_template(
        actor=actor,
        content=template_content(template),
        name=copy_name(template.name),
        description=template.description,
        language=template.language,
        is_default=False,
    )


@transaction.atomic
def delete_template(template: ProjectTemplate, *, actor: Any) -> None:
    """Delete a template no project was created from (such projects keep their link)."""
    locked = ProjectTemplate.objects.select_for_update().get(pk=template.pk)
    if locked.projects.exists():
        raise ValidationError(
            _("Projects were created from this template, so it cannot be deleted."),
            code="in_use",
        )
    before = audit.snapshot(locked, TEMPLATE_FIELDS)
    audit.record(locked, "deleted", actor=actor, changes={k: [v, None] for k, v in before.items()})
    locked.delete()
