"""Calendar services: holidays and 调休 imported idempotently, days entered by hand kept, the
coverage warning past the holiday data, and the engine calendar built from the rows."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.adapters import work_calendar
from charter.planning.choices import ExceptionSource
from charter.planning.models import Calendar, CalendarException
from charter.planning.services import calendars as services
from charter.planning.services import holidays
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db

D = datetime.date
LAST_DATA_YEAR = holidays.library_data_through("CN")


@pytest.fixture
def calendar(users):
    return services.create_calendar(actor=users["manager"], name="中国标准")


def _rows(calendar):
    return {row.day: row for row in calendar.exceptions.all()}


def test_the_library_data_ends_with_its_last_yearly_table_and_rule_countries_have_no_end():
    # The China table is the State Council's yearly schedule; past it there is no 调休.
    assert LAST_DATA_YEAR is not None and LAST_DATA_YEAR >= 2026
    assert holidays.library_days("CN", [LAST_DATA_YEAR])
    later = holidays.library_days("CN", [LAST_DATA_YEAR + 1])
    assert not any(day.working for day in later.values())
    assert holidays.library_data_through("FR") is None


def test_import_stores_holidays_off_and_make_up_saturdays_working(calendar, users):
    result = holidays.import_public_holidays(calendar, actor=users["manager"], years=[2026])
    rows = _rows(calendar)
    assert result.added == len(rows) and result.updated == result.kept == 0
    national_day, makeup = rows[D(2026, 10, 1)], rows[D(2026, 10, 10)]
    assert (national_day.working, national_day.name) == (False, "National Day")
    assert (makeup.working, makeup.name, makeup.source) == (True, "Make-up workday", "library")
    assert D(2026, 10, 10).weekday() == 5
    calendar.refresh_from_db()
    assert (calendar.holidays_through, calendar.version) == (2026, 2)
    event = AuditEvent.objects.filter(action="holidays_imported").get()
    assert event.changes["days_added"] == [None, result.added]


def test_names_follow_the_language_of_the_importer(calendar, users):
    with translation.override("zh-hans"):
        holidays.import_public_holidays(calendar, actor=users["manager"], years=[2026])
        makeup_name = translation.gettext("Make-up workday")  # 调休上班 in the catalogue
    rows = _rows(calendar)
    assert rows[D(2026, 10, 1)].name == "国庆节"
    assert rows[D(2026, 10, 10)].name == makeup_name


def test_reimport_is_idempotent_updates_library_rows_and_never_touches_manual_ones(calendar, users):
    holidays.import_public_holidays(calendar, actor=users["manager"], years=[2026])
    first = len(_rows(calendar))
    manual = services.add_exception(
        calendar, actor=users["manager"], day=D(2026, 10, 8), name="公司团建"
    )
    services.update_exception(
        CalendarException.objects.get(calendar=calendar, day=D(2026, 10, 2)),
        actor=users["manager"],
        working=True,
        name="值班",
    )
    tampered = CalendarException.objects.get(calendar=calendar, day=D(2026, 10, 1))
    tampered.name = "old name"
    tampered.save()
    stale = CalendarException.objects.create(
        calendar=calendar, day=D(2026, 3, 3), name="gone", source=ExceptionSource.LIBRARY
    )
    events = AuditEvent.objects.count()

    result = holidays.import_public_holidays(calendar, actor=users["manager"], years=[2026])

    rows = _rows(calendar)
    assert (result.updated, result.manual, result.removed, result.added) == (1, 1, 1, 0)
    assert result.kept == first - 2
    assert rows[D(2026, 10, 1)].name == "National Day"
    assert (rows[D(2026, 10, 2)].working, rows[D(2026, 10, 2)].source) == (True, "manual")
    assert rows[manual.day].name == "公司团建"
    assert stale.day not in rows
    again = holidays.import_public_holidays(calendar, actor=users["manager"], years=[2026])
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert AuditEvent.objects.count() == events + 1  # nothing changed the second time


def test_years_past_the_data_or_without_a_country_are_refused(calendar, users):
    with pytest.raises(ValidationError) as error:
        holidays.import_public_holidays(
            calendar, actor=users["manager"], years=[LAST_DATA_YEAR, LAST_DATA_YEAR + 1]
        )
    assert "years" in error.value.message_dict
    assert not calendar.exceptions.exists()
    plain = services.create_calendar(actor=None, name="No holidays", holiday_country="")
    with pytest.raises(ValidationError):
        holidays.import_public_holidays(plain, actor=None, years=[2026])


def test_coverage_warning_before_import_past_the_data_and_within_it(calendar, users):
    assert "no public holidays yet" in holidays.coverage_warning(calendar, D(2026, 6, 1))
    holidays.import_public_holidays(calendar, actor=users["manager"], years=[LAST_DATA_YEAR])
    calendar.refresh_from_db()
    assert holidays.coverage_warning(calendar, D(LAST_DATA_YEAR, 12, 31)) is None
    warning = holidays.coverage_warning(calendar, D(LAST_DATA_YEAR + 1, 3, 1))
    assert f"known only up to {LAST_DATA_YEAR}" in warning and "not published" in warning
    holidays.import_public_holidays(calendar, actor=None, years=[LAST_DATA_YEAR - 2])
    calendar.refresh_from_db()
    assert calendar.holidays_through == LAST_DATA_YEAR  # an older year does not lower it
    plain = services.create_calendar(actor=None, name="No holidays", holiday_country="")
    assert holidays.coverage_warning(plain, D(2040, 1, 1)) is None


def test_a_rule_based_country_asks_for_an_import_rather_than_waiting(users):
    calendar = services.create_calendar(actor=None, name="Paris", holiday_country="FR")
    holidays.import_public_holidays(calendar, actor=None, years=[2026])
    calendar.refresh_from_db()
    assert "Import the holidays of 2027–2028" in holidays.coverage_warning(calendar, D(2028, 1, 5))


def test_raising_holidays_through_by_hand_silences_the_warning(calendar, users):
    holidays.import_public_holidays(calendar, actor=None, years=[LAST_DATA_YEAR])
    calendar.refresh_from_db()
    services.update_calendar(
        calendar,
        actor=users["manager"],
        expected_version=calendar.version,
        holidays_through=LAST_DATA_YEAR + 1,
    )
    assert holidays.coverage_warning(calendar, D(LAST_DATA_YEAR + 1, 12, 1)) is None


def test_work_calendar_agrees_with_the_rows(calendar, users):
    holidays.import_public_holidays(calendar, actor=users["manager"], years=[2026])
    services.add_exception(
        calendar,
        actor=users["manager"],
        day=D(2026, 9, 30),
        working=True,
        hours="09:00-12:00",
        name="节前半天",
    )
    calendar.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        engine = work_calendar(calendar, D(2026, 9, 1), D(2026, 10, 31))
    assert len(queries) == 1
    assert not engine.is_working_day(D(2026, 10, 1))
    assert engine.is_working_day(D(2026, 10, 10))  # the 调休 Saturday
    assert engine.is_working_day(D(2026, 9, 20))  # the 调休 Sunday
    assert not engine.is_working_day(D(2026, 10, 11))  # an ordinary Sunday
    morning = datetime.datetime(2026, 9, 30, 9, 0)
    assert engine.working_minutes(morning, datetime.datetime(2026, 10, 1)) == 180
    # Sep 29 18:00 plus one working day: the half day and the holidays are skipped to Oct 8.
    assert engine.add_working(datetime.datetime(2026, 9, 29, 18), 8 * 60) == datetime.datetime(
        2026, 10, 8, 15, 0
    )


def test_calendar_values_are_checked(users):
    with pytest.raises(ValidationError) as error:
        services.create_calendar(
            actor=None, name="x", hours="12:00-09:00", working_weekdays=[], holiday_country="CN"
        )
    assert "working_weekdays" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_calendar(actor=None, name="x", hours="9-5")
    assert "hours" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_calendar(actor=None, name="x", holiday_country="XX")
    assert "holiday_country" in error.value.message_dict
    calendar = services.create_calendar(
        actor=None, name=" 六天 ", working_weekdays=[5, 0, 1, 2, 3, 4], hours="8:30-12:00"
    )
    assert (calendar.name, calendar.working_weekdays, calendar.hours) == (
        "六天",
        "012345",
        "08:30-12:00",
    )


def test_one_default_at_a_time_and_stale_edits_are_refused(calendar, users):
    other = services.create_calendar(actor=users["manager"], name="B", is_default=True)
    services.update_calendar(calendar, actor=users["manager"], expected_version=1, is_default=True)
    other.refresh_from_db()
    assert calendar.is_default and not other.is_default
    with pytest.raises(StaleEdit):
        services.update_calendar(calendar, actor=users["manager"], expected_version=1, name="C")
    assert services.default_calendar() == calendar


def test_changing_the_country_drops_the_imported_days_but_not_manual_ones(calendar, users):
    holidays.import_public_holidays(calendar, actor=None, years=[2026])
    services.add_exception(calendar, actor=None, day=D(2026, 12, 24), name="年会")
    calendar.refresh_from_db()
    services.update_calendar(
        calendar, actor=users["manager"], expected_version=calendar.version, holiday_country="JP"
    )
    assert list(calendar.exceptions.values_list("name", flat=True)) == ["年会"]
    assert calendar.holidays_through is None


def test_a_calendar_in_use_cannot_be_deleted(calendar, users, project):
    services.set_project_calendar(
        project, calendar, actor=users["manager"], expected_version=project.version
    )
    with pytest.raises(ValidationError) as error:
        services.delete_calendar(calendar, actor=users["manager"])
    assert project.code in error.value.messages[0]
    unused = services.create_calendar(actor=None, name="unused")
    services.add_exception(unused, actor=None, day=D(2026, 12, 24))
    services.delete_calendar(unused, actor=users["manager"])
    assert not Calendar.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(action="deleted", object_id=str(unused.pk)).exists()


def test_set_project_calendar_is_versioned_audited_and_refuses_foreign_calendars(
    calendar, users, project, client_org
):
    version = project.version
    services.set_project_calendar(
        project, calendar, actor=users["manager"], expected_version=version
    )
    project.refresh_from_db()
    assert (project.calendar, project.version) == (calendar, version + 1)
    event = AuditEvent.objects.filter(object_id=str(project.pk), action="updated").last()
    assert event.changes == {"calendar": [None, "中国标准"]}
    with pytest.raises(StaleEdit):
        services.set_project_calendar(project, None, actor=None, expected_version=version)
    other_project = make_project(client_org, manager=users["manager"])
    own = services.create_calendar(actor=None, name="own", project=other_project)
    with pytest.raises(ValidationError):
        services.set_project_calendar(project, own, actor=None, expected_version=project.version)


def test_exceptions_are_checked(calendar):
    services.add_exception(calendar, actor=None, day=D(2026, 12, 24))
    with pytest.raises(ValidationError) as error:
        services.add_exception(calendar, actor=None, day=D(2026, 12, 24))
    assert "day" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_exception(calendar, actor=None, day=D(2026, 12, 25), hours="09:00-12:00")
    assert "hours" in error.value.message_dict


def test_the_default_calendar_is_created_once_with_china_holidays(monkeypatch):
    monkeypatch.setattr(services.timezone, "localdate", lambda: D(LAST_DATA_YEAR, 6, 1))
    calendar = services.default_calendar()
    assert calendar.is_default and calendar.working_weekdays == "01234"
    assert calendar.hours == "09:00-12:00,13:00-18:00"
    assert calendar.holidays_through == LAST_DATA_YEAR
    assert calendar.exceptions.filter(day__year=LAST_DATA_YEAR, working=True).exists()
    with CaptureQueriesContext(connection) as queries:
        assert services.default_calendar() == calendar
    assert len(queries) <= 3  # the lookup, inside a savepoint
