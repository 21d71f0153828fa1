import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from charter.comms import occurrences, plan, unsubscribe
from charter.comms.models import (
    CommunicationItem,
    CommunicationOccurrence,
    OccurrenceStatus,
    OutboxMessage,
)
from charter.comms.tests.factories import missed_occurrence
from charter.comms.tests.matrix_comms import make_robot
from charter.comms.tests.matrix_plan import WEEKDAYS, default_templates, first_day, make_item
from charter.planning.tests.factories import make_project
from charter.testing.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _form(project, users, **fields):
    default_templates()
    return {
        "kind": "status_report",
        "content": "项目周报",
        "template": "",
        "channel": "email",
        "contacts": [ContactFactory(client=project.client).pk],
        "colleagues": [users["member"].pk],
        "audience": "",
        "preset": "weekly",
        "rule": "",
        "frequency": "",
        "starts_on": first_day(3).isoformat(),
        "ends_on": "",
        "send_time": "09:30",
        "time_zone": "Asia/Shanghai",
        "shift": "next",
        "meeting_minutes": 60,
        "location": "",
        "owner": users["manager"].pk,
        "is_active": "on",
        **fields,
    }


def _days(item, count=1):
    """The first ``count`` occurrences of ``item`` from today on, by the service."""
    today = timezone.localdate()
    rows = CommunicationItem.objects.filter(pk=item.pk)
    return occurrences.upcoming(rows, today, today + datetime.timedelta(days=400))[:count]


@pytest.mark.parametrize(
    ("preset", "rule", "shift"),
    [
        ("once", "", "next"),
        ("working_days", "FREQ=DAILY", "skip"),
        ("weekly", "FREQ=WEEKLY;BYDAY={day}", "next"),
        ("biweekly", "FREQ=WEEKLY;INTERVAL=2;BYDAY={day}", "next"),
        ("monthly_last", "FREQ=MONTHLY;BYMONTHDAY=-1", "previous"),
        ("custom", "FREQ=MONTHLY;BYDAY=1MO", "next"),
    ],
)
def test_each_preset_gives_its_rule_and_shift(project, users, signed_in, preset, rule, shift):
    data = _form(project, users, preset=preset)
    if preset == "custom":
        data["rule"] = rule
    response = signed_in("member").post(
        reverse("comms:communication_create", args=[project.pk]), data
    )
    item = CommunicationItem.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("comms:communication_detail", args=[item.pk])
    assert item.rule == rule.format(day=WEEKDAYS[first_day(3).weekday()])
    assert item.shift == shift
    assert bool(item.frequency) == (preset != "custom")  # the preset's words when none written
    assert [c.client_id for c in item.contacts.all()] == [project.client_id]
    assert list(item.colleagues.all()) == [users["member"]]
    # Editing shows the preset again.
    page = signed_in("member").get(reverse("comms:communication_edit", args=[item.pk]))
    assert f'<option value="{preset}" selected>' in page.content.decode()


def test_custom_preset_keeps_written_frequency_and_the_edit_saves(project, users, signed_in):
    http = signed_in("manager")
    http.post(reverse("comms:communication_create", args=[project.pk]), _form(project, users))
    item = CommunicationItem.objects.latest("pk")
    assert item.frequency.startswith("Weekly on ")
    url = reverse("comms:communication_edit", args=[item.pk])
    data = _form(
        project,
        users,
        preset="custom",
        rule="FREQ=WEEKLY;BYDAY=MO,TH",
        frequency="每周一、周四",
        version=item.version,
        is_active="",
    )
    response = http.post(url, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.rule, item.frequency, item.is_active) == (
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "每周一、周四",
        False,
    )
    plan_page = http.get(reverse("comms:project_communications", args=[project.pk]))
    assert "Draft: choose recipients and switch on" in plan_page.content.decode()


def test_a_stale_edit_is_refused(project, users, signed_in):
    item = make_item(project)
    url = reverse("comms:communication_edit", args=[item.pk])
    data = _form(project, users, version=item.version, content="周报（新）")
    assert signed_in("manager").post(url, data).status_code == 302
    stale = signed_in("member").post(url, {**data, "content": "周报（旧）"})
    assert stale.status_code == 409
    assert "Someone else saved this record" in stale.content.decode()
    item.refresh_from_db()
    assert item.content == "周报（新）"


def test_a_bad_rule_shows_the_error_on_its_field(project, users, signed_in):
    before = CommunicationItem.objects.count()
    url = reverse("comms:communication_create", args=[project.pk])
    http = signed_in("member")
    response = http.post(url, _form(project, users, preset="custom", rule="FREQ=HOURLY"))
    assert response.status_code == 422
    page = response.content.decode()
    error = page.split('id="id_rule_error"', 1)[1].split("</div>", 1)[0]
    assert "This rule cannot be used" in error
    missing = http.post(url, _form(project, users, preset="custom", rule=""))
    assert missing.status_code == 422
    assert "Write the rule, or choose one of the presets." in missing.content.decode()
    assert CommunicationItem.objects.count() == before


def test_a_robot_channel_without_robot_shows_the_error_on_the_robot(project, users, signed_in):
    url = reverse("comms:communication_create", args=[project.pk])
    response = signed_in("member").post(url, _form(project, users, channel="wecom"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_robot_error"' in page
    assert "Choose the chat robot this item posts to." in page


def test_delete_asks_then_removes(project, signed_in):
    item = make_item(project)
    url = reverse("comms:communication_delete", args=[item.pk])
    http = signed_in("member")
    assert "Remove “项目周报” from the communication plan?" in http.get(url).content.decode()
    response = http.post(url)
    assert response["Location"] == reverse("comms:project_communications", args=[project.pk])
    assert not CommunicationItem.objects.filter(pk=item.pk).exists()


def test_the_plan_lists_items_upcoming_andmissed_occurrence(project, signed_in):
    item = make_item(project, frequency="每周五")
    make_item(project, content="里程碑通知", is_active=False)
    gone = timezone.localdate() - datetime.timedelta(days=2)
    CommunicationOccurrence.objects.create(
        item=item,
        nominal_on=gone,
        on=gone,
        due_at=plan.occurs_at(item, gone),
        status=OccurrenceStatus.MISSED,
        outcome="The scheduler was not running.",
    )
    page = signed_in("member").get(reverse("comms:project_communications", args=[project.pk]))
    html = page.content.decode()
    assert html.count('data-testid="plan-item"') == project.communications.count()
    assert "每周五" in html and item.rule in html
    assert "Draft: choose recipients and switch on" in html
    missed = html.split('data-testid="missed"', 1)[1].split('data-testid="plan-items"', 1)[0]
    assert "The scheduler was not running." in missed and "border-danger" in html
    upcoming = html.split('data-testid="upcoming"', 1)[1]
    for occurrence in _days(item, 3):
        assert f'data-date="{occurrence.nominal_on.isoformat()}"' in upcoming
    assert upcoming.count('data-testid="occurrence"') == len(
        occurrences.upcoming(
            CommunicationItem.objects.filter(project=project),
            timezone.localdate(),
            timezone.localdate() + datetime.timedelta(weeks=8),
        )
    )


def test_the_empty_plan_invites_to_add(project, signed_in):
    project.communications.all().delete()  # the drafts the project template brought
    page = signed_in("member").get(reverse("comms:project_communications", args=[project.pk]))
    html = page.content.decode()
    assert "No communication planned yet." in html
    assert reverse("comms:communication_create", args=[project.pk]) in html
    assert 'active" href="/projects/' in html  # the plan tab is the active one


def test_the_month_calendar_puts_occurrences_on_their_days(project, signed_in):
    item = make_item(project)
    [first] = _days(item)
    url = reverse("comms:project_communication_calendar", args=[project.pk])
    month = first.on.strftime("%Y-%m")
    html = signed_in("member").get(url, {"month": month}).content.decode()
    cell = html.split(f'data-day="{first.on.isoformat()}"', 1)[1].split("</td>", 1)[0]
    assert "项目周报" in cell
    before = (first.on.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    after = (first.on.replace(day=28) + datetime.timedelta(days=7)).strftime("%Y-%m")
    assert f'href="?month={before}"' in html and f'href="?month={after}"' in html
    assert html.count("<tr>") >= 5  # the header and at least four weeks
    # An unreadable month shows this one.
    assert signed_in("member").get(url, {"month": "bad"}).status_code == 200


def test_skip_restore_and_edit_an_occurrence(project, users, signed_in):
    item = make_item(project)
    day = item.next_nominal_on.isoformat()
    http = signed_in("member")
    back = reverse("comms:my_week")
    response = http.post(reverse("comms:occurrence_skip", args=[item.pk, day]), {"next": back})
    assert response["Location"] == back
    row = CommunicationOccurrence.objects.get(item=item)
    assert row.status == OccurrenceStatus.SKIPPED
    response = http.post(
        reverse("comms:occurrence_restore", args=[item.pk, day]),
        {"next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("comms:project_communications", args=[project.pk])
    row.refresh_from_db()
    assert row.status == OccurrenceStatus.PLANNED
    url = reverse("comms:occurrence_edit", args=[item.pk, day])
    page = http.get(url).content.decode()
    assert "{{ project }}: weekly status {{ date }}" in page  # the owner reads English
    assert "the client&#x27;s view of the plan" in page  # the variables' help
    response = http.post(url, {"subject": "{{ project }}：本周特别说明", "body": "本周暂停。"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.subject, row.body) == ("{{ project }}：本周特别说明", "本周暂停。")
    bad = http.post(url, {"subject": "{{ nonsense }}", "body": ""})
    assert bad.status_code == 422 and "Unknown variables: nonsense." in bad.content.decode()


def test_words_left_as_the_templates_stay_the_templates(project, signed_in):
    item = make_item(project)
    day = item.next_nominal_on.isoformat()
    url = reverse("comms:occurrence_edit", args=[item.pk, day])
    response = signed_in("manager").post(
        url,
        {
            "subject": "{{ project }}: weekly status {{ date }}",
            "body": "Dear {{ recipient }},\nProgress this week: {{ progress }}.",
        },
    )
    assert response.status_code == 302
    row = CommunicationOccurrence.objects.get(item=item)
    assert (row.subject, row.body) == ("", "")


def test_a_skip_of_a_handled_occurrence_says_why(project, signed_in):
    item = make_item(project)
    day = item.next_nominal_on.isoformat()
    http = signed_in("member")
    http.post(reverse("comms:occurrence_skip", args=[item.pk, day]))
    response = http.post(reverse("comms:occurrence_skip", args=[item.pk, day]), follow=True)
    assert "This occurrence is no longer ahead" in response.content.decode()


def test_send_now_asks_then_queues_the_emails(project, users, signed_in):
    opted_out = ContactFactory(client=project.client)
    unsubscribe.unsubscribe(opted_out, source="staff", actor=users["manager"])
    item = make_item(
        project, contacts=[ContactFactory(client=project.client, language="en"), opted_out]
    )
    day = item.next_nominal_on.isoformat()
    url = reverse("comms:occurrence_send", args=[item.pk, day])
    http = signed_in("member")
    confirm = http.get(url).content.decode()
    assert "1 recipient gets it." in confirm
    assert "1 contact unsubscribed from project updates and is left out." in confirm
    assert not OutboxMessage.objects.exists()
    response = http.post(url)
    assert response.status_code == 302
    [message] = OutboxMessage.objects.all()
    assert message.occurrence.status == OccurrenceStatus.SENT
    assert message.subject.startswith(f"{project.name}: weekly status")
    item.refresh_from_db()
    assert item.next_nominal_on > datetime.date.fromisoformat(day)
    detail = http.get(reverse("comms:communication_detail", args=[item.pk])).content.decode()
    history = detail.split('data-testid="item-history"', 1)[1]
    assert 'data-status="sent"' in history and message.subject in history
    # Sent: the occurrence cannot be sent again.
    again = http.post(url, follow=True).content.decode()
    assert "This occurrence is no longer ahead" in again
    assert OutboxMessage.objects.count() == 1
    words = http.get(reverse("comms:occurrence_edit", args=[item.pk, day]), follow=True)
    assert words.redirect_chain[-1][0].startswith(
        reverse("comms:occurrence_preview", args=[item.pk, day])
    )
    assert "it cannot be changed" in words.content.decode()


def _send_form(response):
    return response.content.decode().split('data-testid="send-confirm"', 1)[1].split("</form>")[0]


def test_a_missed_occurrence_is_sent_late_from_the_plan(project, signed_in):
    item = make_item(project)
    row = missed_occurrence(item)
    http = signed_in("member")
    plan_page = http.get(reverse("comms:project_communications", args=[project.pk]))
    missed = plan_page.content.decode().split('data-testid="missed"', 1)[1]
    url = reverse("comms:occurrence_send", args=[item.pk, row.nominal_on.isoformat()])
    assert 'data-testid="send-late"' in missed and url in missed
    confirm = _send_form(http.get(url))
    assert 'data-testid="send-late-confirm"' in confirm and 'type="submit"' in confirm
    assert 'data-testid="not-actionable"' not in confirm
    response = http.post(url)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == OccurrenceStatus.SENT
    assert OutboxMessage.objects.filter(occurrence=row).count() == 1


def test_a_missed_meeting_offers_no_late_sending(project, signed_in):
    item = make_item(project, kind="meeting", location="会议室 A")
    row = missed_occurrence(item)
    http = signed_in("member")
    plan_page = http.get(reverse("comms:project_communications", args=[project.pk]))
    missed = plan_page.content.decode().split('data-testid="missed"', 1)[1]
    assert 'data-testid="missed-occurrence"' in missed and 'data-testid="send-late"' not in missed
    url = reverse("comms:occurrence_send", args=[item.pk, row.nominal_on.isoformat()])
    confirm = _send_form(http.get(url))
    assert 'data-testid="not-actionable"' in confirm and 'type="submit"' not in confirm
    refused = http.post(url, follow=True).content.decode()
    assert "A missed meeting cannot be sent late" in refused
    row.refresh_from_db()
    assert row.status == OccurrenceStatus.MISSED
    assert not OutboxMessage.objects.filter(occurrence=row).exists()


def test_the_preview_shows_both_languages_and_the_recipients(project, users, signed_in):
    opted_out = ContactFactory(client=project.client)
    unsubscribe.unsubscribe(opted_out, source="staff", actor=users["manager"])
    reader = ContactFactory(client=project.client, name="王芳")
    item = make_item(project, contacts=[reader, opted_out])
    url = reverse("comms:occurrence_preview", args=[item.pk, item.next_nominal_on.isoformat()])
    html = signed_in("member").get(url).content.decode()
    chinese = html.split('data-testid="preview-zh-hans"', 1)[1].split('data-testid="preview-en"')[0]
    english = html.split('data-testid="preview-en"', 1)[1]
    assert f"{project.name}：项目周报" in chinese and "王芳，您好" in chinese
    assert f"{project.name}: weekly status" in english
    assert reader.email in html and opted_out.email not in html
    assert "1 contact unsubscribed from project updates and is left out." in html
    # A date the rule does not have is not found.
    odd = item.next_nominal_on + datetime.timedelta(days=1)
    assert (
        signed_in("member")
        .get(reverse("comms:occurrence_preview", args=[item.pk, odd.isoformat()]))
        .status_code
        == 404
    )
    assert (
        signed_in("member")
        .get(reverse("comms:occurrence_preview", args=[item.pk, "not-a-date"]))
        .status_code
        == 404
    )


def test_my_week_shows_my_items_across_projects_by_day(project, users, signed_in):
    other = make_project(ClientFactory(), manager=users["member"])
    mine = make_item(project, owner=users["member"], starts_on=first_day(1))
    make_item(other, content="客户例会通知", owner=users["member"], starts_on=first_day(2))
    make_item(project, content="别人的周报")  # the manager's
    gone = timezone.localdate() - datetime.timedelta(days=3)
    CommunicationOccurrence.objects.create(
        item=mine,
        nominal_on=gone,
        on=gone,
        due_at=plan.occurs_at(mine, gone),
        status=OccurrenceStatus.MISSED,
        outcome="Nobody to send to.",
    )
    html = signed_in("member").get(reverse("comms:my_week")).content.decode()
    assert "项目周报" in html and "客户例会通知" in html and "别人的周报" not in html
    assert html.count('data-testid="my-week-day"') == 2
    assert html.index('data-testid="missed"') < html.index('data-testid="my-week-day"')
    assert "Nobody to send to." in html
    empty = signed_in("admin").get(reverse("comms:my_week")).content.decode()
    assert "Nothing of yours is due this week." in empty


def _count_queries(http, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(60) as captured:
        assert http.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_plan_and_my_week_queries_do_not_grow_with_items(
    project, users, signed_in, django_assert_max_num_queries
):
    http = signed_in("manager")
    plan_url = reverse("comms:project_communications", args=[project.pk])
    week_url = reverse("comms:my_week")
    for index in range(2):
        make_item(project, content=f"周报 {index}", starts_on=first_day(1 + index))
    few = [_count_queries(http, url, django_assert_max_num_queries) for url in (plan_url, week_url)]
    for index in range(4):
        make_item(project, content=f"周报 {index + 2}", starts_on=first_day(1 + index))
    many = [
        _count_queries(http, url, django_assert_max_num_queries) for url in (plan_url, week_url)
    ]
    assert many == few


def test_a_robot_item_posts_to_its_group(project, users, signed_in):
    robot = make_robot(project)
    http = signed_in("member")
    data = _form(project, users, channel="wecom", robot=robot.pk)
    response = http.post(reverse("comms:communication_create", args=[project.pk]), data)
    assert response.status_code == 302
    item = CommunicationItem.objects.latest("pk")
    assert item.robot == robot
    day = item.next_nominal_on.isoformat()
    preview = http.get(reverse("comms:occurrence_preview", args=[item.pk, day]))
    html = preview.content.decode()
    assert "Posted to the group chat of 项目群." in html
    assert 'data-testid="no-recipients"' not in html
    http.post(reverse("comms:occurrence_send", args=[item.pk, day]))
    [message] = OutboxMessage.objects.all()
    assert (message.channel, message.robot) == ("robot", robot)
