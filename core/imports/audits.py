"""``careaudit import audits FILE --tool SLUG``: a council's past audits, from its spreadsheets.

Councils start with years of audits kept in spreadsheets. This import loads
them as *submitted* audits of one tool, with their real dates, so reports and
trends start with the council's own baseline. It reads the tool's own form
definition (``careaudit_audit_form``), so any tool, a third party's too, can
be imported without a change to it.

Columns, matched by heading in any case (spaces, underscores and punctuation
alike):

* ``Audit date`` (required): the day the audit was done; not in the future.
* ``Auditor`` (required): the auditor's email or staff ID; they must be in
  careaudit (import staff first), active or not.
* ``Kind`` (required): line management, independent, self-audit or senior
  management sample, by label or code (``line_management``) or a usual short
  form (``LM``, ``QA``): see ``KIND_ALIASES``.
* ``Case reference`` (case tools): the case must be in careaudit (import the
  case list first) and in a directorate the tool audits.
  ``Staff member`` (staff tools, e.g. supervision): email or staff ID.
* One column per **rated question**, headed by the question's key
  (``standard_3``) or its label on the report ("Standard 3"). Ratings Met,
  Partially met, Not met, Not applicable (or N/A), in any case, or their codes.
  A blank cell is a question not answered. A question's evidence comment goes
  in "<question> evidence" (or "comment"), e.g. "Standard 3 evidence".
* ``Overall rating`` and ``Overall grade`` (optional): the auditor's judgement.
* Any other question of the form by its key or name (e.g. ``Strengths``,
  ``Areas for development``): text as it is, choices by value or label.

Decisions this module keeps:

* **Nothing half-imported.** The runner refuses the whole file while any row
  has a problem (unless the user chose the valid rows) and writes in one
  transaction.
* **A re-import adds nothing.** A row's key is the tool, the case (or member of
  staff), the date and the auditor. A row whose key matches a submitted audit
  already in careaudit (imported or done here) is counted *unchanged*; the key
  is stored, unique, on every imported audit, so two imports of one file at
  once cannot both write it.
* **The auditor's judgement is never invented.** The file's overall rating and
  grade are stored as given. Where the file leaves them blank, the tool's
  score hook decides: it reads a judgement the form asks for from the answers
  (so it stays blank), or works out an outcome the tool computes itself. The
  hook's suggested rating and grade are stored for every audit, as on submission.
* **Historic rows are taken as recorded.** The tool's cross-question checks
  (``careaudit_check_answers``) and core's "evidence for Partially met" rule
  are not applied: a spreadsheet kept years ago followed its own rules, and the
  baseline is what the council found then.
* **Where the file was.** Service, team, category and worker come from the
  case's allocation history on the audit date; before the history starts, from
  its earliest entry (with no worker: careaudit does not know who held it);
  with no history, from the case as it is. A staff audit counts where its
  subject works.
* **Quiet.** No ``audit_submitted`` signal: imported audits send no
  notifications, start no feedback round, need no actions, are never drawn for
  moderation and complete no programme allocation. They are counted in the
  report summary (``core.reports.summary.record_many``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select, text

from core.extensions import db
from core.grading.council import council_scale
from core.imports.bulk import CHUNK, insert_rows
from core.imports.files import read_table
from core.imports.plan import FileProblem, ImportFileData, ImportPlan, Progress
from core.imports.values import ValueProblem, parse_date
from core.models import (
    Answer,
    Audit,
    AuditKind,
    AuditStatus,
    Case,
    CaseAssignment,
    Directorate,
    Grade,
    ImportRun,
    Rating,
    Service,
    Team,
    User,
)
from core.models._types import utcnow
from core.models.audits import GRADE_LABELS, KIND_LABELS, RATING_LABELS
from core.tools.info import Subject, ToolInfo
from core.tools.questions import AnswerValue, FormDefinition, Question, QuestionKind
from core.tools.registry import ToolError, get_registry
from core.tools.standards import OVERALL_GRADE, OVERALL_RATING

AUDIT_TABLE = Audit.__table__
ANSWER_TABLE = Answer.__table__


@lru_cache(maxsize=8192)
def words(text: str) -> str:
    """A heading or value as lower-case words: "Standard_3 (Evidence)" -> "standard 3 evidence".

    Cached: a file of 50,000 audits repeats the same few ratings and kinds.
    """
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


#: careaudit's own columns and the headings accepted for each (as ``words``).
FIELD_HEADINGS: dict[str, tuple[str, ...]] = {
    "date": ("audit date", "date", "date of audit", "date audited", "audited on", "audit_date"),
    "auditor": ("auditor", "auditor email", "auditor staff id", "audited by", "auditor id"),
    "kind": ("kind", "audit kind", "kind of audit", "type", "audit type", "type of audit"),
    "case": ("case reference", "case", "case ref", "reference", "case id", "case number"),
    "staff": ("staff member", "member of staff", "subject", "supervisee", "staff", "staff email"),
    "overall_rating": ("overall rating", "overall", "overall judgement"),
    "grade": ("overall grade", "grade"),
}
LABELS = {
    "date": "Audit date",
    "auditor": "Auditor",
    "kind": "Kind",
    "case": "Case reference",
    "staff": "Staff member",
    "overall_rating": "Overall rating",
    "grade": "Overall grade",
}
#: Headings after a question's name that hold its evidence comment.
EVIDENCE_SUFFIXES = ("evidence", "comment", "comments", "evidence comment", "evidence comments")

#: Short forms of kinds in councils' spreadsheets, beyond each kind's code and label.
KIND_ALIASES: dict[str, AuditKind] = {
    "lm": AuditKind.LINE_MANAGEMENT,
    "line manager": AuditKind.LINE_MANAGEMENT,
    "line management audit": AuditKind.LINE_MANAGEMENT,
    "manager": AuditKind.LINE_MANAGEMENT,
    "qa": AuditKind.INDEPENDENT,
    "iro": AuditKind.INDEPENDENT,
    "independent audit": AuditKind.INDEPENDENT,
    "quality assurance": AuditKind.INDEPENDENT,
    "self": AuditKind.SELF_AUDIT,
    "self audit": AuditKind.SELF_AUDIT,
    "senior": AuditKind.SENIOR_SAMPLE,
    "senior management": AuditKind.SENIOR_SAMPLE,
    "senior manager": AuditKind.SENIOR_SAMPLE,
}
KINDS: dict[str, AuditKind] = {
    **{words(kind.value): kind for kind in AuditKind},
    **{words(label): kind for kind, label in KIND_LABELS.items()},
    **{words(alias): kind for alias, kind in KIND_ALIASES.items()},
}
RATINGS: dict[str, Rating] = {
    **{words(rating.value): rating for rating in Rating},
    **{words(label): rating for rating, label in RATING_LABELS.items()},
    "partly met": Rating.PARTIALLY_MET,
    "n a": Rating.NOT_APPLICABLE,
    "na": Rating.NOT_APPLICABLE,
}
#: Every grade of every scale, so past audits keep the grade they were given whatever
#: scale the council grades on now; the council's own words are accepted too (:func:`grade_of`).
GRADES: dict[str, Grade] = {
    **{words(grade.value): grade for grade in Grade},
    **{words(label): grade for grade, label in GRADE_LABELS.items()},
    "requires improvement": Grade.REQUIRES_IMPROVEMENT,
    "ri": Grade.REQUIRES_IMPROVEMENT,
}


def grade_of(text: str) -> Grade | None:
    """The grade a cell names: a grade's code or words, or the council's words for it."""
    key = words(text)
    if key in GRADES:
        return GRADES[key]
    scale = council_scale()
    return next((g for g in Grade if words(scale.label(g)) == key), None)

#: How many ignored columns and missing questions the plan names for the page.
LISTED = 50


@dataclass(frozen=True)
class Columns:
    """Which heading holds what: careaudit's fields, ratings, evidence, other answers."""

    fields: dict[str, str]
    #: question key -> heading, for rated questions, their evidence and other questions.
    ratings: dict[str, str]
    evidence: dict[str, str]
    answers: dict[str, str]
    ignored: list[str]


@dataclass(slots=True)
class AuditRow:
    """One valid row: an audit to insert and its answers as (question, rating, value, comment)."""

    row: int
    key: str
    values: dict[str, Any]
    answers: list[tuple[str, str | None, str | None, str | None]]


@dataclass
class AuditChanges:
    create: list[AuditRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a case was on a day: team, worker and category."""

    team_id: int
    worker_id: int | None
    category: str | None


@dataclass(slots=True)
class CaseFacts:
    id: int
    directorate: str
    current: Placement
    #: (started_on, ended_on, placement), oldest first.
    history: list[tuple[date, date | None, Placement]] = field(default_factory=list)

    def placement_on(self, day: date) -> Placement:
        """The case's team, worker and category on ``day`` (see the module's decisions)."""
        for started, ended, placement in self.history:
            if started <= day and (ended is None or day < ended):
                return placement
        if self.history and day < self.history[0][0]:
            first = self.history[0][2]
            return Placement(first.team_id, None, first.category)
        if self.history:
            return self.history[-1][2]
        return self.current


def question_names(definition: FormDefinition) -> tuple[dict[str, str], dict[str, str]]:
    """The headings (as ``words``) naming each question: (rated, other), heading -> key.

    Rated questions are those core reports (as ``core.actions.rules.rated_questions``
    finds them): RATING, not computed, not the overall rating. Each is named by
    its key, its label on the report ("Standard 3"; "Standard 6: the PEP" for a
    second rated question in a section) and its short name; other questions by
    their key and short name. A name two questions share names neither; the key
    always works.
    """
    rated: dict[str, str] = {}
    other: dict[str, str] = {}
    shared: set[str] = set()

    def name(names: dict[str, str], text: str, key: str) -> None:
        text = words(text)
        if not text or text in shared:
            return
        if names.get(text, key) != key:
            shared.add(text)
            del names[text]
            return
        names[text] = key

    for section in definition.sections:
        index = 0
        for question in section.questions:
            if question.computed or question.key in (OVERALL_RATING, OVERALL_GRADE):
                continue
            if question.kind is QuestionKind.RATING:
                if section.label:
                    first = index == 0
                    name(
                        rated,
                        section.label if first else f"{section.label}: {question.display_name}",
                        question.key,
                    )
                name(rated, question.display_name, question.key)
                index += 1
            else:
                name(other, question.display_name, question.key)
    for section in definition.sections:
        for question in section.questions:
            if question.computed or question.key in (OVERALL_RATING, OVERALL_GRADE):
                continue
            names = rated if question.kind is QuestionKind.RATING else other
            names[words(question.key)] = question.key
    return rated, other


def find_columns(headings: Iterable[str], definition: FormDefinition, subject: str) -> Columns:
    """Sort the file's headings; raise ``FileProblem`` naming any required column missing."""
    rated, other = question_names(definition)
    field_names = {name: key for key, names in FIELD_HEADINGS.items() for name in names}
    # The summary section's label ("Standard 14") heads the overall rating in many
    # councils' spreadsheets, as on the paper form.
    for section in definition.sections:
        if section.label and any(q.key == OVERALL_RATING for q in section.questions):
            field_names.setdefault(words(section.label), "overall_rating")
    fields: dict[str, str] = {}
    ratings: dict[str, str] = {}
    evidence: dict[str, str] = {}
    answers: dict[str, str] = {}
    ignored: list[str] = []
    for heading in headings:
        name = words(heading)
        if name in rated and rated[name] not in ratings:
            ratings[rated[name]] = heading
        elif name in field_names and field_names[name] not in fields:
            fields[field_names[name]] = heading
        elif name in other and other[name] not in answers:
            answers[other[name]] = heading
        else:
            question = next(
                (
                    rated[name[: -len(suffix)].strip()]
                    for suffix in EVIDENCE_SUFFIXES
                    if name.endswith(" " + suffix) and name[: -len(suffix)].strip() in rated
                ),
                None,
            )
            if question is not None and question not in evidence:
                evidence[question] = heading
            else:
                ignored.append(heading)
    subject_field = "staff" if subject == Subject.STAFF else "case"
    missing = [LABELS[k] for k in ("date", "auditor", "kind", subject_field) if k not in fields]
    if missing:
        raise FileProblem(
            f"The file has no {', '.join(missing)} column. A file of past audits needs "
            f"columns headed Audit date, Auditor, Kind and {LABELS[subject_field]}, then "
            "one column per rated question (e.g. Standard 1)."
        )
    if not ratings:
        example = next(iter(rated), "the question's key")
        raise FileProblem(
            f"The file has no column for any rated question of the {definition.title}. "
            f"Head each with the question's key or label, e.g. “{example.capitalize()}”."
        )
    return Columns(fields, ratings, evidence, answers, ignored)


def parse_rating(text: str, question: Question | None = None) -> Rating:
    rating = RATINGS.get(words(text))
    if rating is None:
        raise ValueProblem(
            f"“{text}” is not a rating. Use Met, Partially met, Not met or Not applicable"
        )
    not_applicable = rating is Rating.NOT_APPLICABLE
    if not_applicable and question is not None and not question.allow_not_applicable:
        raise ValueProblem(f"{question.display_name.capitalize()} cannot be Not applicable")
    return rating


def parse_answer(question: Question, text: str) -> str:
    """A non-rated answer as core stores it (option values, whole numbers, ISO dates)."""
    if question.kind is QuestionKind.TEXT:
        return text
    if question.kind is QuestionKind.NUMBER:
        try:
            number = int(text.replace(",", ""))
        except ValueError:
            raise ValueProblem(f"“{text}” is not a whole number") from None
        if question.minimum is not None and number < question.minimum:
            raise ValueProblem(f"{number} is less than {question.minimum}")
        return str(number)
    if question.kind is QuestionKind.DATE:
        day = parse_date(text, question.display_name.capitalize())
        return day.isoformat() if day else ""
    options = {words(o.value): o.value for o in question.options}
    options.update({words(o.label): o.value for o in question.options})
    parts = re.split(r"[;,]", text) if question.kind is QuestionKind.MULTI_CHOICE else [text]
    chosen = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        value = options.get(words(part))
        if value is None:
            allowed = ", ".join(o.label for o in question.options)
            raise ValueProblem(f"“{part}” is not one of: {allowed}")
        chosen.append(value)
    return ",".join(chosen)


class _People:
    """Staff by email and by staff ID, lower-cased, loaded once."""

    def __init__(self) -> None:
        self.by_name: dict[str, tuple[int, int | None, int | None]] = {}
        rows = db.session.execute(
            select(User.id, User.email, User.staff_id, User.team_id, User.service_id)
        )
        teams = {t: s for t, s in db.session.execute(select(Team.id, Team.service_id))}
        for user_id, email, staff_id, team, service in rows:
            where = (user_id, team, teams.get(team, service) if team else service)
            self.by_name[email.lower()] = where
            if staff_id:
                self.by_name.setdefault(staff_id.lower(), where)

    def find(self, text: str) -> tuple[int, int | None, int | None] | None:
        """(user id, team id, service id) of the member of staff with this email or staff ID."""
        return self.by_name.get(text.strip().lower())


def _load_cases(references: set[str]) -> dict[str, CaseFacts]:
    """The cases the file names, by lower-cased reference, with their allocation history."""
    found: dict[str, CaseFacts] = {}
    lowered = sorted(references)
    for start in range(0, len(lowered), CHUNK):
        chunk = lowered[start : start + CHUNK]
        rows = db.session.execute(
            select(
                Case.id,
                Case.reference,
                Directorate.code,
                Case.team_id,
                Case.allocated_worker_id,
                Case.category,
            )
            .join(Service, Case.service_id == Service.id)
            .join(Directorate, Service.directorate_id == Directorate.id)
            .where(func.lower(Case.reference).in_(chunk))
        )
        for case_id, reference, directorate, team, worker, category in rows:
            found[reference.lower()] = CaseFacts(
                case_id, directorate, Placement(team, worker, category)
            )
    by_id = {facts.id: facts for facts in found.values()}
    ids = sorted(by_id)
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            select(
                CaseAssignment.case_id,
                CaseAssignment.started_on,
                CaseAssignment.ended_on,
                CaseAssignment.team_id,
                CaseAssignment.worker_id,
                CaseAssignment.category,
            )
            .where(CaseAssignment.case_id.in_(ids[start : start + CHUNK]))
            .order_by(CaseAssignment.case_id, CaseAssignment.started_on, CaseAssignment.id)
        )
        for case_id, started, ended, team, worker, category in rows:
            by_id[case_id].history.append((started, ended, Placement(team, worker, category)))
    return found


def import_key(tool: str, subject: str, day: date, auditor_id: int) -> str:
    """The row's identity: tool, case (``c<id>``) or member of staff (``s<id>``), date, auditor."""
    return f"{tool}|{subject}|{day.isoformat()}|a{auditor_id}"


def _existing_keys(tool: str, first: date, last: date) -> set[str]:
    """Keys of the tool's submitted audits in the file's dates: imported or done in careaudit."""
    rows = db.session.execute(
        select(Audit.case_id, Audit.subject_user_id, Audit.audit_date, Audit.auditor_id).where(
            Audit.tool == tool,
            Audit.status == AuditStatus.SUBMITTED,
            Audit.audit_date >= first,
            Audit.audit_date <= last,
        )
    )
    keys = set()
    for case_id, subject_id, day, auditor_id in rows:
        subject = f"c{case_id}" if case_id is not None else f"s{subject_id}"
        keys.add(import_key(tool, subject, day, auditor_id))
    return keys


def _tool(options: Mapping[str, Any]) -> ToolInfo:
    registry = get_registry()
    slug = str(options.get("tool") or "").strip()
    if not slug:
        raise FileProblem("Choose the audit tool the file's audits were done with")
    info = registry.get(slug)
    if info is None:
        tools = ", ".join(t.slug for t in registry.all() if t.subject != Subject.SAMPLE)
        raise FileProblem(f"There is no audit tool “{slug}” in careaudit. Tools: {tools}")
    if info.subject == Subject.SAMPLE:
        raise FileProblem(
            f"The {info.title} audits items its themed audit samples; they cannot be imported"
        )
    return info


class AuditImporter:
    """Check a file of past audits into a plan; apply it with bulk inserts."""

    def check(
        self, files: Mapping[str, ImportFileData], options: Mapping[str, Any], progress: Progress
    ) -> ImportPlan:
        info = _tool(options)
        registry = get_registry()
        try:
            definition = registry.form(info.slug, None, None, None)
        except ToolError as error:
            raise FileProblem(f"The {info.title} gave no form to import against: {error}") from None
        file = files["file"]
        rated, _ = question_names(definition)
        expected = [*(n for names in FIELD_HEADINGS.values() for n in names), *rated]
        table = read_table(file.content, file.filename, expected=expected)
        if not table.rows:
            raise FileProblem("The file has headings but no audits")
        columns = find_columns(table.headings, definition, info.subject)
        checker = _RowChecker(info, columns, definition, table.rows)
        progress.stage("Checking the audits", total=len(table.rows))
        for n, (number, cells) in enumerate(table.rows, start=1):
            checker.check(number, cells)
            if n % 1000 == 0:
                progress.advance(1000)
        progress.advance(len(table.rows) % 1000)
        plan = checker.finish()
        plan.details["tool"] = f"{info.title} ({info.slug})"
        plan.details["ignored_columns"] = columns.ignored[:LISTED]
        plan.details["questions_not_in_file"] = [
            key for key in dict.fromkeys(rated.values()) if key not in columns.ratings
        ][:LISTED]
        return plan

    def apply(self, plan: ImportPlan, run: ImportRun, progress: Progress) -> None:
        changes: AuditChanges = plan.changes
        progress.stage("Writing the audits", total=len(changes.create) or None)
        now = utcnow()
        audit_ids: list[int] = []
        for start in range(0, len(changes.create), CHUNK):
            batch = changes.create[start : start + CHUNK]
            ids = dict(
                insert_rows(
                    AUDIT_TABLE,
                    [
                        {
                            **row.values,
                            "status": AuditStatus.SUBMITTED.value,
                            "created_at": now,
                            "updated_at": now,
                            "version": 1,
                            "imported_run_id": run.id,
                            "import_key": row.key,
                        }
                        for row in batch
                    ],
                    returning=("import_key", "id"),
                )
            )
            insert_rows(
                ANSWER_TABLE,
                [
                    {
                        "audit_id": ids[row.key],
                        "question": question,
                        "rating": rating,
                        "value": value,
                        "comment": comment,
                    }
                    for row in batch
                    for question, rating, value, comment in row.answers
                ],
            )
            audit_ids.extend(ids.values())
            progress.advance(len(batch))
        progress.stage("Counting the audits in the reports")
        record_in_summary(audit_ids)


def record_in_summary(audit_ids: list[int]) -> None:
    """Count the new audits in the report summary, in the import's own transaction."""
    if not audit_ids:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics first: planned with the counts from before a large import,
        # the summary's join of audits and answers scans the whole answer table for
        # each chunk of audits (15 minutes for 50,000 audits, instead of seconds).
        # ANALYZE sees this transaction's own new rows.
        db.session.execute(text("ANALYZE audit"))
        db.session.execute(text("ANALYZE answer"))
    try:
        from core.reports.summary import record_many
    except ImportError:  # pragma: no cover - before the report summary exists
        return
    record_many(audit_ids)


class _RowChecker:
    """Checks rows one at a time against careaudit's data, loaded once."""

    def __init__(
        self,
        info: ToolInfo,
        columns: Columns,
        definition: FormDefinition,
        rows: list[tuple[int, dict[str, str]]],
    ) -> None:
        self.plan = ImportPlan()
        self.info = info
        self.columns = columns
        self.registry = get_registry()
        self.forms: dict[int, FormDefinition] = {}
        #: Each service's settings of the tool, read once (not once per row).
        self.settings: dict[int, dict[str, Any]] = {}
        self.default_form = definition
        self.people = _People()
        self.today = date.today()
        self.staff_subject = info.subject == Subject.STAFF
        self.cases: dict[str, CaseFacts] = {}
        if not self.staff_subject:
            column = columns.fields["case"]
            self.cases = _load_cases(
                {cells.get(column, "").strip().lower() for _, cells in rows} - {""}
            )
        self.team_service = {t: s for t, s in db.session.execute(select(Team.id, Team.service_id))}
        self.seen: dict[str, int] = {}
        self.valid: list[AuditRow] = []

    def form(self, service_id: int) -> FormDefinition:
        """The tool's form as the service has it (settings may change its questions)."""
        if service_id not in self.forms:
            self.forms[service_id] = self.registry.form(self.info.slug, None, service_id, None)
            self.settings[service_id] = self.registry.settings(self.info.slug, service_id)
        return self.forms[service_id]

    def check(self, number: int, cells: dict[str, str]) -> None:
        plan = self.plan
        before = len(plan.problems)
        fields = self.columns.fields

        def cell(key: str) -> str:
            return cells.get(fields[key], "").strip() if key in fields else ""

        def problem(key: str, reason: str) -> None:
            plan.problem(number, fields.get(key, LABELS.get(key, key)), reason)

        day: date | None = None
        try:
            day = parse_date(cell("date"), "The audit date")
        except ValueProblem as error:
            problem("date", str(error))
        else:
            if day is None:
                problem("date", "The audit date is missing")
            elif day > self.today:
                problem("date", f"The audit date {day:%d/%m/%Y} is in the future")
                day = None

        auditor = None
        if not cell("auditor"):
            problem("auditor", "The auditor is missing")
        else:
            auditor = self.people.find(cell("auditor"))
            if auditor is None:
                problem(
                    "auditor",
                    f"No member of staff in careaudit has the email or staff ID "
                    f"“{cell('auditor')}”. Import them as staff first",
                )

        kind = KINDS.get(words(cell("kind"))) if cell("kind") else None
        if not cell("kind"):
            problem("kind", "The kind of audit is missing")
        elif kind is None:
            problem(
                "kind",
                f"“{cell('kind')}” is not a kind of audit. Use one of: "
                + ", ".join(KIND_LABELS.values()),
            )

        subject = ""
        placement: dict[str, Any] | None = None
        if self.staff_subject:
            if not cell("staff"):
                problem("staff", "The member of staff audited is missing")
            else:
                found = self.people.find(cell("staff"))
                if found is None:
                    problem(
                        "staff",
                        f"No member of staff in careaudit has the email or staff ID "
                        f"“{cell('staff')}”",
                    )
                elif found[2] is None:
                    problem("staff", f"{cell('staff')} has no team or service in careaudit")
                else:
                    subject = f"s{found[0]}"
                    placement = {
                        "case_id": None,
                        "subject_user_id": found[0],
                        "service_id": found[2],
                        "team_id": found[1],
                        "worker_id": None,
                        "category": None,
                    }
        else:
            reference = cell("case")
            case = self.cases.get(reference.lower()) if reference else None
            if not reference:
                problem("case", "The case reference is missing")
            elif case is None:
                problem(
                    "case",
                    f"Case {reference} is not in careaudit. Import the case list first",
                )
            elif case.directorate not in self.info.directorates:
                problem(
                    "case", f"Case {reference} is not in a service the {self.info.title} audits"
                )
            elif day is not None:
                subject = f"c{case.id}"
                where = case.placement_on(day)
                placement = {
                    "case_id": case.id,
                    "subject_user_id": None,
                    "service_id": self.team_service[where.team_id],
                    "team_id": where.team_id,
                    "worker_id": where.worker_id,
                    "category": where.category,
                }

        form = self.form(placement["service_id"]) if placement else self.default_form
        answers: dict[str, AnswerValue] = {}
        unreadable = 0
        for key, heading in self.columns.ratings.items():
            text = cells.get(heading, "").strip()
            evidence_heading = self.columns.evidence.get(key)
            comment = cells.get(evidence_heading, "").strip() if evidence_heading else ""
            if not text and not comment:
                continue
            if not form.has(key):
                plan.problem(number, heading, f"The {self.info.title} has no question {key} here")
                continue
            try:
                rating = parse_rating(text, form.question(key)) if text else None
            except ValueProblem as error:
                plan.problem(number, heading, str(error))
                unreadable += 1
                continue
            answers[key] = AnswerValue(rating=rating, comment=comment or None)
        if not unreadable and not any(a.rating is not None for a in answers.values()):
            plan.problem(number, "", "The row has no ratings")
        for key, heading in self.columns.answers.items():
            text = cells.get(heading, "").strip()
            if not text:
                continue
            if not form.has(key):
                plan.problem(number, heading, f"The {self.info.title} has no question {key} here")
                continue
            try:
                value = parse_answer(form.question(key), text)
            except ValueProblem as error:
                plan.problem(number, heading, str(error))
                continue
            if value:
                answers[key] = AnswerValue(value=value)

        overall = None
        if cell("overall_rating"):
            try:
                overall = parse_rating(cell("overall_rating"))
                if overall is Rating.NOT_APPLICABLE:
                    raise ValueProblem("The overall rating cannot be Not applicable")
            except ValueProblem as error:
                problem("overall_rating", str(error))
            else:
                if form.has(OVERALL_RATING):
                    answers[OVERALL_RATING] = AnswerValue(rating=overall)
        grade = None
        if cell("grade"):
            grade = grade_of(cell("grade"))
            if grade is None:
                problem(
                    "grade",
                    f"“{cell('grade')}” is not a grade. Use one of: "
                    + ", ".join(g.label for g in Grade),
                )
            elif form.has(OVERALL_GRADE):
                answers[OVERALL_GRADE] = AnswerValue(value=grade.value)

        if day is not None and auditor is not None and subject:
            key = import_key(self.info.slug, subject, day, auditor[0])
            if key in self.seen:
                what = "member of staff" if self.staff_subject else "case"
                plan.problem(
                    number,
                    "",
                    f"The same audit (the same {what}, date and auditor) is also on row "
                    f"{self.seen[key]}",
                )
            else:
                self.seen[key] = number
        if len(plan.problems) > before or placement is None:
            return
        assert day is not None and auditor is not None and kind is not None
        try:
            service_id = placement["service_id"]
            score = self.registry.score(
                self.info.slug, answers, service_id, self.settings[service_id]
            )
        except Exception as error:  # a tool's rule that cannot read this row: a row problem
            plan.problem(number, "", f"The {self.info.title} could not score this row: {error}")
            return
        if score is not None and score.derived:
            answers = {**answers, **score.derived}

        def value(member: Any) -> str | None:
            return member.value if member is not None else None

        if overall is None and score is not None:
            overall = score.overall_rating
        if grade is None and score is not None:
            grade = score.grade
        self.valid.append(
            AuditRow(
                number,
                key,
                {
                    "tool": self.info.slug,
                    "form_version": form.version,
                    **{k: v for k, v in placement.items() if k in AUDIT_TABLE.c},
                    "auditor_id": auditor[0],
                    "kind": kind.value,
                    "audit_date": day,
                    "submitted_at": datetime.combine(day, datetime.min.time()),
                    "suggested_rating": value(score.suggested_rating) if score else None,
                    "suggested_grade": value(score.suggested_grade) if score else None,
                    "overall_rating": value(overall),
                    "grade": value(grade),
                },
                [
                    (k, value(a.rating), a.value or None, a.comment or None)
                    for k, a in answers.items()
                    if not a.is_empty
                ],
            )
        )

    def finish(self) -> ImportPlan:
        """Count the valid rows as created, or unchanged where careaudit has the audit."""
        plan = self.plan
        changes = AuditChanges()
        if self.valid:
            first = min(row.values["audit_date"] for row in self.valid)
            last = max(row.values["audit_date"] for row in self.valid)
            existing = _existing_keys(self.info.slug, first, last)
            for row in self.valid:
                if row.key in existing:
                    plan.count("unchanged")
                else:
                    changes.create.append(row)
            plan.details["first_audit_date"] = first
            plan.details["last_audit_date"] = last
        plan.count("created", len(changes.create))
        plan.changes = changes
        return plan


# -- the upload page's help and example file ---------------------------------------------


@dataclass(frozen=True)
class ColumnHelp:
    """One column of a tool's file, for the help page and the example file."""

    heading: str
    #: Other headings accepted for the column, e.g. the question's key.
    also: str
    what: str
    example: str = ""


def column_help(info: ToolInfo, definition: FormDefinition) -> list[ColumnHelp]:
    """Every column a file of ``info``'s past audits can have, in the example file's order."""
    staff = info.subject == Subject.STAFF
    columns = [
        ColumnHelp(
            "Staff member" if staff else "Case reference",
            "Supervisee, Subject" if staff else "Case, Reference",
            "Required. The email or staff ID of the member of staff audited; they must be in "
            "careaudit."
            if staff
            else "Required. The case recording system's reference; the case must be in "
            "careaudit (import the case list first).",
            "worker@council.example" if staff else "C000001",
        ),
        ColumnHelp(
            "Audit date",
            "Date",
            "Required. The day of the audit, like 2024-04-15 or 15/04/2024; not in the future.",
            "15/04/2024",
        ),
        ColumnHelp(
            "Auditor",
            "Auditor email, Auditor staff ID",
            "Required. The auditor's email or staff ID; they must be in careaudit.",
            "manager@council.example",
        ),
        ColumnHelp(
            "Kind",
            "Audit kind, Type",
            "Required. " + ", ".join(KIND_LABELS.values()) + " (or line_management, LM, QA ...).",
            KIND_LABELS[AuditKind.LINE_MANAGEMENT],
        ),
    ]
    examples = ["Met", "Partially met", "Not met", "Not applicable"]
    rated_seen = 0
    for section in definition.sections:
        index = 0
        for question in section.questions:
            if question.computed or question.key in (OVERALL_RATING, OVERALL_GRADE):
                continue
            if question.kind is QuestionKind.RATING:
                if section.label:
                    label = (
                        section.label if index == 0 else f"{section.label}: {question.display_name}"
                    )
                else:
                    label = question.display_name.capitalize()
                index += 1
                choices = "Met, Partially met, Not met" + (
                    ", Not applicable" if question.allow_not_applicable else ""
                )
                columns.append(
                    ColumnHelp(
                        label,
                        question.key,
                        f"{question.text} {choices}; blank if not answered.",
                        examples[rated_seen % (4 if question.allow_not_applicable else 3)],
                    )
                )
                columns.append(
                    ColumnHelp(
                        f"{label} evidence",
                        f"{question.key} comment",
                        "Optional. The evidence comment for the rating.",
                        "The plan was reviewed on time." if rated_seen == 1 else "",
                    )
                )
                rated_seen += 1
            else:
                what = {
                    QuestionKind.NUMBER: "A whole number.",
                    QuestionKind.DATE: "A date.",
                    QuestionKind.TEXT: "Text.",
                }.get(question.kind, "One of: " + ", ".join(o.label for o in question.options))
                columns.append(
                    ColumnHelp(
                        question.key, question.display_name, f"Optional. {question.text} {what}"
                    )
                )
    summary = next(
        (
            s.label
            for s in definition.sections
            if s.label and any(q.key == OVERALL_RATING for q in s.questions)
        ),
        "",
    )
    columns.append(
        ColumnHelp(
            "Overall rating",
            f"Overall, {summary}" if summary else "Overall",
            "Optional. The auditor's overall rating: Met, Partially met or Not met.",
            "Partially met",
        )
    )
    columns.append(
        ColumnHelp(
            "Overall grade",
            "Grade",
            "Optional. " + ", ".join(g.label for g in Grade) + ".",
            Grade.ADEQUATE.label,
        )
    )
    return columns
