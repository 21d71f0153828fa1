"""Pipeline pages: the kanban board, opportunities (list, page, form, move), the weighted
forecast, and the stage settings."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.exports import Column, export_response
from charter.core.forms import submit
from charter.core.http import next_or
from charter.crm.choices import Currency
from charter.crm.forms_pipeline import (
    MoveForm,
    OpportunityEditForm,
    OpportunityFilterForm,
    OpportunityForm,
    StageForm,
)
from charter.crm.models import Opportunity, Stage
from charter.crm.services import interactions as interaction_services
from charter.crm.services import pipeline as services
from charter.planning.models import Project

PER_PAGE = 25

EXPORT_COLUMNS = [
    Column(pgettext_lazy("deal", "Title"), lambda deal: deal.title),
    Column(gettext_lazy("Client"), lambda deal: deal.client.name),
    Column(gettext_lazy("Stage"), lambda deal: str(deal.stage)),
    Column(gettext_lazy("Amount"), lambda deal: deal.amount),
    Column(gettext_lazy("Currency"), lambda deal: deal.currency),
    Column(gettext_lazy("Probability (%)"), lambda deal: deal.probability),
    Column(gettext_lazy("Weighted amount"), lambda deal: deal.weighted_amount),
    Column(gettext_lazy("Expected close date"), lambda deal: deal.expected_close),
    Column(gettext_lazy("Owner"), lambda deal: deal.owner),
    Column(gettext_lazy("Next step"), lambda deal: deal.next_step),
    Column(gettext_lazy("Lost reason"), lambda deal: deal.lost_reason),
    Column(gettext_lazy("Closed"), lambda deal: deal.closed_at),
    Column(gettext_lazy("Created"), lambda deal: deal.created_at),
]


def _deals(request: HttpRequest, action: str = "view") -> Any:
    return Opportunity.objects.for_user(request.user, action).select_related(
        "client", "owner", "stage"
    )


# ---- the board ---------------------------------------------------------------------------------


def _board(
    request: HttpRequest, *, status: int = 200, alert: str = "", moved: Any = None
) -> HttpResponse:
    """The board page, or (HTMX) the board fragment, with an optional message above it."""
    deals = Opportunity.objects.for_user(request.user)
    mine = request.GET.get("owner") == "me"
    if mine:
        deals = deals.filter(owner=request.user)
    context = {
        "columns": services.board(deals),
        "mine": mine,
        "board_query": "?owner=me" if mine else "",
        "alert": alert,
        "moved": moved,
        "closed_days": services.BOARD_CLOSED_DAYS,
    }
    template = "crm/pipeline/partials/board.html" if request.htmx else "crm/pipeline/board.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@require_GET
@policy.requires("crm.opportunity", "view")
def pipeline(request: HttpRequest) -> HttpResponse:
    return _board(request)


def _form_errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.opportunity", "change")
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the "Move to…" page. POST (card form, drag-and-drop, or that page) moves the deal;
    HTMX gets the refreshed board back, 409 with a message when the card was stale."""
    opportunity = get_object_or_404(_deals(request, "change"), pk=pk)
    initial = {"stage": opportunity.stage, "version": opportunity.version}
    form = MoveForm(request.POST or None, initial=initial)
    if request.method == "GET":
        return _move_page(request, opportunity, form, 200)
    status = submit(
        form,
        lambda data: services.move_opportunity(
            opportunity,
            stage=data["stage"],
            actor=request.user,
            expected_version=data["version"],
            lost_reason=data["lost_reason"],
        ),
    )
    if status is not None:
        opportunity.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        return _board(request, status=status or 200, alert=_form_errors(form), moved=opportunity)
    if status == 422:
        return _move_page(request, opportunity, form, status)
    if status == 409:
        messages.error(request, _form_errors(form))
    else:
        messages.success(
            request,
            _("“%(deal)s” moved to %(stage)s.") % {"deal": opportunity, "stage": opportunity.stage},
        )
    return redirect(next_or(request, reverse("crm:pipeline")))


def _move_page(request: HttpRequest, opportunity: Opportunity, form: Any, status: int) -> Any:
    context = {"opportunity": opportunity, "form": form, "next": next_or(request, "")}
    return render(request, "crm/pipeline/move.html", context, status=status)


# ---- opportunities -----------------------------------------------------------------------------


@require_GET
@policy.requires("crm.opportunity", "view")
def opportunity_list(request: HttpRequest) -> HttpResponse:
    """Search, filter, sort and page the deals; ``?format=csv|xlsx`` downloads what matches."""
    filters = OpportunityFilterForm(request.GET, user=request.user)
    deals = filters.filter(_deals(request))
    if fmt := request.GET.get("format"):
        return export_response(deals, EXPORT_COLUMNS, fmt=fmt, name="opportunities")
    context = {
        "page": Paginator(deals, PER_PAGE).get_page(request.GET.get("page")),
        "filters": filters,
    }
    template = (
        "crm/pipeline/partials/opportunity_rows.html"
        if request.htmx  # type: ignore[attr-defined]
        else "crm/pipeline/opportunity_list.html"
    )
    return render(request, template, context)


@require_GET
@policy.requires("crm.opportunity", "view")
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(_deals(request), pk=pk)
    interactions = interaction_services.interactions_for(request.user, opportunity=opportunity)
    projects = Project.objects.for_user(request.user).filter(opportunity=opportunity)
    context = {"opportunity": opportunity, "interactions": interactions, "projects": projects}
    return render(request, "crm/pipeline/opportunity_detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.opportunity", "add")
def opportunity_create(request: HttpRequest) -> HttpResponse:
    initial = {
        "client": request.GET.get("client"),
        "currency": Currency.CNY,
        "owner": request.user.pk,
    }
    form = OpportunityForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        created: list[Opportunity] = []
        status = (
            submit(
                form,
                lambda data: created.append(
                    services.create_opportunity(actor=request.user, **form.service_fields())
                ),
            )
            or 0
        )
        if created:
            messages.success(
                request, _("The opportunity “%(deal)s” was added.") % {"deal": created[0]}
            )
            return redirect(created[0])
    return _opportunity_form(request, form, None, status)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.opportunity", "change")
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(_deals(request, "change"), pk=pk)
    form = OpportunityEditForm.for_opportunity(
        opportunity, user=request.user, data=request.POST or None
    )
    if request.method == "GET":
        return _opportunity_form(request, form, opportunity, 200)
    status = submit(
        form,
        lambda data: services.update_opportunity(
            opportunity,
            actor=request.user,
            expected_version=data["version"],
            **form.service_fields(),
        ),
    )
    if status is None:
        messages.success(
            request, _("The opportunity “%(deal)s” was saved.") % {"deal": opportunity}
        )
        return redirect(opportunity)
    opportunity.refresh_from_db()  # the failed attempt changed the object in memory only
    return _opportunity_form(request, form, opportunity, status)


def _opportunity_form(
    request: HttpRequest, form: Any, opportunity: Opportunity | None, status: int
) -> HttpResponse:
    context = {"form": form, "opportunity": opportunity}
    return render(request, "crm/pipeline/opportunity_form.html", context, status=status)


# ---- forecast ----------------------------------------------------------------------------------


def _chart(table: services.Forecast) -> dict[str, Any]:
    """Chart.js data of one currency's forecast: a stacked bar per month, one series per owner."""
    labels = [
        date_format(month, "YEAR_MONTH_FORMAT") if month else _("No date") for month in table.months
    ]
    series = [{"label": row.owner, "data": [float(v) for v in row.cells]} for row in table.rows]
    return {"currency": table.currency, "labels": labels, "datasets": series}


@require_GET
@policy.requires("crm.opportunity", "view")
def forecast(request: HttpRequest) -> HttpResponse:
    """Weighted amounts (amount times probability) of open deals by owner and expected-close month,
    one table and chart per currency: different currencies are never added together."""
    tables = services.forecast(Opportunity.objects.for_user(request.user))
    context = {"tables": tables, "charts": [_chart(table) for table in tables]}
    return render(request, "crm/pipeline/forecast.html", context)


# ---- stage settings (managers) ------------------------------------------------------------------


@require_GET
@policy.requires("crm.stage", "change")
def stage_list(request: HttpRequest) -> HttpResponse:
    stages = Stage.objects.annotate(deal_count=Count("opportunities")).order_by("order", "pk")
    return render(request, "crm/pipeline/stage_list.html", {"stages": stages})


@require_http_methods(["GET", "POST"])
@policy.requires("crm.stage", "change")
def stage_create(request: HttpRequest) -> HttpResponse:
    form = StageForm(request.POST or None, initial={"kind": "open", "probability": 10})
    status = 200
    if request.method == "POST":
        status = submit(form, lambda data: services.create_stage(actor=request.user, **data)) or 0
        if not status:
            messages.success(request, _("The stage was added at the end of the pipeline."))
            return redirect("crm:stage_list")
    return render(request, "crm/pipeline/stage_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.stage", "change")
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=pk)
    form = StageForm.for_stage(stage, data=request.POST or None)
    status = 200
    if request.method == "POST":
        status = (
            submit(form, lambda data: services.update_stage(stage, actor=request.user, **data)) or 0
        )
        if not status:
            messages.success(request, _("The stage “%(stage)s” was saved.") % {"stage": stage})
            return redirect("crm:stage_list")
        stage.refresh_from_db()
    context = {"form": form, "stage": stage}
    return render(request, "crm/pipeline/stage_form.html", context, status=status)


@require_POST
@policy.requires("crm.stage", "change")
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a stage one place earlier (``direction=up``) or later (``down``)."""
    stage = get_object_or_404(Stage, pk=pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Choose whether to move the stage up or down."))
    else:
        services.move_stage(stage, actor=request.user, offset=offset)
    return redirect("crm:stage_list")


@require_http_methods(["GET", "POST"])
@policy.requires("crm.stage", "change")
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes, or explains why the stage must stay."""
    stage = get_object_or_404(Stage.objects.annotate(deal_count=Count("opportunities")), pk=pk)
    if request.method == "GET":
        return render(request, "crm/pipeline/stage_delete.html", {"stage": stage})
    try:
        services.delete_stage(stage, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The stage “%(stage)s” was deleted.") % {"stage": stage})
    return redirect("crm:stage_list")


urls = [
    path("pipeline/", pipeline, name="pipeline"),
    path("pipeline/forecast/", forecast, name="forecast"),
    path("pipeline/stages/", stage_list, name="stage_list"),
    path("pipeline/stages/new/", stage_create, name="stage_create"),
    path("pipeline/stages/<int:pk>/edit/", stage_edit, name="stage_edit"),
    path("pipeline/stages/<int:pk>/move/", stage_move, name="stage_move"),
    path("pipeline/stages/<int:pk>/delete/", stage_delete, name="stage_delete"),
    path("opportunities/", opportunity_list, name="opportunity_list"),
    path("opportunities/new/", opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", opportunity_move, name="opportunity_move"),
]
