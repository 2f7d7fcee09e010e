"""A tool's report section is rendered once and kept until what it counts changes
(core.reports.kept): a kept section is never an old one, and a tool that does not declare
its section counted from the tally is asked on every view."""

from __future__ import annotations

import dataclasses
import re

import pytest
from flask.testing import FlaskClient

from core.extensions import db
from core.reports import kept, periods
from core.tools.registry import ToolRegistry
from plugins.children_audit import report as children_report
from tests.core.test_reports import IN_PERIOD, known_audits  # noqa: F401 - a fixture
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

QUARTER = periods.quarter_of(IN_PERIOD)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every scope the children's tool was asked for its report section."""
    seen: list[object] = []
    build = children_report.report_section

    def counted(scope):  # type: ignore[no-untyped-def]
        seen.append(scope)
        return build(scope)

    monkeypatch.setattr(children_report, "report_section", counted)
    return seen


@pytest.fixture
def reading(known_audits: Borough, auth) -> Borough:  # noqa: F811
    """The known audits, read by a senior manager."""
    db.session.commit()
    auth.login("senior@test.example")
    return known_audits


def line_management_audits(client: FlaskClient, b: Borough) -> int:
    """The children's section's count of line-management audits for CIN North."""
    page = client.get(
        "/reports/", query_string={"scope": f"team-{b.north.id}", "period": QUARTER.key}
    )
    assert page.status_code == 200
    tab = re.search(
        r'href="#children-line_management">[^<(]*\((\d+)\)', page.get_data(as_text=True)
    )
    assert tab is not None
    return int(tab.group(1))


def test_a_section_is_rendered_once_until_an_audit_is_submitted(
    reading: Borough, client: FlaskClient, asked: list[object]
) -> None:
    b = reading
    assert line_management_audits(client, b) == 3
    assert line_management_audits(client, b) == 3
    assert len(asked) == 1

    submitted_audit(b.cases["cp"], b.user("team_manager"), children_answers(), on=IN_PERIOD)
    db.session.commit()
    assert line_management_audits(client, b) == 4
    assert len(asked) == 2


def test_a_change_to_the_set_up_renders_it_again(
    reading: Borough, client: FlaskClient, asked: list[object]
) -> None:
    b = reading
    line_management_audits(client, b)
    b.north.name = "CIN North and West"
    db.session.commit()
    page = client.get("/reports/", query_string={"scope": f"team-{b.north.id}"})
    # The team's new name, in the choice of scope and in the newly rendered section.
    assert "CIN North and West" in page.get_data(as_text=True)
    line_management_audits(client, b)
    assert len(asked) == 3  # the first view, and each period after the change


def test_a_tool_that_does_not_declare_it_is_asked_on_every_view(
    reading: Borough,
    client: FlaskClient,
    asked: list[object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = ToolRegistry.get

    def undeclared(self: ToolRegistry, slug: str):  # type: ignore[no-untyped-def]
        info = found(self, slug)
        return dataclasses.replace(info, report_from_counts=False) if info else None

    monkeypatch.setattr(ToolRegistry, "get", undeclared)
    line_management_audits(client, reading)
    line_management_audits(client, reading)
    assert len(asked) == 2


def test_kept_sections_stay_within_their_size(
    reading: Borough, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kept._kept, "limit", 200_000)
    for period in periods.choices(IN_PERIOD)[:8]:
        client.get("/reports/", query_string={"period": period.key})
    assert sum(len(html) for _, html in filter(None, kept._kept.values())) <= 200_000
