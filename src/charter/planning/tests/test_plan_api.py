"""The plan through the API: tasks with ETag / If-Match, the tree verbs, links (a loop is a 422
naming its tasks), the schedule, baselines and their variance, and who may do what."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from charter.core.models import AuditEvent
from charter.planning.models import Baseline, Dependency, Task
from charter.planning.services import plan as services
from charter.planning.tests.factories import make_project

pytestmark = pytest.mark.django_db
JSON = "application/json"
PROBLEM = "application/problem+json"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 480


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, tzinfo=SHANGHAI)


def moment(text: str | None) -> datetime.datetime | None:
    return None if text is None else datetime.datetime.fromisoformat(text)


def tasks_url(project) -> str:
    return f"/api/v1/projects/{project.pk}/tasks"


def add(project, user, name, days=1, **kwargs) -> Task:
    return services.add_task(
        project, actor=user, fields={"name": name, "duration": days * DAY}, **kwargs
    )


def errors(response) -> list[str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    return [error["field"] for error in response.json()["errors"]]


def test_the_tasks_come_in_plan_order_with_their_schedule(signed_in, project):
    body = signed_in("member").get(tasks_url(project)).json()
    assert body["count"] == 5
    rows = body["items"]
    assert [(row["wbs"], row["outline_level"], row["is_summary"]) for row in rows] == [
        ("1", 1, True),
        ("1.1", 2, False),
        ("1.2", 2, False),
        ("2", 1, True),
        ("2.1", 2, False),
    ]
    kickoff, plan = rows[1], rows[2]
    assert kickoff["is_milestone"] and kickoff["duration_days"] == "0.00"
    assert plan["parent_id"] == rows[0]["id"] and plan["duration_days"] == "3.00"
    assert (moment(plan["start"]), moment(plan["finish"])) == (at(1, 9), at(3, 18))
    assert plan["total_float_days"] == "2.00" and not plan["is_critical"]
    assert rows[4]["is_critical"] and rows[4]["total_float_days"] == "0.00"
    assert plan["constraint_type"] == "ASAP" and plan["version"] == 1
    paged = signed_in("member").get(tasks_url(project), {"limit": 2, "offset": 3}).json()
    assert [row["wbs"] for row in paged["items"]] == ["2", "2.1"]


def test_add_a_task_under_a_summary_or_after_a_task(signed_in, project):
    http = signed_in("manager")
    phase = Task.objects.get(project=project, wbs="2")
    created = http.post(
        tasks_url(project),
        {"name": "流程梳理", "duration_days": "10", "parent_id": phase.pk},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    body = created.json()
    assert (body["wbs"], body["duration_days"]) == ("2.2", "10.00")
    # Ten working days from Tue 1 December: the 14th is the tenth.
    assert moment(body["finish"]) == at(14, 18)
    after = Task.objects.get(project=project, wbs="1.1")
    inserted = http.post(
        tasks_url(project), {"name": "章程", "after_id": after.pk}, content_type=JSON
    ).json()
    assert inserted["wbs"] == "1.2" and inserted["duration_days"] == "1.00"
    assert Task.objects.get(project=project, name="制定项目计划").wbs == "1.3"
    assert AuditEvent.objects.filter(action="created", object_id=str(body["id"])).exists()


def test_a_new_task_refuses_what_is_not_of_its_project(signed_in, users, client_org, project):
    foreign = Task.objects.filter(project=make_project(client_org, manager=users["manager"]))
    http = signed_in("manager")
    url = tasks_url(project)
    assert errors(http.post(url, {"name": "x", "parent_id": foreign[0].pk}, content_type=JSON)) == [
        "parent_id"
    ]
    assert errors(http.post(url, {"name": ""}, content_type=JSON)) == ["name"]
    assert errors(http.post(url, {"name": "x", "duration_days": "-1"}, content_type=JSON)) == [
        "duration_days"
    ]
    assert errors(http.post(url, {"name": "x", "calendar_id": 999_999}, content_type=JSON)) == [
        "calendar_id"
    ]
    outsider = {"name": "x", "owner_id": users["client"].pk}
    assert errors(http.post(url, outsider, content_type=JSON)) == ["owner_id"]
    assert Task.objects.filter(project=project).count() == 5


def test_edit_a_task_with_if_match(signed_in, users, project):
    http = signed_in("manager")
    task = Task.objects.get(project=project, wbs="1.2")
    url = f"/api/v1/tasks/{task.pk}"
    assert http.get(url)["ETag"] == '"1"'
    assert http.patch(url, {"name": "计划"}, content_type=JSON).status_code == 428
    patched = http.patch(
        url,
        {
            "constraint_type": "SNET",
            "constraint_date": "2026-12-07T00:00:00",  # no zone: the site's
            "owner_id": users["member"].pk,
        },
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert patched["ETag"] == '"2"' and body["owner_id"] == users["member"].pk
    assert moment(body["constraint_date"]) == at(7, 0)
    assert (moment(body["start"]), moment(body["finish"])) == (at(7, 9), at(9, 18))
    assert body["name"] == "制定项目计划"  # only what was sent changed
    stale = http.patch(url, {"name": "旧"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale["Content-Type"] == PROBLEM
    task.refresh_from_db()
    assert task.name == "制定项目计划" and task.version == 2


def test_an_edit_is_422_on_the_fields_the_client_sent(signed_in, users, project):
    http = signed_in("manager")
    url = f"/api/v1/tasks/{Task.objects.get(project=project, wbs='1.2').pk}"
    if_match = {"If-Match": '"1"'}
    undated = http.patch(url, {"constraint_type": "MSO"}, content_type=JSON, headers=if_match)
    assert errors(undated) == ["constraint_date"]
    outsider = http.patch(
        url, {"owner_id": users["client"].pk}, content_type=JSON, headers=if_match
    )
    assert errors(outsider) == ["owner_id"]
    assert errors(http.patch(url, {"name": None}, content_type=JSON, headers=if_match)) == ["name"]
    too_much = http.patch(url, {"percent_complete": 101}, content_type=JSON, headers=if_match)
    assert errors(too_much) == ["percent_complete"]


def test_delete_a_task_with_what_is_under_it(signed_in, project):
    phase = Task.objects.get(project=project, wbs="1")
    assert signed_in("manager").delete(f"/api/v1/tasks/{phase.pk}").status_code == 204
    assert list(Task.objects.filter(project=project).values_list("wbs", "name")) == [
        ("1", "需求调研"),
        ("1.1", "关键用户访谈"),
    ]


def test_indent_outdent_and_move(signed_in, users, project):
    manager = users["manager"]
    first, second = add(project, manager, "甲"), add(project, manager, "乙")
    http = signed_in("manager")
    indent = f"/api/v1/projects/{project.pk}/tasks/indent"
    outdent = f"/api/v1/projects/{project.pk}/tasks/outdent"
    assert http.post(indent, {"task_ids": [second.pk]}, content_type=JSON).json() == {"moved": 1}
    second.refresh_from_db()
    assert (second.wbs, second.parent_id) == ("3.1", first.pk)
    assert http.post(outdent, {"task_ids": [second.pk]}, content_type=JSON).json() == {"moved": 1}
    move = f"/api/v1/tasks/{second.pk}/move"
    assert http.post(move, {"direction": "up"}, content_type=JSON).json() == {"moved": 1}
    assert http.post(move, {"direction": "down"}, content_type=JSON).json() == {"moved": 1}
    last = http.post(move, {"direction": "down"}, content_type=JSON)
    assert last.json() == {"moved": 0}
    assert [row.name for row in Task.objects.filter(project=project)][-2:] == ["甲", "乙"]
    assert errors(http.post(move, {"direction": "left"}, content_type=JSON)) == ["direction"]
    assert errors(http.post(indent, {"task_ids": [999_999]}, content_type=JSON)) == ["task_ids"]
    assert errors(http.post(indent, {"task_ids": []}, content_type=JSON)) == ["task_ids"]


def test_indenting_into_a_linked_summary_is_422_on_task_ids(signed_in, users, project):
    manager = users["manager"]
    first, second = add(project, manager, "甲"), add(project, manager, "乙")
    services.add_dependency(project, actor=manager, predecessor=first, successor=second)
    response = signed_in("manager").post(
        f"/api/v1/projects/{project.pk}/tasks/indent",
        {"task_ids": [second.pk]},
        content_type=JSON,
    )
    assert errors(response) == ["task_ids"]
    second.refresh_from_db()
    assert second.parent_id is None


def test_link_tasks_change_the_lag_and_remove_the_link(signed_in, users, project):
    manager = users["manager"]
    design, build = add(project, manager, "设计", 2), add(project, manager, "开发", 3)
    http = signed_in("manager")
    url = f"/api/v1/projects/{project.pk}/dependencies"
    created = http.post(
        url,
        {"predecessor_id": design.pk, "successor_id": build.pk, "lag_days": "1"},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    link = created.json()
    assert (link["type"], link["lag_days"]) == ("FS", "1.00")
    build.refresh_from_db()
    assert build.start == at(4, 9)
    listed = http.get(url, {"task_id": build.pk}).json()
    assert [row["id"] for row in listed["items"]] == [link["id"]]
    assert http.get(url, {"task_id": Task.objects.first().pk}).json()["count"] == 0
    one = f"/api/v1/dependencies/{link['id']}"
    changed = http.patch(one, {"lag_days": "-0.5"}, content_type=JSON).json()
    assert (changed["type"], changed["lag_days"]) == ("FS", "-0.50")
    assert http.patch(one, {"type": "SS"}, content_type=JSON).json()["lag_days"] == "-0.50"
    assert http.delete(one).status_code == 204
    build.refresh_from_db()
    assert build.start == at(1, 9) and not Dependency.objects.exists()


def test_a_loop_is_422_naming_its_tasks_and_saves_nothing(signed_in, users, project):
    manager = users["manager"]
    first, second = add(project, manager, "甲"), add(project, manager, "乙")
    services.add_dependency(project, actor=manager, predecessor=first, successor=second)
    response = signed_in("manager").post(
        f"/api/v1/projects/{project.pk}/dependencies",
        {"predecessor_id": second.pk, "successor_id": first.pk},
        content_type=JSON,
    )
    assert errors(response) == ["predecessor_id"]
    detail = response.json()["errors"][0]["detail"]
    assert "甲" in detail and "乙" in detail and "loop" in detail
    assert Dependency.objects.count() == 1


def test_a_link_needs_two_tasks_of_the_project(signed_in, users, client_org, project):
    foreign = Task.objects.filter(project=make_project(client_org, manager=users["manager"]))
    own = Task.objects.filter(project=project, is_summary=False)
    url = f"/api/v1/projects/{project.pk}/dependencies"
    http = signed_in("manager")
    to_foreign = {"predecessor_id": own[0].pk, "successor_id": foreign[1].pk}
    assert errors(http.post(url, to_foreign, content_type=JSON)) == ["successor_id"]
    to_itself = {"predecessor_id": own[0].pk, "successor_id": own[0].pk}
    assert errors(http.post(url, to_itself, content_type=JSON)) == ["predecessor_id"]
    bad_type = {"predecessor_id": own[0].pk, "successor_id": own[1].pk, "type": "XX"}
    assert errors(http.post(url, bad_type, content_type=JSON)) == ["type"]


def test_the_schedule_names_the_critical_path(signed_in, users, project):
    manager = users["manager"]
    interviews = Task.objects.get(project=project, wbs="2.1")
    report = add(project, manager, "调研报告", 2)
    services.add_dependency(project, actor=manager, predecessor=interviews, successor=report)
    body = signed_in("member").get(f"/api/v1/projects/{project.pk}/schedule").json()
    assert (moment(body["start"]), moment(body["finish"])) == (at(1, 9), at(9, 18))
    assert body["critical_path"] == [interviews.pk, report.pk]
    assert body["task_count"] == 6 and body["scheduled_at"] is not None


def test_save_list_compare_and_clear_baselines(signed_in, users, project):
    manager = users["manager"]
    http = signed_in("manager")
    url = f"/api/v1/projects/{project.pk}/baselines"
    saved = http.post(url, {"number": 0}, content_type=JSON)
    assert saved.status_code == 201, saved.content
    assert (saved.json()["name"], saved.json()["saved_by_id"]) == ("Baseline", manager.pk)
    again = http.post(url, {"number": 0, "name": "客户确认版"}, content_type=JSON)
    assert (again.status_code, again.json()["id"]) == (200, saved.json()["id"])
    assert [row["name"] for row in http.get(url).json()] == ["客户确认版"]
    plan, interviews = Task.objects.filter(project=project, wbs__in=["1.2", "2.1"])
    services.add_dependency(project, actor=manager, predecessor=plan, successor=interviews)
    late = add(project, manager, "新增任务")
    variance = http.get(f"{url}/0/variance", {"limit": 10}).json()
    assert variance["count"] == 6
    rows = {row["task_id"]: row for row in variance["items"]}
    assert (rows[interviews.pk]["start_days"], rows[interviews.pk]["finish_days"]) == ("3.0", "3.0")
    assert rows[interviews.pk]["duration_days"] == "0.0" and rows[interviews.pk]["cost"] == "0.00"
    assert rows[late.pk]["baseline_start"] is None and rows[late.pk]["start_days"] is None
    assert http.get(f"{url}/3/variance").status_code == 404
    assert errors(http.post(url, {"number": 11}, content_type=JSON)) == ["number"]
    assert http.delete(f"/api/v1/baselines/{saved.json()['id']}").status_code == 204
    assert not Baseline.objects.exists()


def test_an_empty_plan_cannot_be_baselined(signed_in, project):
    Task.objects.filter(project=project).delete()
    response = signed_in("manager").post(
        f"/api/v1/projects/{project.pk}/baselines", {"number": 1}, content_type=JSON
    )
    assert response.status_code == 422
    assert not Baseline.objects.exists()


def test_members_read_the_plan_but_do_not_change_it(signed_in, project):
    http = signed_in("member")
    task = Task.objects.filter(project=project).first()
    assert http.get(f"/api/v1/tasks/{task.pk}").status_code == 200
    assert http.get(f"/api/v1/projects/{project.pk}/baselines").status_code == 200
    refused = [
        http.post(tasks_url(project), {"name": "x"}, content_type=JSON),
        http.patch(f"/api/v1/tasks/{task.pk}", {}, content_type=JSON, headers={"If-Match": '"1"'}),
        http.delete(f"/api/v1/tasks/{task.pk}"),
        http.post(f"/api/v1/projects/{project.pk}/baselines", {"number": 0}, content_type=JSON),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403, 403]
    assert Task.objects.filter(project=project).count() == 5


def test_another_members_project_is_404_and_clients_are_403(signed_in, users, client_org):
    stranger = make_project(client_org, manager=users["manager"])
    task = Task.objects.filter(project=stranger).first()
    member = signed_in("member")
    assert member.get(tasks_url(stranger)).status_code == 404
    assert member.get(f"/api/v1/tasks/{task.pk}").status_code == 404
    assert member.get(f"/api/v1/projects/{stranger.pk}/schedule").status_code == 404
    assert member.get(f"/api/v1/projects/{stranger.pk}/baselines/0/variance").status_code == 404
    assert signed_in("client").get(tasks_url(stranger)).status_code == 403


def test_the_schema_documents_if_match_and_the_computed_fields(client):
    schema = client.get("/api/v1/openapi.json").json()
    patch = schema["paths"]["/api/v1/tasks/{task_id}"]["patch"]
    assert {"in": "header", "name": "If-Match"}.items() <= patch["parameters"][-1].items()
    task_out = schema["components"]["schemas"]["TaskOut"]["properties"]
    assert "scheduling" in task_out["start"]["description"]
    assert "Working days" in task_out["duration_days"]["description"]
