"""The message log through the API: paged entries of both sources, filters, one message, retry."""

import pytest

from charter.comms.models import OutboxChannel, OutboxMessage, OutboxStatus
from charter.comms.tests.matrix_comms import make_robot
from charter.comms.tests.matrix_log import REFUSED, START, hours, make_interaction, make_message
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db


def test_a_project_log_pages_both_sources_newest_first(signed_in, project, client_org):
    robot = make_robot(project, name="交付群")
    make_message(project=project, subject="周报", at=START)
    make_interaction(client_org, project=project, summary="电话", at=START + hours(1))
    make_message(
        project=project,
        robot=robot,
        channel=OutboxChannel.ROBOT,
        recipients=[],
        subject="群通知",
        at=START + hours(2),
    )

    body = signed_in("member").get(f"/api/v1/projects/{project.pk}/messages?limit=2").json()

    assert body["count"] == 3
    first, second = body["items"]
    assert (first["type"], first["message"]["robot_name"], first["interaction"]) == (
        "message",
        "交付群",
        None,
    )
    assert (second["type"], second["interaction"]["summary"], second["message"]) == (
        "interaction",
        "电话",
        None,
    )
    rest = signed_in("member").get(f"/api/v1/projects/{project.pk}/messages?offset=2").json()
    assert [item["message"]["subject"] for item in rest["items"]] == ["周报"]


def test_a_client_log_filters_by_status_channel_and_words(signed_in, project, client_org):
    make_message(project=project, subject="验收通知", status=OutboxStatus.FAILED)
    make_message(client=client_org, subject="周报", status=OutboxStatus.SENT)
    make_interaction(client_org, summary="拜访")
    url = f"/api/v1/clients/{client_org.pk}/messages"
    http = signed_in("manager")

    def subjects(**query: str) -> list[str]:
        items = http.get(url, query).json()["items"]
        return [(i["message"] or {}).get("subject") or i["interaction"]["summary"] for i in items]

    assert sorted(subjects()) == sorted(["验收通知", "周报", "拜访"])
    assert subjects(status="failed") == ["验收通知"]
    assert subjects(channel="interaction") == ["拜访"]
    assert subjects(q="周报") == ["周报"]
    assert http.get(url, {"status": "lost"}).status_code == 422


def test_one_message_carries_the_remotes_answer(signed_in, project):
    message = make_message(project=project, status=OutboxStatus.FAILED)
    body = signed_in("member").get(f"/api/v1/messages/{message.pk}").json()
    assert (body["status"], body["last_answer"], body["recipients"]) == (
        "failed",
        REFUSED,
        ["wang.li@example.com"],
    )


def test_members_get_404_for_messages_of_other_projects(signed_in, users, client_org):
    elsewhere = make_project(client_org, manager=users["manager"])
    message = make_message(project=elsewhere)
    http = signed_in("member")
    assert http.get(f"/api/v1/messages/{message.pk}").status_code == 404
    assert http.get(f"/api/v1/projects/{elsewhere.pk}/messages").status_code == 404


def test_retry_queues_a_failed_message_and_refuses_a_sent_one(signed_in, project):
    failed = make_message(project=project, status=OutboxStatus.FAILED)
    sent = make_message(project=project, status=OutboxStatus.SENT)
    http = signed_in("manager")

    retried = http.post(f"/api/v1/messages/{failed.pk}/retry")
    refused = http.post(f"/api/v1/messages/{sent.pk}/retry")

    assert (retried.status_code, retried.json()["status"]) == (200, "queued")
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert OutboxMessage.objects.get(pk=sent.pk).status == OutboxStatus.SENT
