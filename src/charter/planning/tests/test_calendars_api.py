"""Calendars through the API: CRUD with ETag/If-Match, dates, the holiday import, a project's
calendar, errors as problem+json."""

import pytest

from charter.planning.models import Calendar, CalendarException
from charter.planning.services import calendars as services
from charter.planning.services import holidays
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db
JSON = "application/json"
LAST_DATA_YEAR = holidays.library_data_through("CN")


def test_create_read_patch_and_delete_a_calendar(signed_in):
    http = signed_in("manager")
    created = http.post(
        "/api/v1/calendars",
        {"name": "六天", "working_weekdays": [5, 0, 1, 2, 3, 4], "hours": "8:30-12:00"},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["working_weekdays"], body["hours"], body["holiday_country"]) == (
        [0, 1, 2, 3, 4, 5],
        "08:30-12:00",
        "CN",
    )
    assert body["holiday_data_through"] == LAST_DATA_YEAR
    url = f"/api/v1/calendars/{body['id']}"
    assert http.get(url)["ETag"] == '"1"'
    assert http.patch(url, {"name": "x"}, content_type=JSON).status_code == 428
    patched = http.patch(url, {"name": "七天"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert (patched.status_code, patched["ETag"], patched.json()["name"]) == (200, '"2"', "七天")
    stale = http.patch(url, {"name": "旧"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert [row["name"] for row in http.get("/api/v1/calendars").json()["items"]] == ["七天"]
    assert http.delete(url).status_code == 204
    assert not Calendar.objects.exists()


def test_bad_values_are_422_on_their_fields(signed_in):
    response = signed_in("manager").post(
        "/api/v1/calendars",
        {"name": "x", "hours": "9-5", "holiday_country": "XX"},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in response.json()["errors"]} == {"hours"}


def test_import_then_list_the_dates_of_a_year(signed_in):
    http = signed_in("manager")
    calendar = services.create_calendar(actor=None, name="标准")
    url = f"/api/v1/calendars/{calendar.pk}/import-holidays"
    first = http.post(url, {"years": [2026]}, content_type=JSON)
    assert first.status_code == 200, first.content
    assert first.json()["added"] > 0 and first.json()["calendar"]["holidays_through"] == 2026
    again = http.post(url, {"years": [2026]}, content_type=JSON).json()
    assert (again["added"], again["updated"], again["kept"]) == (0, 0, first.json()["added"])
    rows = http.get(f"/api/v1/calendars/{calendar.pk}/exceptions", {"year": 2026, "limit": 100})
    by_day = {row["day"]: row for row in rows.json()["items"]}
    assert by_day["2026-10-01"]["working"] is False
    assert by_day["2026-10-10"]["working"] is True
    refused = http.post(url, {"years": [LAST_DATA_YEAR + 1]}, content_type=JSON)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "years"


def test_dates_are_added_changed_and_removed(signed_in):
    http = signed_in("manager")
    calendar = services.create_calendar(actor=None, name="标准")
    base = f"/api/v1/calendars/{calendar.pk}/exceptions"
    created = http.post(base, {"day": "2026-12-31", "name": "年会"}, content_type=JSON)
    assert created.status_code == 201
    assert created.json()["source"] == "manual"
    duplicate = http.post(base, {"day": "2026-12-31"}, content_type=JSON)
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["field"] == "day"
    url = f"/api/v1/calendar-exceptions/{created.json()['id']}"
    patched = http.patch(url, {"working": True, "hours": "09:00-12:00"}, content_type=JSON)
    assert (patched.json()["working"], patched.json()["hours"]) == (True, "09:00-12:00")
    assert http.delete(url).status_code == 204
    assert not CalendarException.objects.exists()


def test_members_read_but_do_not_write_and_clients_see_nothing(signed_in):
    calendar = services.create_calendar(actor=None, name="标准")
    member = signed_in("member")
    assert member.get(f"/api/v1/calendars/{calendar.pk}").status_code == 200
    assert member.delete(f"/api/v1/calendars/{calendar.pk}").status_code == 403
    assert signed_in("client").get("/api/v1/calendars").status_code == 403


def test_a_calendar_in_use_is_not_deleted(signed_in, project, users):
    calendar = services.create_calendar(actor=None, name="标准")
    services.set_project_calendar(project, calendar, actor=None, expected_version=project.version)
    response = signed_in("manager").delete(f"/api/v1/calendars/{calendar.pk}")
    assert response.status_code == 422
    assert project.code in response.json()["errors"][0]["detail"]


def test_a_projects_own_calendar_and_choosing_it(signed_in, project):
    http = signed_in("manager")
    created = http.post(
        "/api/v1/calendars", {"name": "项目日历", "project_id": project.pk}, content_type=JSON
    )
    calendar_id = created.json()["id"]
    url = f"/api/v1/projects/{project.pk}/calendar"
    read = http.get(url)
    assert read.json()["uses_default"] is True
    etag = read["ETag"]
    chosen = http.put(
        url, {"calendar_id": calendar_id}, content_type=JSON, headers={"If-Match": etag}
    )
    assert chosen.status_code == 200, chosen.content
    assert (chosen.json()["calendar"]["id"], chosen.json()["uses_default"]) == (calendar_id, False)
    assert chosen.json()["coverage_warning"]  # nothing imported into it yet
    stale = http.put(url, {"calendar_id": None}, content_type=JSON, headers={"If-Match": etag})
    assert stale.status_code == 412
    other = make_project(project.client, manager=project.manager)
    foreign = services.create_calendar(actor=None, name="别人的", project=other)
    refused = http.put(
        url, {"calendar_id": foreign.pk}, content_type=JSON, headers={"If-Match": chosen["ETag"]}
    )
    assert refused.status_code == 422
