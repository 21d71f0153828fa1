"""DingTalk (钉钉) custom robot: ``POST …/robot/send?access_token=…`` with a markdown message,
signed when the robot has "加签" turned on (integrations.md §3.2)."""

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Callable

import httpx

from charter.comms.channels.base import ChatMessage, Delivery
from charter.comms.channels.transport import code_delivery, exchange

# 130101 sending too fast, 90030 webhook over limit, -1 system busy. 310000 (signature,
# keyword or IP check), 300001 (no such token), 40035 (missing parameter) and any other
# non-zero code are permanent.
TEMPORARY_CODES = frozenset({-1, 130101, 90030})


def post(
    url: str,
    secret: str,
    message: ChatMessage,
    *,
    client: httpx.Client,
    now: Callable[[], float] = time.time,
) -> Delivery:
    """Post ``message`` as markdown, signing the URL when ``secret`` is given."""
    target = signed_url(url, secret, timestamp_ms=round(now() * 1000)) if secret else url
    result = exchange(client, target, payload(message))
    if isinstance(result, Delivery):
        return result
    return code_delivery(
        result, code_key="errcode", message_key="errmsg", temporary=TEMPORARY_CODES
    )


def payload(message: ChatMessage) -> dict[str, object]:
    """DingTalk shows ``title`` in the conversation list and ``text`` in the chat."""
    parts = [f"### {message.title}", message.markdown]
    if message.link:
        parts.append(f"[{message.link}]({message.link})")
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": "\n\n".join(parts)}}


def sign(secret: str, timestamp_ms: int) -> str:
    """Base64 of HMAC-SHA256 keyed by the secret over "timestamp\\nsecret" (not yet URL-encoded)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, *, timestamp_ms: int) -> str:
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": sign(secret, timestamp_ms)})
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}{query}"
