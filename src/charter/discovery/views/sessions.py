"""Interview and focus-group pages: the lists of a project or a deal, add, detail, edit,
delete; on a focus group also ideas and dot-voting. Both kinds share the list, form and delete
pages, described by an :class:`Area`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import add_service_errors, submit
from charter.discovery.forms.findings import FindingFromSourceForm
from charter.discovery.forms.sessions import (
    FocusGroupEditForm,
    FocusGroupForm,
    IdeaForm,
    InterviewEditForm,
    InterviewForm,
    SessionFilterForm,
    VotesForm,
)
from charter.discovery.models import FocusGroup, Interview
from charter.discovery.services import sessions as services
from charter.discovery.views.parents import parent_paths, parent_url, visible_parent

PER_PAGE = 25


@dataclass(frozen=True)
class Area:
    model: type[Interview] | type[FocusGroup]
    name: str  # "interview" → URL names interview_detail, project_interviews …
    plural: str
    form: type[InterviewForm] | type[FocusGroupForm]
    edit_form: type[InterviewEditForm] | type[FocusGroupEditForm]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]
    title: Any  # the list's heading
    add_label: Any
    empty_text: Any


INTERVIEWS = Area(
    model=Interview,
    name="interview",
    plural="interviews",
    form=InterviewForm,
    edit_form=InterviewEditForm,
    create=services.create_interview,
    update=services.update_interview,
    delete=services.delete_interview,
    title=gettext_lazy("Interviews"),
    add_label=gettext_lazy("Add interview"),
    empty_text=gettext_lazy(
        "An in-depth interview goes deep with one or a few client people: record the guide, "
        "the notes and what you learned."
    ),
)
FOCUS_GROUPS = Area(
    model=FocusGroup,
    name="focusgroup",
    plural="focusgroups",
    form=FocusGroupForm,
    edit_form=FocusGroupEditForm,
    create=services.create_focus_group,
    update=services.update_focus_group,
    delete=services.delete_focus_group,
    title=gettext_lazy("Focus groups"),
    add_label=gettext_lazy("Add focus group"),
    empty_text=gettext_lazy(
        "A focus group sparks ideas: capture them, let the participants vote with dots, and "
        "turn the favourites into requirements."
    ),
)


def _session(request: HttpRequest, area: Area, pk: int, action: str) -> Any:
    rows = area.model.objects.for_user(request.user, action).select_related(
        "project__client", "opportunity__client"
    )
    return get_object_or_404(rows, pk=pk)


def _list(request: HttpRequest, area: Area, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    filter_form = SessionFilterForm(request.GET)
    filters = filter_form.filters()
    rows = services.filter_sessions(
        area.model.objects.for_user(request.user).filter(**{kind: parent}),
        **filters,
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "area": area,
        "parent": parent,
        "page": page,
        "filter_form": filter_form,
        "searching": any(filters.values()),
        "create_url": parent_url(parent, f"{area.name}_create"),
        "resource": f"discovery.{area.name}",
    }
    return render(request, "discovery/sessions/session_list.html", context)


def _create(request: HttpRequest, area: Area, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    form = area.form(request.POST or None, parent=parent)
    status = 200
    if request.method == "POST":
        created: list[Any] = []
        status = (
            submit(
                form,
                lambda data: created.append(
                    area.create(parent, actor=request.user, **form.service_fields())
                ),
            )
            or 0
        )
        if created:
            messages.success(request, _("“%(title)s” was added.") % {"title": created[0]})
            return redirect(created[0])
    cancel_url = parent_url(parent, area.plural)
    return _form_page(request, area, form, parent, None, cancel_url, status)


def _edit(request: HttpRequest, area: Area, pk: int) -> HttpResponse:
    """Edit a session; a save based on an older version is refused (409)."""
    session = _session(request, area, pk, "change")
    form = area.edit_form(
        request.POST or None, parent=session.parent, initial=area.edit_form.initial_of(session)
    )
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: area.update(
                session,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(title)s” was saved.") % {"title": session})
            return redirect(session)
        session.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(
        request, area, form, session.parent, session, session.get_absolute_url(), status
    )


def _form_page(
    request: HttpRequest,
    area: Area,
    form: Any,
    parent: models.Model,
    session: Any,
    cancel_url: str,
    status: int | None,
) -> HttpResponse:
    context = {
        "area": area,
        "form": form,
        "parent": parent,
        "session": session,
        "cancel_url": cancel_url,
    }
    return render(request, "discovery/sessions/session_form.html", context, status=status or 200)


def _delete(request: HttpRequest, area: Area, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes, or explains why the session must stay."""
    session = _session(request, area, pk, "delete")
    parent = session.parent
    if request.method == "POST":
        try:
            area.delete(session, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(session)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": session})
        return redirect(parent_url(parent, area.plural))
    context = {
        "area": area,
        "session": session,
        "parent": parent,
        "finding_count": session.findings.count(),
    }
    return render(request, "discovery/sessions/session_delete.html", context)


def _findings(session: Any) -> Any:
    return session.findings.select_related("requirement", "idea").order_by("created_at", "pk")


def _finding_form(source: str, source_id: int) -> FindingFromSourceForm:
    return FindingFromSourceForm(initial={"source": source, "source_id": source_id})


# ---- interviews ------------------------------------------------------------------------------


@require_GET
@policy.requires("discovery.interview", "view")
def interview_list(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _list(request, INTERVIEWS, kind, pk)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.interview", "add")
def interview_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _create(request, INTERVIEWS, kind, pk)


@require_GET
@policy.requires("discovery.interview", "view")
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Facts, guide, notes, files and the findings of an interview."""
    interview = _session(request, INTERVIEWS, pk, "view")
    context = {
        "interview": interview,
        "parent": interview.parent,
        "interviewers": interview.interviewers.all(),
        "interviewees": interview.interviewees.all(),
        "questions": [line.strip() for line in interview.guide.splitlines() if line.strip()],
        "findings": _findings(interview),
        "finding_form": _finding_form("interview", interview.pk),
        # Files need the model's opt-in to core attachments (charter_attachable).
        "attachable": getattr(Interview, "charter_attachable", False),
    }
    return render(request, "discovery/sessions/interview_detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.interview", "change")
def interview_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, INTERVIEWS, pk)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.interview", "delete")
def interview_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, INTERVIEWS, pk)


# ---- focus groups ----------------------------------------------------------------------------


@require_GET
@policy.requires("discovery.focusgroup", "view")
def focusgroup_list(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _list(request, FOCUS_GROUPS, kind, pk)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.focusgroup", "add")
def focusgroup_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _create(request, FOCUS_GROUPS, kind, pk)


def _focusgroup_page(
    request: HttpRequest,
    group: FocusGroup,
    *,
    idea_form: IdeaForm | None = None,
    votes_form: VotesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    participants = list(group.participants.all())
    ideas: list[Any] = list(services.ranked_ideas(group))
    stored = services.votes_table(group)
    votes: dict[tuple[int, int], Any] = dict(stored)
    findings = list(_findings(group))
    requirement_of_idea = {
        finding.idea_id: finding.requirement for finding in findings if finding.requirement_id
    }
    # After a refused save, show what the facilitator typed for that participant.
    entered = votes_form.data if votes_form is not None else {}
    for person in participants:
        if str(person.pk) == entered.get("participant"):
            for idea in ideas:
                votes[(idea.pk, person.pk)] = entered.get(f"idea_{idea.pk}") or 0
    top = max((idea.total_dots for idea in ideas), default=0)
    context = {
        "group": group,
        "parent": group.parent,
        "facilitators": group.facilitators.all(),
        "participants": participants,
        "ideas": [
            {
                "idea": idea,
                "votes": [(person, votes.get((idea.pk, person.pk), 0)) for person in participants],
                "percent": round(100 * idea.total_dots / top) if top else 0,
                "requirement": requirement_of_idea.get(idea.pk),
            }
            for idea in ideas
        ],
        "spent": [
            sum(stored.get((idea.pk, person.pk), 0) for idea in ideas) for person in participants
        ],
        "findings": findings,
        "finding_form": _finding_form("focus_group", group.pk),
        "idea_form": idea_form or IdeaForm(group=group),
        "votes_form": votes_form,
    }
    return render(request, "discovery/sessions/focusgroup_detail.html", context, status=status)


@require_GET
@policy.requires("discovery.focusgroup", "view")
def focusgroup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Topic, people, agenda, notes; the ideas ranked by dots, the voting table, findings."""
    return _focusgroup_page(request, _session(request, FOCUS_GROUPS, pk, "view"))


@require_POST
@policy.requires("discovery.focusgroup", "change")
def focusgroup_idea_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = _session(request, FOCUS_GROUPS, pk, "change")
    form = IdeaForm(request.POST, group=group)
    status = submit(form, lambda data: services.add_idea(group, actor=request.user, **data))
    if status is not None:
        return _focusgroup_page(request, group, idea_form=form, status=status)
    messages.success(request, _("The idea was added."))
    return redirect(group)


@require_POST
@policy.requires("discovery.focusgroup", "change")
def focusgroup_votes(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the dots one participant gave; over their limit nothing is saved (422)."""
    group = _session(request, FOCUS_GROUPS, pk, "change")
    form = VotesForm(request.POST, group=group, ideas=group.ideas.all())
    status = 422
    if form.is_valid():
        try:
            services.record_votes(
                group,
                actor=request.user,
                participant=form.cleaned_data["participant"],
                dots=form.dots(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The votes of %(name)s were saved.") % {"name": form.cleaned_data["participant"]},
            )
            return redirect(group)
    return _focusgroup_page(request, group, votes_form=form, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.focusgroup", "change")
def focusgroup_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, FOCUS_GROUPS, pk)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.focusgroup", "delete")
def focusgroup_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, FOCUS_GROUPS, pk)


urls = [
    *parent_paths("interviews/", interview_list, "interviews"),
    *parent_paths("interviews/new/", interview_create, "interview_create"),
    path("interviews/<int:pk>/", interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/edit/", interview_edit, name="interview_edit"),
    path("interviews/<int:pk>/delete/", interview_delete, name="interview_delete"),
    *parent_paths("focus-groups/", focusgroup_list, "focusgroups"),
    *parent_paths("focus-groups/new/", focusgroup_create, "focusgroup_create"),
    path("focus-groups/<int:pk>/", focusgroup_detail, name="focusgroup_detail"),
    path("focus-groups/<int:pk>/edit/", focusgroup_edit, name="focusgroup_edit"),
    path("focus-groups/<int:pk>/delete/", focusgroup_delete, name="focusgroup_delete"),
    path("focus-groups/<int:pk>/ideas/", focusgroup_idea_add, name="focusgroup_idea_add"),
    path("focus-groups/<int:pk>/votes/", focusgroup_votes, name="focusgroup_votes"),
]
