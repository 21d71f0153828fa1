"""Feishu / Lark (飞书) custom bot: ``POST …/open-apis/bot/v2/hook/<token>`` with an
``interactive`` card, signed in the body when the bot has signing turned on
(integrations.md §3.3)."""

import base64
import hashlib
import hmac
import time
from collections.abc import Callable

import httpx

from charter.comms.channels.base import ChatMessage, Delivery
from charter.comms.channels.transport import code_delivery, exchange, fit_utf8

# The whole body may be at most 20 KB; the card's markdown gets this many bytes of it.
CONTENT_LIMIT = 16 * 1024
# 11232 frequency limited. 19021 (signature or timestamp), 19024 (keywords), 19022 (IP),
# 9499 (malformed) and any other non-zero code are permanent.
TEMPORARY_CODES = frozenset({11232})


def post(
    url: str,
    secret: str,
    message: ChatMessage,
    *,
    client: httpx.Client,
    now: Callable[[], float] = time.time,
) -> Delivery:
    """Post ``message`` as a card, adding ``timestamp`` and ``sign`` when ``secret`` is given."""
    body = card_payload(message)
    if secret:
        timestamp = int(now())
        body |= {"timestamp": str(timestamp), "sign": sign(secret, timestamp)}
    result = exchange(client, url, body)
    if isinstance(result, Delivery):
        return result
    return code_delivery(result, code_key="code", message_key="msg", temporary=TEMPORARY_CODES)


def card_payload(message: ChatMessage) -> dict[str, object]:
    """A card with the title as its header and the markdown (and link) as lark_md."""
    content = message.markdown + (f"\n[{message.link}]({message.link})" if message.link else "")
    return {
        "msg_type": "interactive",
        "card": {
            "header": {
                "title": {"tag": "plain_text", "content": message.title},
                "template": "blue",
            },
            "elements": [
                {
                    "tag": "div",
                    "text": {"tag": "lark_md", "content": fit_utf8(content, CONTENT_LIMIT)},
                }
            ],
        },
    }


def sign(secret: str, timestamp: int) -> str:
    """Base64 of HMAC-SHA256 keyed by "timestamp\\nsecret" over an empty message (Feishu's
    scheme: the string to sign is the key, unlike DingTalk)."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
