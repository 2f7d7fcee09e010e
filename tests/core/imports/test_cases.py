"""`careaudit import cases`: case files from the case list, upserted by reference."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.imports.cases import CaseImporter
from core.imports.mapping import save_mapping
from core.models import (
    Audit,
    Case,
    CaseAssignment,
    Category,
    ImportKind,
    ImportStatus,
    Service,
    Team,
)
from core.programme.compliance import coverage
from tests.core.imports import csv_bytes, problems_at, reasons, run, xlsx_bytes
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

TODAY = date.today()
HEADINGS = [
    "Case reference",
    "Initials",
    "Team",
    "Service",
    "Worker",
    "Category",
    "Status",
    "Opened",
    "Closed",
]


def case_file(*rows: list[str], headings: list[str] = HEADINGS) -> bytes:
    return csv_bytes([headings, *rows])


def case(reference: str) -> Case:
    found = db.session.scalar(select(Case).where(Case.reference == reference))
    assert found is not None, reference
    db.session.refresh(found)
    return found


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def history(reference: str) -> list[tuple]:
    """The case's assignments as (team, worker, category, started, ended), oldest first."""
    return [
        (a.team_id, a.worker_id, a.category, a.started_on, a.ended_on)
        for a in db.session.scalars(
            select(CaseAssignment)
            .where(CaseAssignment.case_id == case(reference).id)
            .order_by(CaseAssignment.id)
        )
    ]


NEW_ROWS = [
    ["D1", "A.B.", "CIN North", "", "worker@test.example", "Child in need", "", "2026-01-05", ""],
    ["D2", "ÉC", "cin south", "", "", "child_protection", "Open", "05/01/2026", ""],
    ["D3", "", "CIC Team A", "", "", "Looked after", "Closed", "2025-03-01", "31/12/2025"],
    ["D4", "", "Older People North", "Older People’s Social Work", "", "Carer", "", "", ""],
]


def formats() -> dict[str, tuple[bytes, str]]:
    rows = [HEADINGS, *NEW_ROWS]
    return {
        "csv utf-8": (csv_bytes(rows), "cases.csv"),
        "csv utf-8 with BOM": (csv_bytes(rows, bom=True), "cases.csv"),
        "csv windows-1252": (csv_bytes(rows, encoding="cp1252"), "cases.csv"),
        "csv semicolons": (csv_bytes(rows, delimiter=";"), "cases.csv"),
        "xlsx title and blank rows": (
            xlsx_bytes(rows, title="Case list at 31 March", blank_rows=[2, 4]),
            "cases.xlsx",
        ),
    }


@pytest.mark.parametrize("name", list(formats()))
def test_each_format_creates_the_same_cases(borough: Borough, name: str):
    """CSV (UTF-8, BOM, Windows-1252, semicolons) and Excel read alike, dates in either form."""
    content, filename = formats()[name]
    result = run(ImportKind.CASES, content, filename)
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert result.counts == {"created": 4, "updated": 0, "closed": 0, "unchanged": 0, "rejected": 0}
    d1, d2, d3, d4 = (case(r) for r in ("D1", "D2", "D3", "D4"))
    assert (d1.initials, d1.team_id, d1.service_id, d1.category, d1.opened_on) == (
        "AB",
        borough.north.id,
        borough.cin.id,
        "child_in_need",
        date(2026, 1, 5),
    )
    assert d1.allocated_worker_id == borough.user("worker").id and d1.is_open
    assert (d2.initials, d2.team_id, d2.allocated_worker_id, d2.category) == (
        "ÉC",
        borough.south.id,
        None,
        "child_protection",
    )
    assert d2.opened_on == date(2026, 1, 5)
    assert (d3.is_open, d3.closed_on, d3.category) == (False, date(2025, 12, 31), "looked_after")
    assert (d4.team_id, d4.service_id, d4.category, d4.is_open) == (
        borough.older_team.id,
        borough.older.id,
        "adult_carer",
        True,
    )


def test_every_created_case_starts_its_history(borough: Borough):
    result = run(ImportKind.CASES, case_file(*NEW_ROWS))
    assert history("D1") == [
        (borough.north.id, borough.user("worker").id, "child_in_need", TODAY, None)
    ]
    assert count(CaseAssignment) == 4
    assert {a.import_run_id for a in db.session.scalars(select(CaseAssignment))} == {result.id}


def test_reimporting_the_same_file_changes_nothing(borough: Borough):
    """The second run is all unchanged, and adds no history."""
    content = case_file(*NEW_ROWS)
    first = run(ImportKind.CASES, content)
    assigned = count(CaseAssignment)
    second = run(ImportKind.CASES, content)
    assert second.status is ImportStatus.IMPORTED
    assert second.counts == {"created": 0, "updated": 0, "closed": 0, "unchanged": 4, "rejected": 0}
    assert second.details["same_file_as"] == first.id
    assert count(CaseAssignment) == assigned


def test_changes_update_the_case_and_keep_service_with_team(borough: Borough):
    """Matched by reference in any case; team, worker, category, status, dates, initials."""
    result = run(
        ImportKind.CASES,
        case_file(
            ["c100001", "XY", "CIC Team A", "", "", "Looked after", "", "2025-01-01", ""],
            ["C100002", "AB", "CIN North", "", "worker@test.example", "CP", "Closed", "", ""],
            ["C100009", "AB", "CIN North", "", "worker@test.example", "Child in need", "", "", ""],
        ),
    )
    assert result.status is ImportStatus.REJECTED  # "CP" is not a category
    result = run(
        ImportKind.CASES,
        case_file(
            ["c100001", "XY", "CIC Team A", "", "", "Looked after", "", "2025-01-01", ""],
            ["C100002", "AB", "CIN North", "", "worker@test.example", "Child protection", "Closed"],
            ["C100009", "AB", "CIN North", "", "worker@test.example", "Child in need", "", "", ""],
        ),
    )
    assert result.counts == {"created": 0, "updated": 3, "closed": 0, "unchanged": 0, "rejected": 0}
    moved = case("C100001")
    assert (moved.team_id, moved.service_id, moved.category, moved.initials) == (
        borough.care.id,
        borough.cic.id,
        "looked_after",
        "XY",
    )
    assert moved.allocated_worker_id is None and moved.opened_on == date(2025, 1, 1)
    # Closed without a date: closed from the day careaudit learnt it.
    assert (case("C100002").is_open, case("C100002").closed_on) == (False, TODAY)
    # A closed case in the file as open is open again.
    assert (case("C100009").is_open, case("C100009").closed_on) == (True, None)
    assert count(Case) == len(borough.cases)


def test_a_changed_allocation_is_kept_as_history(borough: Borough):
    """The open row ends today and a new one starts; unchanged cases get no new rows."""
    run(ImportKind.CASES, case_file(*NEW_ROWS))
    yesterday = TODAY - timedelta(days=1)
    for row in db.session.scalars(select(CaseAssignment)):
        row.started_on = yesterday
    db.session.commit()
    rows = [list(r) for r in NEW_ROWS]
    rows[0][4] = "other_worker@test.example"
    result = run(ImportKind.CASES, case_file(*rows))
    assert (result.counts["updated"], result.counts["unchanged"]) == (1, 3)
    worker, other = borough.user("worker").id, borough.user("other_worker").id
    assert history("D1") == [
        (borough.north.id, worker, "child_in_need", yesterday, TODAY),
        (borough.north.id, other, "child_in_need", TODAY, None),
    ]
    assert len(history("D2")) == 1


def test_compliance_credits_the_worker_who_held_the_case_when_audited(borough: Borough):
    """Worker A is audited; the case moves to worker B; A stays audited and B is not."""
    rows = [["C100001", "AB", "CIN North", "", "worker@test.example", "Child in need", "", "", ""]]
    run(ImportKind.CASES, case_file(*rows))
    audit = submitted_audit(
        case("C100001"),
        borough.user("team_manager"),
        children_answers(overall="partially_met", grade="adequate"),
    )
    assert audit.worker_id == borough.user("worker").id
    rows[0][2] = "CIN South"
    rows[0][4] = "other_worker@test.example"
    result = run(ImportKind.CASES, case_file(*rows))
    assert result.counts["updated"] == 1
    assert case("C100001").allocated_worker_id == borough.user("other_worker").id
    assert db.session.get(Audit, audit.id).worker_id == borough.user("worker").id
    teams = {c.team: c for c in coverage(TODAY)}
    north = teams["CIN North (Children in Need)"]
    south = teams["CIN South (Children in Need)"]
    assert north.audited == 1 and "Worker" not in north.not_audited
    assert south.audited == 0 and south.not_audited == ["Other Worker"]


def test_a_dry_run_writes_nothing(borough: Borough):
    result = run(ImportKind.CASES, case_file(*NEW_ROWS), dry_run=True, full=True)
    assert result.status is ImportStatus.CHECKED
    assert result.counts["created"] == 4
    assert result.counts["closed"] == 5  # every open case of the borough
    assert count(Case) == len(borough.cases)
    assert count(CaseAssignment) == 0
    assert all(c.is_open for c in db.session.scalars(select(Case)) if c.reference != "C100009")


def test_full_closes_open_cases_missing_from_the_file_never_deleting_them(borough: Borough):
    """Only cases of the directorates the file covers: a children's list leaves adults' alone."""
    result = run(
        ImportKind.CASES,
        case_file(["C100001", "AB", "CIN North", "", "worker@test.example", "Child in need"]),
        full=True,
    )
    assert result.status is ImportStatus.IMPORTED, reasons(result)
    assert result.counts == {"created": 0, "updated": 0, "closed": 3, "unchanged": 1, "rejected": 0}
    assert count(Case) == len(borough.cases)
    for reference in ("C100002", "C200001", "C300001"):
        assert (case(reference).is_open, case(reference).closed_on) == (False, TODAY)
    assert case("A400001").is_open  # adults' directorate: not in this file
    assert result.details["closed_references"] == ["C100002", "C200001", "C300001"]
    assert case("C100001").is_open


def test_full_with_skip_invalid_keeps_cases_whose_row_was_rejected(borough: Borough):
    result = run(
        ImportKind.CASES,
        case_file(
            ["C100001", "AB", "CIN North", "", "worker@test.example", "Child in need"],
            ["C100002", "AB", "CIN North", "", "nobody@test.example", "Child protection"],
        ),
        full=True,
        skip_invalid=True,
    )
    assert result.status is ImportStatus.IMPORTED
    assert case("C100002").is_open
    assert result.counts["closed"] == 2


def test_every_problem_is_reported_with_its_row_and_column(borough: Borough):
    """The whole file is checked and refused; every problem names its row, column and reason."""
    borough.older_team.name = "CIN North"  # a second CIN North, in adults' services
    db.session.commit()
    before = count(Case)
    rows = [
        ["E1", "", "Nowhere", "", "", "Child in need", "", "", ""],  # 2 unknown team
        ["E2", "", "CIN North", "Children in Need", "nobody@test.example", "Child in need"],  # 3
        ["E3", "", "CIN South", "", "", "Early help", "", "", ""],  # 4 unknown category
        ["E1", "", "CIN South", "", "", "Child in need", "", "", ""],  # 5 duplicate reference
        ["E5", "", "CIN South", "", "", "Child in need", "", "2026-03-01", "2026-02-01"],  # 6
        ["E6", "John Smith", "CIN South", "", "", "Child in need"],  # 7 a name, not initials
        ["E7", "A1", "CIN South", "", "", "Child in need"],  # 8 initials with a digit
        ["E" * 41, "", "CIN South", "", "", "Child in need"],  # 9 reference too long
        ["", "", "CIN South", "", "", "Child in need"],  # 10 no reference
        ["E10", "", "CIN South", "", "", "Child in need", "Pending"],  # 11 unknown status
        ["E11", "", "CIN South", "", "", "Child in need", "Open", "", "2026-02-01"],  # 12
        ["E12", "", "CIN North", "", "", "Child in need"],  # 13 team in two services
        ["E13", "", "CIN South", "", "", "Child in need", "", "31/02/2026"],  # 14 bad date
        ["E14", "", "CIN South", "", "", ""],  # 15 no category
        ["E15", "Abcde", "CIN South", "", "", "Child in need"],  # 16 five letters: a name
        ["E16", "", "CIN South", "Nowhere", "", "Child in need"],  # 17 unknown service
    ]
    result = run(ImportKind.CASES, case_file(*rows))
    assert result.status is ImportStatus.REJECTED
    assert count(Case) == before
    assert problems_at(result) == {
        (2, "Team"),
        (3, "Worker"),
        (4, "Category"),
        (5, "Case reference"),
        (6, "Closed"),
        (7, "Initials"),
        (8, "Initials"),
        (9, "Case reference"),
        (10, "Case reference"),
        (11, "Status"),
        (12, "Status"),
        (13, "Team"),
        (14, "Opened"),
        (15, "Category"),
        (16, "Initials"),
        (17, "Team"),
    }
    by_row = {p["row"]: p["reason"] for p in result.problems}
    assert by_row[2].startswith("Team “Nowhere” is not in careaudit")
    assert by_row[3].startswith("Worker “nobody@test.example” is not a member of staff")
    assert by_row[4] == (
        "Category “Early help” is not a category of CIN South's directorate. Use one of: "
        "Care leaver, Child in need, Child protection, Children with disabilities, "
        "Looked after, Unaccompanied asylum-seeking child"
    )
    assert by_row[5] == "Case reference E1 is also on row 2"
    assert by_row[6] == "The closed date 01/02/2026 is before the opened date 01/03/2026"
    assert by_row[7].startswith("This looks like a name, not initials: careaudit never keeps")
    assert "John Smith" not in reasons(result)  # the record of the run keeps no name either
    assert by_row[8] == "Initials “A1” must be letters only"
    assert by_row[9] == "The case reference is longer than 40 characters"
    assert by_row[10] == "The case reference is missing"
    assert by_row[11] == "Status “Pending” should be open or closed"
    assert by_row[12].startswith("The case is Open but has a closed date")
    assert "more than one service" in by_row[13]
    assert by_row[14] == "Opened “31/02/2026” is not a date like 2026-03-31 or 31/03/2026"
    assert by_row[15] == "The category is missing"
    assert "looks like a name" in by_row[16]
    assert by_row[17] == "Service “Nowhere” is not in careaudit"
    assert result.counts["rejected"] == 16
    assert result.details["unknown_teams"] == ["Nowhere"]
    assert result.details["unknown_workers"] == ["nobody@test.example"]


def test_skip_invalid_imports_the_valid_rows(borough: Borough):
    result = run(
        ImportKind.CASES,
        case_file(
            ["F1", "", "CIN South", "", "", "Child in need"],
            ["F2", "", "Nowhere", "", "", "Child in need"],
        ),
        skip_invalid=True,
    )
    assert result.status is ImportStatus.IMPORTED
    assert (result.counts["created"], result.counts["rejected"]) == (1, 1)
    assert case("F1").team_id == borough.south.id
    assert db.session.scalar(select(Case).where(Case.reference == "F2")) is None


def test_a_failure_half_way_leaves_the_database_as_it_was(borough: Borough, monkeypatch):
    """Cases, history and teams written before the failure are rolled back; the run says why."""
    original = CaseImporter.apply

    def apply_then_fail(self, plan, run_record, progress):
        original(self, plan, run_record, progress)
        assert count(Case) > len(borough.cases)  # the rows were written ...
        raise RuntimeError("the database went away")

    monkeypatch.setattr(CaseImporter, "apply", apply_then_fail)
    before = (count(Case), count(CaseAssignment), count(Team))
    rows = [*NEW_ROWS, ["G1", "", "CIN East", "Children in Need", "", "Child in need"]]
    result = run(ImportKind.CASES, case_file(*rows), create_teams=True, full=True)
    assert result.status is ImportStatus.FAILED
    assert "the database went away" in result.error
    assert (count(Case), count(CaseAssignment), count(Team)) == before  # ... and undone
    assert case("C100002").is_open


def test_create_teams_creates_unknown_teams_in_a_named_service(borough: Borough):
    content = case_file(
        ["H1", "", "CIN East", "Children in Need", "", "Child in need"],
        ["H2", "", "CIN East", "children in need", "", "Child protection"],
        ["H3", "", "CIN West", "", "", "Child in need"],
    )
    refused = run(ImportKind.CASES, content)
    assert refused.details["unknown_teams"] == ["CIN East", "CIN West"]
    assert "import with the option to create teams" in reasons(refused)
    result = run(ImportKind.CASES, content, create_teams=True, skip_invalid=True)
    assert result.details["created_teams"] == ["CIN East (Children in Need)"]
    assert result.details["unknown_teams"] == ["CIN East", "CIN West"]
    assert problems_at(result) == {(4, "Team")}
    east = db.session.scalar(select(Team).where(Team.name == "CIN East"))
    assert case("H1").team_id == east.id == case("H2").team_id
    assert case("H1").service_id == borough.cin.id
    assert history("H1")[0][0] == east.id


def test_workers_by_staff_id_and_missing_columns_keep_what_careaudit_holds(borough: Borough):
    """No Worker column leaves allocations alone; a staff ID names a worker like an email."""
    borough.user("other_worker").staff_id = "E200"
    db.session.commit()
    result = run(
        ImportKind.CASES,
        case_file(
            ["C100001", "CIN North", "Child in need"],
            headings=["Case reference", "Team", "Category"],
        ),
    )
    assert result.counts["unchanged"] == 1
    assert case("C100001").allocated_worker_id == borough.user("worker").id
    assert case("C100001").initials == "AB"
    result = run(
        ImportKind.CASES,
        case_file(
            ["C100001", "CIN North", "Child in need", "e200"],
            headings=["reference", "TEAM", "category", "worker"],
        ),
    )
    assert result.counts["updated"] == 1
    assert case("C100001").allocated_worker_id == borough.user("other_worker").id


def test_a_closed_date_with_a_blank_status_closes_the_case(borough: Borough):
    run(
        ImportKind.CASES,
        case_file(["C100001", "AB", "CIN North", "", "", "Child in need", "", "", "2026-02-01"]),
    )
    assert (case("C100001").is_open, case("C100001").closed_on) == (False, date(2026, 2, 1))


def test_an_inactive_category_is_refused(borough: Borough):
    db.session.scalar(select(Category).where(Category.code == "care_leaver")).active = False
    db.session.commit()
    result = run(ImportKind.CASES, case_file(["J1", "", "CIC Team A", "", "", "Care leaver"]))
    assert problems_at(result) == {(2, "Category")}
    assert "Care leaver," not in reasons(result)
    assert "“Care leaver” is not in use" in reasons(result)


def test_census_referrals_kept_without_a_case_file_find_it_when_it_arrives(borough: Borough):
    """A child referred before careaudit had their file is linked once the case list has it."""
    from core.imports.synthetic import CensusChild, CensusReferral, census_xml
    from core.models import Referral

    census = census_xml(
        date(2026, 3, 31),
        [CensusChild("K9", date(2015, 1, 1), [CensusReferral(date(2025, 6, 1))])],
    )
    assert run(ImportKind.CIN_CENSUS, census, "census.xml").status is ImportStatus.IMPORTED
    referral = db.session.scalar(select(Referral).where(Referral.child_reference == "K9"))
    assert referral.case_id is None

    result = run(ImportKind.CASES, case_file(["k9", "", "CIN North", "", "", "Child in need"]))
    assert result.status is ImportStatus.IMPORTED, result.problems
    db.session.refresh(referral)
    assert referral.case_id == case("k9").id


def test_a_file_without_the_required_columns_is_refused(borough: Borough):
    result = run(ImportKind.CASES, csv_bytes([["Reference", "Worker"], ["C1", ""]]))
    assert result.status is ImportStatus.REJECTED
    assert result.error == (
        "The file has no column headed “Team” or “Category”. Use careaudit's headings "
        "or import with a saved mapping of the file's columns."
    )


COUNCIL_HEADINGS = [
    "Person ID",
    "Team Name",
    "Allocated Worker Email",
    "Primary Category",
    "Case Status",
    "Start Date",
    "End Date",
]
COUNCIL_COLUMNS = {
    "reference": "Person ID",
    "team": "Team Name",
    "worker": "Allocated Worker Email",
    "category": "Primary Category",
    "status": "Case Status",
    "opened_on": "Start Date",
    "closed_on": "End Date",
}
COUNCIL_VALUES = {
    "category": {"LAC": "looked_after", "CIN": "Child in need", "CP": "child_protection"},
    "status": {"Current": "open", "Ended": "closed"},
    "team": {"CiC A": "CIC Team A"},
}


def test_a_saved_mapping_imports_a_council_shaped_file(borough: Borough):
    """Columns and values mapped once, then the nightly file imports by the mapping's name."""
    save_mapping("Mosaic nightly", COUNCIL_COLUMNS, COUNCIL_VALUES)
    db.session.commit()
    content = xlsx_bytes(
        [
            COUNCIL_HEADINGS,
            ["P1", "CiC A", "", "LAC", "Current", "01/04/2025", ""],
            ["P2", "CIN North", "worker@test.example", "cin", "Ended", "2025-01-01", "2025-06-30"],
        ],
        title="Mosaic: all involvements",
    )
    result = run(ImportKind.CASES, content, "mosaic.xlsx", mapping="mosaic NIGHTLY")
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert result.mapping_name == "mosaic NIGHTLY"
    p1, p2 = case("P1"), case("P2")
    assert (p1.team_id, p1.category, p1.is_open, p1.opened_on) == (
        borough.care.id,
        "looked_after",
        True,
        date(2025, 4, 1),
    )
    assert (p2.category, p2.is_open, p2.closed_on) == ("child_in_need", False, date(2025, 6, 30))


def test_a_mapping_whose_column_is_missing_from_the_file_stops_the_import(borough: Borough):
    """A nightly file that lost a column must not quietly unallocate every case."""
    save_mapping("Mosaic nightly", COUNCIL_COLUMNS, COUNCIL_VALUES)
    db.session.commit()
    headings = [h for h in COUNCIL_HEADINGS if h != "Allocated Worker Email"]
    result = run(
        ImportKind.CASES,
        csv_bytes([headings, ["C100001", "CIN North", "CIN", "Current", "", ""]]),
        mapping="Mosaic nightly",
    )
    assert result.status is ImportStatus.REJECTED
    assert "“Allocated Worker Email” (Worker)" in result.error
    assert case("C100001").allocated_worker_id == borough.user("worker").id


def test_an_unknown_mapping_is_refused(borough: Borough):
    result = run(ImportKind.CASES, case_file(*NEW_ROWS), mapping="Nope")
    assert result.status is ImportStatus.REJECTED
    assert result.error.startswith("There is no saved mapping called “Nope”")


def test_service_names_the_team_when_two_services_share_its_name(borough: Borough):
    twin = Team(name="CIN North", service=db.session.get(Service, borough.cic.id))
    db.session.add(twin)
    db.session.commit()
    result = run(
        ImportKind.CASES,
        case_file(["K1", "", "CIN North", "Children in Care", "", "Looked after"]),
    )
    assert result.status is ImportStatus.IMPORTED, reasons(result)
    assert (case("K1").team_id, case("K1").service_id) == (twin.id, borough.cic.id)


def test_a_category_a_return_refined_stands_until_the_case_list_changes_its_own(
    borough: Borough,
):
    """The census's child protection is not undone every night by the case list's "CIN"."""
    from core.imports.synthetic import CensusChild, CensusReferral, census_xml

    assert run(ImportKind.CASES, case_file(["R1", "", "CIN North", "", "", "Child in need"]))
    census = census_xml(
        date.today(),
        [
            CensusChild(
                "R1",
                date(2016, 1, 1),
                [CensusReferral(date(2025, 6, 1), plans=[(date(2025, 7, 1), None)])],
            )
        ],
    )
    assert run(ImportKind.CIN_CENSUS, census, "census.xml").status is ImportStatus.IMPORTED
    assert case("R1").category == "child_protection"

    again = run(ImportKind.CASES, case_file(["R1", "", "CIN North", "", "", "Child in need"]))
    assert again.counts["unchanged"] == 1 and again.counts["updated"] == 0
    assert case("R1").category == "child_protection"

    changed = run(ImportKind.CASES, case_file(["R1", "", "CIN North", "", "", "Looked after"]))
    assert changed.counts["updated"] == 1
    assert case("R1").category == "looked_after"
    assert [h[2] for h in history("R1")] == ["child_in_need", "child_protection", "looked_after"]
