"""The utilisation map by role: hand-checked sums of the role's people (named and generic,
capacity of the active ones only), the "No role" row, filters, the drill-down to the role's
resources, the API, who sees which projects, and a query count that does not grow with roles ×
resources × weeks.

The team, on the default calendar (8 h a day; Wednesday 16 Dec, in W2, is a holiday):

========== ======== ======= ===================================== ============ ============
resource   role     units   work                                  W1 (40 h)    W2 (32 h)
========== ======== ======= ===================================== ============ ============
王工       后端     1       40 h, W1 Mon–Fri (the project)         40 of 40     0 of 32
李工       后端     0.5     56 h, W2 Mon–Fri (another project)     0 of 20      56 of 16
后端 ×2    后端     2 gen.  112 h, 9–18 Dec (the project)          48 of 80     64 of 64
孙工       后端     1 inac. 8 h, W1 Mon–Fri (the project)          8 (no cap.)  —
赵工       —        1       20 h, W1 Mon–Fri (the project)         20 of 40     0 of 32
========== ======== ======= ===================================== ============ ============

后端: W1 96 of 140 h = 69 %, W2 120 of 112 h = 107 % (over), 216 of 252 h = 86 %;
of which generic 48 + 64 = 112 h. 测试 has nobody. No role: 20 of 72 h = 28 %.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.planning.models import CalendarException
from charter.planning.services.calendars import default_calendar
from charter.planning.tests.factories import make_project
from charter.resources import utilisation as services
from charter.resources.models import Resource, Role
from charter.resources.tests.test_utilisation import HOLIDAY, W1, W2, _assign, _task

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(project, users, client_org):
    CalendarException.objects.create(calendar=default_calendar(), day=HOLIDAY, working=False)
    backend = Role.objects.create(name="后端")
    qa = Role.objects.create(name="测试")
    wang = Resource.objects.create(name="王工", role=backend)
    li = Resource.objects.create(name="李工", role=backend, max_units=Decimal("0.5"))
    generic = Resource.objects.create(
        name="后端 ×2", role=backend, max_units=Decimal(2), is_placeholder=True
    )
    sun = Resource.objects.create(name="孙工", role=backend, is_active=False)
    zhao = Resource.objects.create(name="赵工")
    Resource.objects.create(name="服务器", kind="material", role=backend)  # not a person
    week_one = _task(project, 0, W1, datetime.date(2026, 12, 11))
    for resource, hours in ((wang, 40), (sun, 8), (zhao, 20)):
        _assign(week_one, resource, hours)
    _assign(
        _task(project, 1, datetime.date(2026, 12, 9), datetime.date(2026, 12, 18)), generic, 112
    )
    other = make_project(client_org, manager=users["manager"])  # the member is not on it
    _assign(_task(other, 0, W2, datetime.date(2026, 12, 18)), li, 56)
    return {
        "backend": backend,
        "qa": qa,
        "wang": wang,
        "li": li,
        "generic": generic,
        "sun": sun,
        "zhao": zhao,
        "project": project,
        "other": other,
    }


def _cells(row):
    return [
        (cell.allocated_hours, cell.capacity_hours, cell.percent, cell.level, cell.generic_hours)
        for cell in row.cells
    ]


# ---- services --------------------------------------------------------------------------------


def test_a_role_adds_up_its_people_named_and_generic(users, team):
    page = services.role_map(users["manager"], services.Window.of(W1, 2))
    backend, qa, nobody = page.object_list
    assert (backend.role, qa.role, nobody.role) == (team["backend"], team["qa"], None)
    assert _cells(backend) == [
        (Decimal("96.0"), Decimal("140.0"), 69, "light", Decimal("48.0")),
        (Decimal("120.0"), Decimal("112.0"), 107, "over", Decimal("64.0")),
    ]
    assert (backend.people, backend.generic, backend.key) == (4, 1, str(team["backend"].pk))
    assert (backend.allocated_hours, backend.capacity_hours, backend.percent) == (
        Decimal("216.0"),
        Decimal("252.0"),
        86,
    )
    assert (backend.level, backend.generic_hours, backend.over) == ("full", Decimal("112.0"), True)
    # A role without people: nothing allocated, no capacity.
    assert (qa.people, qa.percent, qa.level, qa.over) == (0, None, "empty", False)
    assert _cells(qa) == [(Decimal("0.0"), Decimal("0.0"), None, "empty", Decimal("0.0"))] * 2
    # The work resources without a role; material is never counted.
    assert (nobody.key, nobody.people, nobody.generic) == (services.NO_ROLE, 1, 0)
    assert _cells(nobody) == [
        (Decimal("20.0"), Decimal("40.0"), 50, "light", Decimal("0.0")),
        (Decimal("0.0"), Decimal("32.0"), 0, "empty", Decimal("0.0")),
    ]
    assert nobody.percent == 28


def test_the_role_row_is_the_sum_of_its_resource_rows(users, team):
    window = services.Window.of(W1, 2)
    people = [team[name] for name in ("wang", "li", "generic")]
    rows = services.rows_for(users["manager"], window, people)
    backend = services.role_map(users["manager"], window).object_list[0]
    for week in range(2):
        allocated = sum(row.cells[week].allocated_hours for row in rows)
        sun = Decimal("8.0") if week == 0 else 0  # inactive: work counted, capacity not
        assert backend.cells[week].allocated_hours == allocated + sun
        assert backend.cells[week].capacity_hours == sum(
            row.cells[week].capacity_hours for row in rows
        )


def test_filters_project_and_only_over_allocated(users, team):
    window = services.Window.of(W1, 2)
    keys = lambda page: [row.key for row in page.object_list]  # noqa: E731
    backend = str(team["backend"].pk)
    # On the other project only 李工 works: her role, and her load on every project.
    [row] = services.role_map(users["manager"], window, project=team["other"]).object_list
    assert (row.key, row.people, row.generic) == (backend, 1, 0)
    assert _cells(row)[1] == (Decimal("56.0"), Decimal("16.0"), 350, "over", Decimal("0.0"))
    assert keys(services.role_map(users["manager"], window, over_only=True)) == [backend]
    later = services.Window.of(datetime.date(2027, 3, 1), 2)
    assert keys(services.role_map(users["manager"], later, over_only=True)) == []


def test_members_count_only_the_projects_they_are_on(users, team):
    backend = services.role_map(users["member"], services.Window.of(W1, 2)).object_list[0]
    # Without 李工's 56 hours on the other project: 64 of 112 hours in W2.
    assert _cells(backend)[1] == (Decimal("64.0"), Decimal("112.0"), 57, "light", Decimal("64.0"))


def test_the_role_week_lists_its_resources_most_hours_first(users, team):
    detail = services.role_week(users["manager"], team["backend"], datetime.date(2026, 12, 17))
    assert (detail.cell.week, detail.cell.percent, detail.cell.over) == (W2, 107, True)
    assert detail.cell.generic_hours == Decimal("64.0")
    lines = [
        (line.resource.name, line.cells[0].allocated_hours, line.cells[0].capacity_hours)
        for line in detail.resources
    ]
    # 孙工 is inactive and idle in W2: not shown.
    assert lines == [
        ("后端 ×2", Decimal("64.0"), Decimal("64.0")),
        ("李工", Decimal("56.0"), Decimal("16.0")),
        ("王工", Decimal("0.0"), Decimal("32.0")),
    ]
    first = services.role_week(users["manager"], team["backend"], W1)
    assert [line.resource.name for line in first.resources][:3] == ["后端 ×2", "王工", "孙工"]
    assert first.cell.capacity_hours == Decimal("140.0")
    nobody = services.role_week(users["manager"], None, W1)
    assert [line.resource.name for line in nobody.resources] == ["赵工"]


# ---- pages -----------------------------------------------------------------------------------


def _page(http, **params) -> str:
    params.setdefault("start", W1.isoformat())
    params.setdefault("weeks", "2")
    response = http.get(reverse("resources:utilisation"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_switch_keeps_the_filters(signed_in, team):
    http = signed_in("manager")
    by_resource = _page(http)
    assert 'data-testid="utilisation-switch"' in by_resource
    assert 'data-testid="utilisation-table"' in by_resource
    assert 'data-testid="utilisation-role-table"' not in by_resource
    assert "?start=2026-12-07&amp;weeks=2&amp;by=role" in by_resource
    by_role = _page(http, by="role")
    assert 'data-testid="utilisation-role-table"' in by_role
    assert 'data-testid="utilisation-table"' not in by_role
    assert 'name="kind"' in by_role and '<select name="kind"' not in by_role  # no type by role
    assert '<input type="hidden" name="by" value="role">' in by_role
    assert "?start=2026-12-07&amp;weeks=2" in by_role and 'aria-current="page"' in by_role


def test_the_role_map_page(signed_in, team):
    page = _page(signed_in("manager"), by="role")
    assert page.count('data-testid="utilisation-role-row"') == 3
    assert page.index("后端") < page.index("测试") < page.index("No role")
    assert "4 people · 1 generic" in page and "0 people" in page and "1 person" in page
    assert 'data-level="light"' in page and "69%" in page
    assert 'data-level="over"' in page and "107%" in page and "#tabler-alert-triangle" in page
    assert "120.0 h allocated of 112.0 h capacity, of which generic: 64.0 h" in page
    assert "216.0 of 252.0 h" in page and "of which generic: 112.0 h" in page
    assert 'data-testid="generic-mark"' in page
    assert "Click a cell for the role's resources in that week." in page
    cell = reverse("resources:utilisation_role_week", args=[team["backend"].pk, "2026-12-14"])
    assert f'hx-get="{cell}"' in page and f'href="{cell}"' in page
    none = reverse("resources:utilisation_role_week", args=["none", "2026-12-07"])
    assert f'hx-get="{none}"' in page


def test_the_role_map_filtered_by_project_passes_it_to_the_drill_down(signed_in, team):
    http = signed_in("manager")
    page = _page(http, by="role", project=str(team["other"].pk))
    assert page.count('data-testid="utilisation-role-row"') == 1 and "350%" in page
    cell = reverse("resources:utilisation_role_week", args=[team["backend"].pk, "2026-12-14"])
    assert f'hx-get="{cell}?project={team["other"].pk}"' in page
    fragment = http.get(
        cell, {"project": team["other"].pk}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.count('data-testid="utilisation-role-resource"') == 1 and "李工" in fragment
    empty = _page(http, by="role", over="on", start="2027-03-01")
    assert "No role matches these filters." in empty


def test_the_role_drill_down_links_each_resource_to_its_tasks(signed_in, team):
    http = signed_in("member")
    url = reverse("resources:utilisation_role_week", args=[team["backend"].pk, "2026-12-16"])
    fragment = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'data-testid="utilisation-role-resources"' in fragment
    assert fragment.index("后端 ×2") < fragment.index("王工")
    assert "李工" in fragment  # her week on the other project is not the member's to see
    assert "64.0 h allocated of 112.0 h capacity" in fragment and "of which generic" in fragment
    tasks = reverse("resources:utilisation_week", args=[team["generic"].pk, "2026-12-14"])
    assert f'hx-get="{tasks}"' in fragment and 'data-testid="generic"' in fragment
    page = http.get(url).content.decode()
    assert "<html" in page and 'data-testid="utilisation-role-resources"' in page
    nobody = http.get(reverse("resources:utilisation_role_week", args=["none", "2026-12-07"]))
    assert "赵工" in nobody.content.decode()
    assert signed_in("client").get(url).status_code == 403
    assert (
        signed_in("client").get(reverse("resources:utilisation"), {"by": "role"}).status_code == 403
    )
    for role, week in (("999999", "2026-12-07"), ("x", "2026-12-07"), ("none", "not-a-day")):
        missing = http.get(reverse("resources:utilisation_role_week", args=[role, week]))
        assert missing.status_code == 404


def test_without_roles_the_map_by_role_says_how_to_get_one(signed_in, project):
    Resource.objects.create(name="赵工")
    page = _page(signed_in("manager"), by="role")
    assert "No roles yet." in page and 'data-testid="utilisation-role-table"' not in page
    assert reverse("resources:roles") in page


def test_the_map_by_role_in_chinese(signed_in, users, team):
    users["manager"].language = "zh-hans"
    users["manager"].save()
    page = _page(signed_in("manager"), by="role")
    assert "资源利用率" in page and "合计" in page and "过度分配" in page
    assert page.count('data-testid="utilisation-role-row"') == 3 and "107%" in page
    assert 'lang="zh-hans"' in page or "lang='zh-hans'" in page
    Role.objects.all().delete()
    assert "还没有角色。" in _page(signed_in("manager"), by="role")  # No roles yet.


# ---- API -------------------------------------------------------------------------------------


def _api(http, **params):
    params.setdefault("start", W1.isoformat())
    params.setdefault("weeks", 2)
    return http.get("/api/v1/utilisation/roles", params)


def test_the_api_by_role(signed_in, team):
    response = _api(signed_in("manager"))
    assert response.status_code == 200
    body = response.json()
    assert body["weeks"] == ["2026-12-07", "2026-12-14"] and body["count"] == 3
    backend, qa, nobody = body["items"]
    assert (backend["role"], backend["role_id"], backend["name"]) == (
        str(team["backend"].pk),
        team["backend"].pk,
        "后端",
    )
    assert [
        (w["allocated_hours"], w["capacity_hours"], w["percent"], w["level"], w["generic_hours"])
        for w in backend["weeks"]
    ] == [("96.0", "140.0", 69, "light", "48.0"), ("120.0", "112.0", 107, "over", "64.0")]
    assert [w["over_allocated"] for w in backend["weeks"]] == [False, True]
    assert (backend["people"], backend["generic"], backend["percent"]) == (4, 1, 86)
    assert (backend["generic_hours"], backend["over_allocated"]) == ("112.0", True)
    assert (qa["people"], qa["percent"], qa["level"]) == (0, None, "empty")
    assert (nobody["role"], nobody["role_id"], nobody["name"]) == ("none", None, None)
    assert nobody["allocated_hours"] == "20.0" and nobody["capacity_hours"] == "72.0"
    over = _api(signed_in("manager"), over_allocated="true").json()
    assert [item["name"] for item in over["items"]] == ["后端"]
    mine = _api(signed_in("manager"), project_id=team["other"].pk).json()
    assert [item["people"] for item in mine["items"]] == [1]
    problem = _api(signed_in("manager"), project_id=999999)
    assert problem.status_code == 422 and "project_id" in problem.content.decode()
    assert _api(signed_in("member")).json()["items"][0]["weeks"][1]["allocated_hours"] == "64.0"


def test_the_api_role_week(signed_in, team):
    http = signed_in("manager")
    body = http.get(f"/api/v1/utilisation/roles/{team['backend'].pk}/2026-12-18").json()
    assert (body["week"], body["percent"], body["level"], body["generic_hours"]) == (
        "2026-12-14",
        107,
        "over",
        "64.0",
    )
    assert [
        (r["name"], r["allocated_hours"], r["capacity_hours"], r["percent"], r["is_generic"])
        for r in body["resources"]
    ] == [
        ("后端 ×2", "64.0", "64.0", 100, True),
        ("李工", "56.0", "16.0", 350, False),
        ("王工", "0.0", "32.0", 0, False),
    ]
    assert body["resources"][0]["task_count"] == 1
    nobody = http.get(f"/api/v1/utilisation/roles/none/{W1}").json()
    assert (nobody["role"], [r["name"] for r in nobody["resources"]]) == ("none", ["赵工"])
    on_other = http.get(
        f"/api/v1/utilisation/roles/{team['backend'].pk}/{W2}", {"project_id": team["other"].pk}
    ).json()
    assert [r["name"] for r in on_other["resources"]] == ["李工"]
    assert http.get(f"/api/v1/utilisation/roles/999999/{W1}").status_code == 404
    assert http.get(f"/api/v1/utilisation/roles/abc/{W1}").status_code == 404
    assert signed_in("client").get(f"/api/v1/utilisation/roles/none/{W1}").status_code == 403


# ---- cost ------------------------------------------------------------------------------------


def _crew(project, roles: int, people: int) -> None:
    """``roles`` more roles of ``people`` each (one of them generic) on two long tasks."""
    tasks = [_task(project, index, W1, datetime.date(2027, 2, 26)) for index in (1, 2)]
    for _ in range(roles):
        role = Role.objects.create(name=f"角色 {Role.objects.count()}")
        for n in range(people):
            resource = Resource.objects.create(
                name=f"{role.name}-{n}", role=role, is_placeholder=n == 0
            )
            for task in tasks:
                _assign(task, resource, 40 * (n + 1))
    Resource.objects.create(name=f"无角色 {Resource.objects.count()}")


def _count(call) -> int:
    with CaptureQueriesContext(connection) as context:
        response = call()
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_roles_people_and_weeks(signed_in, project):
    CalendarException.objects.create(calendar=default_calendar(), day=HOLIDAY, working=False)
    http = signed_in("manager")
    _crew(project, 1, 2)
    week = reverse("resources:utilisation_role_week", args=["none", W1.isoformat()])
    small = (
        _count(
            lambda: http.get(
                reverse("resources:utilisation"), {"by": "role", "start": W1, "weeks": 4}
            )
        ),
        _count(lambda: http.get("/api/v1/utilisation/roles", {"start": W1, "weeks": 4})),
        _count(lambda: http.get(week, headers={"HX-Request": "true"})),
    )
    _crew(project, 3, 4)  # 4 roles, 15 work resources now
    large = (
        _count(
            lambda: http.get(
                reverse("resources:utilisation"), {"by": "role", "start": W1, "weeks": 12}
            )
        ),
        _count(lambda: http.get("/api/v1/utilisation/roles", {"start": W1, "weeks": 12})),
        _count(lambda: http.get(week, headers={"HX-Request": "true"})),
    )
    assert large == small, (small, large)
