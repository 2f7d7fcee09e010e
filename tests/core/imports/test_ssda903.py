"""The SSDA903 import: looked-after children and care leavers from the Header and Episodes.

Every file is a small synthetic return written by the test, with the return's
own headings and DD/MM/YYYY dates.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from core.extensions import db
from core.imports.plan import ImportFileData
from core.imports.runner import run_import
from core.models import Case, CaseAssignment, CaseCategory, ImportKind, ImportRun, ImportStatus
from tests.factories import Borough, make_case

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def header(*children: tuple[str, str]) -> bytes:
    rows = [HEADER] + [f"{child},1,{born},WBRI,A123456789012,," for child, born in children]
    return ("\r\n".join(rows) + "\r\n").encode()


def episodes(*rows: tuple[str, str, str, str]) -> bytes:
    """(CHILD, DECOM, DEC, REC) per episode; the other columns as a return has them."""
    lines = [EPISODES] + [
        f"{child},{start},S,C2,N1,U1,PR1,{end},{reason},,AB1 2CD,AB3 4EF,SC123456"
        for child, start, end, reason in rows
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def import_return(head: bytes, body: bytes, dry_run: bool = False, **options) -> ImportRun:
    return run_import(
        ImportKind.SSDA903,
        [
            ImportFileData("header", "header.csv", head),
            ImportFileData("episodes", "episodes.csv", body),
        ],
        options,
        started_by="test",
        dry_run=dry_run,
    )


def category(reference: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Case.category).where(Case.reference == reference))


def history(reference: str) -> list[tuple[str, bool]]:
    rows = db.session.scalars(
        select(CaseAssignment)
        .join(Case, Case.id == CaseAssignment.case_id)
        .where(Case.reference == reference)
        .order_by(CaseAssignment.id)
    )
    return [(row.category, row.ended_on is None) for row in rows]


def test_a_child_with_an_open_episode_is_looked_after(borough: Borough):
    """C100001 is in care now; C200001's care ended (home to parents): left alone."""
    run = import_return(
        header(("C100001", "01/06/2012"), ("c200001", "01/06/2012"), ("X1", "01/01/2013")),
        episodes(
            ("C100001", "01/04/2024", "03/09/2024", "X1"),
            ("C100001", "03/09/2024", "", ""),
            ("C200001", "01/04/2024", "01/10/2024", "E4A"),
            ("X1", "01/04/2024", "", ""),
        ),
    )
    assert run.status is ImportStatus.IMPORTED, (run.error, run.problems)
    assert (run.counts["updated"], run.counts["unchanged"]) == (1, 1)
    assert category("C100001") == "looked_after"
    assert category("C200001") == "child_in_need"
    assert history("C100001") == [("looked_after", True)]
    assert run.details["without_case_file"] == 1
    assert run.details["without_case_file_references"] == ["X1"]
    assert (run.details["looked_after"], run.details["left_alone"]) == (1, 1)


def test_care_leavers_are_marked_where_the_return_says_so(borough: Borough):
    """Left care for adult life (E17, E5, E6, E7) at 16 or over; not before 16."""
    for n in range(3, 8):
        make_case(f"C10000{n}", borough.care, CaseCategory.LOOKED_AFTER)
    db.session.commit()
    run = import_return(
        header(
            ("C100003", "01/05/2006"),
            ("C100004", "01/05/2007"),
            ("C100005", "01/05/2007"),
            ("C100006", "01/05/2012"),
            ("C100007", "01/05/2007"),
        ),
        episodes(
            ("C100003", "01/01/2020", "01/05/2024", "E17"),  # 18, staying put
            ("C100004", "01/01/2020", "01/08/2024", "E5"),  # 17, supported lodgings
            ("C100005", "01/01/2020", "01/08/2024", "E11"),  # adopted: not a care leaver
            ("C100006", "01/01/2020", "01/08/2024", "E6"),  # 12: not a care leaver
            ("C100007", "01/01/2020", "01/08/2023", "E6"),  # left, then came back:
            ("C100007", "01/01/2024", "", ""),  # looked after again
        ),
    )
    assert run.status is ImportStatus.IMPORTED, run.problems
    assert category("C100003") == category("C100004") == "care_leaver"
    assert category("C100005") == category("C100006") == "looked_after"
    assert category("C100007") == "looked_after"
    assert history("C100003") == [("care_leaver", True)]
    assert (run.counts["updated"], run.counts["unchanged"]) == (2, 3)
    assert run.details["care_leavers"] == 2


def test_history_is_kept_and_a_second_import_changes_nothing(borough: Borough):
    case = borough.cases["cin"]
    db.session.add(
        CaseAssignment(
            case_id=case.id,
            team_id=case.team_id,
            worker_id=case.allocated_worker_id,
            category="child_in_need",
            started_on=date(2024, 1, 1),
        )
    )
    db.session.commit()
    files = (header(("C100001", "01/06/2012")), episodes(("C100001", "01/04/2024", "", "")))
    first = import_return(*files)
    assert history("C100001") == [("child_in_need", False), ("looked_after", True)]
    again = import_return(*files)
    assert again.counts["updated"] == 0 and again.counts["unchanged"] == 1
    assert len(history("C100001")) == 2
    assert first.id != again.id and again.details["same_file_as"] == first.id


def test_closed_cases_and_adults_cases_are_not_changed(borough: Borough):
    run = import_return(
        header(("C100009", "01/06/2012"), ("A400001", "01/06/2012")),
        episodes(("C100009", "01/04/2024", "", ""), ("A400001", "01/04/2024", "", "")),
    )
    assert run.counts["updated"] == 0
    assert category("C100009") == "child_in_need"
    assert category("A400001") == "adult_care_and_support"


def test_nothing_identifying_is_kept(borough: Borough):
    """No date of birth, sex, UPN or postcode in careaudit: not even in problems."""
    run = import_return(
        header(("C100001", "01/06/2012"), ("C200001", "31/02/2012")),
        episodes(("C100001", "01/04/2024", "", "")),
        skip_invalid=True,
    )
    kept = repr(run.details) + repr(run.problems) + repr(run.counts)
    for value in ("01/06/2012", "31/02/2012", "A123456789012", "AB1 2CD", "AB3 4EF"):
        assert value not in kept
    assert all(f.content is None for f in run.files)


def test_every_problem_is_reported_and_nothing_is_written(borough: Borough):
    run = import_return(
        header(
            ("C100001", "01/06/2012"),
            ("", "01/06/2012"),
            ("C200001", "01/06/2012"),
            ("c200001", "01/06/2013"),
            ("C300001", "2012-06-01"),
        ),
        episodes(
            ("C100001", "31/13/2024", "", ""),
            ("", "01/04/2024", "", ""),
            ("Z9", "01/04/2024", "", ""),
            ("C300001", "01/04/2024", "01/03/2024", "E4A"),
            ("C300001", "", "", ""),
        ),
    )
    assert run.status is ImportStatus.REJECTED
    found = {(p["row"], p["column"]): p["reason"] for p in run.problems}
    assert found[("Header row 3", "CHILD")] == "CHILD is missing"
    assert found[("Header row 5", "CHILD")] == "Child c200001 is also on Header row 4"
    assert "is not a date like" in found[("Episodes row 2", "DECOM")]
    assert found[("Episodes row 3", "CHILD")] == "CHILD is missing"
    assert "no row in the Header file" in found[("Episodes row 4", "CHILD")]
    assert "ends (01/03/2024) before it starts (01/04/2024)" in found[("Episodes row 5", "DEC")]
    assert found[("Episodes row 6", "DECOM")] == "DECOM is missing"
    assert category("C100001") == "child_in_need"


def test_the_valid_children_can_be_imported_when_chosen(borough: Borough):
    run = import_return(
        header(("C100001", "01/06/2012"), ("C200001", "01/06/2012")),
        episodes(("C100001", "01/04/2024", "", ""), ("C200001", "x", "", "")),
        skip_invalid=True,
    )
    assert run.status is ImportStatus.IMPORTED
    assert (run.counts["updated"], run.counts["rejected"]) == (1, 1)
    assert category("C100001") == "looked_after" and category("C200001") == "child_in_need"


def test_files_without_the_returns_columns_are_refused(borough: Borough):
    run = import_return(b"ID,DOB\r\nC1,01/01/2010\r\n", episodes())
    assert run.status is ImportStatus.REJECTED
    assert "The Header file has no CHILD column" in run.error
    swapped = import_return(episodes(), header(("C1", "01/01/2010")))
    assert "has no CHILD column" not in swapped.error and "DECOM" in swapped.error


def test_the_command_reads_both_files(runner, borough: Borough, tmp_path: Path):
    (tmp_path / "header.csv").write_bytes(header(("C100001", "01/06/2012")))
    (tmp_path / "episodes.csv").write_bytes(episodes(("C100001", "01/04/2024", "", "")))
    result = runner.invoke(
        args=[
            "import",
            "ssda903",
            "--header",
            str(tmp_path / "header.csv"),
            "--episodes",
            str(tmp_path / "episodes.csv"),
            "--quiet",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Changed: 0 created, 1 updated" in result.output
    assert category("C100001") == "looked_after"
