"""The message log's services: both sources in one list by time, search, filters, constant
query counts, visibility, retry now, and the failed messages each owner hears about."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charter.comms import log
from charter.comms.models import OutboxChannel, OutboxMessage, OutboxStatus
from charter.comms.tests.matrix_comms import make_robot
from charter.comms.tests.matrix_log import START, hours, make_interaction, make_message
from charter.core.models import AuditEvent
from charter.planning.tests.factories import make_project
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _subjects(rows: list[log.LogRow]) -> list[str]:
    return [
        row.message.subject if row.message else row.interaction.summary  # type: ignore[union-attr]
        for row in rows
    ]


def test_a_project_log_merges_messages_and_interactions_newest_first(users, project, client_org):
    robot = make_robot(project)
    make_message(project=project, subject="周报 1", at=START)
    make_interaction(client_org, project=project, summary="电话：确认范围", at=START + hours(1))
    make_message(
        robot=robot,
        channel=OutboxChannel.ROBOT,
        project=project,
        subject="群通知",
        recipients=[],
        at=START + hours(2),
    )
    make_interaction(client_org, summary="not carried into the project", at=START + hours(3))
    make_message(client=client_org, subject="client only", at=START + hours(4))

    rows = log.project_log(project, users["manager"])[0:10]

    assert _subjects(rows) == ["群通知", "电话：确认范围", "周报 1"]
    assert [row.kind for row in rows] == ["message", "interaction", "message"]
    assert rows[0].message.robot == robot  # type: ignore[union-attr]
    assert rows[0].at == START + hours(2)


def test_a_client_log_holds_its_own_and_its_projects_messages(
    users, project, client_org, other_client_org
):
    make_message(project=project, subject="project mail", at=START)
    make_message(client=client_org, subject="client mail", at=START + hours(1))
    make_message(client=other_client_org, subject="another client", at=START + hours(2))
    make_interaction(client_org, summary="拜访", at=START + hours(3))
    make_interaction(other_client_org, summary="other visit", at=START + hours(4))

    rows = log.client_log(client_org, users["manager"])

    assert rows.count() == 3
    assert _subjects(rows[0:10]) == ["拜访", "client mail", "project mail"]


def test_pages_slice_the_merged_list(users, project, client_org):
    for n in range(3):
        make_message(project=project, subject=f"mail {n}", at=START + hours(2 * n))
        make_interaction(
            client_org, project=project, summary=f"call {n}", at=START + hours(2 * n + 1)
        )
    rows = log.project_log(project, users["manager"])
    assert len(rows) == 6
    assert _subjects(rows[0:2]) == ["call 2", "mail 2"]
    assert _subjects(rows[2:5]) == ["call 1", "mail 1", "call 0"]


def test_search_looks_in_subject_text_recipients_robot_summary_and_contacts(
    users, project, client_org
):
    robot = make_robot(project, name="交付群")
    make_message(project=project, subject="验收通知")
    make_message(project=project, body_text="请确认上线时间")
    make_message(project=project, recipients=["zhao.min@example.com"])
    make_message(project=project, robot=robot, channel=OutboxChannel.ROBOT, recipients=[])
    make_interaction(client_org, project=project, summary="会议：验收标准")
    called = make_interaction(client_org, project=project, summary="电话")
    called.contacts.add(ContactFactory(client=client_org, name="钱多多"))

    def found(q: str) -> int:
        return log.project_log(project, users["manager"], q=q).count()

    assert found("验收") == 2  # a subject and a summary
    assert found("上线") == 1
    assert found("ZHAO.MIN") == 1
    assert found("交付群") == 1
    assert found("钱多多") == 1
    assert found("nothing like it") == 0


def test_filters_by_status_and_channel(users, project, client_org):
    robot = make_robot(project)
    make_message(project=project, status=OutboxStatus.FAILED)
    make_message(project=project, status=OutboxStatus.SENT)
    make_message(
        project=project,
        robot=robot,
        channel=OutboxChannel.ROBOT,
        recipients=[],
        status=OutboxStatus.RETRYING,
    )
    make_interaction(client_org, project=project)

    def found(**filters: str) -> list[str]:
        rows = log.project_log(project, users["manager"], **filters)[0:10]
        return sorted(row.message.status if row.message else row.kind for row in rows)

    assert found(status=OutboxStatus.FAILED) == ["failed"]
    assert found(channel=log.LogChannel.EMAIL) == ["failed", "sent"]
    assert found(channel=log.LogChannel.ROBOT) == ["retrying"]
    assert found(channel=log.LogChannel.INTERACTION) == ["interaction"]
    assert found(channel=log.LogChannel.ROBOT, status=OutboxStatus.SENT) == []


def _queries_for_a_page(project, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        rows = log.project_log(project, user)
        rows.count()
        page = rows[0:25]
        for row in page:
            if row.interaction:
                list(row.interaction.contacts.all())
                str(row.interaction.owner)
            else:
                str(row.message.robot)  # type: ignore[union-attr]
    return len(queries)


def test_a_page_costs_the_same_number_of_queries_for_5_or_50_of_each(users, project, client_org):
    robot = make_robot(project)

    def add(n: int) -> None:
        for i in range(n):
            make_message(
                project=project,
                robot=robot,
                channel=OutboxChannel.ROBOT,
                recipients=[],
                at=START + hours(i),
            )
            make_message(project=project, at=START + hours(i))
            called = make_interaction(
                client_org, project=project, at=START + hours(i), owner=users["manager"]
            )
            called.contacts.add(ContactFactory(client=client_org))

    add(5)
    few = _queries_for_a_page(project, users["manager"])
    add(45)
    assert _queries_for_a_page(project, users["manager"]) == few


def test_members_see_the_messages_of_their_projects_only(users, project, client_org):
    elsewhere = make_project(client_org, manager=users["manager"])
    make_message(project=project, subject="mine")
    make_message(project=elsewhere, subject="not mine")
    make_message(client=client_org, subject="to the client")

    seen = {message.subject for message in log.client_messages(client_org, users["member"])}

    assert seen == {"mine", "to the client"}
    assert log.project_log(elsewhere, users["member"]).count() == 0
    assert not log.visible_messages(users["client"]).exists()


# ---- retry now -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [OutboxStatus.FAILED, OutboxStatus.RETRYING])
def test_retry_now_queues_the_message_due_now_and_sends_it_after_commit(
    status, users, project, django_capture_on_commit_callbacks, mailoutbox
):
    message = make_message(project=project, status=status, attempts=8)
    before = timezone.now()

    with django_capture_on_commit_callbacks() as callbacks:
        retried = log.retry_now(message, actor=users["manager"])
    assert (retried.status, retried.attempts) == (OutboxStatus.QUEUED, 0)
    assert retried.next_attempt_at >= before
    event = AuditEvent.objects.get(action="retried")
    assert (event.actor, event.changes) == (users["manager"], {"status": [status, "queued"]})

    for callback in callbacks:  # the immediate task backend sends at once
        callback()
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT
    assert [mail.subject for mail in mailoutbox] == [message.subject]


@pytest.mark.parametrize("status", [OutboxStatus.QUEUED, OutboxStatus.SENDING, OutboxStatus.SENT])
def test_retry_now_refuses_a_message_that_is_not_failed_or_retrying(status, users, project):
    message = make_message(project=project, status=status)
    with pytest.raises(ValidationError):
        log.retry_now(message, actor=users["manager"])
    assert OutboxMessage.objects.get(pk=message.pk).status == status
    assert not AuditEvent.objects.filter(action="retried").exists()


# ---- failed messages for the owners ----------------------------------------------------------


def test_owners_hear_of_failed_messages_of_their_projects_and_clients(
    users, project, client_org, other_client_org
):
    client_org.owner = users["manager"]
    client_org.save()
    someone_elses = make_project(other_client_org, manager=users["admin"])
    make_message(project=project, status=OutboxStatus.FAILED)
    make_message(project=project, status=OutboxStatus.FAILED)
    make_message(project=project, status=OutboxStatus.RETRYING)
    make_message(client=client_org, status=OutboxStatus.FAILED)
    make_message(project=someone_elses, status=OutboxStatus.FAILED)

    failed = log.failed_messages(users["manager"])

    assert failed.total == 3
    assert [(place.name, place.count) for place in failed.places] == [
        (project.name, 2),
        (client_org.name, 1),
    ]
    assert failed.places[0].url == f"/projects/{project.pk}/messages/?status=failed"
    assert failed.places[1].url == f"/clients/{client_org.pk}/messages/?status=failed"
    assert log.failed_messages(users["member"]).total == 0
    assert log.failed_messages(users["client"]).total == 0
