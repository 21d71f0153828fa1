from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.comms.models import ChatRobot, RobotKind
from charter.comms.tests.matrix_comms import make_robot
from charter.planning.tests.factories import make_project
from charter.testing.fake_robots import FakeRobots

pytestmark = pytest.mark.django_db

KEY = "k3y-0f-the-group-7e1a"
WECOM_URL = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"


@pytest.fixture
def robots() -> Iterator[FakeRobots]:
    with FakeRobots() as fake:
        yield fake


def _list_url(project) -> str:
    return reverse("comms:project_robots", args=[project.pk])


def test_a_manager_adds_a_robot_and_the_list_shows_it_masked(signed_in, project):
    http = signed_in("manager")
    response = http.post(
        reverse("comms:project_robot_create", args=[project.pk]),
        {"name": "项目群", "kind": "wecom", "webhook_url": WECOM_URL, "is_active": "on"},
    )
    assert response.status_code == 302 and response["Location"] == _list_url(project)
    robot = ChatRobot.objects.get()
    assert (robot.project, robot.webhook_url) == (project, WECOM_URL)
    page = http.get(_list_url(project)).content.decode()
    assert "项目群" in page and "••••7e1a" in page
    assert KEY not in page and "qyapi" not in page


def test_a_client_robot_is_added_on_the_clients_page(signed_in, client_org):
    http = signed_in("manager")
    url = reverse("comms:client_robot_create", args=[client_org.pk])
    slack = "https://hooks.slack.com/services/T0/B0/client-key-55aa"
    response = http.post(url, {"name": "客户高层群", "kind": "slack", "webhook_url": slack})
    assert response["Location"] == reverse("comms:client_robots", args=[client_org.pk])
    assert ChatRobot.objects.get().client == client_org


def test_a_wrong_address_or_dingtalk_secret_is_shown_on_its_field(signed_in, project):
    response = signed_in("manager").post(
        reverse("comms:project_robot_create", args=[project.pk]),
        {
            "name": "钉钉群",
            "kind": "dingtalk",
            "webhook_url": WECOM_URL,
            "secret": "no-prefix",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "https://oapi.dingtalk.com/" in page and "starts with SEC" in page
    assert KEY not in page and "no-prefix" not in page  # password inputs are not echoed
    assert not ChatRobot.objects.exists()


def test_the_edit_form_shows_only_masked_values_and_empty_keeps_them(signed_in, project):
    secret = "SECsigning-s3cret-9f2b"
    dingtalk = f"https://oapi.dingtalk.com/robot/send?access_token={KEY}"
    robot = make_robot(project, url=dingtalk, kind=RobotKind.DINGTALK, secret=secret)
    http = signed_in("manager")
    url = reverse("comms:robot_edit", args=[robot.pk])
    page = http.get(url).content.decode()
    assert 'type="password"' in page and 'placeholder="••••7e1a"' in page
    assert 'placeholder="••••9f2b"' in page and "Leave empty to keep the stored one." in page
    assert KEY not in page and secret not in page
    form = {"name": "改名", "kind": "dingtalk", "webhook_url": "", "secret": "", "version": 1}
    assert http.post(url, form).status_code == 302
    robot.refresh_from_db()
    assert (robot.name, robot.webhook_url, robot.secret) == ("改名", dingtalk, secret)
    stale = http.post(url, {**form, "name": "旧"})
    assert stale.status_code == 409
    assert "Someone else saved this record" in stale.content.decode()


def test_test_this_channel_shows_the_remote_answer_in_place(signed_in, project, robots):
    robot = make_robot(project, url=robots.url_for("wecom", KEY))
    url = reverse("comms:robot_test", args=[robot.pk])
    http = signed_in("manager")
    ok = http.post(url, headers={"HX-Request": "true"})
    assert ok.status_code == 200
    fragment = ok.content.decode()
    assert f'id="robot-{robot.pk}-test"' in fragment and "OK" in fragment
    assert "errcode 0: ok" in fragment and "<html" not in fragment
    robots.revoke("wecom", KEY)
    failed = http.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "Failed" in failed and "errcode 93000: invalid webhook url" in failed
    assert KEY not in failed
    listing = http.get(_list_url(project)).content.decode()
    assert "errcode 93000" in listing


def test_without_htmx_the_test_answer_comes_back_as_a_message(signed_in, project, robots):
    robot = make_robot(project, url=robots.url_for("wecom", KEY))
    http = signed_in("manager")
    response = http.post(reverse("comms:robot_test", args=[robot.pk]), follow=True)
    assert "The test message was posted to “项目群”." in response.content.decode()
    assert len(robots.accepted) == 1


def test_members_see_the_list_without_edit_and_may_not_change(signed_in, project, robots):
    robot = make_robot(project, url=robots.url_for("wecom", KEY))
    http = signed_in("member")
    page = http.get(_list_url(project)).content.decode()
    assert "项目群" in page
    assert reverse("comms:robot_edit", args=[robot.pk]) not in page
    assert "Test this channel" not in page and "Add chat robot" not in page
    assert http.post(reverse("comms:robot_test", args=[robot.pk])).status_code == 403
    assert http.get(reverse("comms:robot_edit", args=[robot.pk])).status_code == 403
    assert not robots.received


def test_a_project_the_member_is_not_on_is_404_and_clients_get_403(
    signed_in, users, client_org, project
):
    other = make_project(client_org, manager=users["manager"])
    assert signed_in("member").get(_list_url(other)).status_code == 404
    assert signed_in("client").get(_list_url(project)).status_code == 403
    client_page = reverse("comms:client_robots", args=[client_org.pk])
    assert signed_in("client").get(client_page).status_code == 403


def test_delete_asks_first_then_removes(signed_in, project):
    robot = make_robot(project)
    url = reverse("comms:robot_delete", args=[robot.pk])
    http = signed_in("manager")
    assert "Charter stops posting to its group" in http.get(url).content.decode()
    assert ChatRobot.objects.exists()
    assert http.post(url)["Location"] == _list_url(project)
    assert not ChatRobot.objects.exists()


def test_the_list_costs_the_same_queries_for_one_robot_or_many(signed_in, project):
    http = signed_in("manager")
    make_robot(project)
    with CaptureQueriesContext(connection) as one:
        http.get(_list_url(project))
    for number in range(3):
        make_robot(
            project,
            name=f"群 {number}",
            kind=RobotKind.SLACK,
            url=(f"https://hooks.slack.com/services/T/B/key-{number}"),
        )
    with CaptureQueriesContext(connection) as many:
        http.get(_list_url(project))
    assert len(many) == len(one)
