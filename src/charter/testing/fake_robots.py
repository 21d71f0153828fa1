"""A local stand-in for the WeCom, DingTalk, Feishu and Slack webhooks, following their
documented contracts (../shared/integrations.md §3.5): real HTTP on 127.0.0.1, so adapters are
tested over the wire. Signatures are checked by its own code, not the adapters'.

    with FakeRobots() as robots:
        url = robots.url_for("dingtalk", "tok", secret="SECxyz")
        ...post to url...
        assert robots.accepted[-1].body["msgtype"] == "markdown"

Error texts the docs do not pin down (marked [U] there) are plausible, not authoritative."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Self

WINDOW = 60.0  # seconds over which messages are counted against the per-minute limit
SIGNATURE_WINDOW = 3600.0  # seconds a signed timestamp may differ from the server's clock
FEISHU_BODY_LIMIT = 20 * 1024
WECOM_LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
WECOM_MSGTYPES = {*WECOM_LIMITS, "image", "news", "file", "voice", "template_card"}
DINGTALK_MSGTYPES = {"text", "link", "markdown", "actionCard", "feedCard"}
FEISHU_MSGTYPES = {"text", "post", "image", "share_chat", "interactive"}
DEFAULT_PER_MINUTE: dict[str, int | None] = {
    "wecom": 20,
    "dingtalk": 20,
    "feishu": 100,
    "slack": None,  # Slack allows bursts; pass a number to get 429 rate_limited
}


class Received(NamedTuple):
    """One request to a robot: ``query`` holds single values, ``body`` is the parsed JSON
    (None when the body was not JSON)."""

    kind: str
    token: str
    query: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Outage:
    """Make a robot answer this raw HTTP status and body (after ``delay`` seconds) instead of
    processing the message: a 5xx, a proxy error page, or a hang to trigger a client timeout."""

    status: int = 503
    body: str = "Service Unavailable"
    delay: float = 0.0


@dataclass
class _Robot:
    secret: str = ""
    keywords: tuple[str, ...] = ()
    outage: Outage | None = None
    sent_at: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: str
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


class FakeRobots:
    """The fake server. Robots exist once :meth:`url_for` has built their URL; any other
    token is unknown to the fake (WeCom 93000, DingTalk 300001, Feishu 19001, Slack 404
    no_service). ``received`` lists every request, ``accepted`` the messages shown in a chat.
    ``now`` is the server's clock (signature windows, per-minute limits)."""

    def __init__(
        self,
        *,
        now: Callable[[], float] = time.time,
        per_minute: Mapping[str, int | None] | None = None,
    ) -> None:
        self.now = now
        self.per_minute = {**DEFAULT_PER_MINUTE, **(per_minute or {})}
        self.received: list[Received] = []
        self.accepted: list[Received] = []
        self._robots: dict[tuple[str, str], _Robot] = {}
        self._lock = threading.Lock()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def url_for(
        self, kind: str, token: str, *, secret: str = "", keywords: tuple[str, ...] = ()
    ) -> str:
        """Create (or reconfigure) the robot and return its webhook URL. With ``secret`` the
        DingTalk / Feishu robot requires signed requests; with ``keywords`` every message must
        contain one of them."""
        with self._lock:
            robot = self._robots.setdefault((kind, token), _Robot())
            robot.secret, robot.keywords = secret, keywords
        quoted = urllib.parse.quote(token, safe="/")
        paths = {
            "wecom": f"/cgi-bin/webhook/send?key={quoted}",
            "dingtalk": f"/robot/send?access_token={quoted}",
            "feishu": f"/open-apis/bot/v2/hook/{quoted}",
            "slack": f"/services/{quoted}",
        }
        return self.base_url + paths[kind]

    def revoke(self, kind: str, token: str) -> None:
        """Remove the robot, as when someone deletes it from the group."""
        with self._lock:
            del self._robots[(kind, token)]

    def set_outage(self, kind: str, token: str, outage: Outage | None) -> None:
        with self._lock:
            self._robots[(kind, token)].outage = outage

    def answer(self, path: str, raw: bytes) -> _Answer:
        """What the robot behind ``path`` answers to the POST body ``raw``."""
        kind, token, query = _route(path)
        if not kind:
            return _Answer(404, "404 page not found", "text/plain")
        body = _parse_json(raw)
        with self._lock:
            self.received.append(Received(kind, token, query, body))
            robot = self._robots.get((kind, token))
            outage = robot.outage if robot else None
        if outage:
            time.sleep(outage.delay)
            return _Answer(outage.status, outage.body, "text/html")
        with self._lock:
            return self._check(kind, token, robot, query, raw, body)

    def _check(
        self,
        kind: str,
        token: str,
        robot: _Robot | None,
        query: dict[str, str],
        raw: bytes,
        body: Any,
    ) -> _Answer:
        checks = {
            "wecom": _check_wecom,
            "dingtalk": _check_dingtalk,
            "feishu": _check_feishu,
            "slack": _check_slack,
        }
        refusal = checks[kind](robot, query, raw, body, self.now())
        if refusal:
            return refusal
        assert robot is not None  # every check refuses an unknown robot
        if self._over_limit(kind, robot):
            return _RATE_LIMITED[kind]
        robot.sent_at.append(self.now())
        self.accepted.append(Received(kind, token, query, body))
        return _OK[kind]

    def _over_limit(self, kind: str, robot: _Robot) -> bool:
        limit = self.per_minute[kind]
        recent = [sent for sent in robot.sent_at if sent > self.now() - WINDOW]
        robot.sent_at[:] = recent
        return limit is not None and len(recent) >= limit


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, robots: FakeRobots) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.robots = robots


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = self.server.robots.answer(self.path, raw)
        encoded = answer.body.encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", f"{answer.content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(encoded)))
        for name, value in answer.headers:
            self.send_header(name, value)
        try:
            self.end_headers()
            self.wfile.write(encoded)
        except ConnectionError:
            self.close_connection = True  # the client gave up waiting (timeout tests)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: request lines carry the robots' keys."""


def _route(path: str) -> tuple[str, str, dict[str, str]]:
    split = urllib.parse.urlsplit(path)
    query = dict(urllib.parse.parse_qsl(split.query))
    route = urllib.parse.unquote(split.path)
    if route == "/cgi-bin/webhook/send":
        return "wecom", query.get("key", ""), query
    if route == "/robot/send":
        return "dingtalk", query.get("access_token", ""), query
    for kind, prefix in (("feishu", "/open-apis/bot/v2/hook/"), ("slack", "/services/")):
        if route.startswith(prefix):
            return kind, route.removeprefix(prefix), query
    return "", "", query


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _json_answer(**fields: object) -> _Answer:
    return _Answer(200, json.dumps(fields, ensure_ascii=False))


def _lacks_keyword(robot: _Robot, body: Any) -> bool:
    shown = json.dumps(body, ensure_ascii=False)
    return bool(robot.keywords) and not any(keyword in shown for keyword in robot.keywords)


def _check_wecom(
    robot: _Robot | None, query: dict[str, str], raw: bytes, body: Any, now: float
) -> _Answer | None:
    if robot is None:
        return _json_answer(errcode=93000, errmsg="invalid webhook url, hint: [fake robots]")
    if not isinstance(body, dict):
        return _json_answer(errcode=40035, errmsg="invalid args, Warning: wrong json format.")
    msgtype = body.get("msgtype")
    if msgtype not in WECOM_MSGTYPES:
        return _json_answer(errcode=40008, errmsg="invalid message type")
    if msgtype not in WECOM_LIMITS:
        return None
    if not _has_fields(body.get(msgtype), "content"):
        return _json_answer(errcode=40035, errmsg=f"invalid args, {msgtype}.content missing")
    limit = WECOM_LIMITS[msgtype]
    if len(body[msgtype]["content"].encode()) > limit:
        return _json_answer(errcode=40058, errmsg=f"{msgtype}.content exceed max length {limit}")
    return None


def _check_dingtalk(
    robot: _Robot | None, query: dict[str, str], raw: bytes, body: Any, now: float
) -> _Answer | None:
    if robot is None:
        return _json_answer(errcode=300001, errmsg="token is not exist")
    if robot.secret:
        refusal = _dingtalk_signature_refusal(robot.secret, query, now)
        if refusal:
            return _json_answer(errcode=310000, errmsg=refusal)
    if not isinstance(body, dict) or body.get("msgtype") not in DINGTALK_MSGTYPES:
        return _json_answer(errcode=40035, errmsg="缺少参数 json")
    if body["msgtype"] == "markdown" and not _has_fields(body.get("markdown"), "title", "text"):
        return _json_answer(errcode=40035, errmsg="缺少参数 markdown.title/markdown.text")
    if _lacks_keyword(robot, body):
        return _json_answer(errcode=310000, errmsg="keywords not in content")
    return None


def _dingtalk_signature_refusal(secret: str, query: dict[str, str], now: float) -> str:
    timestamp = query.get("timestamp", "")
    if not timestamp.isdigit() or abs(now * 1000 - int(timestamp)) > SIGNATURE_WINDOW * 1000:
        return "invalid timestamp"
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    given = query.get("sign", "")  # parse_qsl has already URL-decoded it
    if not hmac.compare_digest(base64.b64encode(expected.digest()).decode(), given):
        return "sign not match"
    return ""


def _has_fields(part: Any, *names: str) -> bool:
    return isinstance(part, dict) and all(isinstance(part.get(name), str) for name in names)


def _check_feishu(
    robot: _Robot | None, query: dict[str, str], raw: bytes, body: Any, now: float
) -> _Answer | None:
    if robot is None:
        return _json_answer(
            code=19001, msg="param invalid: incoming webhook access token invalid", data={}
        )
    if len(raw) > FEISHU_BODY_LIMIT or not _feishu_well_formed(body):
        return _json_answer(code=9499, msg="Bad Request", data={})
    if robot.secret and not _feishu_signed(robot.secret, body, now):
        return _json_answer(
            code=19021,
            msg="sign match fail or timestamp is not within one hour from current time",
            data={},
        )
    if _lacks_keyword(robot, body):
        return _json_answer(code=19024, msg="Key Words Not Found", data={})
    return None


def _feishu_well_formed(body: Any) -> bool:
    if not isinstance(body, dict) or body.get("msg_type") not in FEISHU_MSGTYPES:
        return False
    if body["msg_type"] == "interactive":
        return isinstance(body.get("card"), dict)
    return isinstance(body.get("content"), dict)


def _feishu_signed(secret: str, body: dict[str, Any], now: float) -> bool:
    timestamp = str(body.get("timestamp", ""))
    if not timestamp.isdigit() or abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    expected = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(expected).decode(), str(body.get("sign", "")))


def _check_slack(
    robot: _Robot | None, query: dict[str, str], raw: bytes, body: Any, now: float
) -> _Answer | None:
    if robot is None:
        return _Answer(404, "no_service", "text/html")
    if not isinstance(body, dict):
        return _Answer(400, "invalid_payload", "text/html")
    if not body.get("text") and not body.get("blocks"):
        return _Answer(400, "no_text", "text/html")
    return None


_OK = {
    "wecom": _json_answer(errcode=0, errmsg="ok"),
    "dingtalk": _json_answer(errcode=0, errmsg="ok"),
    "feishu": _json_answer(
        code=0, msg="success", data={}, Extra=None, StatusCode=0, StatusMessage="success"
    ),
    "slack": _Answer(200, "ok", "text/html"),
}
_RATE_LIMITED = {
    "wecom": _json_answer(errcode=45009, errmsg="api freq out of limit"),
    "dingtalk": _json_answer(errcode=130101, errmsg="send too fast, exceed 20 times per minute"),
    "feishu": _json_answer(code=11232, msg="frequency limited", data={}),
    "slack": _Answer(429, "rate_limited", "text/html", (("Retry-After", "1"),)),
}
