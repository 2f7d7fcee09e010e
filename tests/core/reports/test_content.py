"""The report's comparison, trend and follow-up sections, against a hand count.

``known_audits`` (tests/core/test_reports.py) holds, for CIN North this period:
standard 1 rated met, met, not met by line managers and partially met, not
applicable by independent reviewers.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from core.exports.document import Chart, Document, Quote, Table
from core.reports import content, periods
from tests.core.test_reports import IN_PERIOD, known_audits  # noqa: F401 - a fixture
from tests.factories import Borough

QUARTER = periods.quarter_of(IN_PERIOD)


def request_for(b: Borough, **extra) -> content.ReportRequest:
    return content.ReportRequest(period=QUARTER.key, scope=f"team-{b.north.id}", **extra)


def table(blocks: list, key: str) -> Table:
    for block in blocks:
        found = block.table if isinstance(block, Chart) else block
        if isinstance(found, Table) and found.key == key:
            return found
    raise AssertionError(f"no table {key}")


def rows(found: Table) -> dict:
    return {row[0]: row[1:] for row in found.rows}


def test_line_management_and_independent_side_by_side_with_the_difference(
    known_audits: Borough,  # noqa: F811
):
    resolved = content.resolve(request_for(known_audits), known_audits.user("iro"))
    blocks = content.comparison_blocks(resolved, "children_audit")
    standard_1 = rows(table(blocks, "children_audit-compare-standard_1"))
    # Line: 2 of 3 met, 1 of 3 not met. Independent: 1 of 1 partially met (N/A apart).
    assert standard_1["Met"] == (67, 0, 67)
    assert standard_1["Partially met"] == (0, 100, -100)
    assert standard_1["Not met"] == (33, 0, 33)
    assert standard_1["N (applicable)"] == (3, 1, None)
    grades = rows(table(blocks, "children_audit-compare-grade"))
    # Line grades: adequate, good, inadequate; independent: adequate, adequate.
    assert grades["Good"] == (33, 0, 33)
    assert grades["Adequate"] == (33, 100, -67)
    assert grades["N (audits)"] == (3, 2, None)


def test_the_first_view_never_blends_the_kinds(known_audits: Borough):  # noqa: F811
    resolved = content.resolve(request_for(known_audits), known_audits.user("iro"))
    blocks = content.results_blocks(resolved, "children_audit")
    keys = [b.key for b in blocks]
    assert "children_audit-line_management-standards-chart" in keys
    assert "children_audit-independent-standards-chart" in keys
    assert not any("all" in key.split("-") for key in keys)
    line = rows(table(blocks, "children_audit-line_management-standards"))
    assert line["Standard 1"] == (67, 0, 33, 3, 0)


def test_the_trend_counts_each_quarter_with_n(known_audits: Borough):  # noqa: F811
    resolved = content.resolve(request_for(known_audits, trend_length=4), known_audits.user("iro"))
    blocks = content.trend_blocks(resolved, "children_audit")
    trend = table(blocks, "children_audit-trend-standard_1")
    assert len(trend.rows) == 4
    latest = trend.rows[-1]
    # Columns: period, then met / partially / not met / N for line, then for independent.
    assert latest[1:] == (67, 0, 33, 3, 0, 100, 0, 1)
    assert all(row[4] == 0 for row in trend.rows[:-1])  # the audit 400 days old is older still
    chart = next(b for b in blocks if isinstance(b, Chart) and b.table is trend)
    assert chart.kind == "line" and chart.series[0].values[-1] == 67.0


def test_kind_filter_leaves_out_the_other_kinds(known_audits: Borough):  # noqa: F811
    resolved = content.resolve(
        request_for(known_audits, kinds=("independent",)), known_audits.user("iro")
    )
    summary = table(content.summary_blocks(resolved), "audits")
    assert summary.columns == ("Audit tool", "Independent", "All audits")
    assert rows(summary)[content.tool_title("children_audit")] == (2, 2)


def test_a_manager_cannot_ask_for_another_part_of_the_council(known_audits: Borough):  # noqa: F811
    wrong = content.ReportRequest(period=QUARTER.key, scope=f"service-{known_audits.cin.id}")
    with pytest.raises(ValueError, match="part of the council"):
        content.resolve(wrong, known_audits.user("team_manager"))


def test_the_document_carries_narrative_and_pins_and_survives_json(
    known_audits: Borough,  # noqa: F811
):
    request = request_for(
        known_audits,
        sections=("summary", "compare-children_audit"),
        narratives={"summary": "First paragraph.\n\nSecond paragraph."},
        pins={"compare-children_audit": [Quote("Plans were clear.", "Standard 1, rated Met")]},
    )
    document = content.build_document(request, known_audits.user("iro"), title="Quarterly report")
    assert [s.key for s in document.sections] == ["summary", "compare-children_audit"]
    assert document.sections[0].blocks[0].text == "First paragraph."
    assert document.sections[1].blocks[0] == Quote("Plans were clear.", "Standard 1, rated Met")
    again = Document.from_json(json.loads(json.dumps(document.to_json())))
    assert again == document


def test_follow_up_sections_say_so_when_there_is_nothing(known_audits: Borough):  # noqa: F811
    resolved = content.resolve(request_for(known_audits), known_audits.user("iro"))
    for key in ("actions", "moderation", "concerns"):
        section = content.build_section(resolved, key, key)
        assert section.blocks and section.blocks[0].text.startswith("No ")


def test_periods_ranges_and_trends():
    today = date(2026, 12, 2)
    assert periods.parse("2026-07..2026-10", today).label == "July to October 2026"
    assert periods.parse("2026-10..2026-07", today) is None
    assert periods.parse("last-12-months", today).start == date(2026, 1, 1)
    quarters = periods.trend(date(2026, 11, 30), "quarter", 4)
    assert [q.key for q in quarters] == ["2025-26-Q4", "2026-27-Q1", "2026-27-Q2", "2026-27-Q3"]
