"""Secrets stored encrypted at rest (chat-robot webhook keys, signing secrets): Fernet
(AES-128-CBC with HMAC-SHA256) under a key derived from SECRET_KEY by HKDF. Keys derived from
SECRET_KEY_FALLBACKS still decrypt, so SECRET_KEY can be rotated; a value is re-encrypted under
the current key the next time it is saved."""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

SALT = b"charter.core.crypto"


class SecretUnreadable(ValueError):
    """Stored with a key this installation no longer has (SECRET_KEY changed without keeping
    the old one in SECRET_KEY_FALLBACKS)."""


def _fernet_of(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=b"stored secrets").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


@cache
def _keys(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet_of(key) for key in (secret_key, *fallbacks)])


def _current() -> MultiFernet:
    return _keys(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted: SECRET_KEY changed without the old key in "
            "SECRET_KEY_FALLBACKS"
        ) from error


def masked(text: str) -> str:
    """What a page may show of a secret: its last four characters."""
    return "" if not text else "••••" + text[-4:]


class EncryptedTextField(models.TextField):
    """Text stored encrypted; Python code sees the plain text. Not searchable or sortable."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str:
        return "" if not value else decrypt(value)

    def get_prep_value(self, value: object) -> str:
        text = super().get_prep_value(value)
        return "" if not text else encrypt(text)
