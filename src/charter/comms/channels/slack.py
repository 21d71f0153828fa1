"""Slack incoming webhook: ``POST https://hooks.slack.com/services/…`` with a section block and
a plain-text fallback; the answer is plain text, ``ok`` or an error code (integrations.md §3.4)."""

import re
import time
from collections.abc import Callable

import httpx

from charter.comms.channels.base import ChatMessage, Delivery
from charter.comms.channels.transport import ELLIPSIS, exchange, http_failure

SECTION_LIMIT = 3000  # characters of a section block's text (Block Kit)
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
MARKDOWN_BOLD = re.compile(r"\*\*(.+?)\*\*")
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)


def post(
    url: str,
    secret: str,
    message: ChatMessage,
    *,
    client: httpx.Client,
    now: Callable[[], float] = time.time,
) -> Delivery:
    """Post ``message``; ``secret`` and ``now`` are unused (the webhook URL is the credential).
    A 4xx answer (``invalid_payload``, ``no_service``, ``channel_is_archived`` …) is permanent;
    429 and 5xx are handled as temporary by :func:`exchange`."""
    result = exchange(client, url, payload(message))
    if isinstance(result, Delivery):
        return result
    answer = result.text.strip()
    if result.status_code == 200 and answer == "ok":
        return Delivery(ok=True, permanent=False, answer=answer, status=200)
    if 400 <= result.status_code < 500:
        return Delivery(ok=False, permanent=True, answer=answer, status=result.status_code)
    return http_failure(result, permanent=True)


def payload(message: ChatMessage) -> dict[str, object]:
    """Slack's mrkdwn links are ``<url|label>``; ``text`` is the notification fallback."""
    title = escape(message.title)
    heading = f"*<{message.link}|{title}>*" if message.link else f"*{title}*"
    section = _cut(f"{heading}\n{mrkdwn(message.markdown)}", SECTION_LIMIT)
    fallback = escape(f"{message.title}\n{message.text}")
    return {
        "text": fallback,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": section}}],
    }


def mrkdwn(markdown: str) -> str:
    """Common Markdown to Slack's mrkdwn: escaped first, then links become ``<url|label>``,
    bold and headings become ``*bold*``."""
    text = MARKDOWN_LINK.sub(r"<\2|\1>", escape(markdown))
    text = MARKDOWN_BOLD.sub(r"*\1*", text)
    return MARKDOWN_HEADING.sub(r"*\1*", text)


def escape(text: str) -> str:
    """Slack reads ``& < >`` as control characters in any text field."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS
