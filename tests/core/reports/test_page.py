"""The report page's views, filters and periods, as a lead uses them."""

from __future__ import annotations

import re

from core.reports import periods
from tests.core.test_reports import IN_PERIOD, known_audits  # noqa: F401 - a fixture
from tests.factories import Borough

QUARTER = periods.quarter_of(IN_PERIOD)


def table_rows(page: bytes, key: str) -> dict[str, list[str]]:
    """``{row header: [cells]}`` of the table ``data-table=key`` on the page."""
    html = page.decode()
    body = html.split(f'data-table="{key}"', 1)[1].split("</table>", 1)[0]
    out = {}
    for row in re.findall(r"<tr.*?</tr>", body, re.S)[1:]:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd].*?</t[hd]>", row, re.S)
        ]
        out[cells[0]] = cells[1:]
    return out


def report(client, b: Borough, **query: str):
    query = {"scope": f"team-{b.north.id}", "period": QUARTER.key, **query}
    return client.get("/reports/", query_string=query)


def test_line_against_independent_view(client, auth, known_audits: Borough):  # noqa: F811
    auth.login("senior@test.example")
    page = report(client, known_audits, view="compare")
    assert page.status_code == 200
    rows = table_rows(page.data, "children_audit-compare-standard_1")
    assert rows["Met"] == ["67", "0", "67"]
    assert rows["N (applicable)"] == ["3", "1", "–"] or rows["N (applicable)"][:2] == ["3", "1"]


def test_trend_view_has_a_chart_and_its_table(client, auth, known_audits: Borough):  # noqa: F811
    auth.login("senior@test.example")
    page = report(client, known_audits, view="trend", length="4")
    assert page.status_code == 200
    assert b'data-chart="children_audit-trend-standard_1-chart"' in page.data
    assert b"<svg" in page.data and b'role="img"' in page.data
    rows = table_rows(page.data, "children_audit-trend-standard_1")
    assert len(rows) == 4
    assert list(rows.values())[-1][:4] == ["67", "0", "33", "3"]


def test_follow_up_view_reports_actions_moderation_and_concerns(
    client,
    auth,
    known_audits: Borough,  # noqa: F811
):
    auth.login("senior@test.example")
    page = report(client, known_audits, view="followup")
    assert page.status_code == 200
    for heading in (b"Actions from audits", b"Moderation", b"Safeguarding concerns"):
        assert heading in page.data


def test_a_range_of_months(client, auth, known_audits: Borough):  # noqa: F811
    auth.login("senior@test.example")
    month = f"{IN_PERIOD:%Y-%m}"
    page = report(client, known_audits, period="range", **{"from": month, "to": month})
    assert page.status_code == 200
    assert f"{IN_PERIOD:%B %Y}".encode() in page.data


def test_a_backwards_range_is_a_clear_error_keeping_the_choices(
    client,
    auth,
    known_audits: Borough,  # noqa: F811
):
    auth.login("senior@test.example")
    page = report(client, known_audits, period="range", **{"from": "2026-10", "to": "2026-07"})
    assert page.status_code == 400
    assert b"the first no later than the last" in page.data
    assert b'<option value="2026-10" selected>' in page.data


def test_filters_by_kind_of_audit(client, auth, known_audits: Borough):  # noqa: F811
    auth.login("senior@test.example")
    page = report(client, known_audits, view="compare", kind="independent")
    assert b"Choose both line-management and independent audits" in page.data
    page = report(client, known_audits, kind="nonsense")
    assert page.status_code == 400 and b"Choose kinds of audit from the list" in page.data


def test_tables_scroll_in_their_own_labelled_box_and_the_page_prints(
    client,
    auth,
    known_audits: Borough,  # noqa: F811
):
    auth.login("senior@test.example")
    page = report(client, known_audits, view="compare")
    assert b'class="careaudit-table-scroll" role="region"' in page.data
    assert b'tabindex="0"' in page.data
    css = client.get("/static/careaudit.css").data
    assert b"@media print" in css


def test_leads_can_build_a_committee_report_and_read_comments_from_the_page(
    client,
    auth,
    known_audits: Borough,  # noqa: F811
):
    """QA and senior managers build packs; team managers read comments; analysts neither."""
    auth.login("senior@test.example")
    page = report(client, known_audits, kind="independent").data
    assert b"Build a committee report" in page
    assert b'name="kind" value="independent"' in page  # the pack starts from this report
    assert b"/reports/narrative" in page or b"Evidence comments" in page
    auth.logout()
    auth.login("team_manager@test.example")
    page = report(client, known_audits).data
    assert b"Build a committee report" not in page and b"Evidence comments" in page
