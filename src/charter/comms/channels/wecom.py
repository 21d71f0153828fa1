"""WeCom (企业微信) group robot: ``POST …/cgi-bin/webhook/send?key=…`` with a markdown message
(integrations.md §3.1). No signing: the key in the URL is the credential."""

import time
from collections.abc import Callable

import httpx

from charter.comms.channels.base import ChatMessage, Delivery
from charter.comms.channels.transport import code_delivery, exchange, fit_utf8

MARKDOWN_LIMIT = 4096  # bytes of UTF-8 in markdown.content
# -1 system busy, 45009 over 20 messages a minute; every other non-zero code is permanent.
TEMPORARY_CODES = frozenset({-1, 45009})


def post(
    url: str,
    secret: str,
    message: ChatMessage,
    *,
    client: httpx.Client,
    now: Callable[[], float] = time.time,
) -> Delivery:
    """Post ``message`` as markdown; ``secret`` and ``now`` are unused (WeCom does not sign)."""
    result = exchange(client, url, payload(message))
    if isinstance(result, Delivery):
        return result
    return code_delivery(
        result, code_key="errcode", message_key="errmsg", temporary=TEMPORARY_CODES
    )


def payload(message: ChatMessage) -> dict[str, object]:
    """The title as a heading, the markdown body, then the link; the link is kept when the body
    has to be cut to fit."""
    link_line = f"\n[{message.link}]({message.link})" if message.link else ""
    budget = MARKDOWN_LIMIT - len(link_line.encode())
    content = fit_utf8(f"## {message.title}\n{message.markdown}", budget) + link_line
    return {"msgtype": "markdown", "markdown": {"content": fit_utf8(content, MARKDOWN_LIMIT)}}
