"""Encrypting TOTP secrets at rest.

A TOTP secret has to be read back to check a code, so it cannot be hashed like a
password. It is encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from the
``cryptography`` package) under a key derived from SECRET_KEY with HKDF, so a copy of the
database alone does not give anyone the second factor. Changing SECRET_KEY makes the
stored secrets unreadable: users then enrol again (docs/security.md says so).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_INFO = b"careaudit two-step verification secrets"


def _fernet() -> Fernet:
    secret_key = str(current_app.config["SECRET_KEY"]).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(token: str) -> str | None:
    """The secret, or None when it cannot be read (SECRET_KEY changed, or tampering)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
