"""The client list and search cost the same number of queries at 100 and at 10,000 clients."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.crm.models import Client, Tag

PAGES = {
    "list": (reverse("crm:client_list"), {}),
    "search": (reverse("crm:client_list"), {"q": "科技"}),
    "filtered": (reverse("crm:client_list"), {"lifecycle": "active", "sort": "-created"}),
    "api": ("/api/v1/clients", {"limit": 50}),
    "api-search": ("/api/v1/clients", {"q": "科技", "limit": 50}),
}


def add_clients(up_to: int, tag: Tag) -> None:
    start = Client.objects.count()
    created = Client.objects.bulk_create(
        Client(name=f"测试{index:05d}科技有限公司", short_name=f"测试{index}", lifecycle="active")
        for index in range(start, up_to)
    )
    Client.tags.through.objects.bulk_create(
        Client.tags.through(client_id=client.pk, tag_id=tag.pk) for client in created
    )


def query_counts(http) -> dict[str, int]:
    counts = {}
    for name, (url, params) in PAGES.items():
        with CaptureQueriesContext(connection) as captured:
            response = http.get(url, params)
        assert response.status_code == 200, name
        counts[name] = len(captured.captured_queries)
    return counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_from_100_to_10000_clients(signed_in):
    manager = signed_in("manager")
    tag = Tag.objects.create(name="重点")
    add_clients(100, tag)
    at_100 = query_counts(manager)
    add_clients(10_000, tag)
    at_10000 = query_counts(manager)
    assert at_10000 == at_100
