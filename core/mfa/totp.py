"""Time-based one-time passwords (RFC 6238) with pyotp, and the enrolment QR code.

Codes are 6 digits, a new one every 30 seconds. One step either side of now is
accepted (a phone's clock a little out, or a code typed just as it changed), and a
step once used is never accepted again, so a code seen over a shoulder is worthless.
"""

from __future__ import annotations

import calendar
import hmac
from datetime import datetime

import pyotp
import segno
from markupsafe import Markup

INTERVAL = 30
DIGITS = 6
#: Steps either side of now that are accepted.
DRIFT = 1


def new_secret() -> str:
    """A random 160-bit secret, base32 as authenticator apps expect."""
    return pyotp.random_base32(length=32)


def timestamp(moment: datetime) -> int:
    """Seconds since the epoch of a naive UTC datetime (the app's clock)."""
    return calendar.timegm(moment.utctimetuple())


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).at(timestamp(moment))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str, title: str) -> Markup:
    """The otpauth URI as an inline SVG QR code, with a title for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, title=title, dark="#0b0c0c")
    return Markup(svg)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clean(code: str) -> str:
    """What the user typed, without spaces or dashes (apps show "123 456")."""
    return "".join(ch for ch in code if ch not in " -\t")


def matching_step(secret: str, code: str, moment: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and not used before."""
    code = clean(code)
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    now_step = timestamp(moment) // INTERVAL
    for step in range(now_step - DRIFT, now_step + DRIFT + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * INTERVAL), code):
            return step
    return None
