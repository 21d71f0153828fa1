"""Interaction pages: the list (of a client, a deal, or my due follow-ups), log, edit, and
"follow-up done". The client page includes crm/interactions/partials/list.html."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.exports import Column, export_response
from charter.core.forms import submit
from charter.core.http import next_or
from charter.crm.forms_pipeline import InteractionEditForm, InteractionForm
from charter.crm.models import Client, Interaction, Opportunity
from charter.crm.services import interactions as services

PER_PAGE = 25


def _return_to(request: HttpRequest, interaction: Interaction) -> str:
    """Where to go after saving: ``next`` if safe, else the deal's or the client's page."""
    parent = interaction.opportunity or interaction.client
    return next_or(request, parent.get_absolute_url())


def _scope(request: HttpRequest) -> tuple[Client | None, Opportunity | None]:
    """The client and/or deal named by ``?client=`` / ``?opportunity=`` (404 if not visible)."""
    client = opportunity = None
    if value := request.GET.get("opportunity"):
        opportunity = get_object_or_404(
            Opportunity.objects.for_user(request.user).select_related("client"),
            pk=value if value.isdigit() else 0,
        )
        client = opportunity.client
    if value := request.GET.get("client"):
        named = get_object_or_404(
            Client.objects.for_user(request.user, "detail"), pk=value if value.isdigit() else 0
        )
        if client is not None and named.pk != client.pk:
            raise Http404
        client = named
    return client, opportunity


def _names(people: Any) -> str:
    return ", ".join(str(person) for person in people.all())


EXPORT_COLUMNS = [
    Column(gettext_lazy("Date"), lambda row: row.occurred_at),
    Column(gettext_lazy("Kind"), lambda row: row.get_kind_display()),
    Column(gettext_lazy("Client"), lambda row: row.client.name),
    Column(gettext_lazy("Opportunity"), lambda row: row.opportunity),
    Column(gettext_lazy("Contacts"), lambda row: _names(row.contacts)),
    Column(gettext_lazy("Colleagues"), lambda row: _names(row.users)),
    Column(gettext_lazy("Summary"), lambda row: row.summary),
    Column(gettext_lazy("Follow up on"), lambda row: row.follow_up_on),
    Column(gettext_lazy("Follow-up done"), lambda row: row.follow_up_done),
    Column(gettext_lazy("Owner"), lambda row: row.owner),
]


@require_GET
@policy.requires("crm.interaction", "view")
def interaction_list(request: HttpRequest) -> HttpResponse:
    """Interactions of ``?client=`` or ``?opportunity=``, or (``?due=1``) my due follow-ups;
    HTMX gets the list fragment, so other pages can load it in place."""
    client, opportunity = _scope(request)
    due = request.GET.get("due") == "1"
    if due:
        rows = services.due_follow_ups(request.user).select_related("owner")
        rows = rows.prefetch_related("contacts", "users")
    else:
        rows = services.interactions_for(request.user, client=client, opportunity=opportunity)
    if fmt := request.GET.get("format"):
        name = "follow-ups" if due else "interactions"
        return export_response(rows, EXPORT_COLUMNS, fmt=fmt, name=name)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"page": page, "interactions": page.object_list, "due": due}
    context.update({"client": client, "opportunity": opportunity})
    template = (
        "crm/interactions/partials/list.html"
        if request.htmx  # type: ignore[attr-defined]
        else "crm/interactions/list.html"
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.interaction", "add")
def interaction_create(request: HttpRequest) -> HttpResponse:
    """Log an interaction with ``?client=`` (optionally about ``?opportunity=``)."""
    client, opportunity = _scope(request)
    if client is None:
        raise Http404
    form = InteractionForm(
        request.POST or None, user=request.user, client=client, initial={"opportunity": opportunity}
    )
    status = 200
    if request.method == "POST":
        logged: list[Interaction] = []
        status = (
            submit(
                form,
                lambda data: logged.append(
                    services.log_interaction(actor=request.user, client=client, **data)
                ),
            )
            or 0
        )
        if logged:
            messages.success(request, _("The interaction was logged."))
            return redirect(_return_to(request, logged[0]))
    return _form_page(request, form, client=client, interaction=None, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.interaction", "change")
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an interaction; a save based on an older version is refused (409)."""
    interaction = get_object_or_404(
        Interaction.objects.for_user(request.user, "change").select_related("client"), pk=pk
    )
    form = InteractionEditForm.for_interaction(
        interaction, user=request.user, data=request.POST or None
    )
    if request.method == "GET":
        return _form_page(request, form, client=interaction.client, interaction=interaction)
    status = submit(
        form,
        lambda data: services.update_interaction(
            interaction,
            actor=request.user,
            expected_version=data["version"],
            **form.service_fields(),
        ),
    )
    if status is None:
        messages.success(request, _("The interaction was saved."))
        return redirect(_return_to(request, interaction))
    interaction.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(
        request, form, client=interaction.client, interaction=interaction, status=status
    )


def _form_page(
    request: HttpRequest, form: Any, *, client: Client, interaction: Any, status: int = 200
) -> HttpResponse:
    context = {"form": form, "client": client, "interaction": interaction}
    context["next"] = request.GET.get("next", "")
    return render(request, "crm/interactions/form.html", context, status=status)


@require_POST
@policy.requires("crm.interaction", "change")
def interaction_follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the follow-up; HTMX gets the updated list item back."""
    interaction = get_object_or_404(services.interactions_for(request.user).filter(pk=pk))
    services.complete_follow_up(interaction, actor=request.user)
    if request.htmx:  # type: ignore[attr-defined]
        context = {"interaction": interaction, "client": None}
        return render(request, "crm/interactions/partials/item.html", context)
    messages.success(request, _("The follow-up is done."))
    return redirect(_return_to(request, interaction))


urls = [
    path("interactions/", interaction_list, name="interaction_list"),
    path("interactions/new/", interaction_create, name="interaction_create"),
    path("interactions/<int:pk>/edit/", interaction_edit, name="interaction_edit"),
    path(
        "interactions/<int:pk>/follow-up-done/",
        interaction_follow_up_done,
        name="interaction_follow_up_done",
    ),
]
