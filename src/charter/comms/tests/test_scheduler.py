"""The communication plan's scheduler: due occurrences become outbox messages, once each;
late ones are missed and their owner told; owners skip, edit and send occurrences ahead."""

import datetime
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from charter.comms import occurrences, plan, scheduler
from charter.comms.models import (
    CommunicationItem,
    CommunicationOccurrence,
    Meeting,
    MessageTemplate,
    OccurrenceStatus,
    OutboxMessage,
)
from charter.crm.choices import Channel
from charter.planning.models import CalendarException
from charter.planning.services.calendars import default_calendar
from charter.testing.factories import ContactFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime.date(2026, 11, 30)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def templates(db) -> None:
    for kind in ("status_report", "meeting", "custom", "milestone_notice"):
        MessageTemplate.objects.update_or_create(
            kind=kind,
            is_default=True,
            defaults={
                "name": kind,
                "subject_zh": "{{ project }} 状态报告 {{ date }}",
                "body_zh": "{{ recipient }}您好，进度 {{ progress }}。{{ portal_link }}",
                "subject_en": "{{ project }} status report {{ date }}",
                "body_en": "Dear {{ recipient }}, progress {{ progress }}. {{ portal_link }}",
            },
        )


def make_item(project: Any, users: Any, **fields: Any) -> CommunicationItem:
    contacts = fields.pop("contacts", None)
    if contacts is None:
        contacts = [
            ContactFactory(client=project.client, email="sponsor@example.com", language="en")
        ]
    values = {
        "kind": "status_report",
        "content": "Weekly status report",
        "channel": Channel.EMAIL,
        "rule": "FREQ=WEEKLY;BYDAY=MO",
        "starts_on": MONDAY,
        "owner": users["manager"],
        **fields,
    }
    return plan.create_item(project, actor=users["manager"], contacts=contacts, **values)


def fresh(item: CommunicationItem) -> CommunicationItem:
    return CommunicationItem.objects.get(pk=item.pk)


@pytest.fixture
def before_monday(monkeypatch) -> datetime.datetime:
    """The clock the items are created at: the Friday before."""
    now = at(MONDAY - datetime.timedelta(days=3), 12)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    return now


def test_a_new_item_points_at_its_first_occurrence(project, users, templates, before_monday):
    item = make_item(project, users)
    assert (item.next_nominal_on, item.next_on, item.next_due_at) == (MONDAY, MONDAY, at(MONDAY))


def test_nothing_is_sent_before_it_is_due_and_once_after(project, users, templates, before_monday):
    item = make_item(project, users)
    assert scheduler.run_due(now=at(MONDAY, 8, 59)) == 0
    assert scheduler.run_due(now=at(MONDAY, 9, 1)) == 1
    assert scheduler.run_due(now=at(MONDAY, 9, 2)) == 0  # the cursor moved on
    row = CommunicationOccurrence.objects.get(item=item)
    assert row.status == OccurrenceStatus.SENT and row.nominal_on == MONDAY
    message = OutboxMessage.objects.get(occurrence=row)
    assert message.recipients == ["sponsor@example.com"]
    assert message.subject.startswith(project.name) and "status report" in message.subject
    assert message.reply_to == users["manager"].email
    assert fresh(item).next_on == MONDAY + datetime.timedelta(days=7)


def test_the_contacts_language_chooses_the_words(project, users, templates, before_monday):
    chinese = ContactFactory(client=project.client, email="zh@example.com", language="zh-hans")
    english = ContactFactory(client=project.client, email="en@example.com", language="en")
    make_item(project, users, contacts=[chinese, english])
    scheduler.run_due(now=at(MONDAY, 9, 5))
    subjects = dict(OutboxMessage.objects.values_list("recipients__0", "subject"))
    assert "状态报告" in subjects["zh@example.com"]
    assert "status report" in subjects["en@example.com"]


def test_a_holiday_moves_the_occurrence_and_the_key_keeps_the_rule_date(
    project, users, templates, before_monday
):
    CalendarException.objects.create(
        calendar=default_calendar(), day=MONDAY, working=False, name="test holiday"
    )
    item = make_item(project, users)
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert (item.next_nominal_on, item.next_on) == (MONDAY, tuesday)
    assert scheduler.run_due(now=at(MONDAY, 10)) == 0
    assert scheduler.run_due(now=at(tuesday, 9, 1)) == 1
    row = CommunicationOccurrence.objects.get(item=item)
    assert (row.nominal_on, row.on) == (MONDAY, tuesday)


def test_a_scheduler_that_was_down_marks_old_occurrences_missed_and_tells_the_owner(
    project, users, templates, before_monday
):
    item = make_item(project, users)
    third_monday = MONDAY + datetime.timedelta(days=14)
    assert scheduler.run_due(now=at(third_monday, 10)) == 3
    rows = list(CommunicationOccurrence.objects.filter(item=item).order_by("on"))
    assert [row.status for row in rows] == ["missed", "missed", "sent"]
    assert "not running" in rows[0].outcome
    to_owner = OutboxMessage.objects.filter(recipients=[users["manager"].email])
    assert to_owner.count() == 2 and "Not sent" in to_owner.first().subject


def test_an_item_with_nobody_to_send_to_is_missed_with_the_reason(
    project, users, templates, before_monday
):
    item = make_item(project, users, contacts=[])
    scheduler.run_due(now=at(MONDAY, 9, 1))
    row = CommunicationOccurrence.objects.get(item=item)
    assert row.status == OccurrenceStatus.MISSED and "Nobody to send to" in row.outcome


def test_skip_then_the_scheduler_moves_past_it(project, users, templates, before_monday):
    item = make_item(project, users)
    occurrences.skip_occurrence(item, MONDAY, actor=users["manager"])
    assert fresh(item).next_nominal_on == MONDAY + datetime.timedelta(days=7)
    assert scheduler.run_due(now=at(MONDAY, 9, 1)) == 0
    assert not OutboxMessage.objects.exists()
    occurrences.restore_occurrence(fresh(item), MONDAY, actor=users["manager"])
    assert fresh(item).next_nominal_on == MONDAY


def test_skipping_a_later_occurrence_leaves_the_cursor_and_the_scheduler_honours_it(
    project, users, templates, before_monday
):
    item = make_item(project, users)
    second = MONDAY + datetime.timedelta(days=7)
    occurrences.skip_occurrence(item, second, actor=users["manager"])
    assert fresh(item).next_nominal_on == MONDAY
    scheduler.run_due(now=at(MONDAY, 9, 30))
    scheduler.run_due(now=at(second, 9, 30))
    statuses = dict(
        CommunicationOccurrence.objects.filter(item=item).values_list("nominal_on", "status")
    )
    assert statuses == {MONDAY: "sent", second: "skipped"}


def test_an_edited_occurrence_sends_its_own_words(project, users, templates, before_monday):
    item = make_item(project, users)
    occurrences.edit_occurrence(
        item, MONDAY, actor=users["manager"], subject="Special {{ project }}", body="Hello"
    )
    scheduler.run_due(now=at(MONDAY, 9, 1))
    message = OutboxMessage.objects.get()
    assert message.subject == f"Special {project.name}" and message.body_text.startswith("Hello")


def test_edits_with_unknown_variables_are_refused(project, users, templates, before_monday):
    item = make_item(project, users)
    with pytest.raises(ValidationError) as refused:
        occurrences.edit_occurrence(
            item, MONDAY, actor=users["manager"], subject="{{ nope }}", body=""
        )
    assert "nope" in str(refused.value.message_dict["subject"])


def test_send_now_sends_ahead_and_the_scheduler_does_not_send_it_again(
    project, users, templates, before_monday
):
    item = make_item(project, users)
    scheduler.send_now(item, MONDAY, actor=users["manager"])
    assert OutboxMessage.objects.count() == 1
    assert scheduler.run_due(now=at(MONDAY, 9, 1)) == 0
    assert OutboxMessage.objects.count() == 1
    with pytest.raises(ValidationError):
        scheduler.send_now(fresh(item), MONDAY, actor=users["manager"])


def test_a_date_the_rule_does_not_have_cannot_be_acted_on(project, users, templates, before_monday):
    item = make_item(project, users)
    with pytest.raises(ValidationError):
        occurrences.skip_occurrence(
            item, MONDAY + datetime.timedelta(days=1), actor=users["manager"]
        )
    assert not CommunicationOccurrence.objects.exists()


def test_a_meeting_item_schedules_the_meeting_ahead_with_invitations(
    project, users, templates, before_monday
):
    item = make_item(project, users, kind="meeting", rule="", location="https://meet.example/1")
    assert item.next_due_at == at(MONDAY) - plan.MEETING_NOTICE
    assert scheduler.run_due(now=at(MONDAY, 8)) == 1
    meeting = Meeting.objects.get()
    assert meeting.starts_at == at(MONDAY) and meeting.video_link == "https://meet.example/1"
    assert OutboxMessage.objects.filter(calendar_method="REQUEST").count() == 1
    assert CommunicationOccurrence.objects.get().meeting == meeting


def test_a_phone_item_reminds_its_owner(project, users, templates, before_monday):
    make_item(project, users, channel=Channel.PHONE, kind="custom")
    scheduler.run_due(now=at(MONDAY, 9, 1))
    message = OutboxMessage.objects.get()
    assert message.recipients == [users["manager"].email] and "Reminder" in message.subject


def test_a_switched_off_item_sends_nothing(project, users, templates, before_monday):
    item = make_item(project, users)
    plan.update_item(item, actor=users["manager"], expected_version=item.version, is_active=False)
    assert scheduler.run_due(now=at(MONDAY, 9, 1)) == 0


def test_a_new_rule_moves_the_cursor_and_drops_edits_for_dates_it_no_longer_has(
    project, users, templates, before_monday
):
    item = make_item(project, users)
    occurrences.edit_occurrence(item, MONDAY, actor=users["manager"], subject="x", body="y")
    item = fresh(item)
    plan.update_item(
        item, actor=users["manager"], expected_version=item.version, rule="FREQ=WEEKLY;BYDAY=TU"
    )
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert fresh(item).next_nominal_on == tuesday
    assert not CommunicationOccurrence.objects.filter(nominal_on=MONDAY).exists()


def test_bad_input_is_refused_whole(project, users, templates, before_monday):
    with pytest.raises(ValidationError) as refused:
        make_item(
            project,
            users,
            rule="FREQ=SECONDLY",
            ends_on=MONDAY - datetime.timedelta(days=1),
            channel=Channel.WECOM,
        )
    assert {"rule", "ends_on", "robot"} <= set(refused.value.message_dict)
    assert not CommunicationItem.objects.filter(content="Weekly status report").exists()


def test_upcoming_merges_the_rule_with_handled_rows(project, users, templates, before_monday):
    item = make_item(project, users)
    scheduler.run_due(now=at(MONDAY, 9, 1))
    found = occurrences.upcoming(
        CommunicationItem.objects.filter(pk=item.pk), MONDAY, MONDAY + datetime.timedelta(days=20)
    )
    assert [(o.on, o.status) for o in found] == [
        (MONDAY, "sent"),
        (MONDAY + datetime.timedelta(days=7), "planned"),
        (MONDAY + datetime.timedelta(days=14), "planned"),
    ]
    assert not found[0].actionable and found[1].actionable


def test_a_missed_occurrence_can_be_sent_late_once(project, users, templates, before_monday):
    item = make_item(project, users)
    scheduler.run_due(now=at(MONDAY + datetime.timedelta(days=1), 10))  # a day late: missed
    row = CommunicationOccurrence.objects.get(item=item, nominal_on=MONDAY)
    assert row.status == OccurrenceStatus.MISSED
    scheduler.send_now(fresh(item), MONDAY, actor=users["manager"])
    row.refresh_from_db()
    assert row.status == OccurrenceStatus.SENT and row.acted_by == users["manager"]
    assert OutboxMessage.objects.filter(occurrence=row, recipients=["sponsor@example.com"]).count()
    with pytest.raises(ValidationError):
        scheduler.send_now(fresh(item), MONDAY, actor=users["manager"])


def test_a_missed_meeting_is_not_sent_late(project, users, templates, before_monday):
    item = make_item(project, users, kind="meeting", rule="", location="https://meet.example/1")
    assert scheduler.run_due(now=at(MONDAY, 10)) == 1  # after it began: missed
    row = CommunicationOccurrence.objects.get(item=item, nominal_on=MONDAY)
    assert row.status == OccurrenceStatus.MISSED
    missed_mail = OutboxMessage.objects.count()  # the owner was told
    with pytest.raises(ValidationError) as refused:
        scheduler.send_now(fresh(item), MONDAY, actor=users["manager"])
    assert "A missed meeting cannot be sent late" in refused.value.messages[0]
    row.refresh_from_db()
    assert row.status == OccurrenceStatus.MISSED and row.meeting is None
    assert not Meeting.objects.exists() and OutboxMessage.objects.count() == missed_mail


def test_a_missed_occurrence_of_a_switched_off_item_is_not_sent_late(
    project, users, templates, before_monday
):
    item = make_item(project, users, owner=None)
    scheduler.run_due(now=at(MONDAY + datetime.timedelta(days=1), 10))  # a day late: missed
    item = fresh(item)
    plan.update_item(item, actor=users["manager"], expected_version=item.version, is_active=False)
    with pytest.raises(ValidationError) as refused:
        scheduler.send_now(fresh(item), MONDAY, actor=users["manager"])
    assert "switched off" in refused.value.messages[0]
    row = CommunicationOccurrence.objects.get(item=item, nominal_on=MONDAY)
    assert row.status == OccurrenceStatus.MISSED and not OutboxMessage.objects.exists()
