"""Projects, project templates and the conversion of won deals, through the API."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

from charter.accounts.models import User
from charter.comms.models import CommunicationKind
from charter.core import policy
from charter.core.api import IF_MATCH, expected_version, read_with_etag, set_etag
from charter.crm.choices import Channel, Currency, DecisionRole
from charter.crm.models import Contact, Opportunity
from charter.engine.recurrence import RuleError, parse_rule
from charter.planning import services
from charter.planning.choices import ProjectStatus, RiskResponse
from charter.planning.filtersets import filter_projects
from charter.planning.forms import colleagues, managers
from charter.planning.models import Project, ProjectTemplate, Stakeholder
from charter.planning.services.conversion import run_conversion
from charter.planning.services.templates import (
    CommunicationSpec,
    PhaseSpec,
    RiskSpec,
    TaskSpec,
    TemplateContent,
    template_content,
)

router = Router()

# ---- schemas: templates ------------------------------------------------------------------------


class TaskSchema(Schema):
    name: str = Field(min_length=1, max_length=200)
    duration_days: int = Field(1, ge=0, le=32767, description="Working days.")
    is_milestone: bool = False


class PhaseSchema(Schema):
    name: str = Field(min_length=1, max_length=120)
    tasks: list[TaskSchema] = Field(default_factory=list, description="In order.")


class CommunicationSchema(Schema):
    content: str = Field(min_length=1, max_length=200, description="What is communicated.")
    audience: str = Field("", max_length=200, description="To whom, in words.")
    frequency: str = Field("", max_length=120, description="How often, in words.")
    channel: Channel = Field(Channel.EMAIL, description="How.")
    kind: CommunicationKind = Field(CommunicationKind.CUSTOM, description="What is sent.")
    rule: str = Field(
        "",
        max_length=500,
        description="RFC 5545 RRULE value (FREQ=WEEKLY;BYDAY=MO); empty: once.",
    )


class CommunicationIn(CommunicationSchema):
    @field_validator("rule")
    @classmethod
    def usable_rule(cls, rule: str) -> str:
        """A rule the plan can schedule (422 naming ``communications.<n>.rule`` otherwise)."""
        if rule.strip():
            try:
                parse_rule(rule, timezone.localdate())
            except RuleError as error:
                raise ValueError(
                    _("This rule cannot be used: %(reason)s") % {"reason": error}
                ) from error
        return rule.strip()


class RiskSchema(Schema):
    title: str = Field(min_length=1, max_length=200)
    probability: int = Field(3, ge=1, le=5, description="1 (very low) to 5 (very high).")
    impact: int = Field(3, ge=1, le=5, description="1 (very low) to 5 (very high).")
    response: RiskResponse = RiskResponse.MITIGATE


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    language: str = Field(description="The language its texts are written in (zh-hans, en).")
    is_default: bool = Field(description="Used when a won deal converts automatically.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    phases: list[PhaseSchema]
    communications: list[CommunicationSchema]
    risks: list[RiskSchema]
    checklist: list[str] = Field(description="The kickoff checklist, in order.")

    @staticmethod
    def resolve_phases(template: ProjectTemplate) -> list[Any]:
        return list(template.phases.all())

    @staticmethod
    def resolve_communications(template: ProjectTemplate) -> list[Any]:
        return list(template.communications.all())

    @staticmethod
    def resolve_risks(template: ProjectTemplate) -> list[Any]:
        return list(template.risks.all())

    @staticmethod
    def resolve_checklist(template: ProjectTemplate) -> list[str]:
        return [item.title for item in template.checklist.all()]


class TemplateContentIn(Schema):
    phases: list[PhaseSchema] | None = Field(None, description="Replaces all phases and tasks.")
    communications: list[CommunicationIn] | None = None
    risks: list[RiskSchema] | None = None
    checklist: list[str] | None = None


class TemplateIn(TemplateContentIn):
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    language: str = Field("zh-hans", description="zh-hans or en.")
    is_default: bool = False


class TemplatePatch(TemplateContentIn):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None
    language: str | None = Field(None, description="zh-hans or en.")
    is_default: bool | None = None


# ---- schemas: projects -------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class ProjectOut(Schema):
    id: int
    code: str = Field(description="Unique, like PRJ-2026-0001.")
    name: str
    client: Ref
    opportunity_id: int | None = Field(description="The deal it was converted from.")
    template_id: int | None
    manager: Ref = Field(description="The project manager.")
    start_date: datetime.date
    budget: Decimal = Field(description="In `currency`; a decimal string.")
    currency: Currency
    status: ProjectStatus
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_client(project: Project) -> dict[str, Any]:
        return {"id": project.client_id, "name": str(project.client)}

    @staticmethod
    def resolve_manager(project: Project) -> dict[str, Any]:
        return {"id": project.manager_id, "name": str(project.manager)}


class StakeholderOut(Schema):
    contact_id: int
    name: str
    role: DecisionRole
    influence: int
    interest: int

    @staticmethod
    def resolve_name(row: Stakeholder) -> str:
        return row.contact.name


class CommunicationOut(CommunicationSchema):
    owner_id: int | None


class RiskOut(RiskSchema):
    score: int = Field(description="probability times impact, 1 to 25.")


class KickoffOut(Schema):
    id: int
    title: str
    done: bool


class ProjectDetailOut(ProjectOut):
    team: list[Ref] = Field(description="Who works on the project (the manager included).")
    stakeholders: list[StakeholderOut]
    communications: list[CommunicationOut]
    risks: list[RiskOut]
    kickoff: list[KickoffOut]

    @staticmethod
    def resolve_team(project: Project) -> list[dict[str, Any]]:
        return [{"id": member.pk, "name": str(member)} for member in project.members.all()]

    @staticmethod
    def resolve_stakeholders(project: Project) -> list[Any]:
        return list(project.stakeholders.all())

    @staticmethod
    def resolve_communications(project: Project) -> list[Any]:
        return list(project.communications.all())

    @staticmethod
    def resolve_risks(project: Project) -> list[Any]:
        return list(project.risks.all())

    @staticmethod
    def resolve_kickoff(project: Project) -> list[Any]:
        return list(project.kickoff.all())


class ProjectPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    status: ProjectStatus | None = None
    manager_id: int | None = Field(None, description="An active project manager or administrator.")
    start_date: datetime.date | None = None
    team_ids: list[int] | None = Field(
        None, description="The whole team (active colleagues); the manager is always kept."
    )


class StakeholderIn(Schema):
    contact_id: int = Field(description="A contact of the deal's client.")
    role: DecisionRole


class ConvertIn(Schema):
    template_id: int
    manager_id: int = Field(description="An active project manager or administrator.")
    start_date: datetime.date
    budget: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="The deal amount when omitted."
    )
    stakeholders: list[StakeholderIn] = Field(default_factory=list)
    interaction_ids: list[int] = Field(
        default_factory=list, description="Pre-sales notes of the deal or its client to carry."
    )
    attachment_ids: list[int] = Field(
        default_factory=list, description="Files of the deal or its client to copy."
    )
    force_new: bool = Field(
        False, description="Create another project even if the deal has one already."
    )


class ProjectFilter(Schema):
    q: str = Field("", description="Part of the code, name or client name.")
    status: ProjectStatus | None = None
    manager_id: int | None = None
    client_id: int | None = None


# ---- helpers -----------------------------------------------------------------------------------


def _detail_rows(user: Any) -> Any:
    return (
        Project.objects.for_user(user)
        .select_related("client", "manager")
        .prefetch_related(
            Prefetch("stakeholders", queryset=Stakeholder.objects.select_related("contact")),
            "communications",
            "risks",
            "kickoff",
            "members",
        )
    )


def _template_rows(user: Any, action: str = "view") -> Any:
    return ProjectTemplate.objects.for_user(user, action).prefetch_related(
        "phases__tasks", "communications", "risks", "checklist"
    )


def _manager(manager_id: int, field: str) -> User:
    manager = managers().filter(pk=manager_id).first()
    if manager is None:
        raise ValidationError({field: _("Choose an active project manager or administrator.")})
    return manager


def _team(ids: list[int]) -> list[User]:
    team = list(colleagues().filter(pk__in=ids))
    if len(team) != len(set(ids)):
        raise ValidationError({"team_ids": _("Choose active colleagues only, no client users.")})
    return team


def _content(payload: TemplateContentIn, base: TemplateContent | None = None) -> TemplateContent:
    """The payload's content; parts it leaves out come from ``base`` (or stay empty)."""
    base = base or TemplateContent()
    data = payload.dict(exclude_unset=True)
    return TemplateContent(
        phases=base.phases
        if "phases" not in data
        else tuple(
            PhaseSpec(p["name"], tuple(TaskSpec(**t) for t in p["tasks"])) for p in data["phases"]
        ),
        communications=base.communications
        if "communications" not in data
        else tuple(CommunicationSpec(**c.dict()) for c in payload.communications or ()),
        risks=base.risks if "risks" not in data else tuple(RiskSpec(**r) for r in data["risks"]),
        checklist=base.checklist if "checklist" not in data else tuple(data["checklist"]),
    )


def _template_fields(payload: Schema) -> dict[str, Any]:
    fields = payload.dict(exclude_unset=True)
    return {
        name: fields[name]
        for name in ("name", "description", "language", "is_default")
        if name in fields
    }


# ---- the conversion ----------------------------------------------------------------------------


@router.post(
    "/opportunities/{opportunity_id}/convert",
    response={200: ProjectDetailOut, 201: ProjectDetailOut},
    summary="Convert a won deal into a project (idempotent)",
    description="201 with the new project; 200 with the existing project when the deal was "
    "converted already and `force_new` is false. 422 when the deal is not won.",
    tags=["projects"],
)
@policy.api_requires("crm.opportunity", "convert")
def convert_opportunity(
    request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: ConvertIn
) -> object:
    opportunity = get_object_or_404(
        Opportunity.objects.for_user(request.user, "convert"), pk=opportunity_id
    )
    template = ProjectTemplate.objects.for_user(request.user).filter(pk=payload.template_id).first()
    if template is None:
        raise ValidationError({"template_id": _("There is no project template with this ID.")})
    contacts = Contact.objects.for_user(request.user).in_bulk(
        [row.contact_id for row in payload.stakeholders]
    )
    if any(row.contact_id not in contacts for row in payload.stakeholders):
        raise ValidationError({"stakeholders": _("There is no contact with one of these IDs.")})
    conversion = run_conversion(
        opportunity,
        actor=request.user,
        template=template,
        manager=_manager(payload.manager_id, "manager_id"),
        start_date=payload.start_date,
        budget=payload.budget,
        stakeholders=[(contacts[row.contact_id], row.role) for row in payload.stakeholders],
        carry_interactions=payload.interaction_ids,
        carry_attachments=payload.attachment_ids,
        force_new=payload.force_new,
    )
    project = _detail_rows(request.user).get(pk=conversion.project.pk)
    set_etag(response, project)
    return Status(201 if conversion.created else 200, project)


# ---- projects ----------------------------------------------------------------------------------


@router.get(
    "/projects", response=list[ProjectOut], summary="Projects you can see", tags=["projects"]
)
@policy.api_requires("planning.project", "view")
@paginate(LimitOffsetPagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFilter]) -> object:
    projects = Project.objects.for_user(request.user).select_related("client", "manager")
    return filter_projects(
        projects,
        q=filters.q,
        status=filters.status or "",
        manager=filters.manager_id,
        client=filters.client_id,
    )


@router.get(
    "/projects/{project_id}",
    response=ProjectDetailOut,
    summary="One project with its stakeholders, plan, communication, risks and kickoff",
    tags=["projects"],
)
@policy.api_requires("planning.project", "view")
def get_project(request: HttpRequest, response: HttpResponse, project_id: int) -> object:
    return read_with_etag(response, _detail_rows(request.user), pk=project_id)


@router.patch(
    "/projects/{project_id}",
    response=ProjectDetailOut,
    summary="Edit a project's header (needs If-Match)",
    openapi_extra=IF_MATCH,
    tags=["projects"],
)
@policy.api_requires("planning.project", "change")
def update_project(
    request: HttpRequest, response: HttpResponse, project_id: int, payload: ProjectPatch
) -> object:
    project = get_object_or_404(Project.objects.for_user(request.user, "change"), pk=project_id)
    changes = payload.dict(exclude_unset=True)
    if "manager_id" in changes:
        changes["manager"] = _manager(changes.pop("manager_id"), "manager_id")
    if "team_ids" in changes:
        changes["team"] = _team(changes.pop("team_ids") or [])
    services.update_project(
        project, actor=request.user, expected_version=expected_version(request), **changes
    )
    project = _detail_rows(request.user).get(pk=project.pk)
    set_etag(response, project)
    return project


# ---- project templates -------------------------------------------------------------------------


@router.get(
    "/project-templates",
    response=list[TemplateOut],
    summary="Project templates",
    tags=["project templates"],
)
@policy.api_requires("planning.projecttemplate", "view")
@paginate(LimitOffsetPagination)
def list_templates(request: HttpRequest) -> object:
    return _template_rows(request.user)


@router.get(
    "/project-templates/{template_id}",
    response=TemplateOut,
    summary="One project template (with its ETag)",
    tags=["project templates"],
)
@policy.api_requires("planning.projecttemplate", "view")
def get_template(request: HttpRequest, response: HttpResponse, template_id: int) -> object:
    return read_with_etag(response, _template_rows(request.user), pk=template_id)


@router.post(
    "/project-templates",
    response={201: TemplateOut},
    summary="Add a project template",
    tags=["project templates"],
)
@policy.api_requires("planning.projecttemplate", "add")
def create_template(request: HttpRequest, response: HttpResponse, payload: TemplateIn) -> object:
    template = services.create_template(
        actor=request.user, content=_content(payload), **_template_fields(payload)
    )
    template = _template_rows(request.user).get(pk=template.pk)
    set_etag(response, template)
    return Status(201, template)


@router.patch(
    "/project-templates/{template_id}",
    response=TemplateOut,
    summary="Edit a project template (needs If-Match); content lists given replace the old",
    openapi_extra=IF_MATCH,
    tags=["project templates"],
)
@policy.api_requires("planning.projecttemplate", "change")
def update_template(
    request: HttpRequest, response: HttpResponse, template_id: int, payload: TemplatePatch
) -> object:
    template = get_object_or_404(_template_rows(request.user, "change"), pk=template_id)
    services.update_template(
        template,
        actor=request.user,
        expected_version=expected_version(request),
        content=_content(payload, base=template_content(template)),
        **_template_fields(payload),
    )
    template = _template_rows(request.user).get(pk=template.pk)
    set_etag(response, template)
    return template


@router.post(
    "/project-templates/{template_id}/clone",
    response={201: TemplateOut},
    summary="Copy a project template (named “… (copy)”)",
    tags=["project templates"],
)
@policy.api_requires("planning.projecttemplate", "add")
def clone_template(request: HttpRequest, response: HttpResponse, template_id: int) -> object:
    template = get_object_or_404(_template_rows(request.user), pk=template_id)
    copy = _template_rows(request.user).get(
        pk=services.clone_template(template, actor=request.user).pk
    )
    set_etag(response, copy)
    return Status(201, copy)


@router.delete(
    "/project-templates/{template_id}",
    response={204: None},
    summary="Delete a project template no project was created from",
    tags=["project templates"],
)
@policy.api_requires("planning.projecttemplate", "delete")
def delete_template(request: HttpRequest, template_id: int) -> object:
    template = get_object_or_404(
        ProjectTemplate.objects.for_user(request.user, "delete"), pk=template_id
    )
    services.delete_template(template, actor=request.user)
    return Status(204, None)
