"""Interactions: log, edit (with stale edits refused), follow-ups on the dashboard, the list
partial, and access."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.crm.models import Interaction
from charter.crm.services import interactions as services
from charter.testing.factories import (
    ClientFactory,
    ContactFactory,
    InteractionFactory,
    OpportunityFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate
STALE = "Someone else saved this record after you opened it"


def log_url(**params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{reverse('crm:interaction_create')}?{query}"


@pytest.mark.django_db
def test_logging_a_meeting_with_contacts_and_colleagues(signed_in, client_org, users):
    deal = OpportunityFactory(client=client_org)
    contact = ContactFactory(client=client_org, name="王经理")
    http = signed_in("member")
    form = http.get(log_url(client=client_org.pk, opportunity=deal.pk))
    assert form.status_code == 200
    assert form.context["form"]["opportunity"].value() == deal.pk
    response = http.post(
        log_url(client=client_org.pk, opportunity=deal.pk),
        {
            "kind": "meeting",
            "occurred_at": "2027-03-01T10:30",
            "opportunity": deal.pk,
            "contacts": [contact.pk],
            "users": [users["manager"].pk],
            "summary": "讨论实施范围",
            "follow_up_on": "2027-03-08",
        },
    )
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    logged = Interaction.objects.get()
    assert (logged.client, logged.opportunity, logged.owner) == (client_org, deal, users["member"])
    assert list(logged.contacts.all()) == [contact]
    assert list(logged.users.all()) == [users["manager"]]
    event = AuditEvent.objects.for_object(logged).get()
    assert event.changes["contacts"] == [None, ["王经理"]]


@pytest.mark.django_db
def test_another_clients_contact_or_deal_is_refused(users, client_org, other_client_org):
    stranger = ContactFactory(client=other_client_org, name="外人")
    with pytest.raises(ValidationError) as error:
        services.log_interaction(
            actor=users["member"],
            client=client_org,
            kind="call",
            summary="x",
            contacts=[stranger],
            opportunity=OpportunityFactory(client=other_client_org),
        )
    assert set(error.value.message_dict) == {"contacts", "opportunity"}
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_the_form_offers_only_this_clients_contacts(signed_in, client_org, other_client_org):
    ContactFactory(client=client_org, name="自己人")
    ContactFactory(client=other_client_org, name="外人")
    page = signed_in("member").get(log_url(client=client_org.pk)).content.decode()
    assert "自己人" in page and "外人" not in page


@pytest.mark.django_db
def test_logging_needs_a_client_the_user_can_see(signed_in, client_org, other_client_org):
    http = signed_in("member")
    assert http.get(reverse("crm:interaction_create")).status_code == 404
    assert http.get(log_url(client=999999)).status_code == 404
    deal = OpportunityFactory(client=client_org)
    # A deal of one client with another client named: not a valid pair.
    assert http.get(log_url(client=other_client_org.pk, opportunity=deal.pk)).status_code == 404


@pytest.mark.django_db
def test_editing_an_interaction(signed_in, client_org, users):
    interaction = InteractionFactory(client=client_org, owner=users["member"], summary="旧")
    http = signed_in("member")
    url = reverse("crm:interaction_edit", args=[interaction.pk])
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {"kind": "visit", "occurred_at": "2027-01-02T09:00", "summary": "新的总结", "version": 1},
    )
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert (interaction.kind, interaction.summary, interaction.version) == ("visit", "新的总结", 2)
    event = AuditEvent.objects.for_object(interaction).get(action="updated")
    assert event.changes["summary"] == ["旧", "新的总结"]


def edit(http, interaction, version, **changes):
    data = {"kind": "call", "occurred_at": "2027-01-02T09:00", "summary": "x", "version": version}
    return http.post(reverse("crm:interaction_edit", args=[interaction.pk]), {**data, **changes})


@pytest.mark.django_db
def test_the_second_of_two_editors_is_refused_and_keeps_their_input(signed_in, client_org):
    interaction = InteractionFactory(client=client_org, summary="旧")
    first, second = signed_in("member"), signed_in("manager")
    url = reverse("crm:interaction_edit", args=[interaction.pk])
    for editor in (first, second):
        assert editor.get(url).context["form"]["version"].value() == 1
    assert edit(first, interaction, 1, summary="甲的总结").status_code == 302
    stale = edit(second, interaction, 1, summary="乙的总结", kind="visit")
    assert stale.status_code == 409
    page = stale.content.decode()
    assert STALE in page and "乙的总结" in page  # the message, and the input kept
    interaction.refresh_from_db()
    assert (interaction.summary, interaction.kind, interaction.version) == ("甲的总结", "call", 2)
    assert AuditEvent.objects.for_object(interaction).filter(action="updated").count() == 1


@pytest.mark.django_db
def test_a_stale_edit_writes_no_participants(users, client_org):
    interaction = InteractionFactory(client=client_org)
    interaction.contacts.set([ContactFactory(client=client_org, name="原来的")])
    services.update_interaction(
        interaction, actor=users["member"], expected_version=1, users=[users["manager"]]
    )
    assert interaction.version == 2  # a participants-only edit raises the version too
    stale = Interaction.objects.get(pk=interaction.pk)
    with pytest.raises(StaleEdit):
        services.update_interaction(
            stale,
            actor=users["member"],
            expected_version=1,
            summary="覆盖",
            contacts=[ContactFactory(client=client_org)],
            users=[],
        )
    interaction.refresh_from_db()
    assert interaction.version == 2 and interaction.summary != "覆盖"
    assert [str(contact) for contact in interaction.contacts.all()] == ["原来的"]
    assert list(interaction.users.all()) == [users["manager"]]


@pytest.mark.django_db
def test_an_edit_opened_before_the_follow_up_was_done_cannot_reopen_it(signed_in, client_org):
    interaction = InteractionFactory(client=client_org, follow_up_on=TODAY())
    http = signed_in("member")
    url = reverse("crm:interaction_edit", args=[interaction.pk])
    assert http.get(url).context["form"]["version"].value() == 1
    http.post(reverse("crm:interaction_follow_up_done", args=[interaction.pk]))
    assert edit(http, interaction, 1, summary="改").status_code == 409
    interaction.refresh_from_db()
    assert interaction.follow_up_done and interaction.version == 2


@pytest.mark.django_db
def test_marking_a_follow_up_done_with_htmx(signed_in, client_org, users):
    interaction = InteractionFactory(client=client_org, owner=users["member"], follow_up_on=TODAY())
    url = reverse("crm:interaction_follow_up_done", args=[interaction.pk])
    response = signed_in("member").post(url, **HTMX)
    assert response.status_code == 200
    assert "Follow-up done" in response.content.decode()
    interaction.refresh_from_db()
    assert interaction.follow_up_done and interaction.version == 2
    assert AuditEvent.objects.for_object(interaction).filter(action="follow_up_done").count() == 1
    again = signed_in("member").post(url, **HTMX)  # harmless: no second event, same version
    assert again.status_code == 200
    interaction.refresh_from_db()
    assert interaction.version == 2
    assert AuditEvent.objects.for_object(interaction).filter(action="follow_up_done").count() == 1


@pytest.mark.django_db
def test_due_follow_ups_are_mine_open_and_not_in_the_future(users, client_org):
    me = users["member"]
    due = InteractionFactory(client=client_org, owner=me, follow_up_on=TODAY())
    late = InteractionFactory(
        client=client_org, owner=me, follow_up_on=TODAY() - datetime.timedelta(days=3)
    )
    InteractionFactory(client=client_org, owner=me, follow_up_on=TODAY() + datetime.timedelta(1))
    InteractionFactory(client=client_org, owner=me, follow_up_on=TODAY(), follow_up_done=True)
    InteractionFactory(client=client_org, owner=users["manager"], follow_up_on=TODAY())
    InteractionFactory(client=client_org, owner=me)
    assert list(services.due_follow_ups(me, today=TODAY())) == [late, due]


@pytest.mark.django_db
def test_the_dashboard_shows_my_due_follow_ups_at_a_constant_cost(signed_in, users):
    me = users["member"]
    http = signed_in("member")

    def dashboard():
        with CaptureQueriesContext(connection) as captured:
            page = http.get("/").content.decode()
        return page, len(captured)

    InteractionFactory(client=ClientFactory(), owner=me, follow_up_on=TODAY(), summary="回电王总")
    page, few = dashboard()
    assert "Follow-ups due" in page and "回电王总" in page
    for _ in range(8):
        InteractionFactory(client=ClientFactory(), opportunity=None, owner=me, follow_up_on=TODAY())
    page, many = dashboard()
    assert many == few
    assert f"{reverse('crm:interaction_list')}?due=1" in page  # 9 due, 5 shown: "See all"


@pytest.mark.django_db
def test_the_list_partial_loads_in_place_for_a_client(signed_in, client_org, other_client_org):
    InteractionFactory(client=client_org, summary="我们的")
    InteractionFactory(client=other_client_org, summary="别人的")
    http = signed_in("member")
    response = http.get(reverse("crm:interaction_list"), {"client": client_org.pk}, **HTMX)
    assert response.templates[0].name == "crm/interactions/partials/list.html"
    body = response.content.decode()
    assert "我们的" in body and "别人的" not in body
    page = http.get(reverse("crm:interaction_list"), {"client": client_org.pk})
    assert page.templates[0].name == "crm/interactions/list.html"


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_more_interactions(signed_in, client_org, users):
    http = signed_in("member")
    url = f"{reverse('crm:interaction_list')}?client={client_org.pk}"

    def cost():
        with CaptureQueriesContext(connection) as captured:
            assert http.get(url).status_code == 200
        return len(captured)

    def add(count):
        for _ in range(count):
            interaction = InteractionFactory(
                client=client_org,
                owner=users["member"],
                opportunity=OpportunityFactory(client=client_org),
            )
            interaction.contacts.set([ContactFactory(client=client_org)])
            interaction.users.set([users["manager"]])

    add(2)
    few = cost()
    add(4)
    assert cost() == few


@pytest.mark.django_db
def test_client_users_see_no_interactions(signed_in, client_org, users):
    interaction = InteractionFactory(client=client_org, owner=users["member"])
    portal = signed_in("client")
    for url in [
        reverse("crm:interaction_list") + f"?client={client_org.pk}",
        log_url(client=client_org.pk),
        reverse("crm:interaction_edit", args=[interaction.pk]),
    ]:
        assert portal.get(url).status_code == 403, url
    done = portal.post(reverse("crm:interaction_follow_up_done", args=[interaction.pk]))
    assert done.status_code == 403
    assert "Follow-ups due" not in portal.get("/").content.decode()


@pytest.mark.django_db
def test_occurred_at_defaults_to_now(users, client_org):
    before = timezone.now()
    interaction = services.log_interaction(
        actor=users["member"], client=client_org, kind="note", summary="备注"
    )
    assert interaction.occurred_at >= before and interaction.owner == users["member"]


@pytest.mark.django_db
def test_the_interaction_list_exports_csv_and_xlsx(signed_in, users, client_org):
    InteractionFactory(client=client_org, owner=users["manager"], summary="方案演示，客户很满意")
    http = signed_in("member")
    url = reverse("crm:interaction_list")
    csv_response = http.get(url, {"client": client_org.pk, "format": "csv"})
    assert csv_response.status_code == 200
    assert "方案演示，客户很满意" in csv_response.content.decode("utf-8-sig")
    xlsx_response = http.get(url, {"client": client_org.pk, "format": "xlsx"})
    assert xlsx_response["Content-Type"].startswith("application/vnd.openxml")
    assert signed_in("client").get(url, {"format": "csv"}).status_code == 403
