"""Reading the values councils' extracts hold: dates, yes/no, open/closed, emails."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
#: The earliest and latest dates an extract can sensibly hold.
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)

TRUE_WORDS = {"y", "yes", "true", "1", "open", "active", "current"}
FALSE_WORDS = {"n", "no", "false", "0", "closed", "inactive", "ended", "left"}


class ValueProblem(ValueError):
    """The value cannot be read; the message says why, in plain English."""


def parse_date(value: object, label: str = "Date") -> date | None:
    """A date from ``YYYY-MM-DD`` or ``DD/MM/YYYY`` text, or an Excel date. Blank is None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        if not text:
            return None
        # Excel exports sometimes add a midnight time: "2026-03-31 00:00:00".
        found = _text_date(text.split(" ")[0].split("T")[0])
        if found is None:
            raise ValueProblem(f"{label} “{value}” is not a date like 2026-03-31 or 31/03/2026")
        day = found
    if not EARLIEST <= day <= LATEST:
        raise ValueProblem(f"{label} {day:%d/%m/%Y} is not a believable date")
    return day


@lru_cache(maxsize=8192)
def _text_date(text: str) -> date | None:
    """The date ``text`` holds, or None. Cached: a case list repeats its dates a lot.

    The two usual forms are read by slicing, because ``strptime`` is slow
    enough to matter over a 100,000-row file; other forms fall back to it.
    """
    if len(text) == 10 and text.replace("-", "").replace("/", "").isdigit():
        try:
            if text[4] == "-" and text[7] == "-":
                return date(int(text[:4]), int(text[5:7]), int(text[8:]))
            if text[2] == "/" and text[5] == "/":
                return date(int(text[6:]), int(text[3:5]), int(text[:2]))
        except ValueError:
            return None  # 2026-02-30: the right shape, not a real day
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_flag(value: object, label: str, default: bool | None = None) -> bool:
    """Yes/no, true/false, open/closed, active/inactive, 1/0. Blank gives ``default``."""
    text = "" if value is None else str(value).strip().lower()
    if not text:
        if default is None:
            raise ValueProblem(f"{label} is missing")
        return default
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueProblem(f"{label} “{value}” should be yes or no")


def clean(value: object) -> str:
    """A cell as trimmed text ("" for blank); whole-number floats lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()
