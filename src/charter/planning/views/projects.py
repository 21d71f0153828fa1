from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.crm.choices import StageKind
from charter.crm.models import Interaction, Opportunity
from charter.crm.services.contacts import GridPerson
from charter.planning import services
from charter.planning.filtersets import filter_projects
from charter.planning.forms import ProjectFilterForm, ProjectForm
from charter.planning.models import KickoffItem, Project, Stakeholder, Task
from charter.planning.services.projects import EDITABLE_FIELDS

PROJECTS_PER_PAGE = 25


@require_GET
@policy.requires("planning.project", "view")
def project_list(request: HttpRequest) -> HttpResponse:
    """Projects the user may see; one URL answers the page or, for HTMX, the results."""
    user = request.user
    filter_form = ProjectFilterForm(request.GET, user=user)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    projects = filter_projects(
        Project.objects.for_user(user).select_related("client", "manager", "opportunity"),
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        manager=filters.get("manager"),
        client=filters.get("client"),
    )
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": filter_form,
        "searching": any(filters.values()),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "planning/partials/project_results.html", context)
    context["unconverted"] = _won_deals_without_project(user)
    return render(request, "planning/project_list.html", context)


def _won_deals_without_project(user: Any) -> list[Opportunity]:
    if not policy.allows(user, "crm.opportunity", "convert"):
        return []
    deals = Opportunity.objects.for_user(user, "convert").filter(
        stage__kind=StageKind.WON, projects__isnull=True
    )
    return list(deals.select_related("client").order_by("-closed_at", "-pk")[:10])


def _project_page_rows(user: Any) -> Any:
    """The project with everything its page shows, in a constant number of queries."""
    return (
        Project.objects.for_user(user)
        .select_related("client", "manager", "opportunity", "template")
        .prefetch_related(
            Prefetch("stakeholders", queryset=Stakeholder.objects.select_related("contact")),
            Prefetch("tasks", queryset=Task.objects.filter(parent=None)),
            "communications__owner",
            "risks",
            "kickoff",
            "members",
            Prefetch("interactions", queryset=Interaction.objects.select_related("owner")),
        )
    )


def _url(obj: Any) -> str:
    """The object's page, or "" while its app has no page for it yet."""
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""


def _header_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    return {
        "project": project,
        "deal_url": _url(project.opportunity) if project.opportunity else "",
        "can_change": policy.allows(request.user, "planning.project", "change"),
    }


def _detail_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    stakeholders = list(project.stakeholders.all())
    people = [
        GridPerson(
            name=row.contact.name,
            influence=row.influence,
            interest=row.interest,
            role_label=row.get_role_display(),
            url=_url(row.contact) or None,
        )
        for row in stakeholders
    ]
    risks = sorted(project.risks.all(), key=lambda risk: (-risk.score, risk.pk))
    return {
        **_header_context(request, project),
        "stakeholders": stakeholders,
        "people": people,
        "risks": risks,
        "can_tick": policy.allows(request.user, "planning.project", "kickoff"),
    }


@require_GET
@policy.requires("planning.project", "view")
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(_project_page_rows(request.user), pk=pk)
    return render(request, "planning/project_detail.html", _detail_context(request, project))


@require_http_methods(["GET", "POST"])
@policy.requires("planning.project", "change")
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The header's small versioned form: the HTMX fragment, or a page without JavaScript."""
    project = get_object_or_404(
        Project.objects.for_user(request.user, "change").select_related(
            "client", "manager", "opportunity", "template"
        ),
        pk=pk,
    )
    form = ProjectForm.for_project(project, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        status = _save_project(request, project, form)
        if status is None:
            if request.htmx:  # type: ignore[attr-defined]
                context = _header_context(request, project)
                return render(request, "planning/partials/project_header.html", context)
            messages.success(request, _("The project was saved."))
            return redirect(project)
        project.refresh_from_db()  # the failed attempt changed the object in memory only
    template = (
        "planning/partials/project_form.html"
        if request.htmx  # type: ignore[attr-defined]
        else "planning/project_form.html"
    )
    return render(request, template, {"project": project, "form": form}, status=status)


def _save_project(request: HttpRequest, project: Project, form: ProjectForm) -> int | None:
    return submit(
        form,
        lambda data: services.update_project(
            project,
            actor=request.user,
            expected_version=data["version"],
            team=data["team"],
            **{name: data[name] for name in EDITABLE_FIELDS},
        ),
    )


@require_POST
@policy.requires("planning.project", "kickoff")
def kickoff_toggle(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Tick a kickoff step off or reopen it; "done" present in the form means done."""
    projects = Project.objects.for_user(request.user, "kickoff")
    item = get_object_or_404(
        KickoffItem.objects.filter(project__in=projects, project_id=pk), pk=item_id
    )
    services.set_kickoff_done(item, actor=request.user, done="done" in request.POST)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(item.project)
    project = Project.objects.prefetch_related("kickoff").get(pk=pk)
    context = {"project": project, "can_tick": True}
    return render(request, "planning/partials/kickoff.html", context)


urls = [
    path("projects/", project_list, name="project_list"),
    path("projects/<int:pk>/", project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project_edit"),
    path("projects/<int:pk>/kickoff/<int:item_id>/", kickoff_toggle, name="kickoff_toggle"),
]
