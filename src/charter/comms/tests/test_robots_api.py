from collections.abc import Iterator

import pytest

from charter.comms.models import ChatRobot
from charter.comms.tests.matrix_comms import make_robot
from charter.planning.tests.factories import make_project
from charter.testing.fake_robots import FakeRobots

pytestmark = pytest.mark.django_db
JSON = "application/json"

KEY = "k3y-0f-the-group-7e1a"
SECRET = "SECsigning-s3cret-9f2b"
DINGTALK_URL = f"https://oapi.dingtalk.com/robot/send?access_token={KEY}"


@pytest.fixture
def robots() -> Iterator[FakeRobots]:
    with FakeRobots() as fake:
        yield fake


def test_create_list_read_patch_and_delete_with_masked_credentials(signed_in, project):
    http = signed_in("manager")
    base = f"/api/v1/projects/{project.pk}/robots"
    created = http.post(
        base,
        {"name": "钉钉项目群", "kind": "dingtalk", "webhook_url": DINGTALK_URL, "secret": SECRET},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["webhook_url"], body["secret"], body["project_id"]) == (
        "••••7e1a",
        "••••9f2b",
        project.pk,
    )
    listing = http.get(base)
    assert [row["name"] for row in listing.json()] == ["钉钉项目群"]
    url = f"/api/v1/robots/{body['id']}"
    read = http.get(url)
    assert read["ETag"] == '"1"'
    patched = http.patch(url, {"name": "改名"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert (patched.status_code, patched["ETag"], patched.json()["name"]) == (200, '"2"', "改名")
    stale = http.patch(url, {"name": "旧"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    for response in (created, listing, read, patched):
        assert KEY not in response.content.decode() and SECRET not in response.content.decode()
    assert ChatRobot.objects.get().webhook_url == DINGTALK_URL  # kept: the patch left it out
    assert http.delete(url).status_code == 204
    assert not ChatRobot.objects.exists()


def test_an_empty_secret_in_a_patch_removes_it(signed_in, project):
    robot = make_robot(project, url=DINGTALK_URL, kind="dingtalk", secret=SECRET)
    response = signed_in("admin").patch(
        f"/api/v1/robots/{robot.pk}", {"secret": ""}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert (response.status_code, response.json()["secret"]) == (200, "")
    assert ChatRobot.objects.get().secret == ""


def test_a_client_robot_through_the_api(signed_in, client_org):
    http = signed_in("manager")
    base = f"/api/v1/clients/{client_org.pk}/robots"
    slack = "https://hooks.slack.com/services/T0/B0/client-key-55aa"
    created = http.post(
        base, {"name": "客户群", "kind": "slack", "webhook_url": slack}, content_type=JSON
    )
    assert (created.status_code, created.json()["client_id"]) == (201, client_org.pk)
    assert [row["webhook_url"] for row in http.get(base).json()] == ["••••55aa"]


def test_an_address_off_the_kinds_host_is_422_on_its_field(signed_in, project):
    response = signed_in("manager").post(
        f"/api/v1/projects/{project.pk}/robots",
        {"name": "群", "kind": "wecom", "webhook_url": DINGTALK_URL},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["webhook_url"]
    assert KEY not in response.content.decode()


def test_the_test_operation_answers_the_delivery(signed_in, project, robots):
    robot = make_robot(project, url=robots.url_for("wecom", KEY))
    http = signed_in("manager")
    url = f"/api/v1/robots/{robot.pk}/test"
    assert http.post(url).json() == {
        "ok": True,
        "permanent": False,
        "answer": "errcode 0: ok",
        "status": 200,
    }
    robots.revoke("wecom", KEY)
    failed = http.post(url).json()
    assert (failed["ok"], failed["permanent"]) == (False, True)
    assert failed["answer"].startswith("errcode 93000")
    read = http.get(f"/api/v1/robots/{robot.pk}").json()
    assert (read["last_test_ok"], read["last_test_answer"]) == (False, failed["answer"])


def test_a_members_view_is_limited_to_their_projects(signed_in, users, client_org, project):
    other = make_project(client_org, manager=users["manager"])
    make_robot(other)
    http = signed_in("member")
    assert http.get(f"/api/v1/projects/{other.pk}/robots").status_code == 404
    hidden = ChatRobot.objects.get()
    assert http.get(f"/api/v1/robots/{hidden.pk}").status_code == 404
    assert http.get(f"/api/v1/projects/{project.pk}/robots").json() == []
