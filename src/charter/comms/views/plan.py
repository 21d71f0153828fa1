"""Communication plan pages: a project's plan (its items, the next eight weeks, what was
missed), its month calendar, and an item's form and detail. What an owner does to one
occurrence, and "My week", are in ``occurrences``."""

import calendar
import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from charter.comms import occurrences, plan
from charter.comms.forms.plan import CommunicationItemEditForm, CommunicationItemForm
from charter.comms.meetings import default_time_zone
from charter.comms.models import CommunicationItem, CommunicationKind, OccurrenceStatus
from charter.comms.querysets import visible_item
from charter.core import policy
from charter.core.forms import submit
from charter.crm.choices import Channel
from charter.planning.models import Project
from charter.planning.querysets import visible_project

UPCOMING_WEEKS = 8
MISSED_DAYS = 30
PER_PAGE = 50
HISTORY_PER_PAGE = 20
NEXT_COUNT = 10
NEXT_HORIZON = datetime.timedelta(days=400)


# ---- lookups ---------------------------------------------------------------------------------


def _items(request: HttpRequest, action: str = "view") -> QuerySet[CommunicationItem]:
    return CommunicationItem.objects.for_user(request.user, action)


def plan_url(project: Project) -> str:
    return reverse("comms:project_communications", args=[project.pk])


def item_url(item: CommunicationItem) -> str:
    return reverse("comms:communication_detail", args=[item.pk])


def _today() -> datetime.date:
    return timezone.localdate()


def audience_of(item: CommunicationItem) -> str:
    """Who an item reaches: its contacts, colleagues and robot by name, else its words."""
    names = [str(c) for c in item.contacts.all()] + [str(u) for u in item.colleagues.all()]
    if item.robot_id:
        names.append(str(item.robot))
    return ", ".join(names) or item.audience


# ---- the plan --------------------------------------------------------------------------------


def _plan_items(request: HttpRequest, project: Project) -> QuerySet[CommunicationItem]:
    return _items(request).filter(project=project)


@require_GET
@policy.requires("comms.communication", "view")
def communication_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's plan: its items, their next eight weeks and what was missed lately."""
    project = visible_project(request.user, pk)
    items = _plan_items(request, project)
    rows = list(
        items.select_related("owner", "robot", "template").prefetch_related(
            "contacts", "colleagues"
        )
    )
    today = _today()
    ahead = occurrences.upcoming(items, today, today + datetime.timedelta(weeks=UPCOMING_WEEKS))
    context = {
        "project": project,
        "rows": [(item, audience_of(item)) for item in rows],
        "page": Paginator(ahead, PER_PAGE).get_page(request.GET.get("page")),
        "missed": occurrences.missed(items, since=today - datetime.timedelta(days=MISSED_DAYS)),
        "weeks": UPCOMING_WEEKS,
        "now": timezone.now(),
        "missed_days": MISSED_DAYS,
        "create_url": reverse("comms:communication_create", args=[project.pk]),
        "calendar_url": reverse("comms:project_communication_calendar", args=[project.pk]),
    }
    return render(request, "comms/plan/plan.html", context)


def _month(value: str) -> datetime.date:
    """The first day of ``YYYY-MM``; this month when missing or unreadable."""
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return datetime.date(year, month, 1)
    except ValueError:
        return _today().replace(day=1)


@require_GET
@policy.requires("comms.communication", "view")
def communication_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """A month of the plan as a grid of weeks (Monday first), each occurrence on its date."""
    project = visible_project(request.user, pk)
    first = _month(request.GET.get("month", ""))
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    grid_first = first - datetime.timedelta(days=first.weekday())
    grid_last = last + datetime.timedelta(days=6 - last.weekday())
    found = occurrences.upcoming(_plan_items(request, project), grid_first, grid_last)
    by_day: dict[datetime.date, list[occurrences.Upcoming]] = {}
    for occurrence in found:
        by_day.setdefault(occurrence.on, []).append(occurrence)
    days = [
        grid_first + datetime.timedelta(days=offset)
        for offset in range((grid_last - grid_first).days + 1)
    ]
    weeks = [
        [(day, day.month == first.month, by_day.get(day, [])) for day in days[start : start + 7]]
        for start in range(0, len(days), 7)
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    context = {
        "project": project,
        "month": first,
        "weeks": weeks,
        "weekdays": days[:7],
        "today": _today(),
        "previous": previous.strftime("%Y-%m"),
        "following": following.strftime("%Y-%m"),
        "this_month": _today().strftime("%Y-%m"),
        "count": len(found),
    }
    return render(request, "comms/plan/calendar.html", context)


# ---- items -----------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: CommunicationItemForm,
    project: Project,
    item: CommunicationItem | None,
    status: int,
) -> HttpResponse:
    context = {
        "form": form,
        "project": project,
        "item": item,
        "cancel_url": item_url(item) if item else plan_url(project),
        "robot_channels": " ".join(str(channel) for channel in plan.ROBOT_CHANNELS),
    }
    return render(request, "comms/plan/item_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.communication", "add")
def communication_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    initial = {
        "kind": CommunicationKind.STATUS_REPORT,
        "channel": Channel.EMAIL,
        "preset": "weekly",
        "starts_on": _today(),
        "send_time": datetime.time(9, 0),
        "time_zone": default_time_zone(request.user),
        "owner": request.user,
        "is_active": True,
        "meeting_minutes": 60,
    }
    form = CommunicationItemForm(request.POST or None, project=project, initial=initial)
    status: int | None = 200
    if request.method == "POST":
        created: list[CommunicationItem] = []
        status = submit(
            form,
            lambda data: created.append(
                plan.create_item(project, actor=request.user, **form.people(), **form.item_fields())
            ),
        )
        if status is None:
            messages.success(request, _("“%(what)s” was added to the plan.") % {"what": created[0]})
            return redirect(item_url(created[0]))
    return _form_page(request, form, project, None, status or 200)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.communication", "change")
def communication_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an item; a save over someone else's newer one is refused (409)."""
    item = visible_item(request.user, pk, "change")
    form = CommunicationItemEditForm(
        request.POST or None,
        project=item.project,
        initial=CommunicationItemEditForm.initial_of(item),
    )
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: plan.update_item(
                item,
                actor=request.user,
                expected_version=data["version"],
                **form.people(),
                **form.item_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(what)s” was saved.") % {"what": item})
            return redirect(item_url(item))
        item = visible_item(
            request.user, pk, "change"
        )  # the failed attempt changed the object in memory
    return _form_page(request, form, item.project, item, status or 200)


@require_GET
@policy.requires("comms.communication", "view")
def communication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An item's settings, its next occurrences and what it did (with the messages sent)."""
    item = visible_item(request.user, pk, "view")
    today = _today()
    ahead = occurrences.upcoming(_items(request).filter(pk=item.pk), today, today + NEXT_HORIZON)
    history = (
        item.occurrences.exclude(status=OccurrenceStatus.PLANNED)
        .select_related("acted_by", "meeting")
        .prefetch_related("messages__robot")
        .order_by("-due_at", "-pk")
    )
    context = {
        "item": item,
        "project": item.project,
        "audience": audience_of(item),
        "contacts": item.contacts.order_by("name", "pk"),
        "colleagues": item.colleagues.order_by("pk"),
        "upcoming": ahead[:NEXT_COUNT],
        "now": timezone.now(),
        "history": Paginator(history, HISTORY_PER_PAGE).get_page(request.GET.get("page")),
    }
    return render(request, "comms/plan/item_detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.communication", "delete")
def communication_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the item (what it sent stays in the log)."""
    item = visible_item(request.user, pk, "delete")
    if request.method == "POST":
        plan.delete_item(item, actor=request.user)
        messages.success(request, _("“%(what)s” was removed from the plan.") % {"what": item})
        return redirect(plan_url(item.project))
    context = {
        "item": item,
        "project": item.project,
        "sent_count": item.occurrences.filter(status=OccurrenceStatus.SENT).count(),
    }
    return render(request, "comms/plan/item_delete.html", context)


urls = [
    path("projects/<int:pk>/communications/", communication_list, name="project_communications"),
    path(
        "projects/<int:pk>/communications/calendar/",
        communication_calendar,
        name="project_communication_calendar",
    ),
    path(
        "projects/<int:pk>/communications/new/", communication_create, name="communication_create"
    ),
    path("communications/<int:pk>/", communication_detail, name="communication_detail"),
    path("communications/<int:pk>/edit/", communication_edit, name="communication_edit"),
    path("communications/<int:pk>/delete/", communication_delete, name="communication_delete"),
]
