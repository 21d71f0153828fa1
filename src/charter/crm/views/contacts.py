"""Contact pages: list (and export), contact page, create/edit, possible duplicates, merge."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from charter.core import policy
from charter.core.exports import Column, export_response
from charter.core.forms import add_service_errors, submit
from charter.crm.filtersets import ContactFilterSet
from charter.crm.forms import ContactEditForm, ContactForm, MergeForm
from charter.crm.models import Contact
from charter.crm.services import clients as client_services
from charter.crm.services import contacts as services

CONTACTS_PER_PAGE = 25
GROUPS_PER_PAGE = 20

CONTACT_COLUMNS = [
    Column(gettext_lazy("Name"), lambda c: c.name),
    Column(gettext_lazy("Client"), lambda c: c.client.name),
    Column(gettext_lazy("Title"), lambda c: c.title),
    Column(gettext_lazy("Department"), lambda c: c.department),
    Column(gettext_lazy("E-mail"), lambda c: c.email),
    Column(gettext_lazy("Mobile"), lambda c: c.mobile),
    Column(gettext_lazy("WeChat ID"), lambda c: c.wechat_id),
    Column(gettext_lazy("Preferred channel"), lambda c: c.get_preferred_channel_display()),
    Column(gettext_lazy("Language"), lambda c: c.get_language_display()),
    Column(gettext_lazy("Role in decisions"), lambda c: c.get_decision_role_display()),
    Column(gettext_lazy("Influence"), lambda c: c.influence),
    Column(gettext_lazy("Interest"), lambda c: c.interest),
    Column(gettext_lazy("Notes"), lambda c: c.notes),
]


def _filterset(request: HttpRequest, action: str) -> ContactFilterSet:
    contacts = Contact.objects.for_user(request.user, action)
    return ContactFilterSet(request.GET, queryset=contacts, user=request.user)


@require_GET
@policy.requires("crm.contact", "view")
def contact_list(request: HttpRequest) -> HttpResponse:
    """Search and filter; one URL serves the page or, for HTMX, the rows."""
    filterset = _filterset(request, "view")
    page = Paginator(filterset.qs, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "filterset": filterset, "searching": filterset.active}
    template = "crm/contacts/partials/rows.html" if request.htmx else "crm/contacts/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_GET
@policy.requires("crm.contact", "view")
def contact_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV or XLSX (``?format=csv|xlsx`` plus the list's filters)."""
    fmt = request.GET.get("format", "csv")
    return export_response(
        _filterset(request, "view").qs, CONTACT_COLUMNS, fmt=fmt, name="contacts"
    )


@require_GET
@policy.requires("crm.contact", "view")
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contacts = Contact.objects.for_user(request.user)
    contact = get_object_or_404(contacts.select_related("client"), pk=pk)
    context = {
        "contact": contact,
        "duplicates": list(services.possible_duplicates(contact, contacts)),
        "external_ids": list(client_services.external_ids(contact)),
        "people": services.grid_people([contact]),
    }
    return render(request, "crm/contacts/detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.contact", "add")
def contact_create(request: HttpRequest) -> HttpResponse:
    initial = {"client": request.GET.get("client"), "language": request.user.language}
    form = ContactForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "GET":
        return _form_page(request, form, None, 200)
    created: list[Contact] = []
    status = submit(
        form, lambda data: created.append(services.create_contact(actor=request.user, **data))
    )
    if status is None:
        messages.success(request, _("The contact %(name)s was added.") % {"name": created[0]})
        return _saved(request, created[0])
    return _form_page(request, form, None, status)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.contact", "change")
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.for_user(request.user, "change"), pk=pk)
    form = ContactEditForm.for_contact(contact, user=request.user, data=request.POST or None)
    if request.method == "GET":
        return _form_page(request, form, contact, 200)
    status = submit(
        form,
        lambda data: services.update_contact(
            contact,
            actor=request.user,
            expected_version=data["version"],
            **{name: value for name, value in data.items() if name != "version"},
        ),
    )
    if status is None:
        messages.success(request, _("The contact %(name)s was saved.") % {"name": contact})
        return _saved(request, contact)
    contact.refresh_from_db()
    return _form_page(request, form, contact, status)


def _saved(request: HttpRequest, contact: Contact) -> HttpResponse:
    """To the contact page, warning when the e-mail or mobile is also another contact's."""
    duplicates = services.possible_duplicates(contact, Contact.objects.for_user(request.user))
    names = ", ".join(f"{other.name} ({other.client})" for other in duplicates[:5])
    if names:
        messages.warning(
            request,
            _("Possible duplicate: %(names)s have the same e-mail or mobile. Merge them below.")
            % {"names": names},
        )
    return redirect(contact)


def _form_page(
    request: HttpRequest, form: Any, contact: Contact | None, status: int
) -> HttpResponse:
    context = {"form": form, "contact": contact}
    return render(request, "crm/contacts/form.html", context, status=status)


@require_GET
@policy.requires("crm.contact", "view")
def contact_duplicates(request: HttpRequest) -> HttpResponse:
    """Groups of contacts that share an e-mail or a mobile, to merge."""
    groups = services.duplicate_groups(Contact.objects.for_user(request.user))
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "crm/contacts/duplicates.html", {"page": page})


@require_http_methods(["GET", "POST"])
@policy.requires("crm.contact", "merge")
def contact_merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """GET compares the two contacts; POST merges the one not kept into the one kept."""
    contacts = Contact.objects.for_user(request.user, "merge").select_related("client")
    pair = (get_object_or_404(contacts, pk=pk), get_object_or_404(contacts, pk=other))
    form = MergeForm(request.POST or None, pair=pair)
    if request.method == "POST" and form.is_valid():
        survivor, duplicate = form.survivor_and_duplicate()
        try:
            services.merge_contacts(survivor, duplicate, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(duplicate)s was merged into %(survivor)s.")
                % {"duplicate": duplicate, "survivor": survivor},
            )
            return redirect(survivor)
    status = 422 if form.errors else 200
    return render(request, "crm/contacts/merge.html", {"form": form, "pair": pair}, status=status)


urls = [
    path("contacts/", contact_list, name="contact_list"),
    path("contacts/export/", contact_export, name="contact_export"),
    path("contacts/duplicates/", contact_duplicates, name="contact_duplicates"),
    path("contacts/new/", contact_create, name="contact_create"),
    path("contacts/<int:pk>/", contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/merge/<int:other>/", contact_merge, name="contact_merge"),
]
