"""Reading the values councils' extracts hold: dates, yes/no, open/closed, emails."""

from __future__ import annotations

from datetime import date, datetime

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
        text = text.split(" ")[0].split("T")[0]
        for pattern in DATE_FORMATS:
            try:
                day = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise ValueProblem(f"{label} “{value}” is not a date like 2026-03-31 or 31/03/2026")
    if not EARLIEST <= day <= LATEST:
        raise ValueProblem(f"{label} {day:%d/%m/%Y} is not a believable date")
    return day


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
