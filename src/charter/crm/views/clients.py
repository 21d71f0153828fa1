from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from charter.core import policy
from charter.crm.models import Client


@require_GET
@policy.requires("crm.client", "list")
def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    clients = Client.objects.for_user(request.user).search(query)
    page = Paginator(clients, 25).get_page(request.GET.get("page"))
    template = "crm/partials/client_rows.html" if request.htmx else "crm/client_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"page": page, "query": query})


@require_GET
@policy.requires("crm.client", "view")
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_user(request.user), pk=pk)
    return render(request, "crm/client_detail.html", {"client": client})


urls = [
    path("clients/", client_list, name="client_list"),
    path("clients/<int:pk>/", client_detail, name="client_detail"),
]
