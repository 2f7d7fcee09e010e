"""Report figures, checked against a hand count of a known set of audits."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from core.audits import workflow
from core.models import AuditKind, Rating
from core.tools.registry import get_registry
from core.tools.reporting import (
    ALL_KINDS,
    ReportScope,
    outcome_distributions,
    rating_tables,
    standards_report_context,
)
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

TODAY = date.today()
IN_PERIOD = TODAY - timedelta(days=10)


@pytest.fixture
def known_audits(borough: Borough) -> Borough:
    """Five audits in CIN North this period, one elsewhere, one old, one draft.

    Hand count for CIN North, last 12 months, standard 1:
      line management: met, met, not_met; independent: partially_met, not_applicable
      -> all kinds: met 2, partially 1, not met 1, N = 4, not applicable 1.
    """
    b = borough
    tm, iro = b.user("team_manager"), b.user("iro")
    cin, cp = b.cases["cin"], b.cases["cp"]
    submitted_audit(
        cin,
        tm,
        children_answers({1: "met"}, overall="partially_met", grade="adequate"),
        on=IN_PERIOD,
    )
    submitted_audit(
        cp,
        tm,
        children_answers({1: "met"}, default="met", overall="met", grade="good"),
        on=IN_PERIOD,
    )
    submitted_audit(
        cin,
        tm,
        children_answers({1: "not_met", 3: "not_met"}, overall="not_met", grade="inadequate"),
        on=IN_PERIOD,
    )
    submitted_audit(
        cp,
        iro,
        children_answers({1: "partially_met"}, overall="partially_met", grade="adequate"),
        on=IN_PERIOD,
    )
    submitted_audit(
        cin,
        iro,
        children_answers({1: "not_applicable"}, overall="partially_met", grade="adequate"),
        on=IN_PERIOD,
    )
    # Not counted for CIN North: another team, too old, and a draft.
    submitted_audit(
        b.cases["south"],
        b.user("south_manager"),
        children_answers({1: "met"}, overall="partially_met", grade="adequate"),
        on=IN_PERIOD,
    )
    submitted_audit(
        cin,
        tm,
        children_answers({1: "met"}, overall="partially_met", grade="adequate"),
        on=TODAY - timedelta(days=400),
    )
    workflow.start_audit(get_registry(), cin, tm, "children_audit", "draft-token")
    return b


def scope_for(b: Borough, **where: int) -> ReportScope:
    return ReportScope(tool="children_audit", start=TODAY - timedelta(days=365), end=TODAY, **where)


def test_rating_counts_match_hand_count(known_audits: Borough):
    """Per standard: Met / Partially met / Not met among applicable, N/A apart, by kind."""
    tables = rating_tables(
        scope_for(known_audits, team_id=known_audits.north.id),
        [("standard_1", "Standard 1", "chronology"), ("standard_3", "Standard 3", "statutory")],
    )
    all_kinds = {row.key: row for row in tables[ALL_KINDS]}
    s1 = all_kinds["standard_1"]
    assert s1.counts == {Rating.MET: 2, Rating.PARTIALLY_MET: 1, Rating.NOT_MET: 1}
    assert (s1.applicable, s1.not_applicable) == (4, 1)
    assert s1.percent(Rating.MET) == 50 and s1.percent(Rating.NOT_MET) == 25
    line = {row.key: row for row in tables[AuditKind.LINE_MANAGEMENT.value]}["standard_1"]
    assert line.counts == {Rating.MET: 2, Rating.PARTIALLY_MET: 0, Rating.NOT_MET: 1}
    independent = {r.key: r for r in tables[AuditKind.INDEPENDENT.value]}["standard_1"]
    assert independent.counts[Rating.PARTIALLY_MET] == 1 and independent.not_applicable == 1
    s3 = all_kinds["standard_3"]
    assert s3.counts == {Rating.MET: 1, Rating.PARTIALLY_MET: 3, Rating.NOT_MET: 1}


def test_outcome_distribution_matches_hand_count(known_audits: Borough):
    """Overall ratings and grades are counted per kind of audit."""
    outcomes = outcome_distributions(scope_for(known_audits, team_id=known_audits.north.id))
    assert outcomes[ALL_KINDS]["rating"].counts == {"met": 1, "partially_met": 3, "not_met": 1}
    assert outcomes[ALL_KINDS]["grade"].counts == {
        "inadequate": 1,
        "adequate": 3,
        "good": 1,
        "outstanding": 0,
        "requires_improvement": 0,
    }
    assert outcomes[AuditKind.INDEPENDENT.value]["rating"].counts["partially_met"] == 2
    assert outcomes[ALL_KINDS]["rating"].percent("partially_met") == 60


def test_standards_report_context_gathers_the_shared_figures(known_audits: Borough):
    """One call gives a standards tool's count, tabs, rating tables and outcomes."""
    scope = scope_for(known_audits, team_id=known_audits.north.id)
    questions = [("standard_1", "Standard 1", "chronology")]
    context = standards_report_context(scope, questions)
    assert context["audit_count"] == 5
    # Each kind first (the tab shown first is never a blend), all kinds together last.
    assert context["tabs"] == [
        (AuditKind.LINE_MANAGEMENT.value, "Line management", 3),
        (AuditKind.INDEPENDENT.value, "Independent", 2),
        (ALL_KINDS, "All kinds together", 5),
    ]
    assert context["tables"] == rating_tables(scope, questions)
    assert context["outcomes"] == outcome_distributions(scope)


def test_service_scope_includes_every_team(known_audits: Borough):
    """A service's report counts all its teams' audits (6 here), not other services."""
    tables = rating_tables(
        scope_for(known_audits, service_id=known_audits.cin.id), [("standard_1", "Standard 1", "")]
    )
    row = tables[ALL_KINDS][0]
    assert row.applicable + row.not_applicable == 6


def cell(page: bytes, question: str, rating: str, kind: str = "all") -> str:
    panel = page.split(f'data-kind="{kind}"'.encode(), 1)[1]
    row = panel.split(f'data-question="{question}"'.encode(), 1)[1]
    match = re.search(rf'data-rating="{rating}">([^<]*)'.encode(), row)
    assert match
    return match.group(1).decode().strip()


def test_report_page_shows_the_hand_counted_figures(client, auth, known_audits: Borough):
    """The report page shows the same figures, per kind, with N and Not applicable."""
    auth.login("team_manager@test.example")
    page = client.get(f"/reports/?scope=team-{known_audits.north.id}&period=last-12-months")
    assert page.status_code == 200
    assert cell(page.data, "standard_1", "met") == "2"
    assert cell(page.data, "standard_1", "not_met") == "1"
    assert cell(page.data, "standard_1", "applicable") == "4"
    assert cell(page.data, "standard_1", "not_applicable") == "1"
    assert cell(page.data, "standard_1", "met", kind="line_management") == "2"
    assert b"(50%)" in page.data
    assert b"Independent (2)" in page.data and b"Line management (3)" in page.data


def test_managers_report_only_on_what_they_manage(client, auth, known_audits: Borough):
    """A team manager asking for another scope gets a clear message, not data."""
    auth.login("team_manager@test.example")
    page = client.get(f"/reports/?scope=service-{known_audits.cin.id}")
    assert page.status_code == 400
    assert b"Choose a part of the council you can report on" in page.data


def test_bad_period_gets_a_clear_message(client, auth, known_audits: Borough):
    """An unknown period is an error message with the default period shown, not a 500."""
    auth.login("senior@test.example")
    page = client.get("/reports/?period=2026-13")
    assert page.status_code == 400
    assert b"Choose a reporting period from the list" in page.data


def test_switched_off_tool_still_reports_its_audits(client, auth, known_audits: Borough):
    """Audits done while a tool was on stay in the report after it is switched off."""
    registry = get_registry()
    registry.set_switch("children_audit", known_audits.cin.id, False)
    from core.extensions import db

    db.session.commit()
    auth.login("senior@test.example")
    page = client.get(f"/reports/?scope=service-{known_audits.cin.id}")
    assert page.status_code == 200
    assert b"Children\xe2\x80\x99s case file audits" in page.data
    assert cell(page.data, "standard_1", "applicable") == "5"
