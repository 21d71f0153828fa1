"""The chat-robot adapters against the local fake robots, over real HTTP on 127.0.0.1."""

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from charter.comms.channels import dingtalk, feishu, registry, slack, transport, wecom
from charter.comms.channels.base import ChatMessage
from charter.testing.fake_robots import FakeRobots, Outage

KINDS = ("wecom", "dingtalk", "feishu", "slack")
SIGNING_KINDS = ("dingtalk", "feishu")
TOKEN = "T0001/B0001/k3y-that-must-stay-secret"
SECRET = "SECsigning-secret-never-shown"
MESSAGE = ChatMessage(
    title="项目 PRJ-42 已创建",
    text="客户: Zylker",
    markdown="**客户**: Zylker",
    link="https://charter.example.com/projects/42/",
)
LONG_CHINESE = ChatMessage(
    title="长消息", text="项目进度" * 3000, markdown="项目进度" * 3000, link=MESSAGE.link
)


@pytest.fixture
def robots() -> Iterator[FakeRobots]:
    with FakeRobots(per_minute={"feishu": 3, "slack": 3}) as fake:
        yield fake


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/robot/send?access_token={TOKEN}"


def assert_no_credentials(answer: str) -> None:
    assert "k3y" not in answer
    assert "never-shown" not in answer


# Signing: the documented test vectors (integrations.md §3.2, §3.3).


def test_dingtalk_signature_matches_the_documented_vector() -> None:
    assert dingtalk.sign("SECtestsecret", 1700000000000) == (
        "7LVwF0dAF3/+MRRulbpE4y72Ogzykc6bS2nG4I99T4s="
    )
    url = dingtalk.signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "SECtestsecret",
        timestamp_ms=1700000000000,
    )
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000"
        "&sign=7LVwF0dAF3%2F%2BMRRulbpE4y72Ogzykc6bS2nG4I99T4s%3D"
    )


def test_feishu_signature_matches_the_documented_vector() -> None:
    assert feishu.sign("testsecret", 1700000000) == "AOc8oJ7//5OlQlfWC3nRL0R+IkuzcD1FKcAyibRK9Q8="


# Every adapter against its fake robot.


@pytest.mark.parametrize("kind", KINDS)
def test_a_message_is_delivered(kind: str, robots: FakeRobots, client: httpx.Client) -> None:
    delivery = registry.post(kind, robots.url_for(kind, TOKEN), "", MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent, delivery.status) == (True, False, 200)
    assert len(robots.accepted) == 1
    assert robots.accepted[0].token == TOKEN
    assert MESSAGE.title in str(robots.accepted[0].body)


def test_wecom_sends_markdown_with_the_title_as_heading(
    robots: FakeRobots, client: httpx.Client
) -> None:
    wecom.post(robots.url_for("wecom", TOKEN), "", MESSAGE, client=client)

    body = robots.accepted[0].body
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"] == (
        f"## {MESSAGE.title}\n{MESSAGE.markdown}\n[{MESSAGE.link}]({MESSAGE.link})"
    )


def test_dingtalk_sends_markdown_with_a_title(robots: FakeRobots, client: httpx.Client) -> None:
    dingtalk.post(robots.url_for("dingtalk", TOKEN), "", MESSAGE, client=client)

    markdown = robots.accepted[0].body["markdown"]
    assert markdown["title"] == MESSAGE.title
    assert markdown["text"].startswith(f"### {MESSAGE.title}\n\n{MESSAGE.markdown}")


def test_feishu_sends_a_card(robots: FakeRobots, client: httpx.Client) -> None:
    feishu.post(robots.url_for("feishu", TOKEN), "", MESSAGE, client=client)

    body = robots.accepted[0].body
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"] == MESSAGE.title
    assert body["card"]["elements"][0]["text"]["tag"] == "lark_md"
    assert "timestamp" not in body


def test_slack_sends_a_section_block_with_a_text_fallback(
    robots: FakeRobots, client: httpx.Client
) -> None:
    slack.post(robots.url_for("slack", TOKEN), "", MESSAGE, client=client)

    body = robots.accepted[0].body
    assert body["text"] == f"{MESSAGE.title}\n{MESSAGE.text}"
    assert body["blocks"][0]["text"] == {
        "type": "mrkdwn",
        "text": f"*<{MESSAGE.link}|{MESSAGE.title}>*\n*客户*: Zylker",
    }


def test_slack_mrkdwn_escapes_control_characters_and_converts_links() -> None:
    assert slack.mrkdwn("## A & B\n**x** [docs](https://e.x/a) <b>") == (
        "*A &amp; B*\n*x* <https://e.x/a|docs> &lt;b&gt;"
    )


@pytest.mark.parametrize("kind", SIGNING_KINDS)
def test_a_signed_message_is_accepted(kind: str, robots: FakeRobots, client: httpx.Client) -> None:
    url = robots.url_for(kind, TOKEN, secret=SECRET)

    delivery = registry.post(kind, url, SECRET, MESSAGE, client=client)

    assert delivery.ok, delivery.answer
    assert len(robots.accepted) == 1


@pytest.mark.parametrize(
    ("kind", "code"), [("dingtalk", "errcode 310000"), ("feishu", "code 19021")]
)
def test_a_wrong_secret_is_refused_for_good(
    kind: str, code: str, robots: FakeRobots, client: httpx.Client
) -> None:
    url = robots.url_for(kind, TOKEN, secret=SECRET)

    delivery = registry.post(kind, url, "SECsome-other-secret", MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent) == (False, True)
    assert delivery.answer.startswith(f"{code}: ")
    assert "sign" in delivery.answer
    assert robots.accepted == []


@pytest.mark.parametrize("kind", SIGNING_KINDS)
def test_a_missing_signature_is_refused(
    kind: str, robots: FakeRobots, client: httpx.Client
) -> None:
    url = robots.url_for(kind, TOKEN, secret=SECRET)

    delivery = registry.post(kind, url, "", MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent) == (False, True)


@pytest.mark.parametrize("kind", SIGNING_KINDS)
def test_a_signature_from_a_clock_two_hours_off_is_refused(
    kind: str, robots: FakeRobots, client: httpx.Client
) -> None:
    url = robots.url_for(kind, TOKEN, secret=SECRET)

    def two_hours_ago() -> float:
        return time.time() - 7200

    delivery = registry.post(kind, url, SECRET, MESSAGE, client=client, now=two_hours_ago)

    assert (delivery.ok, delivery.permanent) == (False, True)


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        ("wecom", "errcode 93000: invalid webhook url"),
        ("dingtalk", "errcode 300001: token is not exist"),
        ("feishu", "code 19001: param invalid"),
        ("slack", "no_service"),
    ],
)
def test_a_removed_robot_is_a_permanent_failure(
    kind: str, answer: str, robots: FakeRobots, client: httpx.Client
) -> None:
    url = robots.url_for(kind, TOKEN)
    robots.revoke(kind, TOKEN)

    delivery = registry.post(kind, url, "", MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent) == (False, True)
    assert delivery.answer.startswith(answer)
    assert_no_credentials(delivery.answer)


@pytest.mark.parametrize(
    ("kind", "allowed", "answer"),
    [
        ("wecom", 20, "errcode 45009: api freq out of limit"),
        ("dingtalk", 20, "errcode 130101: send too fast"),
        ("feishu", 3, "code 11232: frequency limited"),
        ("slack", 3, "HTTP 429: rate_limited"),
    ],
)
def test_going_over_the_rate_limit_is_temporary(
    kind: str, allowed: int, answer: str, robots: FakeRobots, client: httpx.Client
) -> None:
    url = robots.url_for(kind, TOKEN)
    for _ in range(allowed):
        assert registry.post(kind, url, "", MESSAGE, client=client).ok

    delivery = registry.post(kind, url, "", MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent) == (False, False)
    assert delivery.answer.startswith(answer)


@pytest.mark.parametrize("kind", KINDS)
def test_a_robot_that_is_down_is_temporary(kind: str, client: httpx.Client) -> None:
    delivery = registry.post(kind, closed_port_url(), SECRET, MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent, delivery.status) == (False, False, None)
    assert delivery.answer == "No answer: could not connect."


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_error_is_temporary(kind: str, robots: FakeRobots, client: httpx.Client) -> None:
    url = robots.url_for(kind, TOKEN)
    robots.set_outage(kind, TOKEN, Outage(status=502, body="<html>Bad Gateway</html>"))

    delivery = registry.post(kind, url, "", MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent, delivery.status) == (False, False, 502)
    assert delivery.answer == "HTTP 502: <html>Bad Gateway</html>"


def test_a_timeout_is_temporary(robots: FakeRobots) -> None:
    url = robots.url_for("wecom", TOKEN)
    robots.set_outage("wecom", TOKEN, Outage(delay=1.0))

    with httpx.Client(timeout=0.2) as impatient:
        delivery = registry.post("wecom", url, "", MESSAGE, client=impatient)

    assert (delivery.ok, delivery.permanent) == (False, False)
    assert delivery.answer == "No answer: timed out."


def test_an_address_that_is_not_a_robot_is_permanent(
    robots: FakeRobots, client: httpx.Client
) -> None:
    delivery = registry.post("wecom", f"{robots.base_url}/elsewhere", "", MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent, delivery.status) == (False, True, 404)


def test_a_malformed_address_is_permanent(client: httpx.Client) -> None:
    delivery = registry.post("slack", "hooks.slack.com/services/x", "", MESSAGE, client=client)

    assert (delivery.ok, delivery.permanent) == (False, True)


# Size limits.


def test_long_chinese_text_fits_wecom_markdown_and_keeps_the_link(
    robots: FakeRobots, client: httpx.Client
) -> None:
    delivery = wecom.post(robots.url_for("wecom", TOKEN), "", LONG_CHINESE, client=client)

    assert delivery.ok, delivery.answer
    content = robots.accepted[0].body["markdown"]["content"]
    assert 4090 <= len(content.encode()) <= wecom.MARKDOWN_LIMIT
    assert content.endswith(f"…\n[{MESSAGE.link}]({MESSAGE.link})")


def test_the_fake_wecom_refuses_content_over_the_byte_limit(
    robots: FakeRobots, client: httpx.Client
) -> None:
    oversized = {"msgtype": "markdown", "markdown": {"content": "进" * 1366}}  # 4098 bytes

    answer = client.post(robots.url_for("wecom", TOKEN), json=oversized).json()

    assert answer["errcode"] == 40058


def test_long_chinese_text_fits_the_feishu_body_limit(
    robots: FakeRobots, client: httpx.Client
) -> None:
    url = robots.url_for("feishu", TOKEN, secret=SECRET)

    delivery = feishu.post(url, SECRET, LONG_CHINESE, client=client)

    assert delivery.ok, delivery.answer


def test_long_text_fits_a_slack_section(robots: FakeRobots, client: httpx.Client) -> None:
    slack.post(robots.url_for("slack", TOKEN), "", LONG_CHINESE, client=client)

    section = robots.accepted[0].body["blocks"][0]["text"]["text"]
    assert len(section) == slack.SECTION_LIMIT
    assert section.endswith("…")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("项目", 6, "项目"),
        ("项目进度", 9, "项目…"),
        ("项目进度", 10, "项目…"),  # the 4th byte of budget is half a character: dropped
        ("ab项目", 7, "ab…"),
    ],
)
def test_fit_utf8_cuts_at_a_character_boundary(text: str, limit: int, expected: str) -> None:
    assert transport.fit_utf8(text, limit) == expected


# The registry.


def test_the_registry_makes_its_own_client_when_none_is_given(robots: FakeRobots) -> None:
    delivery = registry.post("slack", robots.url_for("slack", TOKEN), "", MESSAGE)

    assert delivery.ok


def test_the_registry_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="telegram"):
        registry.post("telegram", "https://example.com", "", MESSAGE)
