"""The client's view of a plan: only client-visible tasks and milestones of their own projects."""

import pytest

from charter.planning.models import Task
from charter.planning.tests.factories import make_project
from charter.testing.factories import UserFactory


def share(project, name: str) -> Task:
    task = Task.objects.get(project=project, name=name)
    Task.objects.filter(pk=task.pk).update(client_visible=True)
    return task


@pytest.mark.django_db
def test_a_client_user_sees_only_what_is_shared(project, signed_in):
    share(project, "项目启动会")
    page = signed_in("client").get(f"/projects/{project.pk}/client-view/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "项目启动会" in body and "关键用户访谈" not in body and "制定项目计划" not in body
    assert "gantt-critical" not in body and "data-drag-url" not in body


@pytest.mark.django_db
def test_the_client_dashboard_lists_their_projects(project, signed_in):
    page = signed_in("client").get("/").content.decode()
    assert f"/projects/{project.pk}/client-view/" in page


@pytest.mark.django_db
def test_another_clients_project_is_not_found(users, other_client_org, signed_in):
    other = make_project(other_client_org, manager=users["manager"])
    assert signed_in("client").get(f"/projects/{other.pk}/client-view/").status_code == 404


@pytest.mark.django_db
def test_staff_preview_what_the_client_sees(project, signed_in, users):
    assert signed_in("manager").get(f"/projects/{project.pk}/client-view/").status_code == 200
    assert signed_in("member").get(f"/projects/{project.pk}/client-view/").status_code == 200
    outsider = UserFactory(username="outsider", role="member")
    http = signed_in("anonymous")
    http.force_login(outsider)
    assert http.get(f"/projects/{project.pk}/client-view/").status_code == 404


@pytest.mark.django_db
def test_nothing_shared_yet_says_so(project, signed_in):
    body = signed_in("client").get(f"/projects/{project.pk}/client-view/").content.decode()
    assert "Nothing of the plan is shared yet." in body


@pytest.mark.django_db
def test_the_client_sees_the_shared_communications_that_are_sending(project, signed_in):
    from charter.comms.models import CommunicationItem

    shared, hidden, draft = (
        CommunicationItem.objects.create(
            project=project, content=name, channel="email", client_visible=visible, is_active=on
        )
        for name, visible, on in (
            ("双周例会", True, True),
            ("内部周会", False, True),
            ("草稿通知", True, False),
        )
    )
    body = signed_in("client").get(f"/projects/{project.pk}/client-view/").content.decode()
    assert shared.content in body
    assert hidden.content not in body and draft.content not in body


@pytest.mark.django_db
def test_the_client_sees_the_change_requests_shared_with_them(project, signed_in, users):
    from charter.changes.services import create_change_request, decide_change_request

    shared = create_change_request(
        project, actor=users["manager"], title="增加招商银行直连", client_visible=True
    )
    decide_change_request(
        shared, actor=users["manager"], expected_version=1, status="approved", note="增加 5 天"
    )
    create_change_request(project, actor=users["manager"], title="内部评估中的变更")
    body = signed_in("client").get(f"/projects/{project.pk}/client-view/").content.decode()
    assert "增加招商银行直连" in body and "增加 5 天" in body and 'data-status="approved"' in body
    assert "内部评估中的变更" not in body
