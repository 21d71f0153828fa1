"""Utilisation pages: the heat map of resources × weeks (allocated against capacity, across the
projects the user may see) and the drill-down to the tasks behind one cell (an HTMX fragment
under the map, or a page of its own); the same map by role (``?by=role``), whose cells drill
down to the role's resources in the week, each drilling down to its tasks."""

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from charter.core import policy
from charter.resources import utilisation as services
from charter.resources.forms.utilisation import BY_ROLE, UtilisationFilterForm
from charter.resources.models import Resource, Role

RESOURCE = "resources.resource"
WEEK_CHOICES = (4, 8, 12, 26, 52)


def _week(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


@require_GET
@policy.requires(RESOURCE, "view")
def utilisation(request: HttpRequest) -> HttpResponse:
    """``?start=YYYY-MM-DD&weeks=12&project=&kind=work&over=on&by=role&page=`` (by role, the
    type is not asked: roles are people's)."""
    form = UtilisationFilterForm(request.GET, user=request.user)
    window = services.Window.of(form.value("start"), form.value("weeks", services.DEFAULT_WEEKS))
    by_role = form.value("by") == BY_ROLE
    filters = {
        "project": form.value("project"),
        "over_only": bool(form.value("over")),
        "page": request.GET.get("page"),
    }
    if by_role:
        page = services.role_map(request.user, window, **filters)
    else:
        page = services.heat_map(request.user, window, kind=form.value("kind") or "", **filters)
    context = {
        "form": form,
        "by_role": by_role,
        "roles_defined": by_role and Role.objects.exists(),
        "project": form.value("project"),
        "window": window,
        "page": page,
        "weeks": window.weeks,
        "week_choices": sorted({*WEEK_CHOICES, len(window.weeks)}),
        "filtered": bool(form.value("project") or form.value("over")),
        "previous_start": window.shifted(-len(window.weeks)),
        "next_start": window.shifted(len(window.weeks)),
    }
    return render(request, "resources/utilisation/heat_map.html", context)


@require_GET
@policy.requires(RESOURCE, "view")
def utilisation_week(request: HttpRequest, pk: int, week: str) -> HttpResponse:
    """The tasks loading one resource in one week (a fragment for HTMX, else a page)."""
    resource = get_object_or_404(Resource.objects.for_user(request.user), pk=pk)
    detail = services.week_detail(request.user, resource, _week(week))
    template = (
        "resources/utilisation/_detail.html"
        if request.htmx  # type: ignore[attr-defined]
        else "resources/utilisation/detail.html"
    )
    return render(request, template, {"detail": detail})


@require_GET
@policy.requires(RESOURCE, "view")
def utilisation_role_week(request: HttpRequest, role: str, week: str) -> HttpResponse:
    """The resources of one role (or ``none``) in one week, ``?project=`` as the map's filter
    (a fragment for HTMX, else a page)."""
    form = UtilisationFilterForm(request.GET, user=request.user)
    detail = services.role_week(
        request.user, services.role_of_key(role), _week(week), project=form.value("project")
    )
    template = (
        "resources/utilisation/_role_detail.html"
        if request.htmx  # type: ignore[attr-defined]
        else "resources/utilisation/role_detail.html"
    )
    return render(request, template, {"detail": detail, "project": form.value("project")})


urls = [
    path("resources/utilisation/", utilisation, name="utilisation"),
    path(
        "resources/utilisation/roles/<str:role>/<str:week>/",
        utilisation_role_week,
        name="utilisation_role_week",
    ),
    path("resources/utilisation/<int:pk>/<str:week>/", utilisation_week, name="utilisation_week"),
]
