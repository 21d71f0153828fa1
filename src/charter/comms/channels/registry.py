"""Choosing the adapter by robot kind; ``channels.transport`` holds what the adapters share."""

import time
from collections.abc import Callable
from types import ModuleType

import httpx

from charter.comms.channels import dingtalk, feishu, slack, wecom
from charter.comms.channels.base import ChatMessage, Delivery


def post(
    kind: str,
    url: str,
    secret: str,
    message: ChatMessage,
    *,
    client: httpx.Client | None = None,
    now: Callable[[], float] = time.time,
) -> Delivery:
    """Post ``message`` to the robot of ``kind`` ("wecom", "dingtalk", "feishu", "slack") at
    ``url``, signing with ``secret`` where the kind signs. Never raises for a remote or network
    failure: the :class:`Delivery` says whether a retry can help. ``ValueError`` for an unknown
    kind."""
    adapter = _adapter(kind)
    if client is not None:
        return adapter.post(url, secret, message, client=client, now=now)
    with httpx.Client(timeout=10) as own_client:
        return adapter.post(url, secret, message, client=own_client, now=now)


def _adapter(kind: str) -> ModuleType:
    adapters = {"wecom": wecom, "dingtalk": dingtalk, "feishu": feishu, "slack": slack}
    try:
        return adapters[kind]
    except KeyError:
        raise ValueError(f"unknown chat robot kind {kind!r}") from None
