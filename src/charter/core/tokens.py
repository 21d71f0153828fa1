"""Personal links for people without an account (a contact answering a questionnaire,
confirming a document). A link's token is an HMAC, under the server's secret key, of a random
nonce kept on the row: the server can show or e-mail the same link again (a reminder carries the
link the contact already has), while the database alone gives no working link — it holds the
nonce and, for the lookup, the token's SHA-256. Each purpose has its own key and table, so a
token opens exactly one thing; a new nonce retires the old link."""

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urljoin

from django.http import HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils.crypto import salted_hmac


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def link_token(purpose: str, nonce: str) -> str:
    return salted_hmac(f"charter.link.{purpose}", nonce, algorithm="sha256").hexdigest()


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def absolute_link(url_name: str, base_url: str, **kwargs: Any) -> str:
    """A link to put in an e-mail: ``url_name`` reversed with ``kwargs`` under ``base_url``,
    the site's root URL (the worker has no request to build it from)."""
    # reverse() adds the script prefix only inside a request; the worker has none to add.
    relative = reverse(url_name, kwargs=kwargs).removeprefix(get_script_prefix())
    return urljoin(base_url.rstrip("/") + "/", relative)


def link_page[View: Callable[..., HttpResponse]](view: View) -> View:
    """For a view whose URL carries a token: no cache keeps the page, and the Referer sent to
    other sites never carries the URL (same-origin, not no-referrer: with no-referrer the
    browser sends "Origin: null" on the page's own form posts and CSRF refuses them)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> HttpResponse:
        response = view(*args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        return response

    return guarded  # type: ignore[return-value]
