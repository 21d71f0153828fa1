"""Permission-matrix rows of calendars: the pages, the API, and a project's calendar."""

import datetime
from dataclasses import dataclass
from typing import Any

from charter.planning.models import Calendar, CalendarException, Project
from charter.planning.services import calendars as services
from charter.planning.services import holidays
from charter.planning.tests.factories import planning_world
from charter.testing.matrix import LOGIN, Case, roles


@dataclass
class CalendarsWorld:
    project: Project
    calendar: Calendar
    exception: CalendarException


def calendars_world(world: Any) -> CalendarsWorld:
    """A shared calendar with one date, made once per matrix world."""
    if not hasattr(world, "calendars"):
        calendar = services.create_calendar(actor=None, name="中国标准工作日历")
        world.calendars = CalendarsWorld(
            project=planning_world(world).project,
            calendar=calendar,
            exception=_fresh_exception(world, calendar),
        )
    return world.calendars


def _day(w: Any) -> datetime.date:
    """A date no other case used, so each role's new date is new."""
    return datetime.date(2030, 1, 1) + datetime.timedelta(days=next(w.counter))


def _fresh_exception(w: Any, calendar: Calendar | None = None) -> CalendarException:
    calendar = calendar or calendars_world(w).calendar
    return services.add_exception(calendar, actor=None, day=_day(w), name="公司活动")


def _calendar(w: Any) -> dict[str, int]:
    return {"pk": calendars_world(w).calendar.pk}


def _fresh_calendar(w: Any) -> Calendar:
    return services.create_calendar(actor=None, name=w.unique("日历"))


def _project(w: Any) -> dict[str, int]:
    return {"pk": calendars_world(w).project.pk}


def _project_choice(w: Any) -> dict[str, Any]:
    world = calendars_world(w)
    version = Project.objects.values_list("version", flat=True).get(pk=world.project.pk)
    return {"calendar": world.calendar.pk, "version": version}


def _import_years() -> dict[str, int]:
    year = holidays.library_data_through("CN") or datetime.date.today().year
    return {"first_year": year, "last_year": year}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)

HTML: dict[str, Case] = {
    "planning:calendar_list": Case(STAFF_PAGE),
    "planning:calendar_create": Case(MANAGERS_PAGE),
    "planning:calendar_detail": Case(STAFF_PAGE, kwargs=_calendar),
    "planning:calendar_edit": Case(MANAGERS_PAGE, kwargs=_calendar),
    "planning:calendar_delete": Case(MANAGERS_PAGE, kwargs=_calendar),
    "planning:calendar_import": Case(
        MANAGERS_POST, kwargs=_calendar, method="post", data=lambda w: _import_years()
    ),
    "planning:calendar_exception_add": Case(
        MANAGERS_POST,
        kwargs=_calendar,
        method="post",
        data=lambda w: {"day": _day(w).isoformat(), "name": "团建"},
    ),
    "planning:calendar_exception_edit": Case(
        MANAGERS_PAGE, kwargs=lambda w: {"pk": calendars_world(w).exception.pk}
    ),
    "planning:calendar_exception_delete": Case(
        MANAGERS_POST, kwargs=lambda w: {"pk": _fresh_exception(w).pk}, method="post"
    ),
    "planning:project_calendar": Case(STAFF_PAGE, kwargs=_project),
    "planning:project_calendar_set": Case(
        MANAGERS_POST, kwargs=_project, method="post", data=_project_choice
    ),
}


def _api(name: str, value: Any) -> Any:
    return lambda w: {name: value(w)}


API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_MANAGERS_CREATE = roles(401, 201, 201, 403, 403)
API_MANAGERS_WRITE = roles(401, 200, 200, 403, 403)
API_MANAGERS_DELETE = roles(401, 204, 204, 403, 403)
NEEDS_IF_MATCH = roles(401, 428, 428, 403, 403)
CALENDAR_ID = _api("calendar_id", lambda w: calendars_world(w).calendar.pk)
PROJECT_ID = _api("project_id", lambda w: calendars_world(w).project.pk)

API: dict[str, Case] = {
    "GET /api/v1/calendars": Case(API_STAFF_READ),
    "POST /api/v1/calendars": Case(API_MANAGERS_CREATE, data=lambda w: {"name": w.unique("日历")}),
    "GET /api/v1/calendars/<calendar_id>": Case(API_STAFF_READ, kwargs=CALENDAR_ID),
    "PATCH /api/v1/calendars/<calendar_id>": Case(
        NEEDS_IF_MATCH, kwargs=CALENDAR_ID, data={"name": "改名"}
    ),
    "DELETE /api/v1/calendars/<calendar_id>": Case(
        API_MANAGERS_DELETE, kwargs=_api("calendar_id", lambda w: _fresh_calendar(w).pk)
    ),
    "POST /api/v1/calendars/<calendar_id>/import-holidays": Case(
        API_MANAGERS_WRITE,
        kwargs=CALENDAR_ID,
        data=lambda w: {"years": [_import_years()["first_year"]]},
    ),
    "GET /api/v1/calendars/<calendar_id>/exceptions": Case(API_STAFF_READ, kwargs=CALENDAR_ID),
    "POST /api/v1/calendars/<calendar_id>/exceptions": Case(
        API_MANAGERS_CREATE,
        kwargs=CALENDAR_ID,
        data=lambda w: {"day": _day(w).isoformat(), "name": "团建"},
    ),
    "PATCH /api/v1/calendar-exceptions/<exception_id>": Case(
        API_MANAGERS_WRITE,
        kwargs=_api("exception_id", lambda w: calendars_world(w).exception.pk),
        data=lambda w: {"name": w.unique("活动")},
    ),
    "DELETE /api/v1/calendar-exceptions/<exception_id>": Case(
        API_MANAGERS_DELETE, kwargs=_api("exception_id", lambda w: _fresh_exception(w).pk)
    ),
    "GET /api/v1/projects/<project_id>/calendar": Case(API_STAFF_READ, kwargs=PROJECT_ID),
    "PUT /api/v1/projects/<project_id>/calendar": Case(
        NEEDS_IF_MATCH,
        kwargs=PROJECT_ID,
        data=lambda w: {"calendar_id": calendars_world(w).calendar.pk},
    ),
}
