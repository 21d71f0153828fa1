"""The utilisation heat map, its drill-down and API: hand-checked numbers on the default
calendar (8 working hours a day) with a holiday, filters, who sees which projects, and a query
count that does not grow with resources × weeks."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.planning.adapters import to_aware
from charter.planning.models import CalendarException, Task
from charter.planning.services.calendars import create_calendar, default_calendar
from charter.planning.tests.factories import make_project
from charter.resources.models import Assignment, Resource

pytestmark = pytest.mark.django_db

W1 = datetime.date(2026, 12, 7)  # Monday
W2 = datetime.date(2026, 12, 14)
HOLIDAY = datetime.date(2026, 12, 16)  # the Wednesday of W2
HOUR = 60


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return to_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _task(project, index: int, start: datetime.date, finish: datetime.date) -> Task:
    task = project.tasks.filter(is_summary=False).order_by("position")[index]
    Task.objects.filter(pk=task.pk).update(start=_at(start, 9), finish=_at(finish, 18))
    task.refresh_from_db()
    return task


def _assign(task: Task, resource: Resource, hours: int, units: str = "1") -> Assignment:
    return Assignment.objects.create(
        task=task, resource=resource, units=Decimal(units), work=hours * HOUR
    )


@pytest.fixture
def holiday(project):
    CalendarException.objects.create(calendar=default_calendar(), day=HOLIDAY, working=False)


@pytest.fixture
def loaded(project, holiday):
    """王工 at 60 % in W1 and 150 % in W2 (a holiday week); 李工, half time, at 100 % in W1."""
    wang = Resource.objects.create(name="王工")
    li = Resource.objects.create(name="李工", max_units=Decimal("0.5"))
    # Wed 9 Dec – Fri 18 Dec: 3 working days in W1, 4 in W2; 56 hours = 8 a day.
    rollout = _task(project, 1, datetime.date(2026, 12, 9), datetime.date(2026, 12, 18))
    _assign(rollout, wang, 56)
    # Mon 14 – Fri 18 Dec (4 working days): 16 hours at 50 %.
    review = _task(project, 2, W2, datetime.date(2026, 12, 18))
    _assign(review, wang, 16, units="0.5")
    _assign(_task(project, 0, W1, datetime.date(2026, 12, 11)), li, 20, units="0.5")
    return {"wang": wang, "li": li, "rollout": rollout, "review": review}


def _page(http, **params) -> str:
    params.setdefault("start", W1.isoformat())
    params.setdefault("weeks", "2")
    response = http.get(reverse("resources:utilisation"), params)
    assert response.status_code == 200
    return response.content.decode()


def _api(http, **params):
    params.setdefault("start", W1.isoformat())
    params.setdefault("weeks", 2)
    response = http.get("/api/v1/utilisation", params)
    return response


def test_the_api_gives_the_hand_checked_hours_and_percentages(signed_in, loaded):
    response = _api(signed_in("manager"))
    assert response.status_code == 200
    body = response.json()
    assert body["weeks"] == ["2026-12-07", "2026-12-14"] and body["count"] == 2
    li, wang = body["items"]  # by name: 李工 sorts before 王工
    assert [(w["allocated_hours"], w["capacity_hours"], w["percent"]) for w in wang["weeks"]] == [
        ("24.0", "40.0", 60),
        ("48.0", "32.0", 150),  # 32 h of the rollout + 16 h of the review; Wednesday is off
    ]
    assert [w["over_allocated"] for w in wang["weeks"]] == [False, True]
    assert (wang["allocated_hours"], wang["capacity_hours"], wang["over_allocated"]) == (
        "72.0",
        "72.0",
        True,
    )
    assert [(w["allocated_hours"], w["capacity_hours"], w["percent"]) for w in li["weeks"]] == [
        ("20.0", "20.0", 100),  # half time: 20 of 40 hours
        ("0.0", "16.0", 0),
    ]


def test_the_page_colours_cells_and_marks_over_allocation(signed_in, loaded):
    page = _page(signed_in("manager"))
    assert page.count('data-testid="utilisation-row"') == 2
    assert 'data-level="light"' in page and "60%" in page
    assert 'data-level="full"' in page and "100%" in page
    assert 'data-level="over"' in page and "150%" in page and "#tabler-alert-triangle" in page
    assert 'data-level="empty"' in page
    assert "72.0 of 72.0 h" in page  # 王工's row total
    assert 'data-testid="utilisation-legend"' in page
    cell = reverse("resources:utilisation_week", args=[loaded["wang"].pk, "2026-12-14"])
    assert f'hx-get="{cell}"' in page and f'href="{cell}"' in page


def test_the_drill_down_lists_the_tasks_causing_the_load(signed_in, loaded):
    url = reverse("resources:utilisation_week", args=[loaded["wang"].pk, "2026-12-16"])
    http = signed_in("member")
    fragment = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'data-testid="utilisation-tasks"' in fragment
    assert fragment.index(loaded["rollout"].name) < fragment.index(loaded["review"].name)
    assert "32.0 h" in fragment and "16.0 h" in fragment and "50%" in fragment
    assert "Over-allocated" in fragment
    page = http.get(url).content.decode()
    assert "<html" in page and 'data-testid="utilisation-tasks"' in page

    api = http.get(f"/api/v1/utilisation/{loaded['wang'].pk}/2026-12-14").json()
    assert (api["percent"], api["over_allocated"], api["week"]) == (150, True, "2026-12-14")
    assert [(t["task_id"], t["hours"], t["units"]) for t in api["tasks"]] == [
        (loaded["rollout"].pk, "32.0", "1.00"),
        (loaded["review"].pk, "16.0", "0.50"),
    ]


def test_a_week_without_work_says_so(signed_in, loaded):
    url = reverse("resources:utilisation_week", args=[loaded["li"].pk, "2026-12-14"])
    assert "No work this week." in signed_in("member").get(url).content.decode()
    assert signed_in("member").get(url.replace("2026-12-14", "not-a-day")).status_code == 404
    missing = signed_in("member").get(f"/api/v1/utilisation/999999/{W1}")
    assert missing.status_code == 404


def test_filters_type_project_and_only_over_allocated(signed_in, users, client_org, loaded):
    Resource.objects.create(name="服务器", kind="material")
    other = make_project(client_org, manager=users["manager"])
    zhao = Resource.objects.create(name="赵工")
    _assign(other.tasks.filter(is_summary=False).first(), zhao, 8)
    http = signed_in("manager")
    names = lambda body: [item["name"] for item in body["items"]]  # noqa: E731
    assert names(_api(http).json()) == ["李工", "王工", "赵工"]  # work resources by default
    assert "服务器" in names(_api(http, kind="").json())
    assert names(_api(http, project_id=other.pk).json()) == ["赵工"]
    assert names(_api(http, over_allocated="true").json()) == ["王工"]
    page = _page(http, over="on")
    assert "王工" in page and "李工" not in page
    assert "服务器" in _page(http, kind="")
    assert "No resource matches these filters." in _page(http, over="on", start="2027-03-01")


def test_members_count_only_the_projects_they_are_on(signed_in, users, client_org, loaded):
    other = make_project(client_org, manager=users["manager"])  # the member is not on it
    extra = other.tasks.filter(is_summary=False).order_by("position")[1]
    Task.objects.filter(pk=extra.pk).update(
        start=_at(W1, 9), finish=_at(datetime.date(2026, 12, 11), 18)
    )
    _assign(extra, loaded["li"], 20)
    manager = _api(signed_in("manager")).json()["items"][0]["weeks"][0]
    member = _api(signed_in("member")).json()["items"][0]["weeks"][0]
    assert (manager["allocated_hours"], member["allocated_hours"]) == ("40.0", "20.0")


def test_a_resource_calendar_sets_its_capacity(signed_in, users, project, holiday):
    four_days = create_calendar(actor=users["manager"], name="四天", working_weekdays="0123")
    Resource.objects.create(name="钱工", calendar=four_days)
    [item] = _api(signed_in("manager"), weeks=1).json()["items"]
    assert item["weeks"][0]["capacity_hours"] == "32.0"


def test_the_window_defaults_and_bad_values(signed_in, loaded):
    http = signed_in("manager")
    body = http.get("/api/v1/utilisation").json()
    assert len(body["weeks"]) == 12 and datetime.date.fromisoformat(body["start"]).weekday() == 0
    assert _api(http, weeks=53).status_code == 422
    problem = _api(http, project_id=999999)
    assert problem.status_code == 422 and "project_id" in problem.content.decode()
    page = _page(http, weeks="99")
    assert 'data-testid="filter-errors"' in page and page.count('<th class="text-nowrap"') == 12
    assert "From the week of" in page


def test_the_empty_state(signed_in):
    page = _page(signed_in("member"))
    assert "No resources to show." in page


def test_resources_are_paginated_by_50(signed_in, project):
    Resource.objects.bulk_create(Resource(name=f"顾问 {n:02}") for n in range(51))
    http = signed_in("manager")
    assert _page(http).count('data-testid="utilisation-row"') == 50
    assert _page(http, page="2").count('data-testid="utilisation-row"') == 1
    assert _api(http, page=2).json()["items"][0]["name"] == "顾问 50"


def _team(project, size: int) -> None:
    tasks = [_task(project, index, W1, datetime.date(2027, 2, 26)) for index in (1, 2)]
    for n in range(size):
        resource = Resource.objects.create(name=f"成员 {size}-{n}", max_units=Decimal("0.5"))
        for task in tasks:
            _assign(task, resource, 40 * (n + 1))


def _queries(http, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        _page(http, **params)
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_resources_and_weeks(signed_in, project, holiday):
    http = signed_in("manager")
    _team(project, 2)
    small = _queries(http, weeks="4")
    _team(project, 6)  # 8 resources now
    large = _queries(http, weeks="12")
    assert large == small, (small, large)
    with CaptureQueriesContext(connection) as context:
        http.get(f"/api/v1/utilisation?start={W1}&weeks=4")
    api_small = len(context.captured_queries)
    with CaptureQueriesContext(connection) as context:
        http.get(f"/api/v1/utilisation?start={W1}&weeks=12")
    assert len(context.captured_queries) == api_small
