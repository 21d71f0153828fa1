"""Won deal → project: the conversion, by hand (the wizard, the API) or automatically."""

import datetime
import mimetypes
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.comms.models import CommunicationItem
from charter.core import audit, policy
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.models import Attachment
from charter.core.querysets import parent_filter
from charter.crm.choices import DecisionRole, StageKind
from charter.crm.models import Client, Contact, Interaction, Opportunity
from charter.discovery.services.carry import carry_discovery
from charter.planning.adapters import schedule_project
from charter.planning.models import (
    KickoffItem,
    Project,
    ProjectTemplate,
    Risk,
    Stakeholder,
)
from charter.planning.services.templates import content_summary, template_content
from charter.planning.services.wbs import add_phase_tree

PROJECT_FIELDS = (
    "name",
    "code",
    "client",
    "opportunity",
    "template",
    "manager",
    "start_date",
    "budget",
    "currency",
    "status",
)
CODE_ATTEMPTS = 5

ACTION_LABELS.update(
    {
        "converted": gettext_lazy("converted into a project"),
        "kickoff_done": gettext_lazy("ticked off a kickoff step of"),
        "kickoff_reopened": gettext_lazy("reopened a kickoff step of"),
    }
)
CHANGE_LABELS.update(
    {
        "project": gettext_lazy("project"),
        "phases": gettext_lazy("phases"),
        "tasks": gettext_lazy("tasks"),
        "communications": gettext_lazy("communication plan items"),
        "risks": gettext_lazy("risks"),
        "kickoff": gettext_lazy("kickoff checklist"),
        "stakeholders": gettext_lazy("stakeholders"),
        "interactions": gettext_lazy("pre-sales notes"),
        "attachments": gettext_lazy("files"),
        "requirements": gettext_lazy("requirements"),
        "content": gettext_lazy("content"),
    }
)


@dataclass(frozen=True)
class Conversion:
    project: Project
    created: bool  # False: the deal had a project already and it is returned as it is


# ---- what a deal may carry over --------------------------------------------------------------


def carryable_interactions(opportunity: Opportunity) -> QuerySet[Interaction]:
    """Pre-sales notes of the deal, and of its client not tied to another deal or a project."""
    return (
        Interaction.objects.filter(client_id=opportunity.client_id, project__isnull=True)
        .filter(Q(opportunity=opportunity) | Q(opportunity__isnull=True))
        .select_related("owner")
        .order_by("-occurred_at", "-pk")
    )


def carryable_attachments(opportunity: Opportunity) -> QuerySet[Attachment]:
    """Files of the deal and of its client (only staff, who see them all, convert deals)."""
    parents = parent_filter(opportunity) | parent_filter(opportunity.client)
    return Attachment.objects.filter(parents).select_related("content_type", "uploaded_by")


def existing_project(opportunity: Opportunity) -> Project | None:
    return opportunity.projects.order_by("created_at", "pk").first()


def next_working_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def can_manage_projects(user: Any) -> bool:
    return bool(user and user.is_active and policy.role_of(user) in policy.MANAGERS)


# ---- the conversion --------------------------------------------------------------------------


def convert_opportunity(opportunity: Opportunity, **options: Any) -> Project:
    """Turn a won deal into a project: :func:`run_conversion` (same options), the project only."""
    return run_conversion(opportunity, **options).project


def run_conversion(
    opportunity: Opportunity,
    *,
    actor: Any,
    template: ProjectTemplate | None,
    manager: Any,
    start_date: datetime.date,
    budget: Decimal | None = None,
    stakeholders: Sequence[tuple[Contact, str]] = (),
    carry_interactions: Iterable[int] = (),
    carry_attachments: Iterable[int] = (),
    force_new: bool = False,
) -> Conversion:
    """Create the project of a won deal: the template's content, stakeholders, notes, files.

    Preconditions: the deal's stage is of kind won (else ValidationError). The deal's row is
    locked (SELECT … FOR UPDATE) for the whole transaction, so two concurrent conversions make
    one project: if the deal has a project and ``force_new`` is False, that project is returned
    unchanged (``created=False``). Contacts, notes and files must belong to the deal's client;
    anything invalid raises ValidationError and nothing is written, not even a copied file.
    """
    copied_files: list[Attachment] = []
    try:
        with transaction.atomic():
            locked = Opportunity.objects.select_for_update().select_related("client", "stage")
            deal = locked.get(pk=opportunity.pk)
            if deal.stage.kind != StageKind.WON:
                raise ValidationError(
                    _("Only a won deal can be converted into a project."), code="not_won"
                )
            current = existing_project(deal)
            if current is not None and not force_new:
                return Conversion(current, created=False)
            project = _create_project(
                deal,
                actor=actor,
                template=template,
                manager=manager,
                start_date=start_date,
                budget=budget,
            )
            copied = _copy_template(project, template, manager=manager)
            people = _add_stakeholders(project, deal, stakeholders)
            notes = _carry_interactions(project, deal, carry_interactions)
            copied_files = _copy_attachments(project, deal, carry_attachments, actor=actor)
            discovery = carry_discovery(deal, project, actor=actor)
            _record(
                project,
                deal,
                actor=actor,
                summary={
                    **copied,
                    "stakeholders": people,
                    "interactions": notes,
                    "attachments": [file.name for file in copied_files],
                    **discovery,
                },
            )
    except Exception:
        for file in copied_files:  # rows rolled back: remove the copies no row refers to
            file.file.delete(save=False)
        raise
    return Conversion(project, created=True)


def _create_project(
    deal: Opportunity,
    *,
    actor: Any,
    template: ProjectTemplate | None,
    manager: Any,
    start_date: datetime.date,
    budget: Decimal | None,
) -> Project:
    if manager is None or not manager.is_active or policy.role_of(manager) == policy.CLIENT:
        raise ValidationError({"manager": _("Choose an active colleague as project manager.")})
    project = Project(
        name=deal.title,
        code="PRJ-0000-0000",  # replaced by a unique code below; validates the other fields
        client=deal.client,
        opportunity=deal,
        template=template,
        manager=manager,
        start_date=start_date,
        budget=deal.amount if budget is None else budget,
        currency=deal.currency,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    project.full_clean(exclude=["code"])
    _save_with_unique_code(project)
    project.members.add(manager)
    return project


def _save_with_unique_code(project: Project) -> None:
    """PRJ-<year>-<number>; a concurrent conversion taking the same number makes us retry."""
    year = timezone.localdate().year
    prefix = f"PRJ-{year}-"
    for _attempt in range(CODE_ATTEMPTS):
        codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        numbers = [
            int(code.removeprefix(prefix)) for code in codes if code.removeprefix(prefix).isdigit()
        ]
        project.code = f"{prefix}{max(numbers, default=0) + 1:04d}"
        try:
            with transaction.atomic():
                project.save()
            return
        except IntegrityError:
            if Project.objects.filter(code=project.code).exists():
                continue
            raise
    raise IntegrityError("no free project code after several attempts")


def _copy_template(
    project: Project, template: ProjectTemplate | None, *, manager: Any
) -> dict[str, int]:
    """The template's phases, tasks, communication plan, risks and kickoff checklist."""
    if template is None:
        return {"phases": 0, "tasks": 0, "communications": 0, "risks": 0, "kickoff": 0}
    content = template_content(template)
    add_phase_tree(
        project,
        (
            (phase.name, [(t.name, t.duration_days, t.is_milestone) for t in phase.tasks])
            for phase in content.phases
        ),
    )
    schedule_project(project)
    CommunicationItem.objects.bulk_create(
        CommunicationItem(
            project=project,
            content=item.content,
            audience=item.audience,
            frequency=item.frequency,
            channel=item.channel,
            kind=item.kind,
            rule=item.rule,
            starts_on=project.start_date,
            is_active=False,  # sends once someone has chosen its recipients and switched it on
            owner=manager,
            order=i,
        )
        for i, item in enumerate(content.communications)
    )
    Risk.objects.bulk_create(
        Risk(
            project=project,
            title=risk.title,
            probability=risk.probability,
            impact=risk.impact,
            response=risk.response,
        )
        for risk in content.risks
    )
    KickoffItem.objects.bulk_create(
        KickoffItem(project=project, title=title, order=i)
        for i, title in enumerate(content.checklist)
    )
    return content_summary(content)


def _add_stakeholders(
    project: Project, deal: Opportunity, chosen: Sequence[tuple[Contact, str]]
) -> list[str]:
    contacts = [contact for contact, _role in chosen]
    if len({contact.pk for contact in contacts}) != len(contacts):
        raise ValidationError({"stakeholders": _("A contact is listed twice.")})
    if any(contact.client_id != deal.client_id for contact in contacts):
        raise ValidationError(
            {"stakeholders": _("Stakeholders must be contacts of the deal's client.")}
        )
    if any(role not in DecisionRole.values for _contact, role in chosen):
        raise ValidationError(
            {"stakeholders": _("Choose a role in decisions for each stakeholder.")}
        )
    Stakeholder.objects.bulk_create(
        Stakeholder(
            project=project,
            contact=contact,
            role=role,
            influence=contact.influence,
            interest=contact.interest,
        )
        for contact, role in chosen
    )
    return [f"{contact.name} ({DecisionRole(role).label})" for contact, role in chosen]


def _carry_interactions(project: Project, deal: Opportunity, ids: Iterable[int]) -> int:
    wanted = set(ids)
    if not wanted:
        return 0
    notes = carryable_interactions(deal).select_for_update(of=("self",)).filter(pk__in=wanted)
    found = set(notes.values_list("pk", flat=True))
    if found != wanted:
        raise ValidationError(
            {
                "interactions": _(
                    "Some notes are not pre-sales notes of this deal's client, or were carried "
                    "into another project already."
                )
            }
        )
    return Interaction.objects.filter(pk__in=found).update(
        project=project, version=F("version") + 1, updated_at=timezone.now()
    )


def _copy_attachments(
    project: Project, deal: Opportunity, ids: Iterable[int], *, actor: Any
) -> list[Attachment]:
    """A copy of each chosen file on the project, so deleting one never deletes the other."""
    wanted = set(ids)
    if not wanted:
        return []
    originals = list(carryable_attachments(deal).filter(pk__in=wanted))
    if {file.pk for file in originals} != wanted:
        raise ValidationError(
            {"attachments": _("Some files are not files of this deal or of its client.")}
        )
    copies: list[Attachment] = []
    try:
        for original in originals:
            copies.append(_copy_attachment(original, project, actor=actor))
    except Exception:
        for copy in copies:
            copy.file.delete(save=False)
        raise
    return copies


def _copy_attachment(original: Attachment, project: Project, *, actor: Any) -> Attachment:
    copy = Attachment(
        content_type=ContentType.objects.get_for_model(project),
        object_id=str(project.pk),
        name=original.name,
        size=original.size,
        mime_type=original.mime_type or mimetypes.guess_type(original.name)[0] or "",
        sha256=original.sha256,
        description=original.description,
        client_visible=original.client_visible,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with original.file.open("rb") as source:
        copy.file.save(original.name, File(source), save=False)
    copy.save()
    return copy


def _record(project: Project, deal: Opportunity, *, actor: Any, summary: dict[str, Any]) -> None:
    created = audit.diff({}, audit.snapshot(project, PROJECT_FIELDS))
    created.update({key: [None, value] for key, value in summary.items() if value})
    audit.record(project, "created", actor=actor, changes=created)
    audit.record(deal, "converted", actor=actor, changes={"project": [None, str(project)]})


# ---- automatically, when a deal is won -------------------------------------------------------


def default_template(client: Client, actor: Any) -> ProjectTemplate | None:
    """The default template in the client's language (that of most of its contacts), else
    in the actor's, else any default template; None when there is no default template."""
    defaults = list(ProjectTemplate.objects.filter(is_default=True).order_by("pk"))
    spoken = Counter(client.contacts.values_list("language", flat=True)).most_common(1)
    for language in (spoken[0][0] if spoken else None, getattr(actor, "language", None)):
        for template in defaults:
            if template.language == language:
                return template
    return defaults[0] if defaults else None


def convert_opportunity_automatically(opportunity: Opportunity, *, actor: Any) -> Project | None:
    """Convert a deal that moved to won when its client's settings say so.

    Returns None (and writes nothing) unless the deal is won and its client has
    ``auto_convert_won``; returns the existing project if the deal has one. Uses the default
    template, the deal's owner as project manager (else the actor), the next working day as
    start, every contact with a role in decisions as stakeholder and every pre-sales note.
    Call it inside the transaction that moves the deal, so both happen or neither.
    """
    opportunity = Opportunity.objects.select_related("client", "stage", "owner").get(
        pk=opportunity.pk
    )
    client = opportunity.client
    if opportunity.stage.kind != StageKind.WON or not client.auto_convert_won:
        return None
    owner = opportunity.owner
    manager = owner if owner is not None and owner.is_active else actor
    contacts = client.contacts.exclude(decision_role=DecisionRole.OTHER).order_by("pk")
    return convert_opportunity(
        opportunity,
        actor=actor,
        template=default_template(client, actor),
        manager=manager,
        start_date=next_working_day(timezone.localdate()),
        stakeholders=[(contact, contact.decision_role) for contact in contacts],
        carry_interactions=carryable_interactions(opportunity).values_list("pk", flat=True),
    )
