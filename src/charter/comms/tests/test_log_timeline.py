"""Sent messages on the CRM client's timeline, with their delivery status."""

import pytest
from django.urls import reverse

from charter.comms.models import OutboxStatus
from charter.comms.tests.matrix_log import REFUSED, START, hours, make_interaction, make_message
from charter.crm.services.clients import client_timeline
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db


def test_messages_appear_on_the_client_timeline_with_their_status(
    users, project, client_org, other_client_org
):
    make_interaction(client_org, summary="电话", at=START)
    make_message(project=project, subject="退信", status=OutboxStatus.FAILED, at=START + hours(1))
    make_message(client=client_org, subject="周报", at=START + hours(2))
    make_message(client=other_client_org, subject="another client", at=START + hours(3))

    entries = client_timeline(client_org, users["manager"]).entries
    messages = [entry for entry in entries if entry.kind == "message"]

    assert [entry.title for entry in messages] == ["Message: 周报", "Message: 退信"]
    assert messages[0].detail == "E-mail · Sent out · wang.li@example.com"
    assert messages[1].detail == f"E-mail · Failed · wang.li@example.com · {REFUSED}"
    assert messages[0].url == reverse("comms:client_messages", args=[client_org.pk])
    assert entries.index(messages[1]) < [entry.kind for entry in entries].index("interaction")


def test_members_see_only_their_projects_messages_on_the_timeline(users, project, client_org):
    elsewhere = make_project(client_org, manager=users["manager"])
    make_message(project=project, subject="mine")
    make_message(project=elsewhere, subject="not mine")
    titles = {entry.title for entry in client_timeline(client_org, users["member"]).entries}
    assert "Message: mine" in titles and "Message: not mine" not in titles
