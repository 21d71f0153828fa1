"""The "Convert to project" wizard of a won deal."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from charter.core import policy
from charter.core.forms import add_service_errors
from charter.crm.choices import StageKind
from charter.crm.models import Opportunity
from charter.planning.forms import ConvertForm
from charter.planning.models import ProjectTemplate
from charter.planning.services.conversion import (
    carryable_attachments,
    carryable_interactions,
    run_conversion,
)

TEMPLATE_CONTENTS = ("phases__tasks", "communications", "risks", "checklist")


def _preview(request: HttpRequest) -> HttpResponse:
    """The chosen template's contents, swapped in when the template select changes."""
    templates = ProjectTemplate.objects.for_user(request.user).prefetch_related(*TEMPLATE_CONTENTS)
    chosen = request.GET.get("template", "")
    template = templates.filter(pk=chosen).first() if chosen.isdigit() else None
    return render(request, "planning/partials/template_contents.html", {"template": template})


def _form(request: HttpRequest, opportunity: Opportunity) -> ConvertForm:
    user = request.user
    interactions = carryable_interactions(opportunity)
    attachments = carryable_attachments(opportunity)
    contacts = opportunity.client.contacts.order_by("name", "pk")
    initial = ConvertForm.initial_for(
        opportunity,
        user,
        today=timezone.localdate(),
        interactions=interactions,
        attachments=attachments,
    )
    initial["force_new"] = bool(request.GET.get("another"))
    return ConvertForm(
        request.POST or None,
        initial=initial,
        user=user,
        opportunity=opportunity,
        contacts=contacts,
        interactions=interactions,
        attachments=attachments,
    )


def _convert(
    request: HttpRequest, opportunity: Opportunity, form: ConvertForm
) -> HttpResponse | None:
    """Run the conversion; None when the form has errors to show."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        conversion = run_conversion(
            opportunity,
            actor=request.user,
            template=data["template"],
            manager=data["manager"],
            start_date=data["start_date"],
            budget=data["budget"],
            stakeholders=form.stakeholders(),
            carry_interactions=[note.pk for note in data["interactions"]],
            carry_attachments=[file.pk for file in data["attachments"]],
            force_new=data["force_new"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    project = conversion.project
    if conversion.created:
        messages.success(request, _("The project %(project)s was created.") % {"project": project})
    else:
        messages.info(
            request, _("This deal already has a project: %(project)s.") % {"project": project}
        )
    return redirect(project)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.opportunity", "convert")
def convert(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Template, manager, start, stakeholders, notes and files → one new project.

    A deal with a project shows it, and offers another project only when asked (?another=1).
    """
    if request.htmx and "template" in request.GET:  # type: ignore[attr-defined]
        return _preview(request)
    opportunity = get_object_or_404(
        Opportunity.objects.for_user(request.user, "convert").select_related("client", "stage"),
        pk=opportunity_id,
    )
    existing = list(opportunity.projects.select_related("manager").order_by("created_at", "pk"))
    won = opportunity.stage.kind == StageKind.WON
    form = _form(request, opportunity) if won else None
    if request.method == "POST" and form is not None:
        response = _convert(request, opportunity, form)
        if response is not None:
            return response
    another = bool(request.GET.get("another") or request.POST.get("force_new"))
    context: dict[str, Any] = {
        "opportunity": opportunity,
        "existing": existing,
        "won": won,
        "form": form,
        "another": another,
        "show_form": form is not None and (not existing or another),
        "preview_template": _chosen_template(request, form),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "planning/convert.html", context, status=status)


def _chosen_template(request: HttpRequest, form: ConvertForm | None) -> ProjectTemplate | None:
    value = form["template"].value() if form is not None else None
    pk = getattr(value, "pk", value)
    if not pk:
        return None
    templates = ProjectTemplate.objects.for_user(request.user).prefetch_related(*TEMPLATE_CONTENTS)
    return templates.filter(pk=pk).first() if str(pk).isdigit() else None


urls = [
    path("opportunities/<int:opportunity_id>/convert/", convert, name="convert"),
]
