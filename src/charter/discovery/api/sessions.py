"""Interviews and focus groups through the API: per project or deal, read/edit/delete one, and
a focus group's ideas and dot-votes."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from charter.core import policy
from charter.core.api import IF_MATCH, read_with_etag, request_field_names, update_with_if_match
from charter.crm.models import Contact
from charter.discovery.api.parents import parent_operation
from charter.discovery.models import FocusGroup, Interview
from charter.discovery.services import sessions as services
from charter.discovery.views.parents import visible_parent
from charter.planning.forms import colleagues

router = Router()

INTERVIEWS = ["interviews"]
FOCUS_GROUPS = ["focus groups"]


# ---- schemas ---------------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    project_id: int | None
    opportunity_id: int | None = Field(description="Set while the deal is not yet a project.")
    title: str
    held_at: datetime.datetime
    location: str
    notes: str
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class InterviewOut(SessionOut):
    interviewer_ids: list[int] = Field(description="Colleagues who interviewed.")
    interviewee_ids: list[int] = Field(description="Contacts of the client who were interviewed.")
    guide: str = Field(description="The interview guide: one question per line.")

    @staticmethod
    def resolve_interviewer_ids(obj: Interview) -> list[int]:
        return [user.pk for user in obj.interviewers.all()]

    @staticmethod
    def resolve_interviewee_ids(obj: Interview) -> list[int]:
        return [contact.pk for contact in obj.interviewees.all()]


class FocusGroupOut(SessionOut):
    facilitator_ids: list[int] = Field(description="Colleagues who ran the session.")
    participant_ids: list[int] = Field(description="Contacts of the client who took part.")
    agenda: str
    dots_per_participant: int = Field(description="Votes each participant may spread.")

    @staticmethod
    def resolve_facilitator_ids(obj: FocusGroup) -> list[int]:
        return [user.pk for user in obj.facilitators.all()]

    @staticmethod
    def resolve_participant_ids(obj: FocusGroup) -> list[int]:
        return [contact.pk for contact in obj.participants.all()]


class InterviewIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    held_at: datetime.datetime
    location: str = Field("", max_length=200)
    interviewer_ids: list[int] = Field(min_length=1, description="Active colleagues.")
    interviewee_ids: list[int] = Field(min_length=1, description="Contacts of the client.")
    guide: str = Field("", description="One question per line.")
    notes: str = ""


class InterviewPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    held_at: datetime.datetime | None = None
    location: str | None = Field(None, max_length=200)
    interviewer_ids: list[int] | None = Field(None, min_length=1)
    interviewee_ids: list[int] | None = Field(None, min_length=1)
    guide: str | None = None
    notes: str | None = None


class FocusGroupIn(Schema):
    title: str = Field(min_length=1, max_length=200, description="The topic.")
    held_at: datetime.datetime
    location: str = Field("", max_length=200)
    facilitator_ids: list[int] = Field(min_length=1, description="Active colleagues.")
    participant_ids: list[int] = Field(min_length=1, description="Contacts of the client.")
    agenda: str = ""
    notes: str = ""
    dots_per_participant: int = Field(3, ge=1, le=20)


class FocusGroupPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    held_at: datetime.datetime | None = None
    location: str | None = Field(None, max_length=200)
    facilitator_ids: list[int] | None = Field(None, min_length=1)
    participant_ids: list[int] | None = Field(None, min_length=1)
    agenda: str | None = None
    notes: str | None = None
    dots_per_participant: int | None = Field(None, ge=1, le=20)


class SessionFilters(Schema):
    q: str = Field("", description="Words in the title, notes or a contact's name.")
    date_from: datetime.date | None = Field(None, description="Held on or after this day.")
    date_to: datetime.date | None = Field(None, description="Held on or before this day.")


class VoteOut(Schema):
    participant_id: int
    dots: int


class IdeaOut(Schema):
    id: int
    text: str
    proposed_by_id: int | None = Field(description="The participant who brought it up.")
    total_dots: int = Field(description="All dots it received.")
    votes: list[VoteOut]

    @staticmethod
    def resolve_votes(obj: Any) -> list[dict[str, int]]:
        return [{"participant_id": v.participant_id, "dots": v.dots} for v in obj.votes.all()]


class IdeaIn(Schema):
    text: str = Field(min_length=1, max_length=500)
    proposed_by_id: int | None = Field(None, description="A participant of the focus group.")


class DotsIn(Schema):
    idea_id: int
    dots: int = Field(ge=0)


class VotesIn(Schema):
    participant_id: int = Field(description="A participant of the focus group.")
    dots: list[DotsIn] = Field(
        description="The dots this participant gave each idea; ideas left out get none. The "
        "sum may not exceed dots_per_participant. Replaces the participant's earlier votes."
    )


# ---- people: ids in, objects for the services ------------------------------------------------

# The services' people fields → the schema's id field of each.
ID_FIELDS = {
    "interviewers": "interviewer_ids",
    "interviewees": "interviewee_ids",
    "facilitators": "facilitator_ids",
    "participants": "participant_ids",
}


def _people(request: HttpRequest, values: dict[str, Any]) -> dict[str, Any]:
    """Replace the ``*_ids`` of the payload by colleagues and contacts (unknown ids: 422)."""
    for name, id_field in ID_FIELDS.items():
        if values.get(id_field) is None:
            values.pop(id_field, None)
            continue
        ids = set(values.pop(id_field))
        staff = name in ("interviewers", "facilitators")
        rows: Any = colleagues() if staff else Contact.objects.for_user(request.user)
        found = list(rows.filter(pk__in=ids))
        if len(found) != len(ids):
            missing = sorted(ids - {row.pk for row in found})
            message = (
                _("Not active colleagues: %(ids)s.") if staff else _("No such contacts: %(ids)s.")
            ) % {"ids": ", ".join(map(str, missing))}
            raise ValidationError({id_field: message})
        values[name] = found
    return values


def _sessions(model: Any, request: HttpRequest, kind: str, pk: int, filters: Any) -> Any:
    parent = visible_parent(request.user, kind, pk)
    rows = model.objects.for_user(request.user).filter(**{kind: parent})
    return services.filter_sessions(rows, **filters.dict())


def _create_session(create: Any, request: HttpRequest, kind: str, pk: int, payload: Any) -> Any:
    parent = visible_parent(request.user, kind, pk)
    fields = _people(request, payload.dict())
    with request_field_names(ID_FIELDS):
        return Status(201, create(parent, actor=request.user, **fields))


def _session(model: Any, request: HttpRequest, pk: int, action: str) -> Any:
    return get_object_or_404(model.objects.for_user(request.user, action), pk=pk)


def _update_session(
    model: Any, update: Any, request: HttpRequest, response: HttpResponse, pk: int, payload: Any
) -> Any:
    session = _session(model, request, pk, "change")
    changes = _people(request, payload.dict(exclude_unset=True))
    with request_field_names(ID_FIELDS):
        return update_with_if_match(request, response, update, session, **changes)


def _delete_session(model: Any, delete: Any, request: HttpRequest, pk: int) -> Any:
    delete(_session(model, request, pk, "delete"), actor=request.user)
    return Status(204, None)


# ---- interviews ------------------------------------------------------------------------------


@parent_operation(
    router,
    "GET",
    "/interviews",
    response=list[InterviewOut],
    tags=INTERVIEWS,
    summary="A {parent}'s interviews, latest first",
    rule=("discovery.interview", "view"),
    paginated=True,
)
def interviews(request: HttpRequest, kind: str, pk: int, filters: Query[SessionFilters]) -> Any:
    return _sessions(Interview, request, kind, pk, filters)


@parent_operation(
    router,
    "POST",
    "/interviews",
    response={201: InterviewOut},
    tags=INTERVIEWS,
    summary="Record an interview of a {parent}",
    rule=("discovery.interview", "add"),
)
def create_interview(request: HttpRequest, kind: str, pk: int, payload: InterviewIn) -> Any:
    return _create_session(services.create_interview, request, kind, pk, payload)


@router.get(
    "/interviews/{interview_id}", response=InterviewOut, tags=INTERVIEWS, summary="An interview"
)
@policy.api_requires("discovery.interview", "view")
def get_interview(request: HttpRequest, response: HttpResponse, interview_id: int) -> Any:
    return read_with_etag(response, Interview.objects.for_user(request.user), pk=interview_id)


@router.patch(
    "/interviews/{interview_id}",
    response=InterviewOut,
    tags=INTERVIEWS,
    summary="Edit an interview (needs If-Match); people lists replace the current ones",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("discovery.interview", "change")
def update_interview(
    request: HttpRequest, response: HttpResponse, interview_id: int, payload: InterviewPatch
) -> Any:
    return _update_session(
        Interview, services.update_interview, request, response, interview_id, payload
    )


@router.delete(
    "/interviews/{interview_id}",
    response={204: None},
    tags=INTERVIEWS,
    summary="Delete an interview and its findings (refused while one backs a requirement)",
)
@policy.api_requires("discovery.interview", "delete")
def delete_interview(request: HttpRequest, interview_id: int) -> Any:
    return _delete_session(Interview, services.delete_interview, request, interview_id)


# ---- focus groups ----------------------------------------------------------------------------


@parent_operation(
    router,
    "GET",
    "/focus-groups",
    response=list[FocusGroupOut],
    tags=FOCUS_GROUPS,
    summary="A {parent}'s focus groups, latest first",
    rule=("discovery.focusgroup", "view"),
    paginated=True,
)
def focus_groups(request: HttpRequest, kind: str, pk: int, filters: Query[SessionFilters]) -> Any:
    return _sessions(FocusGroup, request, kind, pk, filters)


@parent_operation(
    router,
    "POST",
    "/focus-groups",
    response={201: FocusGroupOut},
    tags=FOCUS_GROUPS,
    summary="Record a focus group of a {parent}",
    rule=("discovery.focusgroup", "add"),
)
def create_focus_group(request: HttpRequest, kind: str, pk: int, payload: FocusGroupIn) -> Any:
    return _create_session(services.create_focus_group, request, kind, pk, payload)


@router.get(
    "/focus-groups/{focus_group_id}",
    response=FocusGroupOut,
    tags=FOCUS_GROUPS,
    summary="A focus group",
)
@policy.api_requires("discovery.focusgroup", "view")
def get_focus_group(request: HttpRequest, response: HttpResponse, focus_group_id: int) -> Any:
    return read_with_etag(response, FocusGroup.objects.for_user(request.user), pk=focus_group_id)


@router.patch(
    "/focus-groups/{focus_group_id}",
    response=FocusGroupOut,
    tags=FOCUS_GROUPS,
    summary="Edit a focus group (needs If-Match); a removed participant's votes go with them",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("discovery.focusgroup", "change")
def update_focus_group(
    request: HttpRequest, response: HttpResponse, focus_group_id: int, payload: FocusGroupPatch
) -> Any:
    return _update_session(
        FocusGroup, services.update_focus_group, request, response, focus_group_id, payload
    )


@router.delete(
    "/focus-groups/{focus_group_id}",
    response={204: None},
    tags=FOCUS_GROUPS,
    summary="Delete a focus group with its ideas, votes and findings",
)
@policy.api_requires("discovery.focusgroup", "delete")
def delete_focus_group(request: HttpRequest, focus_group_id: int) -> Any:
    return _delete_session(FocusGroup, services.delete_focus_group, request, focus_group_id)


def _ranked(group: FocusGroup) -> list[Any]:
    return list(services.ranked_ideas(group).prefetch_related("votes"))


@router.get(
    "/focus-groups/{focus_group_id}/ideas",
    response=list[IdeaOut],
    tags=FOCUS_GROUPS,
    summary="A focus group's ideas, most dots first, with each participant's dots",
)
@policy.api_requires("discovery.focusgroup", "view")
def focus_group_ideas(request: HttpRequest, focus_group_id: int) -> Any:
    return _ranked(_session(FocusGroup, request, focus_group_id, "view"))


@router.post(
    "/focus-groups/{focus_group_id}/ideas",
    response={201: IdeaOut},
    tags=FOCUS_GROUPS,
    summary="Capture an idea",
)
@policy.api_requires("discovery.focusgroup", "change")
def add_idea(request: HttpRequest, focus_group_id: int, payload: IdeaIn) -> Any:
    group = _session(FocusGroup, request, focus_group_id, "change")
    proposed_by = None
    if payload.proposed_by_id is not None:
        proposed_by = group.participants.filter(pk=payload.proposed_by_id).first()
        if proposed_by is None:
            raise ValidationError(
                {"proposed_by_id": _("Choose a participant of this focus group.")}
            )
    idea = services.add_idea(group, actor=request.user, text=payload.text, proposed_by=proposed_by)
    return Status(201, next(row for row in _ranked(group) if row.pk == idea.pk))


@router.put(
    "/focus-groups/{focus_group_id}/votes",
    response=list[IdeaOut],
    tags=FOCUS_GROUPS,
    summary="Set the dots one participant gave (all or nothing); answers the ranked ideas",
)
@policy.api_requires("discovery.focusgroup", "change")
def put_votes(request: HttpRequest, focus_group_id: int, payload: VotesIn) -> Any:
    group = _session(FocusGroup, request, focus_group_id, "change")
    participant = group.participants.filter(pk=payload.participant_id).first()
    if participant is None:
        raise ValidationError({"participant_id": _("Choose a participant of this focus group.")})
    dots: dict[int, int] = {}
    for row in payload.dots:
        dots[row.idea_id] = dots.get(row.idea_id, 0) + row.dots
    services.record_votes(group, actor=request.user, participant=participant, dots=dots)
    return _ranked(group)
