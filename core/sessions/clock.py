"""The time as sessions and sign-in throttling see it.

One function, looked up through this module on every call, so tests move time
forward (``monkeypatch.setattr(clock, "now", ...)``) instead of sleeping.
"""

from __future__ import annotations

from datetime import datetime

from core.models._types import utcnow


def now() -> datetime:
    """The current time in UTC, naive, as the database stores it."""
    return utcnow()
