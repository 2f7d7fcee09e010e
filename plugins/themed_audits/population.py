"""Reading a theme's population from CSV, row by row, with a reason for every bad row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.inputs import whole_number
from plugins.themed_audits.theme import PopulationColumn, RowError, Theme

#: The columns every theme's population has, as ``Theme`` names them by default
#: (a theme may rename the item's reference and date: :meth:`Theme.base_columns`).
BASE_COLUMNS = Theme().base_columns()
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
MAX_ROWS = 20000


@dataclass(frozen=True)
class ParsedRow:
    row_number: int
    reference: str
    case_reference: str
    item_date: date
    team_id: int
    facts: dict[str, Any]


@dataclass
class CensusPopulation:
    """A population worked out from the imported census, with what was left out and why."""

    rows: list[ParsedRow] = field(default_factory=list)
    #: How many census records (e.g. referrals) are dated in the period.
    considered: int = 0
    #: How many of them are items of the theme (e.g. re-referrals), before any left out.
    found: int = 0
    #: Reason -> how many items were left out for it (e.g. no case file, so no team).
    left_out: dict[str, int] = field(default_factory=dict)


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    #: (row number, reason) for every row that cannot be imported.
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: A problem with the whole file (no rows read at all).
    file_error: str | None = None

    @property
    def is_clean(self) -> bool:
        return not self.errors and not self.file_error


def parse_date(text: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_value(column: PopulationColumn, raw: str) -> Any:
    if raw == "":
        if column.required:
            raise RowError(f"{column.label} is missing")
        return None
    if column.kind == "date":
        try:
            return parse_date(raw)
        except ValueError:
            raise RowError(
                f"{column.label} “{raw}” is not a date like 2026-03-31 or 31/03/2026"
            ) from None
    if column.kind == "int":
        number = whole_number(raw)
        if number is None:
            raise RowError(f"{column.label} “{raw[:40]}” is not a whole number")
        return number
    return raw


def decode(content: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without a BOM, as Excel writes), else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def parse_population(
    theme: Theme,
    text: str,
    teams: Mapping[str, int],
    period: tuple[date, date],
) -> ParseResult:
    """Check every row; return the good ones and a reason for each bad one.

    ``teams`` maps lower-cased team names to ids; ``period`` is the themed
    audit's period, which every item's date must fall in.
    """
    result = ParseResult()
    if "\x00" in text:
        # PostgreSQL cannot store a NUL character, and a CSV file never holds one.
        result.file_error = "This is not a CSV file: it holds binary data"
        return result
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _parse_rows(theme, reader, teams, period, result)
    except csv.Error as error:
        # A cell over the csv module's 128 KB limit, or broken quoting.
        result.file_error = (
            f"Row {reader.line_num} cannot be read as CSV ({error}). Check that row."
        )
        return result


def _parse_rows(
    theme: Theme,
    reader: csv.DictReader,  # type: ignore[type-arg]
    teams: Mapping[str, int],
    period: tuple[date, date],
    result: ParseResult,
) -> ParseResult:
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    columns = theme.population_columns()
    missing = [c.name for c in columns if c.required and c.name not in headers]
    if not headers:
        result.file_error = "The file is empty"
        return result
    if missing:
        result.file_error = (
            "The file has no column for "
            + ", ".join(missing)
            + (". The first row must name the columns.")
        )
        return result
    seen: dict[str, int] = {}
    for index, raw_row in enumerate(reader, start=2):  # row 1 is the header
        if index - 1 > MAX_ROWS:
            result.file_error = f"The file has more than {MAX_ROWS} rows"
            break
        row = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in raw_row.items()
            if k is not None
        }
        if not any(row.values()):
            continue  # blank lines at the end of spreadsheets
        try:
            parsed = _parse_row(theme, columns, row, teams, period)
        except RowError as error:
            result.errors.append((index, str(error)))
            continue
        if parsed.reference in seen:
            result.errors.append(
                (
                    index,
                    f"{theme.item_reference_label} {parsed.reference} is also on row "
                    f"{seen[parsed.reference]}",
                )
            )
            continue
        seen[parsed.reference] = index
        result.rows.append(
            ParsedRow(
                index,
                parsed.reference,
                parsed.case_reference,
                parsed.item_date,
                parsed.team_id,
                parsed.facts,
            )
        )
    if not result.rows and not result.errors and not result.file_error:
        result.file_error = "The file has a header row but no data rows"
    return result


def _parse_row(
    theme: Theme,
    columns: Iterable[PopulationColumn],
    row: Mapping[str, str],
    teams: Mapping[str, int],
    period: tuple[date, date],
) -> ParsedRow:
    values = {c.name: _parse_value(c, row.get(c.name, "")) for c in columns}
    team_id = teams.get(values["team"].lower())
    if team_id is None:
        raise RowError(f"Team “{values['team']}” is not a team in careaudit")
    item_date: date = values[theme.item_date_column]
    if not period[0] <= item_date <= period[1]:
        raise RowError(
            f"{theme.item_date_label} {item_date:%d/%m/%Y} is outside the audit period "
            f"({period[0]:%d/%m/%Y} to {period[1]:%d/%m/%Y})"
        )
    reference: str = values[theme.item_reference_column]
    # The lengths of the stored columns (PopulationItem.reference and .case_reference).
    if len(reference) > 60:
        raise RowError(f"{theme.item_reference_label} is too long (60 characters at most)")
    if len(values["case_reference"]) > 40:
        raise RowError(f"{theme.case_reference_label} is too long (40 characters at most)")
    facts = theme.derive(values)
    return ParsedRow(0, reference, values["case_reference"], item_date, team_id, facts)
