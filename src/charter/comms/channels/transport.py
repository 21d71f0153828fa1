"""What every chat-robot adapter shares: one HTTP exchange that turns transport failures into a
:class:`Delivery`, the reading of ``{code, message}`` JSON answers, and cutting text to a byte
budget."""

from collections.abc import Collection

import httpx
from django.utils.translation import gettext

from charter.comms.channels.base import Delivery

ELLIPSIS = "…"
REMOTE_TEXT_LIMIT = 300  # characters of an unexpected remote body kept as the answer


def exchange(client: httpx.Client, url: str, body: object) -> httpx.Response | Delivery:
    """POST ``body`` as JSON. Returns the response for the adapter to read, or the Delivery
    when nothing usable came back: no connection, a timeout, or an HTTP 5xx / 429 (all worth
    retrying). Answers never quote the URL: its key is the robot's credential."""
    try:
        response = client.post(url, json=body)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return Delivery(ok=False, permanent=True, answer=gettext("Invalid webhook address."))
    except httpx.TimeoutException:
        return Delivery(ok=False, permanent=False, answer=gettext("No answer: timed out."))
    except httpx.TransportError:
        return Delivery(ok=False, permanent=False, answer=gettext("No answer: could not connect."))
    if response.status_code >= 500 or response.status_code == 429:
        return http_failure(response, permanent=False)
    return response


def http_failure(response: httpx.Response, *, permanent: bool) -> Delivery:
    answer = f"HTTP {response.status_code}: {response.text.strip()[:REMOTE_TEXT_LIMIT]}"
    return Delivery(ok=False, permanent=permanent, answer=answer, status=response.status_code)


def code_delivery(
    response: httpx.Response, *, code_key: str, message_key: str, temporary: Collection[int]
) -> Delivery:
    """Read a ``{code_key: int, message_key: str}`` answer: code 0 is success; the codes in
    ``temporary`` (rate limits, busy) are worth retrying; any other code is permanent. A 4xx
    or a body that is not such JSON means the address is not this robot: permanent."""
    if response.status_code >= 400:
        return http_failure(response, permanent=True)
    try:
        payload = response.json()
        code = int(payload[code_key])
    except (ValueError, TypeError, KeyError):
        return http_failure(response, permanent=True)
    text = f"{code_key} {code}: {payload.get(message_key, '')}"
    return Delivery(
        ok=code == 0,
        permanent=code != 0 and code not in temporary,
        answer=text,
        status=response.status_code,
    )


def fit_utf8(text: str, limit: int) -> str:
    """``text`` cut so its UTF-8 form is at most ``limit`` bytes, ending in an ellipsis when
    cut; never splits a character."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    budget = limit - len(ELLIPSIS.encode())
    return encoded[:budget].decode(errors="ignore") + ELLIPSIS
