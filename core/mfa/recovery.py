"""Recovery codes: ten single-use codes for when the phone is lost or left at home.

Each code is 10 characters from an alphabet without look-alikes (about 49 bits), shown
once as ``abcde-fghjk``. Only a SHA-256 hash is kept: the codes are long and random, so
a slow hash adds nothing.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, func, select

from core.extensions import db
from core.models import RecoveryCode, User
from core.models._types import utcnow

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def looks_like_one(code: str) -> bool:
    normal = _normal(code)
    return len(normal) == LENGTH and normal.isascii()


def make_codes(user: User) -> list[str]:
    """Replace the user's codes with ten new ones; returns them for showing once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(COUNT):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def use_code(user: User, code: str) -> bool:
    """Spend one of the user's unused codes, if ``code`` is one."""
    if not looks_like_one(code):
        return False
    row = db.session.scalar(
        select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def remaining(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def forget(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
