"""Personal links for people without an account (a contact answering a questionnaire,
confirming a document): an unguessable token goes into the link, only its SHA-256 is stored.
Each purpose keeps its hashes in its own table, so a token opens exactly one thing."""

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpResponse

TOKEN_BYTES = 32


def new_token() -> tuple[str, str]:
    """A fresh token for a link and the digest to store."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, digest(raw)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


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
