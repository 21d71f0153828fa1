"""Finding pages: the list of a project or a deal, record one from any source (and make it a
requirement in the same click), promote, edit, link to an existing requirement.

Other pages post to ``finding_from_source`` with ``source``/``source_id`` (and, for a question's
results, ``parent_kind``/``parent_id``), ``text``, ``latent_need``, ``then`` and ``next``."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.core.http import next_or
from charter.discovery.forms.findings import (
    THEN_REQUIREMENT,
    FindingEditForm,
    FindingFilterForm,
    FindingFromSourceForm,
    FindingLinkForm,
)
from charter.discovery.models import Finding, Idea, Requirement
from charter.discovery.services import findings as services
from charter.discovery.views.parents import parent_paths, parent_url, visible_parent

PER_PAGE = 25


def _created_message(request: HttpRequest, requirement: Requirement, source_label: str) -> None:
    messages.success(
        request,
        _("%(code)s was created from %(source)s. Check its type and priority.")
        % {"code": requirement.code, "source": source_label},
    )


@require_GET
@policy.requires("discovery.finding", "view")
def finding_list(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """What discovery learned on a project or a deal, with where each finding came from."""
    parent = visible_parent(request.user, kind, pk)
    filter_form = FindingFilterForm(request.GET)
    filters = {key: value for key, value in filter_form.filters().items() if value not in ("",)}
    rows = services.filter_findings(
        Finding.objects.for_user(request.user).filter(**{kind: parent}), **filters
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "parent": parent,
        "page": page,
        "filter_form": filter_form,
        "searching": any(value is not None for value in filters.values()),
    }
    return render(request, "discovery/findings/finding_list.html", context)


def _source(request: HttpRequest, data: Any) -> tuple[models.Model, models.Model]:
    return services.resolve_source(
        request.user,
        data.get("source", ""),
        data.get("source_id", ""),
        parent_kind=data.get("parent_kind", ""),
        parent_id=data.get("parent_id") or None,
    )


def _source_label(source: models.Model) -> str:
    """What the finding's ``source_label`` will say, e.g. "Interview · 财务总监访谈"."""
    label = Finding(**services.source_field(source)).source_label
    return f"{label} · {source}" if isinstance(source, Idea) else label


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.finding", "add")
def finding_from_source(request: HttpRequest) -> HttpResponse:
    """GET: a form to note a finding from ``?source=&source_id=``; POST: record it, and with
    ``then=requirement`` turn it straight into a requirement and open that for editing."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        parent, source = _source(request, data)
    except ValidationError as error:
        context = {
            "errors": error.messages,
            "back_url": next_or(request, reverse("core:dashboard")),
        }
        return render(request, "discovery/findings/source_error.html", context, status=400)
    label = _source_label(source)
    if request.method == "GET":
        form = FindingFromSourceForm(initial={**data.dict(), "then": "finding"})
        return _source_page(request, form, parent, label, status=200)
    form = FindingFromSourceForm(request.POST)
    then_requirement = request.POST.get("then") == THEN_REQUIREMENT
    done: list[Any] = []

    def save(values: dict[str, Any]) -> None:
        arguments = {
            "source": source,
            "text": values["text"],
            "latent_need": values["latent_need"],
            "actor": request.user,
        }
        if then_requirement:
            policy.check(request.user, "discovery.requirement", "add")
            done.append(services.promote_source(parent, **arguments))
        else:
            done.append(services.record_finding(parent, **arguments))

    status = submit(form, save)
    if status is not None:
        return _source_page(request, form, parent, label, status=status)
    if then_requirement:
        _created_message(request, done[0], label)
        return redirect("discovery:requirement_edit", pk=done[0].pk)
    messages.success(request, _("The finding was recorded."))
    return redirect(next_or(request, parent_url(parent, "findings")))


def _source_page(
    request: HttpRequest, form: Any, parent: models.Model, label: str, *, status: int
) -> HttpResponse:
    context = {
        "form": form,
        "parent": parent,
        "source_label": label,
        "next": next_or(request, ""),
        "cancel_url": next_or(request, parent_url(parent, "findings")),
    }
    return render(request, "discovery/findings/finding_form.html", context, status=status)


def _finding(request: HttpRequest, pk: int, action: str) -> Finding:
    rows = Finding.objects.for_user(request.user, action).select_related(
        "project", "opportunity", "requirement"
    )
    return get_object_or_404(rows, pk=pk)


@require_POST
@policy.requires("discovery.finding", "change")
def finding_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a requirement of an existing finding, then open the requirement for editing."""
    finding = _finding(request, pk, "change")
    policy.check(request.user, "discovery.requirement", "add")
    try:
        requirement = services.promote_finding(finding, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(next_or(request, parent_url(finding.parent, "findings")))
    _created_message(request, requirement, finding.source_label)
    return redirect("discovery:requirement_edit", pk=requirement.pk)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.finding", "change")
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk, "change")
    initial = {"text": finding.text, "latent_need": finding.latent_need}
    form = FindingEditForm(request.POST or None, initial=initial)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form, lambda data: services.update_finding(finding, actor=request.user, **data)
        )
        if status is None:
            messages.success(request, _("The finding was saved."))
            return redirect(next_or(request, parent_url(finding.parent, "findings")))
    return _finding_page(request, finding, form, "discovery/findings/finding_edit.html", status)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.finding", "change")
def finding_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Let a finding back a requirement that already exists (of the same project or deal)."""
    finding = _finding(request, pk, "change")
    form = FindingLinkForm(request.POST or None, finding=finding)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.link_finding(
                finding, actor=request.user, requirement=data["requirement"]
            ),
        )
        if status is None:
            requirement = form.cleaned_data["requirement"]
            messages.success(
                request,
                _("The finding now backs %(code)s.") % {"code": requirement.code},
            )
            return redirect(requirement)
    return _finding_page(request, finding, form, "discovery/findings/finding_link.html", status)


def _finding_page(
    request: HttpRequest, finding: Finding, form: Any, template: str, status: int | None
) -> HttpResponse:
    context = {
        "finding": finding,
        "parent": finding.parent,
        "form": form,
        "next": next_or(request, ""),
        "cancel_url": next_or(request, parent_url(finding.parent, "findings")),
    }
    return render(request, template, context, status=status or 200)


urls = [
    *parent_paths("findings/", finding_list, "findings"),
    path("findings/new/", finding_from_source, name="finding_from_source"),
    path("findings/<int:pk>/promote/", finding_promote, name="finding_promote"),
    path("findings/<int:pk>/edit/", finding_edit, name="finding_edit"),
    path("findings/<int:pk>/link/", finding_link, name="finding_link"),
]
