"""Message templates: write one, change it, make it the default of its type, delete it, and
preview its words filled in from a project (or from sample values).

Each type has at most one default (a database constraint); making a template the default
un-defaults the previous one in the same transaction. Plan items without a template of their
own use their type's default, so a template is not deleted, un-defaulted or moved to another
type while plan items rely on it."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from charter.comms import templating
from charter.comms.models import CommunicationItem, MessageTemplate
from charter.core import audit
from charter.core.concurrency import update_versioned
from charter.core.tokens import absolute_link
from charter.planning.models import Project, Task

WORD_FIELDS = ("subject_zh", "body_zh", "subject_en", "body_en")
TEMPLATE_FIELDS = ("name", "kind", *WORD_FIELDS, "is_default")


def check_words(**words: str) -> None:
    """ValidationError naming each field (``subject_zh=…``) whose words cannot be filled in:
    a syntax error or a variable Charter does not know."""
    errors: dict[str, list[str]] = {}
    for name, text in words.items():
        try:
            templating.check(text or "")
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def relying_items(template: MessageTemplate) -> Any:
    """The plan items whose words come from ``template``: those that chose it, and, while it
    is the default, those of its type without a template of their own."""
    rule = Q(template=template)
    if template.is_default:
        rule |= Q(template__isnull=True, kind=template.kind)
    return CommunicationItem.objects.filter(rule)


def projects_using(template: MessageTemplate) -> list[Project]:
    """The projects with plan items relying on ``template``, by code."""
    return _projects_of(relying_items(template))


def _projects_of(items: Any) -> list[Project]:
    return list(Project.objects.filter(communications__in=items).distinct().order_by("code"))


def _projects_text(projects: list[Project]) -> str:
    return ", ".join(f"{project.code} {project.name}" for project in projects)


def _clean(template: MessageTemplate) -> None:
    template.name = (template.name or "").strip()
    errors: dict[str, list[str]] = {}
    for validate in (
        # The one-default rule is kept by un-defaulting the previous default, not by refusing.
        lambda: template.full_clean(exclude=["created_by"], validate_constraints=False),
        lambda: check_words(**{name: getattr(template, name) for name in WORD_FIELDS}),
    ):
        try:
            validate()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _undefault_others(template: MessageTemplate, *, actor: Any) -> None:
    """The kind's previous default is one no longer (its version moves on, so an editor who
    loaded it as the default cannot quietly make it one again)."""
    others = (
        MessageTemplate.objects.select_for_update()
        .filter(kind=template.kind, is_default=True)
        .exclude(pk=template.pk)
        .order_by("pk")
    )
    for other in others:
        other.is_default = False
        update_versioned(other, expected_version=other.version, fields=["is_default"])
        audit.record(other, "updated", actor=actor, changes={"is_default": [True, False]})


def _save_default_safely(save: Any) -> None:
    """Run ``save``; a default made by someone else at the same moment is refused clearly."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError as error:
        raise ValidationError(
            {
                "is_default": _(
                    "Another template was made the default of this type at the same moment. "
                    "Try again."
                )
            }
        ) from error


@transaction.atomic
def create_template(
    *,
    actor: Any,
    name: str,
    kind: str,
    subject_zh: str,
    body_zh: str,
    subject_en: str,
    body_en: str,
    is_default: bool = False,
) -> MessageTemplate:
    """A new template. ValidationError (nothing written) for a missing field or words that
    cannot be filled in; as the default, the type's previous default is one no longer."""
    template = MessageTemplate(
        name=name,
        kind=kind,
        subject_zh=subject_zh,
        body_zh=body_zh,
        subject_en=subject_en,
        body_en=body_en,
        is_default=is_default,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _clean(template)
    if template.is_default:
        _undefault_others(template, actor=actor)
    _save_default_safely(template.save)
    audit.record_created(template, TEMPLATE_FIELDS, actor=actor)
    return template


@transaction.atomic
def update_template(
    template: MessageTemplate, *, actor: Any, expected_version: int, **changes: Any
) -> MessageTemplate:
    """Change a template (``TEMPLATE_FIELDS``). StaleEdit (nothing written) when saved since
    ``expected_version``; ValidationError as for create, and when plan items rely on it and
    the change would leave them without words (another type, no longer the default)."""
    if unknown := set(changes) - set(TEMPLATE_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = audit.snapshot(template, TEMPLATE_FIELDS)
    stored = MessageTemplate(pk=template.pk, kind=template.kind, is_default=template.is_default)
    for name, value in changes.items():
        setattr(template, name, value)
    _clean(template)
    _refuse_leaving_items(stored, template)
    if template.is_default:
        _undefault_others(template, actor=actor)
    _save_default_safely(
        lambda: update_versioned(
            template, expected_version=expected_version, fields=TEMPLATE_FIELDS
        )
    )
    if changed := audit.diff(before, audit.snapshot(template, TEMPLATE_FIELDS)):
        audit.record(template, "updated", actor=actor, changes=changed)
    return template


def _refuse_leaving_items(stored: MessageTemplate, changed: MessageTemplate) -> None:
    errors: dict[str, str] = {}
    own_users = CommunicationItem.objects.filter(template_id=stored.pk)
    if changed.kind != stored.kind and (projects := _projects_of(own_users)):
        errors["kind"] = _(
            "Plan items of %(projects)s use this template: its type cannot change."
        ) % {"projects": _projects_text(projects)}
    if stored.is_default and (not changed.is_default or changed.kind != stored.kind):
        default_users = CommunicationItem.objects.filter(template__isnull=True, kind=stored.kind)
        if projects := _projects_of(default_users):
            errors["is_default"] = _(
                "Plan items of %(projects)s use the default of this type: make another "
                "template the default instead."
            ) % {"projects": _projects_text(projects)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_default(template: MessageTemplate, *, actor: Any) -> MessageTemplate:
    """Make ``template`` its type's default; the previous default is one no longer."""
    locked = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    if locked.is_default:
        return locked
    _undefault_others(locked, actor=actor)
    locked.is_default = True
    _save_default_safely(
        lambda: update_versioned(locked, expected_version=locked.version, fields=["is_default"])
    )
    audit.record(locked, "updated", actor=actor, changes={"is_default": [False, True]})
    return locked


def delete_refusal(template: MessageTemplate) -> str:
    """Why ``template`` cannot be deleted now (plan items rely on it), or "" when it can."""
    projects = projects_using(template)
    if not projects:
        return ""
    return _(
        "Plan items of %(projects)s use this template, so it cannot be deleted. Choose another "
        "template for them (or make another template the default of this type) first."
    ) % {"projects": _projects_text(projects)}


@transaction.atomic
def delete_template(template: MessageTemplate, *, actor: Any) -> None:
    """Delete a template; refused (ValidationError naming the projects) while plan items rely
    on it."""
    locked = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    if refusal := delete_refusal(locked):
        raise ValidationError(refusal, code="in_use")
    before = audit.snapshot(locked, TEMPLATE_FIELDS)
    audit.record(locked, "deleted", actor=actor, changes={k: [v, None] for k, v in before.items()})
    locked.delete()


# ---- preview ----------------------------------------------------------------------------------


def sample_facts() -> dict[str, Any]:
    """Made-up facts of a project (in the active language), for a preview without one."""
    milestone = Task(
        name=_("User acceptance test"), finish=timezone.now() + datetime.timedelta(days=14)
    )
    return {
        "project": _("Sample project"),
        "project_code": "PRJ-2026-001",
        "client": _("Sample Client Ltd."),
        "progress": 42,
        "milestone": milestone,
        "risks": [
            _("Key users are not available for testing"),
            _("The data migration takes longer than planned"),
            _("Interfaces to the legacy system are not documented"),
            _("The budget for licences is not yet approved"),
        ],
        # The shape of a real link (a real project's, when the preview names one).
        "portal_link": absolute_link("planning:client_plan", templating.site_url(), pk=1),
    }


def preview(
    template: MessageTemplate,
    *,
    language: str,
    owner: Any,
    facts: dict[str, Any] | None = None,
) -> templating.Rendered:
    """``template``'s words in ``language`` filled in from ``facts`` (a project's, see
    templating.project_facts) or sample values; ValidationError when they cannot be read."""
    language = templating.language_of(language)
    with translation.override(language):
        facts = facts or sample_facts()
        recipient = pgettext("a sample recipient's name", "Alex Chen")
    context = templating.context_for(
        facts, language=language, owner=owner, recipient=recipient, on=timezone.localdate()
    )
    return templating.render(template, language=language, context=context)
