"""Contact pages: list, export, create/edit with E.164 mobiles, duplicates and the merge page."""

import csv
import io

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.core.models import AuditEvent
from charter.crm.models import Contact
from charter.crm.services import contacts as services
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db

LIST = reverse("crm:contact_list")


def names(response):
    return [contact.name for contact in response.context["page"].object_list]


@pytest.fixture
def people(client_org, other_client_org):
    return {
        "wang": ContactFactory(
            client=client_org,
            name="王伟",
            title="CIO",
            email="wang@yunqi.cn",
            mobile="+8613800138000",
            decision_role="sponsor",
        ),
        "li": ContactFactory(client=client_org, name="李娜", title="财务经理", email="li@yunqi.cn"),
        "smith": ContactFactory(
            client=other_client_org,
            name="Ann Smith",
            email="ann@northwind.example",
            mobile="+442079460958",
            decision_role="key_user",
        ),
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [("王", ["王伟"]), ("YUNQI.cn", ["李娜", "王伟"]), ("13800", ["王伟"]), ("财务", ["李娜"])],
)
def test_search_name_email_mobile_title(signed_in, people, query, found):
    assert sorted(names(signed_in("member").get(LIST, {"q": query}))) == sorted(found)


def test_filter_by_client_and_decision_role(signed_in, people, other_client_org):
    http = signed_in("member")
    assert names(http.get(LIST, {"client": other_client_org.pk})) == ["Ann Smith"]
    assert names(http.get(LIST, {"decision_role": "sponsor"})) == ["王伟"]
    assert "No contact matches" in http.get(LIST, {"q": "nobody"}).content.decode()


def test_empty_list(signed_in):
    assert "No contacts yet." in signed_in("member").get(LIST).content.decode()


def test_export_csv_follows_the_filters(signed_in, people, client_org):
    response = signed_in("member").get(
        reverse("crm:contact_export"), {"format": "csv", "client": client_org.pk}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Name", "Client"]
    assert sorted(row[0] for row in rows[1:]) == ["李娜", "王伟"]
    assert "+8613800138000" in next(row for row in rows if row[0] == "王伟")


def test_list_costs_the_same_for_more_contacts(signed_in, client_org):
    http = signed_in("member")

    def cost():
        with CaptureQueriesContext(connection) as captured:
            http.get(LIST)
        return len(captured)

    ContactFactory.create_batch(3)
    few = cost()
    ContactFactory.create_batch(12)
    assert cost() == few


def contact_form(client, **changes):
    data = {
        "client": client.pk,
        "name": "赵敏",
        "email": "zhao@yunqi.cn",
        "mobile": "139 1234 5678",
        "preferred_channel": "wechat",
        "language": "zh-hans",
        "decision_role": "decision_maker",
        "influence": 5,
        "interest": 2,
    }
    return {**data, **changes}


def test_create_stores_the_mobile_as_e164(signed_in, client_org):
    response = signed_in("member").post(reverse("crm:contact_create"), contact_form(client_org))
    assert response.status_code == 302
    contact = Contact.objects.get(name="赵敏")
    assert (contact.mobile, contact.influence, contact.interest) == ("+8613912345678", 5, 2)
    assert response["Location"] == contact.get_absolute_url()
    assert AuditEvent.objects.for_object(contact).get().action == "created"


@pytest.mark.parametrize("mobile", ["12345", "+86 000 0000"])
def test_an_invalid_mobile_is_a_field_error(signed_in, client_org, mobile):
    response = signed_in("member").post(
        reverse("crm:contact_create"), contact_form(client_org, mobile=mobile)
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"mobile"}
    assert not Contact.objects.exists()


def test_saving_a_duplicate_warns_and_links_to_the_merge(signed_in, people, client_org):
    http = signed_in("manager")
    response = http.post(
        reverse("crm:contact_create"),
        contact_form(client_org, email="WANG@yunqi.cn", mobile="13800138000"),
        follow=True,
    )
    html = response.content.decode()
    assert "Possible duplicate" in html and "王伟" in html
    new = Contact.objects.get(name="赵敏")
    assert reverse("crm:contact_merge", args=[new.pk, people["wang"].pk]) in html


def test_edit_is_versioned(signed_in, people):
    http = signed_in("member")
    wang = people["wang"]
    url = reverse("crm:contact_edit", args=[wang.pk])
    data = contact_form(wang.client, name="王伟", version=1, mobile="+86 138 0013 8000")
    assert http.post(url, data).status_code == 302
    assert http.post(url, {**data, "title": "CEO"}).status_code == 409
    wang.refresh_from_db()
    assert (wang.version, wang.mobile, wang.title) == (2, "+8613800138000", "")


def test_duplicates_page_groups_by_email_or_mobile(signed_in, people, client_org):
    same_email = ContactFactory(client=client_org, name="王伟 (2)", email="Wang@Yunqi.cn")
    same_mobile = ContactFactory(name="Ann S.", email="", mobile="+442079460958")
    chained = ContactFactory(name="Ann (old)", email="", mobile="+442079460958")
    response = signed_in("member").get(reverse("crm:contact_duplicates"))
    groups = [sorted(c.pk for c in group) for group in response.context["page"].object_list]
    assert sorted(groups) == sorted(
        [
            sorted([people["wang"].pk, same_email.pk]),
            sorted([people["smith"].pk, same_mobile.pk, chained.pk]),
        ]
    )


def test_no_duplicates_empty_state(signed_in, people):
    page = signed_in("member").get(reverse("crm:contact_duplicates")).content.decode()
    assert "No possible duplicates." in page


def test_merge_page_merges_into_the_chosen_survivor(signed_in, people, client_org):
    copy = ContactFactory(client=client_org, name="王 伟", email="wang@yunqi.cn", wechat_id="wx1")
    url = reverse("crm:contact_merge", args=[people["wang"].pk, copy.pk])
    http = signed_in("manager")
    assert http.get(url).status_code == 200
    response = http.post(url, {"survivor": copy.pk})
    assert response["Location"] == copy.get_absolute_url()
    assert not Contact.objects.filter(pk=people["wang"].pk).exists()
    copy.refresh_from_db()
    assert (copy.name, copy.mobile, copy.title, copy.wechat_id) == (
        "王 伟",
        "+8613800138000",
        "CIO",
        "wx1",
    )


def test_merge_with_itself_is_refused(signed_in, people):
    url = reverse("crm:contact_merge", args=[people["wang"].pk, people["wang"].pk])
    response = signed_in("manager").post(url, {"survivor": people["wang"].pk})
    assert response.status_code == 422
    assert Contact.objects.filter(pk=people["wang"].pk).exists()


def test_members_cannot_merge(signed_in, people):
    url = reverse("crm:contact_merge", args=[people["wang"].pk, people["li"].pk])
    assert signed_in("member").post(url, {"survivor": people["wang"].pk}).status_code == 403
    assert Contact.objects.count() == 3


def test_grid_partial_places_people_by_their_scores(people):
    html = render_to_string(
        "crm/partials/power_interest_grid.html",
        {"people": services.grid_people([people["wang"], people["smith"]])},
    )
    assert html.count('data-influence="3" data-interest="3"') == 2
    html = render_to_string(
        "crm/partials/power_interest_grid.html",
        {"people": [services.GridPerson("高", 5, 1, "Sponsor")]},
    )
    assert 'data-influence="5" data-interest="1"' in html and "Sponsor" in html
    empty = render_to_string("crm/partials/power_interest_grid.html", {"people": []})
    assert "power-interest-grid-empty" in empty
