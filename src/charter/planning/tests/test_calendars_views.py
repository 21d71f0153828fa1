"""Calendar pages: list, create, the year view, dates, import, edit, delete, a project's
calendar; errors and who may do what."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.planning.models import Calendar, CalendarException
from charter.planning.services import calendars as services
from charter.planning.services import holidays
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db

LAST_DATA_YEAR = holidays.library_data_through("CN")


@pytest.fixture
def calendar(users):
    return services.create_calendar(actor=users["manager"], name="中国标准")


def _form(**extra):
    return {
        "name": "六天工作制",
        "working_weekdays": ["0", "1", "2", "3", "4", "5"],
        "hours": "08:30-12:00,13:00-17:30",
        "holiday_country": "CN",
        **extra,
    }


def test_the_empty_list_invites_a_manager_to_add_one(signed_in):
    page = signed_in("manager").get(reverse("planning:calendar_list")).content.decode()
    assert "No calendars yet." in page and reverse("planning:calendar_create") in page


def test_a_manager_creates_a_calendar_and_sees_its_year(signed_in):
    http = signed_in("manager")
    response = http.post(reverse("planning:calendar_create"), _form(is_default="on"))
    calendar = Calendar.objects.get()
    assert response.status_code == 302 and response["Location"] == calendar.get_absolute_url()
    assert (calendar.working_weekdays, calendar.is_default) == ("012345", True)
    page = http.get(calendar.get_absolute_url(), {"year": 2026}).content.decode()
    assert "no public holidays yet" in page  # the coverage warning before any import
    assert page.count("data-month=") == 12
    assert 'data-day="2026-10-10" data-kind="workday"' in page  # Saturday works here


def test_invalid_values_come_back_on_their_fields(signed_in):
    response = signed_in("manager").post(
        reverse("planning:calendar_create"), _form(hours="9 to 5", working_weekdays=[])
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "for example 09:00-12:00,13:00-18:00" in page
    assert "This field is required." in page
    assert not Calendar.objects.exists()


def test_import_colours_holidays_and_make_up_days_and_keeps_the_year(signed_in, calendar):
    http = signed_in("manager")
    url = reverse("planning:calendar_import", args=[calendar.pk])
    response = http.post(url, {"first_year": 2026, "last_year": 2026})
    assert response["Location"] == f"{calendar.get_absolute_url()}?year=2026"
    page = http.get(response["Location"]).content.decode()
    assert "Public holidays imported:" in page
    assert 'data-day="2026-10-01" data-kind="holiday" title="National Day"' in page
    assert 'data-day="2026-10-10" data-kind="makeup" title="Make-up workday"' in page
    assert 'data-day="2026-10-11" data-kind="weekend"' in page


def test_an_import_past_the_data_is_refused_on_the_page(signed_in, calendar):
    url = reverse("planning:calendar_import", args=[calendar.pk])
    response = signed_in("manager").post(
        url, {"first_year": LAST_DATA_YEAR, "last_year": LAST_DATA_YEAR + 1}
    )
    assert response.status_code == 422
    assert "Enter those holidays and make-up workdays by hand" in response.content.decode()
    assert not calendar.exceptions.exists()
    backwards = signed_in("manager").post(url, {"first_year": 2026, "last_year": 2025})
    assert backwards.status_code == 422


def test_dates_are_added_edited_and_removed_by_hand(signed_in, calendar):
    http = signed_in("manager")
    add = reverse("planning:calendar_exception_add", args=[calendar.pk])
    response = http.post(add, {"day": "2026-12-31", "name": "年会"})
    assert response["Location"] == f"{calendar.get_absolute_url()}?year=2026"
    exception = CalendarException.objects.get()
    duplicate = http.post(f"{add}?year=2026", {"day": "2026-12-31"})
    assert duplicate.status_code == 422
    assert "already has an entry" in duplicate.content.decode()
    edit = reverse("planning:calendar_exception_edit", args=[exception.pk])
    assert http.post(edit, {"day": "2026-12-31", "working": "on", "hours": "9:00-12:00"})
    exception.refresh_from_db()
    assert (exception.working, exception.hours) == (True, "09:00-12:00")
    wrong = http.post(edit, {"day": "2026-12-31", "hours": "09:00-12:00"})
    assert wrong.status_code == 422
    http.post(reverse("planning:calendar_exception_delete", args=[exception.pk]))
    assert not CalendarException.objects.exists()


def test_a_stale_calendar_edit_is_409(signed_in, calendar):
    http = signed_in("manager")
    url = reverse("planning:calendar_edit", args=[calendar.pk])
    assert http.post(url, _form(version=1)).status_code == 302
    response = http.post(url, _form(name="旧", version=1))
    assert response.status_code == 409
    assert "Someone else saved this record" in response.content.decode()


def test_a_calendar_in_use_says_who_uses_it_and_stays(signed_in, calendar, project, users):
    services.set_project_calendar(
        project, calendar, actor=users["manager"], expected_version=project.version
    )
    http = signed_in("manager")
    url = reverse("planning:calendar_delete", args=[calendar.pk])
    assert project.code in http.get(url).content.decode()
    response = http.post(url, follow=True)
    assert "Choose another calendar for them first." in response.content.decode()
    assert Calendar.objects.filter(pk=calendar.pk).exists()


def test_an_unused_calendar_is_deleted_after_confirmation(signed_in, calendar):
    url = reverse("planning:calendar_delete", args=[calendar.pk])
    assert "cannot be undone" in signed_in("manager").get(url).content.decode()
    response = signed_in("manager").post(url)
    assert response["Location"] == reverse("planning:calendar_list")
    assert not Calendar.objects.exists()


def test_members_view_but_do_not_change_calendars(signed_in, calendar):
    http = signed_in("member")
    page = http.get(calendar.get_absolute_url()).content.decode()
    assert 'data-testid="exception-add"' not in page
    assert 'data-testid="holiday-import"' not in page
    add = reverse("planning:calendar_exception_add", args=[calendar.pk])
    assert http.post(add, {"day": "2026-12-31"}).status_code == 403
    assert signed_in("client").get(calendar.get_absolute_url()).status_code == 403


def test_another_projects_own_calendar_is_404_for_a_member(signed_in, users, client_org):
    other = make_project(client_org, manager=users["manager"])
    own = services.create_calendar(actor=None, name="项目自有", project=other)
    assert signed_in("member").get(own.get_absolute_url()).status_code == 404
    assert signed_in("manager").get(own.get_absolute_url()).status_code == 200


def test_the_list_shows_which_projects_use_a_calendar_in_constant_queries(
    signed_in, calendar, users, client_org
):
    http = signed_in("manager")
    url = reverse("planning:calendar_list")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    project = make_project(client_org, manager=users["manager"])
    services.set_project_calendar(project, calendar, actor=None, expected_version=project.version)
    few = count_queries()
    for number in range(3):
        extra = services.create_calendar(actor=None, name=f"日历 {number}")
        services.add_exception(extra, actor=None, day=datetime.date(2026, 12, 31))
        other = make_project(client_org, manager=users["manager"])
        services.set_project_calendar(other, extra, actor=None, expected_version=other.version)
    assert count_queries() == few
    assert project.code in http.get(url).content.decode()


def test_the_project_calendar_page_warns_past_the_data_and_lets_a_manager_choose(
    signed_in, project, calendar, monkeypatch
):
    monkeypatch.setattr(services.timezone, "localdate", lambda: datetime.date(LAST_DATA_YEAR, 1, 5))
    project.start_date = datetime.date(LAST_DATA_YEAR, 11, 1)
    project.finish_date = datetime.datetime(LAST_DATA_YEAR + 1, 3, 1, 18, tzinfo=datetime.UTC)
    project.save()
    http = signed_in("manager")
    url = reverse("planning:project_calendar", args=[project.pk])
    page = http.get(url).content.decode()
    default = Calendar.objects.get(is_default=True)
    assert f"the default calendar, “{default.name}”" in page
    assert f"known only up to {LAST_DATA_YEAR}" in page  # the plan runs into the next year
    assert f"schedule for {LAST_DATA_YEAR + 1} is not published" in page
    assert 'data-testid="project-calendar-form"' in page
    choose = reverse("planning:project_calendar_set", args=[project.pk])
    response = http.post(choose, {"calendar": calendar.pk, "version": project.version})
    assert response["Location"] == url
    project.refresh_from_db()
    assert project.calendar == calendar
    stale = http.post(choose, {"calendar": "", "version": project.version - 1})
    assert stale.status_code == 409
    member_page = signed_in("member").get(url).content.decode()
    assert "中国标准" in member_page and 'data-testid="project-calendar-form"' not in member_page
    assert signed_in("member").post(choose, {"version": project.version}).status_code == 403
    assert signed_in("client").get(url).status_code == 403


def test_a_project_cannot_choose_another_projects_calendar(signed_in, project, users, client_org):
    other = make_project(client_org, manager=users["manager"])
    own = services.create_calendar(actor=None, name="别人的", project=other)
    response = signed_in("manager").post(
        reverse("planning:project_calendar_set", args=[project.pk]),
        {"calendar": own.pk, "version": project.version},
    )
    assert response.status_code == 422
    project.refresh_from_db()
    assert project.calendar is None
