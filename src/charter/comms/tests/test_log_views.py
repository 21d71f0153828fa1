"""The message log pages: rows with status, the remote's answer of a failed message, filters,
empty states, "Retry now" for managers, the dashboard card of failed messages."""

import pytest
from django.urls import reverse

from charter.comms.models import OutboxChannel, OutboxMessage, OutboxStatus
from charter.comms.tests.matrix_comms import make_robot
from charter.comms.tests.matrix_log import REFUSED, START, hours, make_interaction, make_message
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db


def _log_url(project) -> str:
    return reverse("comms:project_messages", args=[project.pk])


def test_the_project_log_shows_each_row_with_its_status(signed_in, project, client_org):
    robot = make_robot(project, name="交付群")
    make_message(project=project, subject="周报", status=OutboxStatus.SENT, at=START)
    make_message(project=project, subject="退信", status=OutboxStatus.FAILED, at=START + hours(1))
    make_message(
        project=project,
        robot=robot,
        channel=OutboxChannel.ROBOT,
        recipients=[],
        subject="群通知",
        status=OutboxStatus.RETRYING,
        last_answer="errcode 45009: api freq out of limit",
        at=START + hours(2),
    )
    make_interaction(client_org, project=project, summary="电话：确认范围", at=START + hours(3))

    page = signed_in("member").get(_log_url(project)).content.decode()

    for text in ("周报", "退信", "群通知", "交付群", "电话：确认范围", "wang.li@example.com"):
        assert text in page
    assert 'data-status="sent"' in page and 'data-status="retrying"' in page
    assert (
        'data-testid="remote-answer">' + REFUSED.replace("<", "&lt;").replace(">", "&gt;") in page
    )
    assert "errcode 45009" in page
    assert page.index("电话：确认范围") < page.index("群通知") < page.index("退信")
    assert 'data-testid="retry-message"' not in page  # members may not retry


def test_managers_get_retry_now_for_failed_and_retrying_messages_only(signed_in, project):
    failed = make_message(project=project, status=OutboxStatus.FAILED)
    make_message(project=project, status=OutboxStatus.SENT)
    page = signed_in("manager").get(_log_url(project)).content.decode()
    assert page.count('data-testid="retry-message"') == 1
    assert reverse("comms:message_retry", args=[failed.pk]) in page


def test_filters_narrow_the_page_and_an_empty_search_says_so(signed_in, project):
    make_message(project=project, subject="验收通知", status=OutboxStatus.FAILED)
    make_message(project=project, subject="周报", status=OutboxStatus.SENT)
    http = signed_in("manager")

    failed = http.get(_log_url(project), {"status": "failed"}).content.decode()
    assert "验收通知" in failed and "周报" not in failed
    searched = http.get(_log_url(project), {"q": "周报"}).content.decode()
    assert "周报" in searched and "验收通知" not in searched
    nothing = http.get(_log_url(project), {"q": "nothing like it"}).content.decode()
    assert "Nothing matches your search." in nothing
    unknown = http.get(_log_url(project), {"status": "lost"})
    assert unknown.status_code == 200 and "验收通知" in unknown.content.decode()


def test_an_empty_log_explains_what_will_appear(signed_in, project, client_org):
    for url in (_log_url(project), reverse("comms:client_messages", args=[client_org.pk])):
        assert "No messages yet." in signed_in("manager").get(url).content.decode()


def test_the_client_log_lists_the_messages_of_its_projects(signed_in, project, client_org):
    make_message(project=project, subject="项目邮件")
    make_message(client=client_org, subject="客户邮件")
    page = signed_in("member").get(reverse("comms:client_messages", args=[client_org.pk]))
    assert "项目邮件" in page.content.decode() and "客户邮件" in page.content.decode()


def test_members_get_404_for_a_project_they_are_not_on(signed_in, users, client_org):
    elsewhere = make_project(client_org, manager=users["manager"])
    assert signed_in("member").get(_log_url(elsewhere)).status_code == 404


def test_retry_now_queues_the_message_and_returns_to_the_filtered_log(signed_in, project):
    message = make_message(project=project, status=OutboxStatus.FAILED)
    back = _log_url(project) + "?status=failed"

    response = signed_in("manager").post(
        reverse("comms:message_retry", args=[message.pk]), {"next": back}
    )

    assert response.status_code == 302 and response["Location"] == back
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.QUEUED


def test_retry_of_a_sent_message_says_why_and_changes_nothing(signed_in, project):
    message = make_message(project=project, status=OutboxStatus.SENT)
    response = signed_in("manager").post(
        reverse("comms:message_retry", args=[message.pk]),
        {"next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain[0][0] == _log_url(project)
    assert "Only a message that failed" in response.content.decode()
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT


def test_the_dashboard_counts_failed_messages_of_the_managers_projects(signed_in, project):
    make_message(project=project, status=OutboxStatus.FAILED)
    make_message(project=project, status=OutboxStatus.FAILED)

    page = signed_in("manager").get(reverse("core:dashboard")).content.decode()

    assert 'data-testid="card-failed-messages"' in page
    assert f"/projects/{project.pk}/messages/?status=failed" in page
    member_page = signed_in("member").get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="card-failed-messages"' not in member_page
