"""Client pages: the searchable list (and its export), the client page, create and edit."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from charter.core import policy
from charter.core.exports import Column, export_response
from charter.core.forms import submit
from charter.crm.filtersets import ClientFilterSet
from charter.crm.forms import ClientEditForm, ClientForm
from charter.crm.models import Client, Contact
from charter.crm.services import clients as services
from charter.crm.services.contacts import grid_people

CLIENTS_PER_PAGE = 25

CLIENT_COLUMNS = [
    Column(gettext_lazy("Name"), lambda c: c.name),
    Column(gettext_lazy("Short name"), lambda c: c.short_name),
    Column(gettext_lazy("Lifecycle"), lambda c: c.get_lifecycle_display()),
    Column(gettext_lazy("Industry"), lambda c: c.industry),
    Column(gettext_lazy("Size"), lambda c: c.get_size_display()),
    Column(gettext_lazy("Region"), lambda c: c.region),
    Column(gettext_lazy("Address"), lambda c: c.address),
    Column(gettext_lazy("Website"), lambda c: c.website),
    Column(gettext_lazy("Unified social credit code"), lambda c: c.uscc),
    Column(gettext_lazy("Owner"), lambda c: c.owner or ""),
    Column(gettext_lazy("Tags"), lambda c: ", ".join(services.tag_names(c))),
    Column(gettext_lazy("Created"), lambda c: c.created_at),
]


@require_GET
@policy.requires("crm.client", "list")
def client_list(request: HttpRequest) -> HttpResponse:
    """Search, filter, sort, paginate; one URL serves the page or, for HTMX, the rows."""
    filterset = ClientFilterSet(request.GET, queryset=Client.objects.for_user(request.user, "list"))
    page = Paginator(filterset.qs, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    for client in page:
        client.tag_list = services.tag_names(client)
    context = {"page": page, "filterset": filterset, "searching": filterset.active}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "crm/clients/partials/rows.html", context)
    context["choices"] = filterset.choices()
    return render(request, "crm/clients/list.html", context)


@require_GET
@policy.requires("crm.client", "export")
def client_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV or XLSX (``?format=csv|xlsx`` plus the list's filters)."""
    rows = ClientFilterSet(request.GET, queryset=Client.objects.for_user(request.user, "export"))
    fmt = request.GET.get("format", "csv")
    return export_response(rows.qs, CLIENT_COLUMNS, fmt=fmt, name="clients")


@require_GET
@policy.requires("crm.client", "detail")
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Key facts, contacts, the power/interest grid and the timeline (HTMX: timeline only)."""
    client = get_object_or_404(
        Client.objects.for_user(request.user, "detail").select_related("owner"), pk=pk
    )
    timeline = services.client_timeline(client, request.user, page=_page_number(request))
    if request.htmx and request.htmx.target == "timeline":  # type: ignore[attr-defined]
        return render(request, "crm/clients/partials/timeline.html", {"timeline": timeline})
    contacts = list(Contact.objects.for_user(request.user).filter(client=client))
    context = {
        "client": client,
        "tags": list(client.tags.all()),
        "contacts": contacts,
        "people": grid_people(contacts),
        "external_ids": list(services.external_ids(client)),
        "timeline": timeline,
    }
    return render(request, "crm/clients/detail.html", context)


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("timeline", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


@require_http_methods(["GET", "POST"])
@policy.requires("crm.client", "add")
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST":
        created: list[Client] = []
        status = submit(
            form,
            lambda data: created.append(services.create_client(actor=request.user, **data)),
        )
        if status is None:
            messages.success(request, _("The client %(name)s was added.") % {"name": created[0]})
            return redirect(created[0])
        return _form_page(request, form, None, status)
    return _form_page(request, form, None, 200)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.client", "change")
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_user(request.user, "change"), pk=pk)
    form = ClientEditForm.for_client(client, data=request.POST or None)
    if request.method == "GET":
        return _form_page(request, form, client, 200)
    status = submit(
        form,
        lambda data: services.update_client(
            client,
            actor=request.user,
            expected_version=data["version"],
            **{name: value for name, value in data.items() if name != "version"},
        ),
    )
    if status is None:
        messages.success(request, _("The client %(name)s was saved.") % {"name": client})
        return redirect(client)
    client.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(request, form, client, status)


def _form_page(request: HttpRequest, form: Any, client: Client | None, status: int) -> HttpResponse:
    return render(request, "crm/clients/form.html", {"form": form, "client": client}, status=status)


urls = [
    path("clients/", client_list, name="client_list"),
    path("clients/export/", client_export, name="client_export"),
    path("clients/new/", client_create, name="client_create"),
    path("clients/<int:pk>/", client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", client_edit, name="client_edit"),
]
