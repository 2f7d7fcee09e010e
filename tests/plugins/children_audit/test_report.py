"""The children's audit's own table for the committee pack: Standard 6's items by kind of audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.exports.document import Document, Section
from core.models import AuditKind
from core.tools import AnswerValue, ReportScope
from core.tools.registry import get_registry
from plugins.children_audit.report import report_section, report_tables
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

TODAY = date.today()
PEP, HEALTH, SDQ = (
    "An up to date PEP (Personal Education Plan)",
    "A current health assessment",
    "A current SDQ (Strengths and Difficulties Questionnaire)",
)
FIGURES = ("Yes", "No", "Not applicable", "N", "Yes (%)")
LINE, INDEPENDENT, SELF = slice(1, 6), slice(6, 11), slice(11, 16)


def answers(pep: str, health: str, sdq: str) -> dict[str, AnswerValue]:
    given = children_answers(overall="partially_met", grade="adequate")
    for item, value in (("pep", pep), ("health", health), ("sdq", sdq)):
        given[f"standard_6_{item}"] = AnswerValue(None, value)
    return given


@pytest.fixture
def known_audits(borough: Borough) -> Borough:
    """Two line management audits, two independent, one self-audit, one too old to count."""
    b = borough
    lac, cin = b.cases["lac"], b.cases["cin"]
    submitted_audit(cin, b.user("team_manager"), answers("yes", "no", "not_applicable"))
    submitted_audit(lac, b.user("care_manager"), answers("yes", "yes", "yes"))
    iro = b.user("iro")
    submitted_audit(lac, iro, answers("no", "yes", "no"), kind=AuditKind.INDEPENDENT)
    submitted_audit(lac, iro, answers("yes", "yes", "not_applicable"), kind=AuditKind.INDEPENDENT)
    submitted_audit(
        cin, b.user("team_manager"), answers("no", "no", "no"), kind=AuditKind.SELF_AUDIT
    )
    submitted_audit(
        lac,
        iro,
        answers("no", "no", "no"),
        on=TODAY - timedelta(days=400),
        kind=AuditKind.INDEPENDENT,
    )
    return b


def scope(**where: object) -> ReportScope:
    return ReportScope(tool="children_audit", start=TODAY - timedelta(days=365), end=TODAY, **where)


def test_line_and_independent_audits_have_their_own_columns_with_n(known_audits: Borough):
    """Hand count: each kind's yes / no / not applicable, N (yes + no) and the share of yes."""
    (table,) = report_tables(scope())
    assert table.columns == (
        "Item",
        *(f"Line management: {f}" for f in FIGURES),
        *(f"Independent: {f}" for f in FIGURES),
        *(f"Self-audit: {f}" for f in FIGURES),
    )
    rows = {row[0]: row for row in table.rows}
    assert list(rows) == [PEP, HEALTH, SDQ]
    assert rows[PEP][LINE] == (2, 0, 0, 2, 100)
    assert rows[HEALTH][LINE] == (1, 1, 0, 2, 50)
    assert rows[SDQ][LINE] == (1, 0, 1, 1, 100)
    assert rows[PEP][INDEPENDENT] == (1, 1, 0, 2, 50)
    assert rows[HEALTH][INDEPENDENT] == (2, 0, 0, 2, 100)  # the audit of 400 days ago is out
    assert rows[SDQ][INDEPENDENT] == (0, 1, 1, 1, 0)
    assert rows[PEP][SELF] == (0, 1, 0, 1, 0)
    assert table.numeric == (False, *[True] * 15)
    assert table.key == "children_audit-standard-6"


def test_the_table_never_blends_kinds(known_audits: Borough):
    """No column adds kinds together: every figure column names its kind of audit."""
    (table,) = report_tables(scope())
    kinds = ("Line management: ", "Independent: ", "Self-audit: ")
    assert all(column.startswith(kinds) for column in table.columns[1:])


def test_the_figures_are_the_report_sections(known_audits: Borough):
    """The pack's table and the report page's Standard 6 table show the same counts."""
    (table,) = report_tables(scope())
    shown = report_section(scope()).context["standard_6_counts"]
    keys = {PEP: "standard_6_pep", HEALTH: "standard_6_health", SDQ: "standard_6_sdq"}
    for kind, columns in (("line_management", LINE), ("independent", INDEPENDENT)):
        for row in table.rows:
            counts = shown[kind][keys[row[0]]]
            yes, no, not_applicable = row[columns][:3]
            assert (yes, no, not_applicable) == (
                counts.get("yes", 0),
                counts.get("no", 0),
                counts.get("not_applicable", 0),
            )


def test_only_line_audits_still_shows_independent_columns_empty(borough: Borough):
    """With no independent audit, its columns are there and say so (N 0, no share)."""
    submitted_audit(borough.cases["lac"], borough.user("care_manager"), answers("yes", "no", "no"))
    (table,) = report_tables(scope(service_id=borough.cic.id))
    assert len(table.columns) == 11  # no self-audit or sample columns without such audits
    assert table.rows[0][INDEPENDENT] == (0, 0, 0, 0, None)
    assert table.rows[0][LINE] == (1, 0, 0, 1, 100)


def test_nothing_in_scope_gives_no_table(known_audits: Borough):
    assert report_tables(scope(service_id=known_audits.cic.id)) is not None
    assert report_tables(scope(service_id=known_audits.older.id)) is None
    assert get_registry().report_tables(scope(service_id=known_audits.older.id)) == []


def test_the_table_survives_an_issued_reports_json(known_audits: Borough):
    """An issued report stores its document as JSON: the table comes back the same."""
    tables = report_tables(scope())
    document = Document("Report", "Council", "Year", "All", [Section("children", "C", tables)])
    assert Document.from_json(document.to_json()).tables() == tables
