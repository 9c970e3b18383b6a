"""Secrets the server must read back (a webhook's signing key), encrypted at rest.

A database dump or a read-only SQL hole must not hand out the keys that sign Nexus's
webhook deliveries, yet the server needs them in clear to sign. So they are stored as
Fernet tokens (AES-128-CBC with an HMAC-SHA256, from the `cryptography` package) under a
key derived from SECRET_KEY. Rotating SECRET_KEY keeps them readable while the old key is
in SECRET_KEY_FALLBACKS; `manage.py nexus_reencrypt` then rewrites them under the new one.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Bound into the derived key, so that no other use of SECRET_KEY yields the same bytes.
_PURPOSE = b"nexus.core.encryption.v1"


def _fernet_key(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=4)
def _cipher(secrets: tuple[str, ...]) -> MultiFernet:
    # The first key encrypts; every key decrypts. Cached by the keys themselves, so a test
    # that overrides SECRET_KEY gets its own cipher.
    return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets])


def _current_cipher() -> MultiFernet:
    return _cipher((settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def encrypt(text: str) -> str:
    return _current_cipher().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current_cipher().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as error:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted: it was encrypted under a SECRET_KEY that is "
            "neither the current one nor in SECRET_KEY_FALLBACKS. Put the old key back in "
            "SECRET_KEY_FALLBACKS (and run `manage.py nexus_reencrypt`)."
        ) from error


class EncryptedTextField(models.TextField):
    """Text stored encrypted: Python code sees clear text, the database a Fernet token.
    Tokens are randomised, so the column cannot be searched or compared in SQL."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)
