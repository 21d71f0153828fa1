import pytest
from django.urls import reverse
from icalendar import Calendar

from charter.comms.models import Meeting, MeetingStatus, OutboxMessage
from charter.comms.tests.matrix_meetings import HOUR, START, make_meeting
from charter.planning.models import Task
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _form(project, **fields):
    return {
        "title": "需求评审",
        "starts_at": "2026-12-03T09:00",
        "ends_at": "2026-12-03T10:30",
        "time_zone": "Europe/Berlin",
        "location": "会议室 A",
        "video_link": "https://meet.example.com/r",
        "contacts": [ContactFactory(client=project.client).pk],
        "agenda": "范围",
        **fields,
    }


def test_scheduling_reads_the_times_in_the_meetings_zone_and_sends(project, signed_in):
    http = signed_in("member")  # members' own zone is Asia/Shanghai
    response = http.post(reverse("comms:meeting_create", args=[project.pk]), _form(project))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.starts_at.isoformat() == "2026-12-03T08:00:00+00:00"  # 09:00 in Berlin
    [message] = OutboxMessage.objects.all()
    event = Calendar.from_ical(message.calendar).walk("VEVENT")[0]
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("dtstart") == meeting.starts_at


def test_an_invalid_meeting_shows_the_errors_and_sends_nothing(project, signed_in):
    url = reverse("comms:meeting_create", args=[project.pk])
    response = signed_in("manager").post(url, _form(project, ends_at="2026-12-03T08:00"))
    assert response.status_code == 422
    assert "The meeting must end after it starts." in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_edit_form_shows_the_meetings_clock_and_a_save_resends(project, signed_in):
    meeting = make_meeting(project, time_zone="Europe/Berlin")
    url = reverse("comms:meeting_edit", args=[meeting.pk])
    page = signed_in("manager").get(url).content.decode()
    assert 'value="2026-12-03T03:00"' in page  # 10:00 Shanghai is 03:00 in Berlin
    data = _form(project, starts_at="2026-12-03T04:00", ends_at="2026-12-03T05:00", version=1)
    data["contacts"] = [c.pk for c in meeting.contacts.all()]
    response = signed_in("manager").post(url, data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.starts_at) == (1, START + HOUR)
    assert OutboxMessage.objects.filter(key__contains=":1:REQUEST:").count() == 1
    stale = signed_in("manager").post(url, data)
    assert stale.status_code == 409


def test_the_list_splits_upcoming_and_past_in_constant_queries(
    project, signed_in, django_assert_max_num_queries
):
    make_meeting(project)
    make_meeting(
        project,
        title="已开过的会",
        starts_at=START.replace(year=2020),
        ends_at=START.replace(year=2020) + HOUR,
    )
    http = signed_in("member")
    url = reverse("comms:project_meetings", args=[project.pk])
    with django_assert_max_num_queries(20) as few:
        http.get(url)
    for index in range(3):
        make_meeting(project, title=f"会 {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = http.get(url).content.decode()
    assert "项目启动会" in page and "已开过的会" in page
    assert page.index("项目启动会") < page.index("已开过的会")


def test_cancel_asks_first_then_tells_the_attendees(project, signed_in):
    meeting = make_meeting(project)
    url = reverse("comms:meeting_cancel", args=[meeting.pk])
    http = signed_in("member")
    assert "1 attendee gets the cancellation" in http.get(url).content.decode()
    assert Meeting.objects.get().status == MeetingStatus.SCHEDULED
    http.post(url)
    assert Meeting.objects.get().status == MeetingStatus.CANCELLED
    assert OutboxMessage.objects.filter(calendar_method="CANCEL").count() == 1


def test_minutes_and_an_action_item_made_a_task(project, signed_in, users):
    meeting = make_meeting(project)
    http = signed_in("manager")
    http.post(
        reverse("comms:meeting_minutes", args=[meeting.pk]), {"minutes": "定了范围", "version": 1}
    )
    http.post(
        reverse("comms:meeting_action_add", args=[meeting.pk]),
        {"text": "发出会议纪要", "owner": users["member"].pk, "due_date": "2026-12-05"},
    )
    item = meeting.action_items.get()
    page = http.get(meeting.get_absolute_url()).content.decode()
    assert "定了范围" in page and 'data-testid="make-task"' in page
    assert (
        'data-testid="make-task"'
        not in signed_in("member").get(meeting.get_absolute_url()).content.decode()
    )
    http.post(reverse("comms:action_item_task", args=[item.pk]))
    task = Task.objects.get(name="发出会议纪要")
    assert (task.project, task.owner) == (project, users["member"])
    assert "发出会议纪要" in http.get(meeting.get_absolute_url()).content.decode()


def test_another_projects_meeting_is_404_for_a_member(project, signed_in, users, client_org):
    from charter.planning.tests.factories import make_project

    other = make_project(client_org, manager=users["manager"])
    meeting = make_meeting(other)
    assert signed_in("member").get(meeting.get_absolute_url()).status_code == 404
    url = reverse("comms:project_meetings", args=[other.pk])
    assert signed_in("member").get(url).status_code == 404
