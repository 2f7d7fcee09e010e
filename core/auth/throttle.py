"""Sign-in throttling, counted in the database so every worker and server agrees.

Per account (keyed by a SHA-256 of the lower-cased email, so unknown addresses are
throttled exactly like real ones and reveal nothing): once ``SIGN_IN_ACCOUNT_FAILURES``
(10) failures fall within 5 minutes, with no successful sign-in since, the account is
held for a delay that doubles with each further failure (1, 2, 4, 8 minutes...),
capped at 15 minutes, until a successful sign-in (or 24 hours) clears the count.
Attempts made while held are refused without checking the password and do not
lengthen the hold, so the owner can always sign in once it lapses.

Per address: ``SIGN_IN_ADDRESS_FAILURES`` (50) failures from one address within 5
minutes hold that address until the oldest of them is 5 minutes old.

Trusted devices (``core.auth.devices``): a browser that has signed in to the account
before is counted on its own, against its own failures only, and is not held by the
address count; every other browser shares the account's "untrusted" count. So an
attacker can hold the account against unknown browsers but never against its owner's.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from core.extensions import db
from core.models.sessions import SignInAttempt
from core.sessions import clock

WINDOW = timedelta(minutes=5)
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(minutes=15)
#: Failures older than this are forgotten, however many there were.
MEMORY = timedelta(hours=24)


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def held_until(email: str, ip_address: str, device: str | None = None) -> datetime | None:
    """When this account or address may next be tried from this browser, or None if now.

    ``device`` is the browser's trusted device id for this account, if it has one."""
    now = clock.now()
    holds = [_account_held_until(email_hash(email), now, device)]
    if device is None:
        holds.append(_address_held_until(ip_address, now))
    return max((t for t in holds if t is not None), default=None)


def _account_held_until(key: str, now: datetime, device: str | None) -> datetime | None:
    last_success = db.session.scalar(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.email_hash == key, SignInAttempt.success.is_(True)
        )
    )
    since = max(now - MEMORY, last_success) if last_success else now - MEMORY
    failures = list(
        db.session.scalars(
            select(SignInAttempt.at)
            .where(
                SignInAttempt.email_hash == key,
                SignInAttempt.success.is_(False),
                SignInAttempt.at > since,
                (
                    SignInAttempt.device.is_(None)
                    if device is None
                    else SignInAttempt.device == device
                ),
            )
            .order_by(SignInAttempt.at)
        )
    )
    limit = current_app.config.get("SIGN_IN_ACCOUNT_FAILURES", 10)
    if len(failures) < limit:
        return None
    # The first hold needs `limit` failures within the window; once held, the account
    # stays on the doubling ladder until a success (or MEMORY) clears it.
    first_burst = any(
        failures[i + limit - 1] - failures[i] <= WINDOW for i in range(len(failures) - limit + 1)
    )
    if not first_burst:
        return None
    extra = len(failures) - limit
    delay = min(FIRST_DELAY * (2 ** min(extra, 10)), LONGEST_DELAY)
    until = failures[-1] + delay
    return until if until > now else None


def _address_held_until(ip_address: str, now: datetime) -> datetime | None:
    limit = current_app.config.get("SIGN_IN_ADDRESS_FAILURES", 50)
    recent = list(
        db.session.scalars(
            select(SignInAttempt.at)
            .where(
                SignInAttempt.ip_address == ip_address[:45],
                SignInAttempt.success.is_(False),
                SignInAttempt.at > now - WINDOW,
            )
            .order_by(SignInAttempt.at.desc())
            .limit(limit)
        )
    )
    if len(recent) < limit:
        return None
    return recent[-1] + WINDOW


def record(email: str, ip_address: str, *, success: bool, device: str | None = None) -> None:
    """Note a checked attempt (in the caller's transaction)."""
    db.session.add(
        SignInAttempt(
            email_hash=email_hash(email),
            ip_address=ip_address[:45],
            at=clock.now(),
            success=success,
            device=device,
        )
    )


def prune(before: datetime | None = None) -> int:
    """Forget attempts too old to matter to throttling."""
    cutoff = before or clock.now() - MEMORY
    result = db.session.execute(delete(SignInAttempt).where(SignInAttempt.at < cutoff))
    return int(result.rowcount or 0)
