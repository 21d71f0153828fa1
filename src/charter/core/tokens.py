"""Personal links for people without an account (a contact answering a questionnaire,
confirming a document): an unguessable token goes into the link, only its SHA-256 is stored.
Each purpose keeps its hashes in its own table, so a token opens exactly one thing."""

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> tuple[str, str]:
    """A fresh token for a link and the digest to store."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, digest(raw)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
