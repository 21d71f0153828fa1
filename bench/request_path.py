"""The request path: what a page and an API list cost on top of Django itself.

Times, in one process on a throwaway SQLite database holding SIZE clients, with Django's test
client signed in as a manager:

- the dashboard (``/``),
- the API list ``/api/v1/clients?limit=50`` (django-ninja, policy, pagination, schemas),

against the reference: a bare Django function view that reads the same 50 clients and returns
the same JSON with ``JsonResponse``, behind the same middleware and session. The reference is the
floor any page of ours stands on, so ``ratio`` is what our layers cost on top of it.

    python bench/request_path.py [--size 200] [--runs 15]
"""

import argparse

from _harness import compare, fetch, queries, report, serve_also, setup_django

NAME = "request-path"
API_LIST = "/api/v1/clients?limit=50"
REFERENCE = "/bare/clients"
LIMIT = 50


def make_reference_view():
    """The reference: a plain function view, no policy, no schema, no pagination class — the
    ORM and ``JsonResponse`` only. Built after Django is set up, so its imports cost nothing
    per request."""
    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import JsonResponse

    from charter.crm.api.clients import ClientOut
    from charter.crm.models import Client

    fields = list(ClientOut.model_fields)

    def bare_clients(request):
        clients = Client.objects.order_by("name")
        items = list(clients.values(*fields)[:LIMIT])
        return JsonResponse({"items": items, "count": clients.count()}, encoder=DjangoJSONEncoder)

    return bare_clients


def seed(size: int):
    """A manager, and ``size`` clients created through the CRM service (with their audit)."""
    from charter.accounts.choices import Role
    from charter.crm.services import clients as services
    from charter.testing.factories import UserFactory

    manager = UserFactory(username="bench-manager", role=Role.MANAGER)
    for number in range(size):
        services.create_client(
            actor=manager, name=f"基准客户 {number:05d} Benchmark Co.", short_name=f"客户{number}"
        )
    return manager


def same_json(ours, reference) -> None:
    """Both answer the same clients in the same order with the same fields."""
    ours_body, reference_body = ours().json(), reference().json()
    if ours_body["count"] != reference_body["count"] or [
        (item["id"], sorted(item)) for item in ours_body["items"]
    ] != [(item["id"], sorted(item)) for item in reference_body["items"]]:
        raise RuntimeError("the reference view does not answer the same JSON as the API")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200, help="clients in the database")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per endpoint")
    options = parser.parse_args()

    setup_django()
    from django.test import Client as HttpClient
    from django.urls import path

    serve_also("bench_request_path_urls", [path(REFERENCE.lstrip("/"), make_reference_view())])

    http = HttpClient()
    http.force_login(seed(options.size))
    endpoints = {"dashboard": fetch(http, "/"), "api-clients-list": fetch(http, API_LIST)}
    reference = fetch(http, REFERENCE)
    same_json(endpoints["api-clients-list"], reference)

    for endpoint, ours in endpoints.items():
        ours_s, reference_s = compare(ours, reference, runs=options.runs)
        report(
            NAME,
            endpoint=endpoint,
            size=options.size,
            ours_s=ours_s,
            reference_s=reference_s,
            ratio=ours_s / reference_s,
            queries=queries(ours),
            reference_queries=queries(reference),
        )


if __name__ == "__main__":
    main()
