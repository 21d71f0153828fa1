"""The RAID log pages of a project: one page with a tab per kind (risks with their heat map,
assumptions, issues, decisions), and for each kind add, detail with history, edit, delete and
CSV/XLSX export. The four kinds share these views, each described by a :class:`Kind`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from charter.core import policy
from charter.core.exports import Column, export_response
from charter.core.forms import submit
from charter.core.models import AuditEvent
from charter.planning.forms.raid import (
    AssumptionEditForm,
    AssumptionForm,
    DecisionEditForm,
    DecisionForm,
    IssueEditForm,
    IssueForm,
    RaidEntryForm,
    RaidFilterForm,
    RiskEditForm,
    RiskForm,
    edit_form,
)
from charter.planning.models import Assumption, Decision, Project, ProjectIssue, Risk
from charter.planning.querysets import visible_project
from charter.planning.services import raid as services

PER_PAGE = 50
RULE = "planning.raid"


def _owner(row: Any) -> Any:
    return row.owner


def _common_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Visible to the client"), lambda row: row.client_visible),
        Column(gettext_lazy("Created"), lambda row: row.created_at),
        Column(gettext_lazy("Updated"), lambda row: row.updated_at),
    ]


RISK_COLUMNS = [
    Column(gettext_lazy("Risk"), lambda row: row.title),
    Column(gettext_lazy("Probability"), lambda row: row.probability),
    Column(gettext_lazy("Impact"), lambda row: row.impact),
    Column(gettext_lazy("Score"), lambda row: row.score),
    Column(gettext_lazy("Response"), lambda row: row.get_response_display()),
    Column(gettext_lazy("Status"), lambda row: row.get_status_display()),
    Column(gettext_lazy("Owner"), _owner),
    Column(gettext_lazy("Review date"), lambda row: row.review_date),
    Column(gettext_lazy("Trigger"), lambda row: row.trigger),
    Column(gettext_lazy("Mitigation actions"), lambda row: row.mitigation),
    Column(gettext_lazy("Description"), lambda row: row.description),
    *_common_columns(),
]
ASSUMPTION_COLUMNS = [
    Column(gettext_lazy("Assumption"), lambda row: row.statement),
    Column(gettext_lazy("Status"), lambda row: row.get_status_display()),
    Column(gettext_lazy("Owner"), _owner),
    Column(gettext_lazy("Verify by"), lambda row: row.verify_by),
    Column(gettext_lazy("Notes"), lambda row: row.notes),
    *_common_columns(),
]
ISSUE_COLUMNS = [
    Column(gettext_lazy("Issue"), lambda row: row.title),
    Column(gettext_lazy("Severity"), lambda row: row.get_severity_display()),
    Column(gettext_lazy("Conflict with the client"), lambda row: row.with_client),
    Column(gettext_lazy("Status"), lambda row: row.get_status_display()),
    Column(gettext_lazy("Owner"), _owner),
    Column(gettext_lazy("Due"), lambda row: row.due_date),
    Column(gettext_lazy("Escalation path"), lambda row: row.escalation_path),
    Column(gettext_lazy("Resolution"), lambda row: row.resolution),
    Column(gettext_lazy("Agreed by"), lambda row: row.agreed_by),
    Column(gettext_lazy("Resolved"), lambda row: row.resolved_at),
    Column(gettext_lazy("Description"), lambda row: row.description),
    *_common_columns(),
]
DECISION_COLUMNS = [
    Column(gettext_lazy("Decision"), lambda row: row.title),
    Column(gettext_lazy("Decided by"), lambda row: row.decided_by),
    Column(gettext_lazy("Decided on"), lambda row: row.decided_on),
    Column(gettext_lazy("Why"), lambda row: row.rationale),
    Column(gettext_lazy("Issue"), lambda row: row.issue),
    *_common_columns(),
]


@dataclass(frozen=True)
class Kind:
    model: Any
    name: str  # "risk" → URL names risk_create, risk_detail, risk_edit, risk_delete
    plural: str  # "risks" → the tab (?tab=risks), its URL segment and export file
    form: type[RaidEntryForm]
    edit_form: type[RaidEntryForm]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]
    columns: list[Column]
    related: tuple[str, ...]  # select_related of the list and the detail page
    title: Any
    add_label: Any
    empty_title: Any
    empty_text: Any


RISKS = Kind(
    model=Risk,
    name="risk",
    plural="risks",
    form=RiskForm,
    edit_form=RiskEditForm,
    create=services.create_risk,
    update=services.update_risk,
    delete=services.delete_risk,
    columns=RISK_COLUMNS,
    related=("owner",),
    title=gettext_lazy("Risks"),
    add_label=gettext_lazy("Add risk"),
    empty_title=gettext_lazy("No risks yet."),
    empty_text=gettext_lazy(
        "Log what could go wrong: how likely it is, how much it would hurt, who watches it and "
        "what you do about it."
    ),
)
ASSUMPTIONS = Kind(
    model=Assumption,
    name="assumption",
    plural="assumptions",
    form=AssumptionForm,
    edit_form=AssumptionEditForm,
    create=services.create_assumption,
    update=services.update_assumption,
    delete=services.delete_assumption,
    columns=ASSUMPTION_COLUMNS,
    related=("owner",),
    title=gettext_lazy("Assumptions"),
    add_label=gettext_lazy("Add assumption"),
    empty_title=gettext_lazy("No assumptions yet."),
    empty_text=gettext_lazy(
        "Write down what the plan takes for granted, and check by when it still holds."
    ),
)
ISSUES = Kind(
    model=ProjectIssue,
    name="issue",
    plural="issues",
    form=IssueForm,
    edit_form=IssueEditForm,
    create=services.create_issue,
    update=services.update_issue,
    delete=services.delete_issue,
    columns=ISSUE_COLUMNS,
    related=("owner",),
    title=gettext_lazy("Issues"),
    add_label=gettext_lazy("Add issue"),
    empty_title=gettext_lazy("No issues yet."),
    empty_text=gettext_lazy(
        "Log what is going wrong now, conflicts with the client included: how severe, where "
        "it is escalated, how it was resolved and who agreed."
    ),
)
DECISIONS = Kind(
    model=Decision,
    name="decision",
    plural="decisions",
    form=DecisionForm,
    edit_form=DecisionEditForm,
    create=services.create_decision,
    update=services.update_decision,
    delete=services.delete_decision,
    columns=DECISION_COLUMNS,
    related=("issue",),
    title=gettext_lazy("Decisions"),
    add_label=gettext_lazy("Add decision"),
    empty_title=gettext_lazy("No decisions yet."),
    empty_text=gettext_lazy("Record what was decided, by whom, when and why."),
)
KINDS = {kind.plural: kind for kind in (RISKS, ASSUMPTIONS, ISSUES, DECISIONS)}


def raid_url(project_id: int, kind: Kind) -> str:
    return f"{reverse('planning:raid', args=[project_id])}?tab={kind.plural}"


def _entry(request: HttpRequest, kind: Kind, pk: int, action: str) -> Any:
    rows = services.entries_for_user(kind.model, request.user, action)
    return get_object_or_404(rows.select_related("project", *kind.related), pk=pk)


# ---- the RAID page -----------------------------------------------------------------------------


@require_GET
@policy.requires(RULE, "view")
def raid(request: HttpRequest, pk: int) -> HttpResponse:
    """One tab per kind (``?tab=``) with its counts, filters and list; the risks tab has the
    heat map, whose cells filter the list. ``?format=csv|xlsx`` downloads the filtered list."""
    project = visible_project(request.user, pk)
    kind = KINDS.get(request.GET.get("tab", ""), RISKS)
    filter_form = RaidFilterForm(request.GET, kind=kind.plural)
    filters = filter_form.filters()
    entries = services.entries_for_user(kind.model, request.user).filter(project=project)
    rows = services.with_overdue(services.filter_entries(entries, **filters))
    rows = services.in_list_order(rows)
    rows = rows.select_related(*kind.related)
    if fmt := request.GET.get("format"):
        return export_response(rows, kind.columns, fmt=fmt, name=f"{project.code}-{kind.plural}")
    counts = services.raid_counts(project)
    context = {
        "project": project,
        "kind": kind,
        "tabs": [(tab, counts[tab.plural]) for tab in KINDS.values()],
        "filter_form": filter_form,
        "filtering": bool(filters),
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "create_url": reverse(f"planning:{kind.name}_create", args=[project.pk]),
    }
    if kind is RISKS:
        cell = {name: filters.pop(name, None) for name in ("probability", "impact")}
        context["heat_map"] = services.heat_map(services.filter_entries(entries, **filters))
        context["cell_filter"] = cell
    return render(request, "planning/raid/raid.html", context)


# ---- one entry ---------------------------------------------------------------------------------


def _create(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    form = kind.form(request.POST or None, project=project)
    status: int | None = 200
    if request.method == "POST":
        created: list[Any] = []
        status = submit(
            form,
            lambda data: created.append(
                kind.create(project, actor=request.user, **form.service_fields())
            ),
        )
        if status is None:
            messages.success(request, _("“%(title)s” was added.") % {"title": created[0]})
            return redirect(raid_url(project.pk, kind))
    return _form_page(request, kind, form, project, None, status)


def _edit(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    """Edit an entry; a save based on an older version is refused (409) and says why."""
    entry = _entry(request, kind, pk, "change")
    form = edit_form(kind.edit_form, entry, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: kind.update(
                entry,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(title)s” was saved.") % {"title": entry})
            return redirect(entry)
        entry.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(request, kind, form, entry.project, entry, status)


def _form_page(
    request: HttpRequest,
    kind: Kind,
    form: RaidEntryForm,
    project: Project,
    entry: Any,
    status: int | None,
) -> HttpResponse:
    context = {
        "kind": kind,
        "form": form,
        "project": project,
        "entry": entry,
        "cancel_url": entry.get_absolute_url() if entry else raid_url(project.pk, kind),
    }
    return render(request, "planning/raid/entry_form.html", context, status=status or 200)


def _detail(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    """The entry's facts and its audit history."""
    entry = _entry(request, kind, pk, "view")
    history = AuditEvent.objects.for_user(request.user).for_object(entry).select_related("actor")
    context = {
        "kind": kind,
        "entry": entry,
        "project": entry.project,
        "history": history,
        "list_url": raid_url(entry.project_id, kind),
        "decisions": entry.decisions.order_by("-decided_on") if kind is ISSUES else None,
    }
    return render(request, f"planning/raid/{kind.name}_detail.html", context)


def _delete(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    entry = _entry(request, kind, pk, "delete")
    if request.method == "POST":
        kind.delete(entry, actor=request.user)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": entry})
        return redirect(raid_url(entry.project_id, kind))
    context = {"kind": kind, "entry": entry, "project": entry.project}
    return render(request, "planning/raid/entry_delete.html", context)


def _views(kind: Kind) -> list[URLPattern]:
    """The add, detail, edit and delete routes of one kind, each guarded by the RAID policy."""

    @require_http_methods(["GET", "POST"])
    @policy.requires(RULE, "add")
    def create(request: HttpRequest, pk: int) -> HttpResponse:
        return _create(request, kind, pk)

    @require_GET
    @policy.requires(RULE, "view")
    def detail(request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, kind, pk)

    @require_http_methods(["GET", "POST"])
    @policy.requires(RULE, "change")
    def edit(request: HttpRequest, pk: int) -> HttpResponse:
        return _edit(request, kind, pk)

    @require_http_methods(["GET", "POST"])
    @policy.requires(RULE, "delete")
    def delete(request: HttpRequest, pk: int) -> HttpResponse:
        return _delete(request, kind, pk)

    segment = kind.plural
    return [
        path(f"projects/<int:pk>/raid/{segment}/new/", create, name=f"{kind.name}_create"),
        path(f"raid/{segment}/<int:pk>/", detail, name=f"{kind.name}_detail"),
        path(f"raid/{segment}/<int:pk>/edit/", edit, name=f"{kind.name}_edit"),
        path(f"raid/{segment}/<int:pk>/delete/", delete, name=f"{kind.name}_delete"),
    ]


urls = [
    path("projects/<int:pk>/raid/", raid, name="raid"),
    *(route for kind in KINDS.values() for route in _views(kind)),
]
