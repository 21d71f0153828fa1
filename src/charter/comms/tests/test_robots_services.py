import json
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection

from charter.comms import services
from charter.comms.models import ChatRobot, RobotKind
from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.testing.fake_robots import FakeRobots

pytestmark = pytest.mark.django_db

KEY = "k3y-0f-the-group-7e1a"
SECRET = "SECsigning-s3cret-9f2b"


@pytest.fixture
def robots() -> Iterator[FakeRobots]:
    with FakeRobots() as fake:
        yield fake


def _create(parent, users, **fields) -> ChatRobot:
    fields = {
        "name": "项目群",
        "kind": RobotKind.WECOM,
        "webhook_url": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}",
        **fields,
    }
    return services.create_robot(parent, actor=users["manager"], **fields)


def _event(action: str) -> AuditEvent:
    robots = ContentType.objects.get_for_model(ChatRobot)
    return AuditEvent.objects.get(content_type=robots, action=action)


def _all_audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_address_and_secret_are_encrypted_in_the_database(users, project):
    robot = _create(
        project,
        users,
        kind=RobotKind.DINGTALK,
        secret=SECRET,
        webhook_url=(f"https://oapi.dingtalk.com/robot/send?access_token={KEY}"),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url, secret FROM comms_chatrobot WHERE id = %s", [robot.pk])
        stored_url, stored_secret = cursor.fetchone()
    assert KEY not in stored_url and "dingtalk" not in stored_url
    assert SECRET not in stored_secret and stored_secret
    fresh = ChatRobot.objects.get(pk=robot.pk)
    assert (fresh.webhook_url.endswith(KEY), fresh.secret) == (True, SECRET)


def test_the_audit_says_changed_but_never_records_the_address_or_secret(users, project):
    robot = _create(project, users)
    created = _event("created")
    assert created.changes["webhook_url"] == [None, "changed"]
    assert created.changes["name"] == [None, "项目群"]
    services.update_robot(
        robot,
        actor=users["manager"],
        expected_version=1,
        webhook_url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=new-{KEY}",
    )
    updated = _event("updated")
    assert updated.changes == {"webhook_url": [None, "changed"]}
    assert KEY not in _all_audit_text()


def test_an_empty_address_or_secret_on_edit_keeps_the_stored_one(users, project):
    robot = _create(
        project,
        users,
        kind=RobotKind.FEISHU,
        secret="feishu-secret",
        webhook_url=(f"https://open.feishu.cn/open-apis/bot/v2/hook/{KEY}"),
    )
    services.update_robot(
        robot, actor=users["manager"], expected_version=1, name="客户群", webhook_url="", secret=""
    )
    fresh = ChatRobot.objects.get(pk=robot.pk)
    assert (fresh.name, fresh.secret, fresh.version) == ("客户群", "feishu-secret", 2)
    assert fresh.webhook_url.endswith(KEY)
    assert _event("updated").changes == {"name": ["项目群", "客户群"]}


def test_clear_secret_removes_it(users, project):
    robot = _create(
        project,
        users,
        kind=RobotKind.DINGTALK,
        secret=SECRET,
        webhook_url=(f"https://oapi.dingtalk.com/robot/send?access_token={KEY}"),
    )
    services.update_robot(robot, actor=users["manager"], expected_version=1, clear_secret=True)
    assert ChatRobot.objects.get(pk=robot.pk).secret == ""
    assert _event("updated").changes == {"secret": [None, "changed"]}


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        (RobotKind.WECOM, "https://oapi.dingtalk.com/robot/send?access_token=x"),
        (RobotKind.SLACK, "http://hooks.slack.com/services/T/B/x"),
        (RobotKind.FEISHU, "https://evil.example.com/open-apis/bot/v2/hook/x"),
        (RobotKind.DINGTALK, "ftp://127.0.0.1/robot/send"),
    ],
)
def test_an_address_off_the_kinds_host_is_refused(users, project, kind, url):
    with pytest.raises(ValidationError) as refused:
        _create(project, users, kind=kind, webhook_url=url)
    assert "webhook_url" in refused.value.message_dict
    assert not ChatRobot.objects.exists()


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        (RobotKind.SLACK, "https://hooks.slack.com/services/T/B/x"),
        (RobotKind.FEISHU, "https://open.larksuite.com/open-apis/bot/v2/hook/x"),
        (RobotKind.WECOM, "http://localhost:8080/cgi-bin/webhook/send?key=x"),
        (RobotKind.DINGTALK, "http://127.0.0.1:9000/robot/send?access_token=x"),
    ],
)
def test_production_hosts_over_https_and_this_machine_are_accepted(users, project, kind, url):
    assert _create(project, users, kind=kind, webhook_url=url).pk


def test_a_dingtalk_secret_must_start_with_sec(users, project):
    with pytest.raises(ValidationError) as refused:
        _create(
            project,
            users,
            kind=RobotKind.DINGTALK,
            webhook_url="https://oapi.dingtalk.com/robot/send?access_token=x",
            secret="not-a-dingtalk-secret",
        )
    assert "SEC" in refused.value.message_dict["secret"][0]


def test_changing_the_kind_checks_the_kept_address_against_it(users, project):
    robot = _create(project, users)
    with pytest.raises(ValidationError):
        services.update_robot(
            robot, actor=users["manager"], expected_version=1, kind=RobotKind.SLACK
        )
    assert ChatRobot.objects.get(pk=robot.pk).kind == RobotKind.WECOM


def test_a_stale_edit_writes_nothing(users, project):
    robot = _create(project, users)
    services.update_robot(robot, actor=users["manager"], expected_version=1, name="一")
    with pytest.raises(StaleEdit):
        services.update_robot(robot, actor=users["manager"], expected_version=1, name="二")
    assert ChatRobot.objects.get(pk=robot.pk).name == "一"


def test_a_client_robot_is_deleted_with_an_audit_event(users, client_org):
    robot = _create(client_org, users, name="客户高层群")
    services.delete_robot(robot, actor=users["manager"])
    assert not ChatRobot.objects.exists()
    assert _event("deleted").changes == {"name": ["客户高层群", None]}


def test_a_test_message_reaches_the_group_and_the_result_is_kept(users, project, robots):
    robot = _create(project, users, webhook_url=robots.url_for("wecom", KEY))
    delivery = services.test_robot(
        robot, actor=users["manager"], base_url="https://charter.example.com/"
    )
    assert delivery.ok
    content = robots.accepted[-1].body["markdown"]["content"]
    assert "Charter test message" in content and project.name in content
    assert f"https://charter.example.com/projects/{project.pk}/" in content
    fresh = ChatRobot.objects.get(pk=robot.pk)
    assert (fresh.last_test_ok, fresh.last_test_answer, fresh.version) == (True, "errcode 0: ok", 1)
    assert fresh.last_tested_at is not None
    tested = _event("tested")
    assert tested.changes["last_test_ok"] == [None, True]


def test_a_refused_test_keeps_the_remotes_error(users, client_org, robots):
    robot = _create(client_org, users, webhook_url=robots.url_for("wecom", KEY))
    robots.revoke("wecom", KEY)
    delivery = services.test_robot(robot, actor=users["manager"], base_url="http://testserver")
    assert (delivery.ok, delivery.permanent) == (False, True)
    fresh = ChatRobot.objects.get(pk=robot.pk)
    assert fresh.last_test_ok is False
    assert fresh.last_test_answer.startswith("errcode 93000: invalid webhook url")
    assert str(client_org) in robots.received[-1].body["markdown"]["content"]


def test_a_signed_dingtalk_robot_passes_its_test(users, project, robots):
    url = robots.url_for("dingtalk", KEY, secret=SECRET)
    robot = _create(project, users, kind=RobotKind.DINGTALK, webhook_url=url, secret=SECRET)
    assert services.test_robot(robot, actor=users["manager"], base_url="http://testserver").ok


def test_the_test_message_speaks_the_testers_language(users, project):
    robot = _create(project, users)
    chinese = services.compose_test_message(robot, language="zh-hans", base_url="https://c.example")
    english = services.compose_test_message(robot, language="en", base_url="https://c.example")
    assert chinese.title == "Charter 测试消息" and english.title == "Charter test message"
    assert chinese.link == english.link == f"https://c.example{project.get_absolute_url()}"
