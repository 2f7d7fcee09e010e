"""``careaudit import cases``: case files from the case recording system's case list.

The fields are ``mapping.CASE_FIELDS``. A saved mapping names the council's
column for each field and maps its values ("LAC" to Looked after); without
one, columns are headed by the fields' labels or keys.

Rules a council relies on:

* Cases are matched by reference, in any case; a new reference creates a case.
* A column the file does not have leaves that field as careaudit holds it
  (no Worker column: nobody's allocation changes). A blank Worker cell means
  unallocated; a blank date keeps the date careaudit holds.
* A blank status means open, unless the row has a closed date. A case that
  closes with no closed date is closed from the day of the import.
* Every new case, and every change of team, worker or category, starts a
  new ``CaseAssignment`` row (and ends the open one today), so compliance
  credits the worker who held the case when it was audited.
* With ``full``, open cases missing from the file are closed, never deleted.
  Only cases of the directorates the file covers: councils often keep
  children's and adults' cases in different systems, and a children's case
  list must not close every adult's case.
* Initials are at most four letters. Anything that looks like a name is
  refused: careaudit keeps no names of the people whose files it audits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update

from core.cases.referrals import link_referrals
from core.extensions import db
from core.imports.bulk import CHUNK, insert_rows, update_rows
from core.imports.files import read_table
from core.imports.mapping import CASE_FIELDS, columns_for, find_mapping, value_table
from core.imports.plan import FileProblem, ImportFileData, ImportPlan, Progress
from core.imports.teams import NewTeamKey, TeamLookup, TeamRef, team_id
from core.imports.values import FALSE_WORDS, TRUE_WORDS, ValueProblem, parse_date
from core.models import Case, CaseAssignment, Category, ImportRun, User

MAX_REFERENCE = 40
MAX_INITIALS = 4
#: How many unknown workers (and cases to close) the plan lists for the user.
LISTED = 200

CASE_TABLE = Case.__table__
ASSIGNMENT_TABLE = CaseAssignment.__table__


@dataclass(slots=True)
class CaseRow:
    """One valid row, resolved to careaudit's ids and codes."""

    row: int
    reference: str
    initials: str | None
    team: TeamRef
    worker_id: int | None
    category: str
    is_open: bool
    opened_on: date | None
    closed_on: date | None
    #: The category as the case list gives it (``category`` may keep a return's).
    listed: str = ""


#: What careaudit holds about a case: id, reference, initials, service, team,
#: worker, category, open, opened, closed (plain tuples: 100,000 of them are loaded).
Stored = tuple[
    int, str, str | None, int, int, int | None, str, bool, date | None, date | None, str | None
]


@dataclass
class CaseChanges:
    create: list[CaseRow] = field(default_factory=list)
    #: (case id, the row) for cases whose fields change.
    update: list[tuple[int, CaseRow]] = field(default_factory=list)
    #: Cases whose team, worker or category change: their history moves on.
    moved: set[int] = field(default_factory=set)
    close: list[int] = field(default_factory=list)
    #: (case id, category) where only the case list's own category is to be noted.
    relisted: list[tuple[int, str]] = field(default_factory=list)
    teams: TeamLookup = field(default_factory=TeamLookup)
    new_teams: set[NewTeamKey] = field(default_factory=set)
    today: date = field(default_factory=date.today)


class CaseImporter:
    """Check a case list into a plan; apply the plan with bulk statements."""

    def check(
        self, files: Mapping[str, ImportFileData], options: Mapping[str, Any], progress: Progress
    ) -> ImportPlan:
        mapping = None
        if options.get("mapping"):
            mapping = find_mapping(str(options["mapping"]))
            if mapping is None:
                raise FileProblem(
                    f"There is no saved mapping called “{options['mapping']}”. "
                    "Check the name, or save the mapping first."
                )
        file = files["file"]
        if mapping is not None:
            expected = list((mapping.columns or {}).values())
        else:
            expected = [name for f in CASE_FIELDS for name in (f.label, f.key)]
        table = read_table(file.content, file.filename, expected=expected)
        if not table.rows:
            raise FileProblem("The file has headings but no cases")
        columns = columns_for(table.headings, mapping)
        checker = _RowChecker(
            columns, mapping, TeamLookup.load(create_teams=bool(options.get("create_teams")))
        )
        plan = checker.plan
        progress.stage("Checking the case list", total=len(table.rows))
        for n, (number, cells) in enumerate(table.rows, start=1):
            checker.check(number, cells)
            if n % 1000 == 0:
                progress.advance(1000)
        progress.advance(len(table.rows) % 1000)
        plan.changes = checker.compare(full=bool(options.get("full")))
        return plan

    def apply(self, plan: ImportPlan, run: ImportRun, progress: Progress) -> None:
        changes: CaseChanges = plan.changes
        today = changes.today
        created_teams = changes.teams.create(only=changes.new_teams)
        total = len(changes.create) + len(changes.update) + len(changes.close)
        progress.stage("Writing the case list", total=total or None)
        history: list[dict[str, Any]] = []

        def assignment(case_id: int, row: CaseRow) -> dict[str, Any]:
            return {
                "case_id": case_id,
                "team_id": team_id(row.team, created_teams),
                "worker_id": row.worker_id,
                "category": row.category,
                "started_on": today,
                "ended_on": None,
                "import_run_id": run.id,
            }

        def fields(row: CaseRow) -> dict[str, Any]:
            return {
                "initials": row.initials,
                "service_id": row.team.service_id,
                "team_id": team_id(row.team, created_teams),
                "allocated_worker_id": row.worker_id,
                "category": row.category,
                "listed_category": row.listed,
                "is_open": row.is_open,
                "opened_on": row.opened_on,
                "closed_on": row.closed_on,
            }

        for start in range(0, len(changes.create), CHUNK):
            batch = changes.create[start : start + CHUNK]
            ids = dict(
                insert_rows(
                    CASE_TABLE,
                    [{"reference": row.reference, **fields(row)} for row in batch],
                    returning=("reference", "id"),
                )
            )
            history.extend(assignment(ids[row.reference], row) for row in batch)
            progress.advance(len(batch))

        for start in range(0, len(changes.update), CHUNK):
            batch = changes.update[start : start + CHUNK]
            update_rows(CASE_TABLE, [{"id": case_id, **fields(row)} for case_id, row in batch])
            progress.advance(len(batch))
        history.extend(assignment(i, row) for i, row in changes.update if i in changes.moved)

        moved = sorted(changes.moved)
        for start in range(0, len(moved), CHUNK):
            db.session.execute(
                update(ASSIGNMENT_TABLE)
                .where(
                    ASSIGNMENT_TABLE.c.case_id.in_(moved[start : start + CHUNK]),
                    ASSIGNMENT_TABLE.c.ended_on.is_(None),
                )
                .values(ended_on=today)
            )
        insert_rows(ASSIGNMENT_TABLE, history)

        for start in range(0, len(changes.close), CHUNK):
            batch_ids = changes.close[start : start + CHUNK]
            db.session.execute(
                update(CASE_TABLE)
                .where(CASE_TABLE.c.id.in_(batch_ids))
                .values(is_open=False, closed_on=today)
            )
            progress.advance(len(batch_ids))
        update_rows(
            CASE_TABLE,
            [{"id": case_id, "listed_category": listed} for case_id, listed in changes.relisted],
        )
        # Census referrals kept before their child had a case file now find it.
        link_referrals([row.reference for row in changes.create])


class _RowChecker:
    """Checks rows one at a time against careaudit's data, loaded once."""

    def __init__(self, columns: dict[str, str], mapping: Any, teams: TeamLookup) -> None:
        self.plan = ImportPlan()
        self.columns = columns
        self.labels = {f.key: columns.get(f.key, f.label) for f in CASE_FIELDS}
        self.values = {f.key: value_table(mapping, f.key) for f in CASE_FIELDS if f.mappable}
        self.teams = teams
        self.today = date.today()
        self.rows: dict[str, CaseRow] = {}
        #: Every reference in the file, valid or not, and its first row.
        self.seen: dict[str, int] = {}
        self.rejected: set[int] = set()
        self.unknown_workers: dict[str, str] = {}
        self.directorates: set[int] = set()
        self.workers_by_email: dict[str, int] = {}
        self.workers_by_staff_id: dict[str, int] = {}
        for id_, email, staff_id in db.session.execute(select(User.id, User.email, User.staff_id)):
            self.workers_by_email[email.lower()] = id_
            if staff_id:
                self.workers_by_staff_id[staff_id.strip().lower()] = id_
        self.categories: dict[int, dict[str, str]] = {}
        self.category_labels: dict[int, list[str]] = {}
        #: Categories an administrator took out of use: named in their own message.
        self.retired: dict[str, str] = {}
        for code, label, directorate_id, active in db.session.execute(
            select(Category.code, Category.label, Category.directorate_id, Category.active)
            .order_by(Category.label)
        ):
            if not active:
                self.retired[code.lower()] = label
                self.retired[label.strip().lower()] = label
                continue
            known = self.categories.setdefault(directorate_id, {})
            known[code.lower()] = code
            known[label.strip().lower()] = code
            self.category_labels.setdefault(directorate_id, []).append(label)

    def _problem(self, row: int, key: str, reason: str) -> None:
        self.plan.problem(row, self.labels[key], reason)
        self.rejected.add(row)

    def _mapped(self, key: str, text: str) -> str:
        table = self.values.get(key)
        if table and text:
            return table.get(text.lower(), text)
        return text

    def check(self, number: int, cells: dict[str, str]) -> None:
        columns = self.columns

        def cell(key: str) -> str:
            heading = columns.get(key)
            return cells.get(heading, "").strip() if heading else ""

        problems = len(self.plan.problems)
        reference = cell("reference")
        if not reference:
            self._problem(number, "reference", "The case reference is missing")
        elif len(reference) > MAX_REFERENCE:
            self._problem(
                number,
                "reference",
                f"The case reference is longer than {MAX_REFERENCE} characters",
            )
        else:
            first = self.seen.setdefault(reference.lower(), number)
            if first != number:
                self._problem(
                    number, "reference", f"Case reference {reference} is also on row {first}"
                )

        initials = self._initials(number, cell("initials")) if "initials" in columns else None

        team, reason = self.teams.find(self._mapped("team", cell("team")), cell("service"))
        if team is None:
            self._problem(number, "team", reason)
        else:
            self.directorates.add(team.directorate_id)

        worker_id = self._worker(number, cell("worker"))
        category = self._category(number, self._mapped("category", cell("category")), team)
        opened_on = self._date(number, "opened_on", cell("opened_on"))
        closed_on = self._date(number, "closed_on", cell("closed_on"))
        is_open = self._status(number, self._mapped("status", cell("status")), closed_on)
        if opened_on and closed_on and closed_on < opened_on:
            self._problem(
                number,
                "closed_on",
                f"The closed date {closed_on:%d/%m/%Y} is before the opened date "
                f"{opened_on:%d/%m/%Y}",
            )
        if len(self.plan.problems) > problems or team is None or category is None:
            return
        self.rows[reference.lower()] = CaseRow(
            number,
            reference,
            initials,
            team,
            worker_id,
            category,
            is_open,
            opened_on,
            closed_on,
            listed=category,
        )

    def _initials(self, number: int, text: str) -> str | None:
        letters = text.replace(".", "").strip()
        if not letters:
            return None
        if " " in letters or len(letters) > MAX_INITIALS:
            # The value is not repeated: the run's record must not keep a name either.
            self._problem(
                number,
                "initials",
                "This looks like a name, not initials: careaudit never keeps names, only up "
                f"to {MAX_INITIALS} initials. Give initials only, or leave the column out",
            )
            return None
        if not letters.isalpha():
            self._problem(number, "initials", f"Initials “{text}” must be letters only")
            return None
        return letters.upper()

    def _worker(self, number: int, text: str) -> int | None:
        if not text:
            return None
        key = text.lower()
        found = (
            self.workers_by_email.get(key)
            if "@" in key
            else self.workers_by_staff_id.get(key, self.workers_by_email.get(key))
        )
        if found is None:
            self.unknown_workers.setdefault(key, text)
            self._problem(
                number,
                "worker",
                f"Worker “{text}” is not a member of staff in careaudit. Check the email "
                "or staff ID, or import the staff file first",
            )
        return found

    def _category(self, number: int, text: str, team: TeamRef | None) -> str | None:
        if not text:
            self._problem(number, "category", "The category is missing")
            return None
        if team is None:
            # The team decides the directorate; still say if no directorate has it.
            if not any(text.lower() in known for known in self.categories.values()):
                self._problem(number, "category", f"Category “{text}” is not in careaudit")
            return None
        code = self.categories.get(team.directorate_id, {}).get(text.lower())
        if code is None and text.lower() in self.retired:
            self._problem(
                number,
                "category",
                f"Category “{self.retired[text.lower()]}” is not in use. An administrator can "
                "put it back in use at Administration, Case categories",
            )
            return None
        if code is None:
            valid = ", ".join(self.category_labels.get(team.directorate_id, [])) or "none"
            self._problem(
                number,
                "category",
                f"Category “{text}” is not a category of {team.name}'s directorate. "
                f"Use one of: {valid}",
            )
        return code

    def _date(self, number: int, key: str, text: str) -> date | None:
        if not text or key not in self.columns:
            return None
        try:
            return parse_date(text, self.labels[key])
        except ValueProblem as problem:
            self._problem(number, key, str(problem))
            return None

    def _status(self, number: int, text: str, closed_on: date | None) -> bool:
        if not text:
            return closed_on is None
        word = text.lower()
        if word in TRUE_WORDS:
            if closed_on is not None:
                self._problem(
                    number,
                    "status",
                    f"The case is {text} but has a closed date: leave the closed date "
                    "blank or give the status as closed",
                )
            return True
        if word in FALSE_WORDS:
            return False
        self._problem(number, "status", f"Status “{text}” should be open or closed")
        return True

    def compare(self, *, full: bool) -> CaseChanges:
        """Sort the valid rows into created, updated and unchanged; plan ``full``'s closures."""
        plan, columns = self.plan, self.columns
        changes = CaseChanges(teams=self.teams, today=self.today)
        stored: dict[str, Stored] = {
            r[1].lower(): r
            for r in db.session.execute(
                select(
                    Case.id,
                    Case.reference,
                    Case.initials,
                    Case.service_id,
                    Case.team_id,
                    Case.allocated_worker_id,
                    Case.category,
                    Case.is_open,
                    Case.opened_on,
                    Case.closed_on,
                    Case.listed_category,
                )
            )
        }
        has = {key: key in columns for key in ("initials", "worker")}
        for key, row in self.rows.items():
            if row.team.id is None:
                changes.new_teams.add(row.team.new_key)
            record = stored.get(key)
            if record is None:
                changes.create.append(row)
                continue
            (
                case_id,
                _,
                initials,
                service_id,
                team,
                worker,
                category,
                is_open,
                opened,
                closed,
                listed,
            ) = record
            if listed is not None and row.category == listed and category != listed:
                # A statutory return refined the category (a child protection plan,
                # an episode of care) and the case list has not changed its mind: the
                # refinement stands until the case list's own category changes.
                row.category = category
            # Fields the file does not give stay as careaudit holds them.
            if not has["initials"]:
                row.initials = initials
            if not has["worker"]:
                row.worker_id = worker
            if row.opened_on is None:
                row.opened_on = opened
            if row.is_open:
                row.closed_on = None
            elif row.closed_on is None:
                row.closed_on = closed if (closed is not None or not is_open) else self.today
            new_team = row.team.id
            if (new_team, row.worker_id, row.category) != (team, worker, category):
                changes.moved.add(case_id)
            if case_id in changes.moved or (
                row.initials,
                row.team.service_id,
                row.is_open,
                row.opened_on,
                row.closed_on,
            ) != (initials, service_id, is_open, opened, closed):
                changes.update.append((case_id, row))
            else:
                plan.count("unchanged")
                if row.listed != listed:
                    changes.relisted.append((case_id, row.listed))
        if full:
            directorates = self.directorates
            services = self.teams.services_by_id
            closing = [
                r
                for key, r in stored.items()
                if r[7] and key not in self.seen and services[r[3]].directorate_id in directorates
            ]
            changes.close = [r[0] for r in closing]
            plan.details["closed_references"] = sorted(r[1] for r in closing)[:LISTED]
        plan.count("created", len(changes.create))
        plan.count("updated", len(changes.update))
        plan.count("closed", len(changes.close))
        plan.count("rejected", len(self.rejected))
        plan.details["unknown_teams"] = self.teams.unknown_names()
        plan.details["created_teams"] = [
            name
            for key, name in zip(self.teams.new_teams, self.teams.created_names(), strict=True)
            if key in changes.new_teams
        ]
        plan.details["unknown_workers"] = sorted(self.unknown_workers.values())[:LISTED]
        return changes
