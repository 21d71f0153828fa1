"""Meeting pages of a project: upcoming and past meetings, schedule, detail (minutes, action
items, "make a task"), edit, cancel with confirmation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.comms import meetings as services
from charter.comms.forms.meetings import ActionItemForm, MeetingEditForm, MeetingForm, MinutesForm
from charter.comms.models import ActionItem, Meeting
from charter.core import policy
from charter.core.forms import submit
from charter.planning.models import Project
from charter.planning.querysets import visible_project


def _meeting(request: HttpRequest, pk: int, action: str) -> Meeting:
    rows = Meeting.objects.for_user(request.user, action).select_related(
        "project__client", "organizer"
    )
    return get_object_or_404(rows, pk=pk)


def meetings_url(project: Project) -> str:
    return reverse("comms:project_meetings", args=[project.pk])


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_GET
@policy.requires("comms.meeting", "view")
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    rows = (
        Meeting.objects.for_user(request.user).filter(project=project).select_related("organizer")
    )
    upcoming, past = services.split_by_time(rows, now=timezone.now())
    context = {
        "project": project,
        "upcoming": [(meeting, services.when(meeting)) for meeting in upcoming],
        "past": [(meeting, services.when(meeting)) for meeting in past],
        "create_url": reverse("comms:meeting_create", args=[project.pk]),
    }
    return render(request, "comms/meetings/meeting_list.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.meeting", "add")
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule a meeting; the invitations go out when it is saved."""
    project = visible_project(request.user, pk)
    initial = {"time_zone": services.default_time_zone(request.user)}
    form = MeetingForm(request.POST or None, project=project, initial=initial)
    status: int | None = 200
    if request.method == "POST":
        created: list[Meeting] = []
        status = submit(
            form,
            lambda data: created.append(
                services.schedule_meeting(
                    project, actor=request.user, fields=form.meeting_fields(), **form.people()
                )
            ),
        )
        if status is None:
            messages.success(
                request,
                _("“%(title)s” was scheduled and the invitations sent.") % {"title": created[0]},
            )
            return redirect(created[0])
    return _form_page(request, form, project, None, status or 200)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.meeting", "change")
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a meeting; attendees get the updated invitation. A stale save is refused (409)."""
    meeting = _meeting(request, pk, "change")
    form = MeetingEditForm(
        request.POST or None, project=meeting.project, initial=MeetingEditForm.initial_of(meeting)
    )
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_meeting(
                meeting,
                actor=request.user,
                expected_version=data["version"],
                **form.people(),
                **form.meeting_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(title)s” was saved.") % {"title": meeting})
            return redirect(meeting)
        meeting.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(request, form, meeting.project, meeting, status or 200)


def _form_page(
    request: HttpRequest, form: MeetingForm, project: Project, meeting: Meeting | None, status: int
) -> HttpResponse:
    context = {
        "form": form,
        "project": project,
        "meeting": meeting,
        "cancel_url": meeting.get_absolute_url() if meeting else meetings_url(project),
    }
    return render(request, "comms/meetings/meeting_form.html", context, status=status)


def _detail_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    minutes_form: MinutesForm | None = None,
    action_form: ActionItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "meeting": meeting,
        "project": meeting.project,
        "when": services.when(meeting),
        "contacts": meeting.contacts.all(),
        "colleagues": meeting.colleagues.all(),
        "action_items": meeting.action_items.select_related("owner", "task"),
        "minutes_form": minutes_form
        or MinutesForm(initial={"minutes": meeting.minutes, "version": meeting.version}),
        "action_form": action_form or ActionItemForm(project=meeting.project),
    }
    return render(request, "comms/meetings/meeting_detail.html", context, status=status)


@require_GET
@policy.requires("comms.meeting", "view")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _meeting(request, pk, "view"))


@require_POST
@policy.requires("comms.meeting", "change")
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, "change")
    form = MinutesForm(request.POST)
    status = submit(
        form,
        lambda data: services.record_minutes(
            meeting, actor=request.user, expected_version=data["version"], minutes=data["minutes"]
        ),
    )
    if status is not None:
        meeting.refresh_from_db()
        return _detail_page(request, meeting, minutes_form=form, status=status)
    messages.success(request, _("The minutes were saved."))
    return redirect(meeting)


@require_POST
@policy.requires("comms.meeting", "change")
def meeting_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, "change")
    form = ActionItemForm(request.POST, project=meeting.project)
    status = submit(
        form, lambda data: services.add_action_item(meeting, actor=request.user, **data)
    )
    if status is not None:
        return _detail_page(request, meeting, action_form=form, status=status)
    messages.success(request, _("The action item was added."))
    return redirect(meeting)


@require_POST
@policy.requires("planning.task", "change")
def action_item_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the action item a task of the plan (managers shape the plan)."""
    meetings = Meeting.objects.for_user(request.user, "view")
    item: ActionItem = get_object_or_404(
        ActionItem.objects.select_related("meeting"), pk=pk, meeting__in=meetings
    )
    try:
        task = services.plan_action_item(item, actor=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _("“%(name)s” is now a task of the plan.") % {"name": task})
    return redirect(item.meeting)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.meeting", "cancel")
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST cancels and tells every attendee."""
    meeting = _meeting(request, pk, "cancel")
    if request.method == "POST":
        try:
            services.cancel_meeting(meeting, actor=request.user)
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(
                request,
                _("“%(title)s” was cancelled; the attendees were told.") % {"title": meeting},
            )
        return redirect(meeting)
    context = {
        "meeting": meeting,
        "project": meeting.project,
        "when": services.when(meeting),
        "attendee_count": len(services.attendees(meeting)),
    }
    return render(request, "comms/meetings/meeting_cancel.html", context)


urls = [
    path("projects/<int:pk>/meetings/", meeting_list, name="project_meetings"),
    path("projects/<int:pk>/meetings/new/", meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/minutes/", meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/action-items/", meeting_action_add, name="meeting_action_add"),
    path("action-items/<int:pk>/task/", action_item_task, name="action_item_task"),
]
