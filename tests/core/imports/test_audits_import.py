"""`careaudit import audits`: a council's past audits of one tool, from its spreadsheets.

Imported audits are submitted audits with their real dates, marked imported,
counted where the case was on the day; a file with any problem imports
nothing; importing the same file again adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.audits.workflow import audit_submitted
from core.extensions import db
from core.models import (
    Answer,
    Audit,
    AuditKind,
    AuditStatus,
    CaseAssignment,
    ImportKind,
    ImportStatus,
    Rating,
    Role,
    TrailEntry,
)
from core.tools import (
    AnswerValue,
    FormDefinition,
    Question,
    QuestionKind,
    Score,
    Section,
    ToolInfo,
    count_ratings,
    hookimpl,
)
from core.tools.registry import get_registry
from tests.core.imports import csv_bytes, problems_at, reasons, run, xlsx_bytes
from tests.factories import Borough, make_user

STANDARDS = [f"Standard {n}" for n in range(1, 14)]
HEADINGS = [
    "Case reference",
    "Audit date",
    "Auditor",
    "Kind",
    *STANDARDS,
    "Standard 3 evidence",
    "Overall rating",
    "Overall grade",
    "Strengths",
]


def row(
    reference: str = "C100001",
    day: str = "2025-06-30",
    auditor: str = "team_manager@test.example",
    kind: str = "Line management",
    ratings: list[str] | None = None,
    evidence: str = "Plan reviewed on time.",
    overall: str = "Partially met",
    grade: str = "Adequate",
    strengths: str = "Child seen alone.",
) -> list[str]:
    return [
        reference,
        day,
        auditor,
        kind,
        *(ratings or ["Met"] * 13),
        evidence,
        overall,
        grade,
        strengths,
    ]


def audits_file(*rows: list[str], headings: list[str] = HEADINGS) -> bytes:
    return csv_bytes([headings, *rows])


def imported() -> list[Audit]:
    db.session.expire_all()
    return list(db.session.scalars(select(Audit).order_by(Audit.audit_date, Audit.id)))


def answers_of(audit: Audit) -> dict[str, tuple[str | None, str | None, str | None]]:
    return {
        a.question: (a.rating.value if a.rating else None, a.value, a.comment)
        for a in db.session.scalars(select(Answer).where(Answer.audit_id == audit.id))
    }


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


VALID = [
    row(
        ratings=["Met", "partially met", "NOT MET", "Not applicable", "n/a", "not_met"]
        + ["Met"] * 7
    ),
    row(
        "c200001",  # references are matched in any case
        "31/03/2025",
        "iro@test.example",
        "independent",
        overall="Met",
        grade="good",
        evidence="",
    ),
    row("C300001", "2024-11-02", "care_manager@test.example", "LM", overall="", grade=""),
]


def test_a_valid_file_imports_each_audit_as_submitted_and_marked_imported(borough: Borough):
    """Real dates, auditors, kinds, ratings, evidence, judgement; the case's team and category."""
    result = run(ImportKind.AUDITS, audits_file(*VALID), tool="children_audit")
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert result.counts == {"created": 3, "updated": 0, "closed": 0, "unchanged": 0, "rejected": 0}

    lac, south, cin = imported()
    assert (cin.case_id, cin.audit_date, cin.kind) == (
        borough.cases["cin"].id,
        date(2025, 6, 30),
        AuditKind.LINE_MANAGEMENT,
    )
    assert cin.status is AuditStatus.SUBMITTED
    assert cin.submitted_at == datetime(2025, 6, 30)
    assert cin.auditor_id == borough.user("team_manager").id
    assert (cin.service_id, cin.team_id) == (borough.cin.id, borough.north.id)
    assert cin.worker_id == borough.user("worker").id
    assert (cin.imported_run_id, cin.form_version) == (result.id, "1.0")
    assert cin.import_key == (
        f"children_audit|c{borough.cases['cin'].id}|2025-06-30|a{borough.user('team_manager').id}"
    )
    # The file's judgement is the auditor's; the tool's suggestion is stored beside it.
    assert (cin.overall_rating, cin.grade) == ("partially_met", "adequate")
    assert cin.suggested_rating == "not_met" and cin.suggested_grade == "inadequate"
    answers = answers_of(cin)
    assert answers["standard_1"] == ("met", None, None)
    assert answers["standard_2"] == ("partially_met", None, None)
    assert answers["standard_3"] == ("not_met", None, "Plan reviewed on time.")
    assert answers["standard_4"][0] == answers["standard_5"][0] == "not_applicable"
    assert answers["overall_rating"] == ("partially_met", None, None)
    assert answers["overall_grade"] == (None, "adequate", None)
    assert answers["strengths"] == (None, "Child seen alone.", None)

    assert (south.kind, south.team_id, south.overall_rating, south.grade) == (
        AuditKind.INDEPENDENT,
        borough.south.id,
        "met",
        "good",
    )
    assert answers_of(south)["standard_3"] == ("met", None, None)
    # No judgement in the file: none is invented (the suggestion is kept apart).
    assert (lac.kind, lac.overall_rating, lac.grade) == (AuditKind.LINE_MANAGEMENT, None, None)
    assert lac.suggested_rating == "met"
    if hasattr(Audit, "category"):
        assert (cin.category, lac.category) == ("child_in_need", "looked_after")


def test_the_import_is_recorded_once_in_the_audit_trail(borough: Borough):
    result = run(ImportKind.AUDITS, audits_file(*VALID), tool="children_audit")
    entries = db.session.scalars(
        select(TrailEntry).where(TrailEntry.action == "import.completed")
    ).all()
    assert len(entries) == 1
    assert entries[0].summary == "audits import imported: 3 created"
    assert entries[0].after["files"] == [f"extract.csv ({result.files[0].sha256[:12]})"]


def test_imported_audits_start_nothing_the_submission_would(borough: Borough):
    """No signal: no message, feedback round, action or moderation draw."""
    sent: list[Audit] = []

    def receiver(audit: Audit) -> None:
        sent.append(audit)

    audit_submitted.connect(receiver)
    try:
        result = run(ImportKind.AUDITS, audits_file(*VALID), tool="children_audit")
    finally:
        audit_submitted.disconnect(receiver)
    assert result.status is ImportStatus.IMPORTED
    assert sent == []


def test_importing_the_same_file_again_adds_nothing(borough: Borough):
    content = audits_file(*VALID)
    run(ImportKind.AUDITS, content, tool="children_audit")
    again = run(ImportKind.AUDITS, content, tool="children_audit")
    assert again.status is ImportStatus.IMPORTED
    assert again.counts["created"] == 0 and again.counts["unchanged"] == 3
    assert again.details["same_file_as"] is not None
    assert count(Audit) == 3
    # A file that adds a row to the old ones imports only the new row.
    more = audits_file(*VALID, row("C100002", "2025-07-01"))
    third = run(ImportKind.AUDITS, more, tool="children_audit")
    assert (third.counts["created"], third.counts["unchanged"]) == (1, 3)
    assert count(Audit) == 4


def test_an_audit_already_done_in_careaudit_is_not_imported_twice(borough: Borough):
    """Same case, day, auditor and tool as a submitted audit: counted unchanged."""
    from tests.helpers import children_answers, submitted_audit

    done = submitted_audit(
        borough.cases["cin"], borough.user("team_manager"), children_answers(), on=date(2025, 6, 30)
    )
    result = run(ImportKind.AUDITS, audits_file(VALID[0]), tool="children_audit")
    assert (result.counts["created"], result.counts["unchanged"]) == (0, 1)
    assert [a.id for a in imported()] == [done.id]


def test_a_dry_run_says_what_would_be_imported_and_writes_nothing(borough: Borough):
    result = run(ImportKind.AUDITS, audits_file(*VALID), tool="children_audit", dry_run=True)
    assert result.status is ImportStatus.CHECKED
    assert result.counts["created"] == 3
    assert result.details["first_audit_date"] == "2024-11-02"
    assert result.details["last_audit_date"] == "2025-06-30"
    assert count(Audit) == 0


def test_every_problem_is_listed_with_its_row_and_column_and_nothing_is_imported(
    borough: Borough,
):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    rows = [
        row(),  # row 2: valid, yet not imported with the others
        row("C999999"),  # 3: no such case
        row(auditor="nobody@test.example"),  # 4: no such auditor
        row(kind="Peer review", day="2025-01-01"),  # 5: not a kind
        row(day="31/02/2025"),  # 6: not a date
        row(day=tomorrow),  # 7: in the future
        row(ratings=["Excellent"] + ["Met"] * 12, day="2025-02-01"),  # 8: not a rating
        row(overall="Good", grade="Brilliant", day="2025-02-02"),  # 9: rating and grade
        row("A400001", day="2025-02-03"),  # 10: an adults' case
        row(ratings=[""] * 13, day="2025-02-04", evidence=""),  # 11: no ratings at all
        row(day="", auditor="", kind=""),  # 12: three cells missing
        row(),  # 13: the same audit as row 2
    ]
    result = run(ImportKind.AUDITS, audits_file(*rows), tool="children_audit")
    assert result.status is ImportStatus.REJECTED
    assert count(Audit) == 0 and count(Answer) == 0
    assert problems_at(result) == {
        (3, "Case reference"),
        (4, "Auditor"),
        (5, "Kind"),
        (6, "Audit date"),
        (7, "Audit date"),
        (8, "Standard 1"),
        (9, "Overall rating"),
        (9, "Overall grade"),
        (10, "Case reference"),
        (11, ""),
        (12, "Audit date"),
        (12, "Auditor"),
        (12, "Kind"),
        (13, ""),
    }
    text = reasons(result)
    assert "Case C999999 is not in careaudit. Import the case list first" in text
    assert "“nobody@test.example”" in text and "“Peer review” is not a kind of audit" in text
    assert "“31/02/2025” is not a date" in text and "is in the future" in text
    assert "“Excellent” is not a rating" in text and "“Brilliant” is not a grade" in text
    assert "not in a service the Children’s case file audit audits" in text or "A400001" in text
    assert "The row has no ratings" in text and "is also on row 2" in text
    assert result.counts["rejected"] == 11


def test_valid_rows_only_when_chosen(borough: Borough):
    rows = [row(), row("C999999")]
    result = run(ImportKind.AUDITS, audits_file(*rows), tool="children_audit", skip_invalid=True)
    assert result.status is ImportStatus.IMPORTED
    assert (result.counts["created"], result.counts["rejected"]) == (1, 1)
    assert count(Audit) == 1


def test_a_file_the_tool_cannot_read_is_refused_whole(borough: Borough):
    no_case = audits_file(row()[1:], headings=HEADINGS[1:])
    result = run(ImportKind.AUDITS, no_case, tool="children_audit")
    assert result.status is ImportStatus.REJECTED
    assert "no Case reference column" in result.error
    no_ratings = csv_bytes([HEADINGS[:4], row()[:4]])
    assert (
        "no column for any rated question"
        in run(ImportKind.AUDITS, no_ratings, tool="children_audit").error
    )
    assert "no audit tool “nope”" in run(ImportKind.AUDITS, no_ratings, tool="nope").error
    themed = run(ImportKind.AUDITS, no_ratings, tool="rereferral_theme")
    assert "cannot be imported" in themed.error
    assert count(Audit) == 0


def test_columns_by_question_key_codes_and_excel_dates(borough: Borough):
    """Keys (standard_1), codes (line_management), evidence by key, the overall rating under
    its standard's label (Standard 14), an Excel workbook."""
    headings = ["Case", "Date", "Auditor", "Type", *(f"standard_{n}" for n in range(1, 14))]
    headings += ["standard_2_comment", "Standard 14", "Grade", "Notes"]
    cells = ["C100002", datetime(2025, 5, 4), "team_manager@test.example", "line_management"]
    cells += ["met"] * 13 + ["Some gaps.", "met", "good", "not read"]
    content = xlsx_bytes([headings, cells], title="Case file audits 2025")
    result = run(ImportKind.AUDITS, content, "audits.xlsx", tool="children_audit")
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    (audit,) = imported()
    assert (audit.audit_date, audit.kind, audit.overall_rating, audit.grade) == (
        date(2025, 5, 4),
        AuditKind.LINE_MANAGEMENT,
        "met",
        "good",
    )
    assert answers_of(audit)["standard_2"] == ("met", None, "Some gaps.")
    assert result.details["ignored_columns"] == ["Notes"]


def test_the_auditor_by_staff_id_and_the_team_the_case_was_in_on_the_day(borough: Borough):
    """A case that moved team: the audit counts where the file was when it was audited."""
    manager = borough.user("team_manager")
    manager.staff_id = "E123"
    case = borough.cases["cin"]
    db.session.add_all(
        [
            CaseAssignment(
                case_id=case.id,
                team_id=borough.south.id,
                worker_id=borough.user("other_worker").id,
                category="child_protection",
                started_on=date(2024, 1, 1),
                ended_on=date(2025, 1, 1),
            ),
            CaseAssignment(
                case_id=case.id,
                team_id=borough.north.id,
                worker_id=borough.user("worker").id,
                category="child_in_need",
                started_on=date(2025, 1, 1),
            ),
        ]
    )
    db.session.commit()
    rows = [row(day="2024-06-01", auditor="e123"), row(day="2023-06-01"), row(day="2025-02-01")]
    result = run(ImportKind.AUDITS, audits_file(*rows), tool="children_audit")
    assert result.status is ImportStatus.IMPORTED, reasons(result)
    before, during, after = imported()
    assert (during.team_id, during.worker_id, during.auditor_id) == (
        borough.south.id,
        borough.user("other_worker").id,
        manager.id,
    )
    # Before the history starts: its first team; nobody is credited as the worker.
    assert (before.team_id, before.worker_id) == (borough.south.id, None)
    assert (after.team_id, after.worker_id) == (borough.north.id, borough.user("worker").id)
    if hasattr(Audit, "category"):
        assert (during.category, after.category) == ("child_protection", "child_in_need")


def test_a_staff_tool_imports_by_the_member_of_staff_audited(borough: Borough):
    """Supervision audits: the subject by email or staff ID; counted where they work."""
    supervisee = make_user("supervisee", Role.SOCIAL_WORKER, team=borough.south)
    db.session.commit()
    headings = ["Staff member", "Audit date", "Auditor", "Kind", "Supervision agreement"]
    headings += ["Recorded on the case recording system", "Overall rating", "Overall grade"]
    headings += ["Period audited start", "period_start", "sessions_recorded"]
    content = csv_bytes(
        [
            headings,
            [
                *("supervisee@test.example", "2025-03-01", "south_manager@test.example"),
                *("Line management", "Met", "Partially met", "Met", "Good", "", "01/01/2025", "4"),
            ],
            [
                *("nobody@test.example", "2025-03-02", "south_manager@test.example"),
                *("Line management", "Met", "Met", "Met", "Good", "", "", ""),
            ],
        ]
    )
    result = run(ImportKind.AUDITS, content, tool="supervision_audit", skip_invalid=True)
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert problems_at(result) == {(3, "Staff member")}
    (audit,) = imported()
    assert (audit.subject_user_id, audit.case_id) == (supervisee.id, None)
    assert (audit.service_id, audit.team_id) == (borough.cin.id, borough.south.id)
    answers = answers_of(audit)
    assert answers["supervision_agreement"][0] == "met"
    assert answers["recorded_on_system"][0] == "partially_met"
    assert answers["period_start"] == (None, "2025-01-01", None)
    assert answers["sessions_recorded"] == (None, "4", None)


# -- a tool core has never seen ------------------------------------------------------------


class HomeVisits:
    """A third party's tool, registered for one test: its overall rating is its own rule."""

    slug = "test_home_visits"

    @hookimpl
    def careaudit_tool(self) -> ToolInfo:
        return ToolInfo(
            slug=self.slug, title="Home visits audit", version="2.1", directorates=("children",)
        )

    @hookimpl
    def careaudit_audit_form(self, case, settings) -> FormDefinition:
        return FormDefinition(
            tool=self.slug,
            version="2.1",
            title="Home visits audit",
            sections=(
                Section(
                    key="visits",
                    title="Visits",
                    questions=(
                        Question(
                            key="visits_on_time",
                            name="visits on time",
                            text="Were visits on time?",
                            kind=QuestionKind.RATING,
                        ),
                        Question(
                            key="seen_alone",
                            name="seen alone",
                            text="Was the child seen alone?",
                            kind=QuestionKind.RATING,
                            allow_not_applicable=False,
                        ),
                        Question(
                            key="visits_count",
                            name="visits",
                            text="How many visits?",
                            kind=QuestionKind.NUMBER,
                            minimum=0,
                        ),
                    ),
                ),
            ),
        )

    @hookimpl
    def careaudit_score_audit(self, answers) -> Score:
        counts, not_applicable = count_ratings(answers, ["visits_on_time", "seen_alone"])
        worst = Rating.NOT_MET if counts[Rating.NOT_MET] else Rating.MET
        return Score(
            counts=counts,
            not_applicable=not_applicable,
            overall_rating=worst,
            suggested_rating=worst,
            derived={"visits_note": AnswerValue(value="scored")},
        )


@pytest.fixture
def home_visits(app):
    tool = HomeVisits()
    registry = get_registry()
    registry.register(tool, name=tool.slug)
    try:
        yield tool
    finally:
        registry.unregister(tool)


def test_a_third_party_tool_imports_through_its_own_form_and_score(
    borough: Borough, home_visits: HomeVisits
):
    """Questions by name; no overall rating in the file: the tool's own rule decides."""
    headings = ["Case reference", "Audit date", "Auditor", "Kind", "Visits on time"]
    headings += ["Visits on time evidence", "Seen alone", "Visits"]
    content = csv_bytes(
        [
            headings,
            ["C100001", "2025-04-01", "iro@test.example", "Independent", "Met", "", "Not met", "3"],
            ["C100002", "2025-04-02", "iro@test.example", "Independent", "Met", "Ok", "N/A", "x"],
        ]
    )
    result = run(ImportKind.AUDITS, content, tool="test_home_visits")
    assert result.status is ImportStatus.REJECTED
    assert problems_at(result) == {(3, "Seen alone"), (3, "Visits")}
    assert "Seen alone cannot be Not applicable" in reasons(result)

    fixed = csv_bytes(
        [
            headings,
            ["C100001", "2025-04-01", "iro@test.example", "Independent", "Met", "", "Not met", "3"],
            ["C100002", "2025-04-02", "iro@test.example", "Independent", "Met", "Ok", "Met", "2"],
        ]
    )
    result = run(ImportKind.AUDITS, fixed, tool="test_home_visits")
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    first, second = imported()
    assert (first.tool, first.form_version, first.overall_rating) == (
        "test_home_visits",
        "2.1",
        "not_met",
    )
    assert second.overall_rating == "met"
    assert answers_of(second) == {
        "visits_on_time": ("met", None, "Ok"),
        "seen_alone": ("met", None, None),
        "visits_count": (None, "2", None),
        "visits_note": (None, "scored", None),
    }


# -- the reports count them ---------------------------------------------------------------


def test_imported_audits_are_counted_in_the_reports_from_their_own_dates(borough: Borough):
    """The tally counts them as the import writes them, exactly as a rebuild would."""
    from core.models.reports import ReportTally
    from core.reports import summary
    from core.tools.reporting import ALL_KINDS, ReportScope, audit_counts_by_kind, rating_tables

    run(ImportKind.AUDITS, audits_file(*VALID), tool="children_audit")

    def tally() -> set[tuple[object, ...]]:
        rows = db.session.scalars(select(ReportTally).where(ReportTally.n != 0))
        return {
            (
                r.tool,
                r.team_id,
                r.service_id,
                r.month,
                r.kind,
                r.category,
                r.axis,
                r.measure,
                r.value,
                r.n,
            )
            for r in rows
        }

    kept = tally()
    assert kept, "the import added the audits' counts"
    assert summary.rebuild() == 3
    assert tally() == kept

    june = ReportScope("children_audit", date(2025, 6, 1), date(2025, 6, 30))
    assert audit_counts_by_kind(june) == {ALL_KINDS: 1, "line_management": 1}
    year = ReportScope("children_audit", date(2024, 4, 1), date(2025, 6, 30))
    assert audit_counts_by_kind(year)[ALL_KINDS] == 3
    questions = [("standard_3", "Standard 3", "")]
    (standard_3,) = rating_tables(year, questions)[ALL_KINDS]
    assert (standard_3.counts[Rating.NOT_MET], standard_3.counts[Rating.MET]) == (1, 2)
    # The same figures from the audit and answer tables.
    raw = ReportScope("children_audit", date(2024, 4, 1), date(2025, 6, 30), tally=False)
    assert rating_tables(raw, questions) == rating_tables(year, questions)


def test_the_sample_file_imports(borough: Borough):
    """docs/samples/historic_audits.csv: the help page's example, against the test borough."""
    path = Path(__file__).parents[3] / "docs" / "samples" / "historic_audits.csv"
    result = run(ImportKind.AUDITS, path.read_bytes(), path.name, tool="children_audit")
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert result.counts["created"] == len(path.read_text().splitlines()) - 1


def test_a_file_larger_than_one_statement_is_written_whole(borough: Borough):
    """5,001 audits: written in chunks, each audit with its own answers."""
    import random

    from core.imports.bulk import CHUNK
    from core.imports.synthetic import past_audits_csv

    references = [c.reference for key, c in borough.cases.items() if key != "adult"]
    auditors = ["iro@test.example", "team_manager@test.example", "senior@test.example"]
    content = past_audits_csv(
        STANDARDS,
        references,
        auditors,
        CHUNK + 1,
        random.Random(3),
        date(2023, 1, 1),
        date(2024, 12, 31),
    )
    result = run(ImportKind.AUDITS, content, "audits.csv", tool="children_audit")
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert count(Audit) == CHUNK + 1
    per_audit = db.session.execute(
        select(Answer.audit_id, func.count(Answer.id)).group_by(Answer.audit_id)
    ).all()
    # 13 standards, the overall rating and the overall grade: every audit has its own.
    assert len(per_audit) == CHUNK + 1 and {n for _, n in per_audit} == {15}


def test_imported_audits_are_never_drawn_for_moderation(borough: Borough):
    """A draw for the month of imported line audits finds none of them."""
    from core.moderation.draw import draw
    from core.programme.periods import month_of

    result = run(ImportKind.AUDITS, audits_file(*VALID), tool="children_audit")
    assert result.status is ImportStatus.IMPORTED
    drawn = draw(month_of(date(2025, 6, 30)), seed=1, tell=False, today=date(2025, 7, 1))
    assert drawn.drawn == 0
    assert "0 submitted in" in " ".join(drawn.log)


def test_imported_audits_start_the_trend_with_the_councils_own_baseline(borough: Borough):
    """Past audits show in the report's trend, in the quarters of their own dates."""
    from core.exports.document import Table
    from core.reports import content

    run(ImportKind.AUDITS, audits_file(*VALID), tool="children_audit")
    request = content.ReportRequest(
        period="2025-26-Q1", scope="all", trend_unit="quarter", trend_length=4
    )
    resolved = content.resolve(request, borough.user("senior"))
    trend = next(
        block
        for block in content.trend_blocks(resolved, "children_audit")
        if isinstance(getattr(block, "table", None), Table)
        and block.table.key == "children_audit-trend-standard_1"
    ).table
    by_quarter = {row[0]: row[1:] for row in trend.rows}
    # Columns: line management met / partially / not met (%) and N, then independent's.
    # C300001 (2 November 2024) and C100001 (30 June 2025) are line-management audits
    # with standard 1 met; c200001 (31 March 2025) an independent audit, also met.
    assert by_quarter["Q2 2024/25"] == (None, None, None, 0, None, None, None, 0)
    assert by_quarter["Q3 2024/25"] == (100, 0, 0, 1, None, None, None, 0)
    assert by_quarter["Q4 2024/25"] == (None, None, None, 0, 100, 0, 0, 1)
    assert by_quarter["Q1 2025/26"] == (100, 0, 0, 1, None, None, None, 0)
