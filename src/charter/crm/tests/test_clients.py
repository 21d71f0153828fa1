"""Client pages: list with search/filters/sort/export, create/edit, the client page and timeline."""

import csv
import datetime
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from charter.core import services as core_services
from charter.core.models import AuditEvent
from charter.crm.models import Client, ExternalId, Interaction, Opportunity, Stage
from charter.crm.services.clients import (
    TIMELINE_PAGE_SIZE,
    client_timeline,
    create_client,
    update_client,
)
from charter.crm.validators import uscc_check_character
from charter.planning.models import Project
from charter.testing.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db

LIST = reverse("crm:client_list")
BODY = "91310000MA1FL1234"
USCC = BODY + uscc_check_character(BODY)


def names(response):
    return [client.name for client in response.context["page"].object_list]


@pytest.fixture
def catalogue(users, client_org, other_client_org):
    update_client(
        client_org,
        actor=users["manager"],
        expected_version=1,
        industry="软件",
        region="上海",
        uscc=USCC,
        lifecycle="active",
        owner=users["member"],
        tags=["VIP", "制造业"],
    )
    update_client(
        other_client_org,
        actor=users["manager"],
        expected_version=1,
        industry="Retail",
        region="London",
    )
    return client_org, other_client_org


# ---- the list -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["云栖", "云栖科技", "软件", "上海", USCC[:10], USCC.lower(), "上海 软件"],
)
def test_search_covers_name_short_name_uscc_region_and_industry(signed_in, catalogue, query):
    assert names(signed_in("member").get(LIST, {"q": query})) == ["上海云栖科技有限公司"]


def test_filters_and_their_combination(signed_in, users, catalogue):
    http = signed_in("member")
    assert names(http.get(LIST, {"lifecycle": "active"})) == ["上海云栖科技有限公司"]
    assert names(http.get(LIST, {"owner": users["member"].pk})) == ["上海云栖科技有限公司"]
    assert names(http.get(LIST, {"tag": "vip"})) == ["上海云栖科技有限公司"]
    assert names(http.get(LIST, {"industry": "retail"})) == ["Northwind Trading Ltd"]
    assert names(http.get(LIST, {"region": "London", "lifecycle": "active"})) == []
    # An invalid value is ignored, not an error page.
    assert len(names(http.get(LIST, {"lifecycle": "nope", "owner": "x"}))) == 2


def test_sorting(signed_in, catalogue):
    http = signed_in("member")
    assert names(http.get(LIST)) == ["Northwind Trading Ltd", "上海云栖科技有限公司"]
    assert names(http.get(LIST, {"sort": "-name"})) == [
        "上海云栖科技有限公司",
        "Northwind Trading Ltd",
    ]
    assert names(http.get(LIST, {"sort": "-lifecycle"})) == [
        "上海云栖科技有限公司",
        "Northwind Trading Ltd",
    ]
    newest = ClientFactory(name="AAA newest")
    assert names(http.get(LIST, {"sort": "-created"}))[0] == newest.name


def test_pagination_and_htmx_rows(signed_in, client_org):
    ClientFactory.create_batch(30)
    http = signed_in("member")
    first = http.get(LIST)
    assert len(names(first)) == 25
    assert len(names(http.get(LIST, {"page": 2}))) == 31 - 25
    fragment = http.get(LIST, {"q": "云栖"}, headers={"HX-Request": "true"})
    assert fragment.templates[0].name == "crm/clients/partials/rows.html"
    assert "<html" not in fragment.content.decode()


def test_empty_states(signed_in, users):
    http = signed_in("manager")
    assert "No client matches your search." in http.get(LIST, {"q": "zzz"}).content.decode()
    users["client"].delete()
    Client.objects.all().delete()
    page = http.get(LIST).content.decode()
    assert "No clients yet." in page and reverse("crm:client_create") in page


def test_list_costs_the_same_for_more_clients(signed_in, users):
    http = signed_in("member")

    def cost():
        with CaptureQueriesContext(connection) as captured:
            assert http.get(LIST).status_code == 200
        return len(captured)

    for index in range(5):
        create_client(actor=users["manager"], name=f"a{index}", tags=["x"], owner=users["member"])
    few = cost()
    for index in range(5, 20):
        create_client(actor=users["manager"], name=f"a{index}", tags=["y"], owner=users["manager"])
    assert cost() == few


def test_export_follows_the_filters_in_csv_and_xlsx(signed_in, catalogue):
    http = signed_in("member")
    response = http.get(reverse("crm:client_export"), {"format": "csv", "industry": "软件"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Short name", "Lifecycle"]
    assert [row[0] for row in rows[1:]] == ["上海云栖科技有限公司"]
    assert "VIP" in rows[1][10] and USCC in rows[1]

    response = http.get(reverse("crm:client_export"), {"format": "xlsx", "sort": "-name"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "上海云栖科技有限公司",
        "Northwind Trading Ltd",
    ]
    assert http.get(reverse("crm:client_export"), {"format": "pdf"}).status_code == 404


# ---- create and edit --------------------------------------------------------------------------


def form_data(**changes):
    data = {
        "name": "杭州星河数据有限公司",
        "short_name": "星河",
        "lifecycle": "prospect",
        "tags": "VIP， 新客户, vip",
        "uscc": "",
        "website": "",
    }
    return {**data, **changes}


def test_managers_create_a_client_with_tags_created_on_the_fly(signed_in, users):
    response = signed_in("manager").post(reverse("crm:client_create"), form_data(uscc=USCC.lower()))
    assert response.status_code == 302, response.context["form"].errors
    client = Client.objects.get(name="杭州星河数据有限公司")
    assert response["Location"] == reverse("crm:client_detail", args=[client.pk])
    assert client.uscc == USCC
    assert sorted(tag.name for tag in client.tags.all()) == ["VIP", "新客户"]
    assert AuditEvent.objects.for_object(client).get().action == "created"


@pytest.mark.parametrize(
    "code", [BODY + ("0" if USCC[-1] != "0" else "1"), "91310000MA1FL12", "91310000MA1FL1234O"]
)
def test_a_wrong_uscc_is_a_field_error_and_nothing_is_written(signed_in, code):
    response = signed_in("manager").post(reverse("crm:client_create"), form_data(uscc=code))
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"uscc"}
    assert not Client.objects.filter(name="杭州星河数据有限公司").exists()


def test_edit_is_versioned_and_a_stale_form_is_refused(signed_in, client_org):
    http = signed_in("manager")
    edit = reverse("crm:client_edit", args=[client_org.pk])
    form = http.get(edit).context["form"]
    assert form.initial["version"] == 1
    data = form_data(name=client_org.name, version=1, tags="A")
    assert http.post(edit, data).status_code == 302
    stale = http.post(edit, {**data, "short_name": "旧", "version": 1})
    assert stale.status_code == 409
    client_org.refresh_from_db()
    assert (client_org.short_name, client_org.version) == ("星河", 2)
    assert [tag.name for tag in client_org.tags.all()] == ["A"]


def test_members_cannot_create_or_edit(signed_in, client_org):
    http = signed_in("member")
    assert http.post(reverse("crm:client_create"), form_data()).status_code == 403
    edit = reverse("crm:client_edit", args=[client_org.pk])
    assert http.post(edit, form_data(version=1)).status_code == 403


# ---- the client page ---------------------------------------------------------------------------


def test_client_page_shows_facts_contacts_grid_and_external_ids(signed_in, users, catalogue):
    client_org, _other = catalogue
    ContactFactory(client=client_org, name="王伟", influence=5, interest=4, decision_role="sponsor")
    ExternalId.objects.create(record=client_org, system="zoho", external_id="Z-77")
    page = signed_in("member").get(reverse("crm:client_detail", args=[client_org.pk]))
    html = page.content.decode()
    assert USCC in html and "VIP" in html and "软件" in html
    assert "王伟" in html and "Z-77" in html and "zoho" in html
    assert 'data-testid="power-interest-grid"' in html
    assert 'data-influence="5" data-interest="4"' in html
    assert "Manage closely" in html


def test_client_users_get_403_on_the_crm_client_page(signed_in, client_org):
    assert (
        signed_in("client").get(reverse("crm:client_detail", args=[client_org.pk])).status_code
        == 403
    )


def at(days):
    return timezone.now() - datetime.timedelta(days=days)


CODES = itertools.count(1)


def fill_history(client, users, n, label=""):
    """n of each kind of timeline entry, at distinct times."""
    stage = Stage.objects.order_by("order").first()
    contact = ContactFactory(client=client)
    for index in range(n):
        interaction = Interaction.objects.create(
            client=client,
            kind="call",
            summary=f"{label}call {index}",
            owner=users["member"],
            occurred_at=at(100 + index),
        )
        interaction.contacts.add(contact)
        deal = Opportunity.objects.create(
            client=client,
            title=f"{label}deal {index}",
            stage=stage,
            owner=users["member"],
            closed_at=at(50 + index),
        )
        Opportunity.objects.filter(pk=deal.pk).update(created_at=at(200 + index))
        project = Project.objects.create(
            name=f"{label}project {index}",
            code=f"P-{next(CODES)}",
            client=client,
            manager=users["manager"],
            start_date=datetime.date(2026, 1, 1),
        )
        Project.objects.filter(pk=project.pk).update(created_at=at(300 + index))
        core_services.add_attachment(
            client, user=users["member"], upload=SimpleUploadedFile(f"{label}f{index}.txt", b"x")
        )


def test_timeline_merges_every_source_newest_first(users, client_org, other_client_org):
    fill_history(client_org, users, 2)
    fill_history(other_client_org, users, 1, label="other ")
    update_client(client_org, actor=users["manager"], expected_version=1, short_name="新")
    page = client_timeline(client_org, users["manager"])
    kinds = [entry.kind for entry in page.entries]
    assert sorted(set(kinds)) == [
        "audit",
        "document",
        "interaction",
        "opportunity_closed",
        "opportunity_created",
        "project",
    ]
    assert kinds.count("interaction") == 2 and kinds.count("project") == 2
    times = [entry.at for entry in page.entries]
    assert times == sorted(times, reverse=True)
    assert "call 0" in next(e.detail for e in page.entries if e.kind == "interaction")
    assert not [e for e in page.entries if "other" in f"{e.title} {e.detail}"]


def test_timeline_pages_cost_a_constant_number_of_queries(users, client_org):
    def cost(page_number):
        with CaptureQueriesContext(connection) as captured:
            page = client_timeline(client_org, users["manager"], page=page_number)
        return len(captured), page

    fill_history(client_org, users, 3)
    few, _page = cost(1)
    fill_history(client_org, users, 12)
    many, first = cost(1)
    assert many == few
    _queries, second = cost(2)
    assert first.has_next and not first.has_previous and second.has_previous
    assert len(first.entries) == TIMELINE_PAGE_SIZE
    assert first.entries[-1].at >= second.entries[0].at
    assert not {(e.kind, e.title, e.at) for e in first.entries} & {
        (e.kind, e.title, e.at) for e in second.entries
    }


def test_timeline_page_link_answers_the_fragment_for_htmx(signed_in, users, client_org):
    fill_history(client_org, users, 6)
    url = reverse("crm:client_detail", args=[client_org.pk])
    response = signed_in("member").get(
        url, {"timeline": 2}, headers={"HX-Request": "true", "HX-Target": "timeline"}
    )
    assert response.templates[0].name == "crm/clients/partials/timeline.html"
    assert response.context["timeline"].number == 2
