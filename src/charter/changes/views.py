"""Change request pages of a project: the register (status and search filters, counts per
status), raise, detail with the decision and the history, edit while proposed (versioned),
decide (approve or reject with a note), mark implemented, delete while proposed."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.changes import services
from charter.changes.choices import ChangeStatus
from charter.changes.filtersets import filter_change_requests
from charter.changes.forms import (
    ChangeFilterForm,
    ChangeRequestEditForm,
    ChangeRequestForm,
    DecideForm,
    ImplementedForm,
)
from charter.changes.models import ChangeRequest
from charter.core import policy
from charter.core.forms import submit
from charter.core.models import AuditEvent
from charter.planning.models import Project
from charter.planning.querysets import visible_project

RULE = "changes.change_request"
PER_PAGE = 25


def register_url(project_id: int) -> str:
    return reverse("changes:project_change_requests", args=[project_id])


def _change(request: HttpRequest, pk: int, action: str) -> ChangeRequest:
    rows = ChangeRequest.objects.for_user(request.user, action).select_related(
        "project", "requested_by", "decided_by", "created_by"
    )
    return get_object_or_404(rows, pk=pk)


# ---- the register ----------------------------------------------------------------------------


@require_GET
@policy.requires(RULE, "view")
def project_change_requests(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's change requests, newest first, filtered by status and a search; the
    status filter shows how many of the searched requests are in each status."""
    project = visible_project(request.user, pk)
    filter_form = ChangeFilterForm(request.GET)
    filters = filter_form.filters()
    in_project = ChangeRequest.objects.for_user(request.user).filter(project=project)
    searched = filter_change_requests(in_project, q=filters.get("q", ""))
    per_status = dict(
        searched.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    rows = filter_change_requests(searched, status=filters.get("status", "")).for_list()
    context = {
        "project": project,
        "filter_form": filter_form,
        "filtering": bool(filters),
        "status": filters.get("status", ""),
        "statuses": [
            (value, label, per_status.get(value, 0)) for value, label in ChangeStatus.choices
        ],
        "total": sum(per_status.values()),
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "create_url": reverse("changes:change_request_create", args=[project.pk]),
    }
    return render(request, "changes/change_request_list.html", context)


# ---- raise and edit --------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: ChangeRequestForm,
    project: Project,
    change: ChangeRequest | None,
    status: int | None,
) -> HttpResponse:
    context = {
        "form": form,
        "project": project,
        "change": change,
        "cancel_url": change.get_absolute_url() if change else register_url(project.pk),
    }
    return render(request, "changes/change_request_form.html", context, status=status or 200)


@require_http_methods(["GET", "POST"])
@policy.requires(RULE, "add")
def change_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    form = ChangeRequestForm.new(project, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        created: list[ChangeRequest] = []
        status = submit(
            form,
            lambda data: created.append(
                services.create_change_request(project, actor=request.user, **form.service_fields())
            ),
        )
        if status is None:
            messages.success(
                request, _("Change request %(code)s was raised.") % {"code": created[0].code}
            )
            return redirect(created[0])
    return _form_page(request, form, project, None, status)


@require_http_methods(["GET", "POST"])
@policy.requires(RULE, "change")
def change_request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a proposed change request; a stale save is refused (409). A decided one is kept as
    decided: the page says so and offers no form (the service refuses a save anyway)."""
    change = _change(request, pk, "change")
    form = ChangeRequestEditForm.of(change, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_change_request(
                change,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("%(code)s was saved.") % {"code": change.code})
            return redirect(change)
        change.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(request, form, change.project, change, status)


# ---- one change request ----------------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    change: ChangeRequest,
    *,
    decide_form: DecideForm | None = None,
    implemented_form: ImplementedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history = AuditEvent.objects.for_user(request.user).for_object(change).select_related("actor")
    user = request.user
    # A refused action's errors show above the actions, even when the status it found no
    # longer offers the action's form.
    failed = decide_form if decide_form is not None else implemented_form
    action_errors = (
        [*failed.non_field_errors(), *(error for field in failed for error in field.errors)]
        if failed is not None
        else []
    )
    context: dict[str, Any] = {
        "change": change,
        "project": change.project,
        "requirements": change.requirements.all(),
        "history": history,
        "list_url": register_url(change.project_id),
        "action_errors": action_errors,
        "can_change": change.is_open and policy.allows(user, RULE, "change"),
        "can_delete": change.is_open and policy.allows(user, RULE, "delete"),
        "can_decide": change.is_open and policy.allows(user, RULE, "decide"),
        "can_implement": change.status == ChangeStatus.APPROVED
        and policy.allows(user, RULE, "decide"),
        "decide_form": decide_form or DecideForm(initial={"version": change.version}),
        "implemented_form": implemented_form
        or ImplementedForm(initial={"version": change.version}),
    }
    return render(request, "changes/change_request_detail.html", context, status=status)


@require_GET
@policy.requires(RULE, "view")
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The request, its requirements, the decision, the actions its status allows, history."""
    return _detail_page(request, _change(request, pk, "view"))


@require_POST
@policy.requires(RULE, "decide")
def change_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject with a note; a stale or refused decision is shown on the form."""
    change = _change(request, pk, "decide")
    form = DecideForm(request.POST)
    status = submit(
        form,
        lambda data: services.decide_change_request(
            change,
            actor=request.user,
            expected_version=data["version"],
            status=data["status"],
            note=data["note"],
        ),
    )
    if status is not None:
        change.refresh_from_db()
        return _detail_page(request, change, decide_form=form, status=status)
    if change.status == ChangeStatus.APPROVED and not change.requirements.exists():
        messages.success(request, _("%(code)s was approved.") % {"code": change.code})
    elif change.status == ChangeStatus.APPROVED:
        messages.success(
            request,
            _(
                "%(code)s was approved. The confirmed requirements it touches are now marked "
                "“changed”."
            )
            % {"code": change.code},
        )
    else:
        messages.success(request, _("%(code)s was rejected.") % {"code": change.code})
    return redirect(change)


@require_POST
@policy.requires(RULE, "decide")
def change_request_implemented(request: HttpRequest, pk: int) -> HttpResponse:
    """An approved change request is implemented."""
    change = _change(request, pk, "decide")
    form = ImplementedForm(request.POST)
    status = submit(
        form,
        lambda data: services.mark_implemented(
            change, actor=request.user, expected_version=data["version"]
        ),
    )
    if status is not None:
        change.refresh_from_db()
        return _detail_page(request, change, implemented_form=form, status=status)
    messages.success(request, _("%(code)s was marked implemented.") % {"code": change.code})
    return redirect(change)


@require_POST
@policy.requires(RULE, "delete")
def change_request_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a proposed change request (the button asks first); a decided one stays."""
    change = _change(request, pk, "delete")
    try:
        services.delete_change_request(change, actor=request.user)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect(change)
    messages.success(request, _("%(code)s was deleted.") % {"code": change.code})
    return redirect(register_url(change.project_id))
