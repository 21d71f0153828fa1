import datetime
import decimal

import pytest
from django.urls import reverse

from charter.core import audit
from charter.core.models import AuditEvent


def test_diff_lists_only_changed_fields():
    before = {"role": "member", "email": "a@example.com"}
    after = {"role": "manager", "email": "a@example.com"}
    assert audit.diff(before, after) == {"role": ["member", "manager"]}


def test_json_value_makes_values_readable():
    assert audit.json_value(decimal.Decimal("1.50")) == "1.50"
    assert audit.json_value(datetime.date(2026, 10, 1)) == "2026-10-01"
    assert audit.json_value({1, 2}) in ([1, 2], [2, 1])


@pytest.mark.django_db
def test_record_keeps_actor_object_changes_and_ip(users, client_org):
    token = audit.request_ip.set("203.0.113.7")
    try:
        event = audit.record(
            client_org, "updated", actor=users["manager"], changes={"name": ["a", "b"]}
        )
    finally:
        audit.request_ip.reset(token)
    event.refresh_from_db()
    assert event.actor == users["manager"]
    assert event.actor_label == "manager"
    assert event.object_repr == str(client_org)
    assert event.changes == {"name": ["a", "b"]}
    assert event.ip == "203.0.113.7"


@pytest.mark.django_db
def test_history_view_shows_the_object_events(signed_in, users, client_org, other_client_org):
    audit.record(
        client_org, "updated", actor=users["manager"], changes={"short_name": ["旧", "新"]}
    )
    audit.record(
        other_client_org, "updated", actor=users["manager"], changes={"short_name": ["x", "y"]}
    )
    response = signed_in("member").get(reverse("core:history", args=["crm.client", client_org.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "新" in body
    assert [e.changes for e in response.context["page"].object_list] == [
        {"short_name": ["旧", "新"]}
    ]


@pytest.mark.django_db
def test_history_of_an_unknown_or_hidden_object_is_404(signed_in, client_org):
    member = signed_in("member")
    assert member.get(reverse("core:history", args=["crm.client", 999999])).status_code == 404
    assert member.get(reverse("core:history", args=["core.auditevent", 1])).status_code == 404
    assert member.get(reverse("core:history", args=["no.model", 1])).status_code == 404
    # client users have no access to audit trails at all
    assert (
        signed_in("client")
        .get(reverse("core:history", args=["crm.client", client_org.pk]))
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_request_ip_reaches_the_audit_event(signed_in, client_org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("notes.txt", b"hello")
    signed_in("manager").post(
        reverse("core:attachments", args=["crm.client", client_org.pk]),
        {"upload": upload},
        REMOTE_ADDR="198.51.100.20",
    )
    event = AuditEvent.objects.get(action="attachment_added")
    assert event.ip == "198.51.100.20"


@pytest.mark.django_db
def test_history_names_fields_and_shows_creation_as_first_values(signed_in, users):
    from charter.crm.services.clients import create_client

    client = create_client(
        actor=users["manager"], name="杭州青禾教育科技有限公司", short_name="青禾教育"
    )
    response = signed_in("member").get(reverse("core:history", args=["crm.client", client.pk]))
    (event,) = response.context["page"].object_list
    assert ("short name", "—", "青禾教育") in event.change_rows()
    assert "<del" not in response.content.decode().split('data-testid="history"')[1]


def test_history_reads_choice_labels_and_joins_lists():
    from charter.changes.models import ChangeRequest
    from charter.core.models import display_value, model_field

    status = model_field(ChangeRequest, "status")
    assert display_value("approved", status) == "Approved"
    assert display_value(["REQ-001", "REQ-002"]) == "REQ-001, REQ-002"
    assert display_value([]) == "—" and display_value("unknown", status) == "unknown"
    assert display_value(["REQ-001"], model_field(ChangeRequest, "requirements")) == "REQ-001"
