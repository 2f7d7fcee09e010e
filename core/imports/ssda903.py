"""The SSDA903 importer: looked-after children and care leavers from the return's CSV files.

The return's ``Header`` file has one row per child (``CHILD``, ``SEX``,
``DOB`` ...), its ``Episodes`` file each period of care (``CHILD``,
``DECOM``, ``LS``, ``DEC``, ``REC`` ...), dates as ``DD/MM/YYYY``. careaudit
keeps none of it: it only sets the category of the child's case file.

* A child with an open episode (no ``DEC``) is **looked after**.
* A child is a **care leaver** when their care ended as a young person's
  does on leaving care for adulthood: no open episode, and their latest
  episode ended with reason ``E17`` (18 or over and stayed with their carers,
  "staying put"), ``E5`` or ``E6`` (moved to independent living) or ``E7``
  (moved to residential care funded by adult social care), at 16 or over
  when the Header gives a date of birth (read for this and dropped). These
  are the only reasons for an episode ending that describe leaving care for
  adult life; they are the young people the leaving care duties follow.
* Any other child who is no longer looked after is left alone: the return
  says how care ended (home to parents, adoption, special guardianship ...)
  but not what the case is now (closed, child in need, child protection), and
  the nightly case list, which is the case recording system's own answer,
  keeps that right. Overwriting it here would undo the case list every night.

Only open case files in the children's directorate change; a category the
council treats as looked after (or care leaver) counts as already right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.imports.cin_census import LISTED, CaseFacts, CategoryChange, change_categories, load_cases
from core.imports.files import Table, column_lookup, read_table
from core.imports.plan import FileProblem, ImportFileData, ImportPlan, Progress
from core.imports.values import ValueProblem, parse_date
from core.models import CaseCategory, ImportRun

HEADER_COLUMNS = ("CHILD",)
EPISODE_COLUMNS = ("CHILD", "DECOM", "DEC", "REC")
#: Reasons an episode ceased (``REC``) that mean the young person left care for adult life.
LEFT_CARE_FOR_ADULTHOOD = {"E17", "E5", "E6", "E7"}
#: The age from which a young person leaving care is a care leaver.
CARE_LEAVER_AGE = 16


@dataclass
class Episode:
    start: date
    end: date | None
    reason: str


@dataclass
class _Child:
    reference: str
    row: int
    birth: date | None
    episodes: list[Episode] = field(default_factory=list)
    rejected: bool = False


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def status_of(child: _Child) -> str | None:
    """``looked_after``, ``care_leaver`` or ``None`` (left alone), from the child's episodes."""
    if not child.episodes:
        return None
    if any(e.end is None for e in child.episodes):
        return CaseCategory.LOOKED_AFTER.value
    latest = max(child.episodes, key=lambda e: (e.start, e.end or date.max))
    if latest.reason.upper() not in LEFT_CARE_FOR_ADULTHOOD:
        return None
    assert latest.end is not None
    if child.birth is not None and age_on(child.birth, latest.end) < CARE_LEAVER_AGE:
        return None
    return CaseCategory.CARE_LEAVER.value


def _columns(table: Table, needed: tuple[str, ...], file_label: str) -> dict[str, str]:
    lookup = column_lookup(table)
    missing = [name for name in needed if name.lower() not in lookup]
    if missing:
        raise FileProblem(
            f"The {file_label} file has no {', '.join(missing)} column. Its first row must "
            f"name the return's columns ({', '.join(needed)} ...)."
        )
    return {name: lookup[name.lower()] for name in needed}


class LookedAfterImporter:
    """``careaudit import ssda903``: the categories Looked after and Care leaver."""

    def check(
        self, files: Mapping[str, ImportFileData], options: Mapping[str, Any], progress: Progress
    ) -> ImportPlan:
        plan = ImportPlan()
        for role in ("header", "episodes"):
            if role not in files:
                raise FileProblem(f"Choose the return's {role.capitalize()} file")
        header = read_table(
            files["header"].content, files["header"].filename, expected=("CHILD", "SEX", "DOB")
        )
        episodes = read_table(
            files["episodes"].content, files["episodes"].filename, expected=EPISODE_COLUMNS
        )
        progress.stage("Checking the children", len(header) + len(episodes))
        children = self._read_header(plan, header)
        self._read_episodes(plan, episodes, children)
        progress.advance(len(header) + len(episodes))
        changes: list[CategoryChange] = []
        cases = load_cases()
        without_case: list[str] = []
        tally = {"looked_after": 0, "care_leaver": 0, "left_alone": 0}
        for key, child in children.items():
            if child.rejected:
                plan.count("rejected")
                continue
            case = cases.get(key)
            status = status_of(child)
            if case is None:
                without_case.append(child.reference)
                continue
            tally[status or "left_alone"] += 1
            if status is not None and _changes(case, status):
                changes.append(
                    CategoryChange(case.id, child.reference, case.team_id, case.worker_id, status)
                )
                plan.count("updated")
            else:
                plan.count("unchanged")
        plan.changes = changes
        plan.details.update(
            children=len(children),
            looked_after=tally["looked_after"],
            care_leavers=tally["care_leaver"],
            left_alone=tally["left_alone"],
            without_case_file=len(without_case),
            without_case_file_references=sorted(without_case)[:LISTED],
        )
        return plan

    @staticmethod
    def _read_header(plan: ImportPlan, table: Table) -> dict[str, _Child]:
        columns = _columns(table, HEADER_COLUMNS, "Header")
        # DOB is optional: without it, care leavers are judged by the reason care ended alone.
        dob = column_lookup(table).get("dob")
        children: dict[str, _Child] = {}
        for number, row in table.rows:
            where = f"Header row {number}"
            reference = row[columns["CHILD"]].strip()
            if not reference:
                plan.problem(where, "CHILD", "CHILD is missing")
                continue
            key = reference.upper()
            if key in children:
                plan.problem(
                    where, "CHILD", f"Child {reference} is also on Header row {children[key].row}"
                )
                children[key].rejected = True
                continue
            birth = None
            try:
                birth = parse_date(row[dob], "DOB") if dob else None
            except ValueProblem:
                # The value is not repeated: problems are kept, dates of birth never.
                plan.problem(where, "DOB", "DOB is not a date like 31/03/2010")
                children[key] = _Child(reference, number, None, rejected=True)
                continue
            children[key] = _Child(reference, number, birth)
        return children

    @staticmethod
    def _read_episodes(plan: ImportPlan, table: Table, children: dict[str, _Child]) -> None:
        columns = _columns(table, EPISODE_COLUMNS, "Episodes")
        for number, row in table.rows:
            where = f"Episodes row {number}"
            reference = row[columns["CHILD"]].strip()
            if not reference:
                plan.problem(where, "CHILD", "CHILD is missing")
                continue
            child = children.get(reference.upper())
            if child is None:
                plan.problem(
                    where,
                    "CHILD",
                    f"Child {reference} has an episode but no row in the Header file",
                )
                continue
            try:
                start = parse_date(row[columns["DECOM"]], "DECOM")
                end = parse_date(row[columns["DEC"]], "DEC")
            except ValueProblem as problem:
                column = "DECOM" if str(problem).startswith("DECOM") else "DEC"
                plan.problem(where, column, str(problem))
                child.rejected = True
                continue
            if start is None:
                plan.problem(where, "DECOM", "DECOM is missing")
                child.rejected = True
                continue
            if end is not None and end < start:
                plan.problem(
                    where,
                    "DEC",
                    f"The episode ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})",
                )
                child.rejected = True
                continue
            child.episodes.append(Episode(start, end, row[columns["REC"]].strip()))

    def apply(self, plan: ImportPlan, run: ImportRun, progress: Progress) -> None:
        changes: list[CategoryChange] = plan.changes
        progress.stage("Setting categories", len(changes) or None)
        change_categories(changes, date.today(), run.id)
        progress.advance(len(changes))


def _changes(case: CaseFacts, status: str) -> bool:
    """Whether the case's category should become ``status`` (open children's cases only)."""
    return (
        case.directorate == "children"
        and case.is_open
        and status not in (case.category, case.category_kind)
    )
