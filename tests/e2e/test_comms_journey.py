"""Issue 6's journey in a real browser: the project manager adds a weekly status report and a
meeting to the communication plan, sends the report's first occurrence now, the worker runs
(the scheduler, then the outbox) against a local SMTP server, which captures the e-mail and
the calendar invitation; the plan and the project's message log show them sent.

Run once in English and once in Chinese, for a client contact who reads the run's language.
The meeting is tomorrow at 10:00 (kept on a day off, so the test does not depend on today's
calendar); invitations go out two days ahead, so the scheduler's first tick sends it.
"""

import datetime
import email
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.comms import outbox, scheduler
from charter.comms.models import CommunicationItem, OutboxMessage, OutboxStatus
from charter.crm.models import Client
from charter.planning.models import Project
from charter.planning.tests.factories import make_project
from charter.testing.factories import ContactFactory
from charter.testing.fake_smtp import FakeSmtp

pytestmark = pytest.mark.e2e

MANAGER = str(Role.MANAGER)
Screenshot = Callable[..., Path]


@dataclass(frozen=True)
class Run:
    language: str
    report: str
    meeting: str
    sent: str  # the occurrence status shown once sent
    sent_out: str  # the message log's status of a delivered message


RUNS = [
    Run("en", "Weekly status report", "Steering meeting", "Sent", "Sent out"),
    Run("zh-hans", "项目状态周报", "项目指导委员会会议", "已发送", "已发出"),
]


def add_item(page: Page, project: Project, fields: dict[str, str], contact: str) -> None:
    page.goto(reverse("comms:project_communications", args=[project.pk]))
    page.get_by_test_id("add-item").click()
    form = page.get_by_test_id("item-form")
    form.locator("#id_kind").select_option(fields.pop("kind"))
    form.locator("#id_preset").select_option(fields.pop("preset"))
    form.locator("#id_contacts").select_option(label=contact)
    for name, value in fields.items():
        field = form.locator(f"#id_{name}")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("item-form")).to_have_count(0)


def occurrence_row(page: Page, item: CommunicationItem) -> Locator:
    return page.locator(f'[data-testid="occurrence"][data-item="{item.pk}"]').first


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    """A local SMTP server every e-mail of the test goes to (the web process's too: the test
    task backend sends what a page queues there and then)."""
    with FakeSmtp() as server, override_settings(MAILERS=server.mailers()):
        yield server


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.language)
def test_plan_sends_report_and_invitation(
    smtp: FakeSmtp,
    page: Page,
    users: dict[Role, User],
    client_org: Client,
    run: Run,
    screenshot: Screenshot,
    sign_in: Callable[[str], None],
    switch_language: Callable[[str], None],
) -> None:
    manager = users[Role.MANAGER]
    project = make_project(client_org, manager=manager)
    contact = ContactFactory(
        client=client_org, name="王芳", email="wangfang@example.com", language=run.language
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    sign_in(manager.username)
    switch_language(run.language)
    report_fields = {"kind": "status_report", "preset": "weekly", "content": run.report}
    add_item(page, project, {**report_fields, "channel": "email"}, contact.name)
    add_item(
        page,
        project,
        {
            "kind": "meeting",
            "preset": "once",
            "content": run.meeting,
            "channel": "email",
            "starts_on": tomorrow.isoformat(),
            "send_time": "10:00",
            "shift": "keep",
            "location": "https://meet.example.com/steering",
        },
        contact.name,
    )
    report = CommunicationItem.objects.get(project=project, content=run.report)
    meeting = CommunicationItem.objects.get(project=project, content=run.meeting)
    assert (report.rule, meeting.rule) == (f"FREQ=WEEKLY;BYDAY={_weekday(report)}", "")

    page.goto(reverse("comms:project_communications", args=[project.pk]))
    expect(occurrence_row(page, report)).to_be_visible()
    expect(occurrence_row(page, meeting)).to_be_visible()
    screenshot(page, MANAGER, run.language, "plan")

    occurrence_row(page, report).get_by_test_id("send-now").click()
    screenshot(page, MANAGER, run.language, "send-now")
    page.locator('form button[type="submit"]').last.click()
    expect(occurrence_row(page, report)).to_contain_text(run.sent)

    assert scheduler.run_due() == 1  # the worker's tick: the meeting's invitations
    outbox.deliver_due()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    to_contact = [m for m in smtp.messages if m["To"] == contact.email]
    report_mail = next(m for m in to_contact if "text/calendar" not in _types(m))
    invitation = next(m for m in to_contact if "text/calendar" in _types(m))
    assert project.name in str(report_mail["Subject"])
    assert "List-Unsubscribe" in report_mail  # a status report is not essential
    calendar = next(p for p in invitation.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert "METHOD:REQUEST" in calendar.get_payload(decode=True).decode()

    page.goto(reverse("comms:project_communications", args=[project.pk]))
    expect(occurrence_row(page, meeting)).to_contain_text(run.sent)
    screenshot(page, MANAGER, run.language, "sent")
    page.goto(reverse("comms:project_messages", args=[project.pk]))
    log = page.locator(".page-wrapper")
    expect(log).to_contain_text(str(report_mail["Subject"]))
    expect(log).to_contain_text(run.meeting)
    sent = log.locator('[data-kind="message"][data-status="sent"]')
    expect(sent.first.locator(".badge")).to_contain_text(run.sent_out)
    assert sent.count() >= 2
    screenshot(page, MANAGER, run.language, "log")


def _weekday(item: CommunicationItem) -> str:
    return ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[item.starts_on.weekday()]


def _types(message: email.message.Message) -> set[str]:
    return {part.get_content_type() for part in message.walk()}
