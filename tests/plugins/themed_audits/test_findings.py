"""A theme's findings and cross-tabulations, counted in SQL, against a hand count.

The same figures reach the findings page (HTML) and the committee pack (the
``careaudit_report_tables`` hook's tables).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from flask import current_app, render_template
from sqlalchemy import event

from core.audits import workflow
from core.exports.document import Document, Section, Table
from core.extensions import db
from core.models import AuditKind
from core.tools import AnswerValue, Option, Question, QuestionKind, ReportScope
from core.tools import Section as FormSection
from core.tools.registry import get_registry
from plugins.themed_audits import CrossTab, Finding, Theme
from plugins.themed_audits.findings import (
    analyse,
    cross_tab_count,
    cross_tab_shares,
    report_tables,
)
from plugins.themed_audits.rereferral.theme import theme as rereferral
from tests.factories import Borough

TODAY = date.today()
MORE_THAN_FOUR = (
    "Of the re-referrals with more than four previous referrals on the system, how many had "
    "contacts migrated from the old system"
)
CONCERN_TO_CP = (
    "Of the re-referrals involving domestic violence or chronic neglect, how many should "
    "have triggered a child protection enquiry"
)
MOBILE = "Of the mobile families, how many had information sought from other local authorities"
NOTE = "A free-text learning point that must never reach a table."


def submit(
    b: Borough,
    theme: Theme,
    answers: Mapping[str, str],
    *,
    service: str = "cin",
    on: date | None = None,
    draft: bool = False,
) -> None:
    """An audit of a sampled item, made and submitted the way the framework does."""
    info = theme.careaudit_tool()
    team = b.north if service == "cin" else b.care
    audit = workflow.new_audit(
        info, b.user("service_manager"), AuditKind.LINE_MANAGEMENT, team.service_id, team.id
    )
    if draft:
        return
    values = {key: AnswerValue(None, value) for key, value in answers.items()}
    workflow.submit(audit, values, theme.careaudit_score_audit(answers=values))
    if on is not None:
        audit.audit_date = on
    db.session.commit()


def rereferral_answers(
    previous: int, migrated: int, concern: str, cp: str, mobile: str, other_la: str
) -> dict[str, str]:
    return {
        "previous_referrals": str(previous),
        "migrated_contacts": str(migrated),
        "main_concern": concern,
        "should_have_triggered_cp": cp,
        "mobile_family": mobile,
        "other_la_information": other_la,
        "dealt_with_appropriately": "yes",
        "learning_points": NOTE,
    }


@pytest.fixture
def known_audits(borough: Borough) -> Borough:
    """Five re-referrals audited in Children in Need this year, and three that must not count.

    | audit | previous | migrated | concern         | CP enquiry | mobile | other LAs |
    |-------|----------|----------|-----------------|------------|--------|-----------|
    | 1     | 5        | 2        | DV              | yes        | yes    | yes       |
    | 2     | 4        | 1        | neglect         | yes        | yes    | no        |
    | 3     | 8        | 0        | other           | no         | no     | n/a       |
    | 4     | 6        | 1        | DV and neglect  | yes        | no     | n/a       |
    | 5     | 1        | 0        | other           | no         | no     | n/a       |

    Four previous referrals (audit 2) is not "more than four".
    """
    b = borough
    rows = [
        (5, 2, "domestic_violence", "yes", "yes", "yes"),
        (4, 1, "chronic_neglect", "yes", "yes", "no"),
        (8, 0, "other", "no", "no", "not_applicable"),
        (6, 1, "domestic_violence,chronic_neglect", "yes", "no", "not_applicable"),
        (1, 0, "other", "no", "no", "not_applicable"),
    ]
    for row in rows:
        submit(b, rereferral, rereferral_answers(*row))
    out = rereferral_answers(9, 3, "domestic_violence", "yes", "yes", "yes")
    submit(b, rereferral, out, on=TODAY - timedelta(days=400))  # before the period
    submit(b, rereferral, out, service="cic")  # another service
    submit(b, rereferral, out, draft=True)  # not submitted
    return b


def scope(b: Borough, theme: Theme = rereferral) -> ReportScope:
    return ReportScope(
        tool=theme.slug, start=TODAY - timedelta(days=365), end=TODAY, service_id=b.cin.id
    )


def table(tables: list[Table], caption: str) -> dict[object, tuple[object, ...]]:
    found = next(t for t in tables if t.caption == caption)
    return {row[0]: row[1:] for row in found.rows}


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# -- cross-tabulations ----------------------------------------------------------


def test_cross_tabs_match_the_hand_count(known_audits: Borough):
    """Of the items where the first finding holds, how many also have the second."""
    shares = {
        s.label: (s.count, s.total, s.percent)
        for s in analyse(rereferral, scope(known_audits))["cross_tabs"]
    }
    assert shares == {
        MORE_THAN_FOUR: (2, 3, 67),  # audits 1, 3, 4 have 5+; 1 and 4 have migrated contacts
        CONCERN_TO_CP: (3, 3, 100),  # audits 1, 2, 4; audit 4 ticked both and counts once
        MOBILE: (1, 2, 50),  # audits 1 and 2 are mobile; only 1 asked other authorities
    }


def test_more_than_four_means_five_or_more(known_audits: Borough):
    """The headline finding and the cross-tab agree: four previous referrals do not count."""
    headline = {s.label: s.count for s in analyse(rereferral, scope(known_audits))["headline"]}
    assert headline["More than four previous referrals on the system"] == 3
    first = rereferral.cross_tabs[0]
    assert first.given.at_least == 5
    assert cross_tab_count(scope(known_audits), first) == (2, 3)


def test_one_query_per_cross_tab_and_none_when_there_is_nothing_to_count(known_audits: Borough):
    in_scope, plain = scope(known_audits), scope(known_audits, PlainTheme())
    with counted_queries() as statements:
        cross_tab_shares(rereferral, in_scope, total=5)
    assert len(statements) == len(rereferral.cross_tabs)
    with counted_queries() as statements:
        assert cross_tab_shares(rereferral, in_scope, total=0) == []  # nothing in scope
        assert cross_tab_shares(PlainTheme(), plain, total=5) == []  # none declared
    assert statements == []


def test_every_cross_tab_asks_about_the_themes_own_questions():
    """A declaration mistake (a question the theme does not ask) is caught here, not in a report."""
    questions = {q.key: q for q in rereferral.questions()}
    for cross_tab in rereferral.cross_tabs:
        for finding in (cross_tab.given, cross_tab.then):
            question = questions[finding.question]
            if finding.at_least is not None:
                assert question.kind is QuestionKind.NUMBER
            else:
                assert set(finding.values) <= {o.value for o in question.options}


# -- the committee pack's tables -----------------------------------------------------------


def test_report_tables_give_headline_cross_tabs_answers_and_numbers(known_audits: Borough):
    tables = get_registry().report_tables(scope(known_audits))
    captions = [t.caption for t in tables]
    assert captions[:2] == ["Headline findings", "Cross-tabulations"]
    assert "What was the main concern?" in captions and captions[-1] == "Numbers"

    headline = table(tables, "Headline findings")
    assert headline["More than four previous referrals on the system"] == (3, 60)
    assert headline["Dealt with appropriately"] == (5, 100)
    assert headline["Involving domestic violence or chronic neglect"] == (3, 60)
    assert headline["Mobile family"] == (2, 40)

    cross = table(tables, "Cross-tabulations")
    assert cross == {MORE_THAN_FOUR: (3, 2, 67), CONCERN_TO_CP: (3, 3, 100), MOBILE: (2, 1, 50)}

    concern = next(t for t in tables if t.caption == "What was the main concern?")
    assert dict((r[0], r[1:]) for r in concern.rows) == {
        "Domestic violence": (2, 40),
        "Chronic neglect": (2, 40),
        "Other": (2, 40),
    }
    assert "More than one answer could be chosen" in concern.note
    assert concern.key == "rereferral_theme-main_concern"

    numbers = table(tables, "Numbers")
    assert numbers["How many previous referrals are on the system?"] == (5, 4.8, 8)
    assert numbers["How many of them are “contacts” migrated from the legacy system?"] == (
        5,
        0.8,
        2,
    )
    assert numbers["Days since the previous referral"] == (0, None, None)


def test_report_tables_hold_no_free_text(known_audits: Borough):
    """Learning points (free text) are counted nowhere and shown nowhere in the pack."""
    tables = report_tables(rereferral, scope(known_audits))
    cells = {cell for t in tables for row in t.rows for cell in row}
    assert NOTE not in cells
    assert all(t.key.startswith("rereferral_theme-") for t in tables)
    assert len({t.key for t in tables}) == len(tables)


def test_report_tables_survive_an_issued_reports_json(known_audits: Borough):
    tables = report_tables(rereferral, scope(known_audits))
    document = Document("Report", "Council", "Q", "All", [Section("theme", "Theme", tables)])
    assert Document.from_json(document.to_json()).tables() == tables


def test_nothing_audited_gives_no_tables(borough: Borough):
    assert report_tables(rereferral, scope(borough)) is None
    assert get_registry().report_tables(scope(borough)) == []


# -- the findings section (HTML) ------------------------------------------------------


def render_section(theme: Theme, report_scope: ReportScope) -> str:
    with current_app.test_request_context():
        return render_template(
            "themed_audits/findings_section.html",
            scope=report_scope,
            **analyse(theme, report_scope),
        )


def test_the_findings_section_shows_the_cross_tabs(known_audits: Borough):
    page = render_section(rereferral, scope(known_audits))
    rows = re.findall(
        r'data-cross-tab="([^"]+)">.*?data-total>(\d+)<.*?data-count>(\d+)<.*?data-percent>(\d+)%',
        page,
        re.S,
    )
    assert rows == [
        (MORE_THAN_FOUR, "3", "2", "67"),
        (CONCERN_TO_CP, "3", "3", "100"),
        (MOBILE, "2", "1", "50"),
    ]


# -- a theme that declares no cross-tabulations ---------------------------------------------


class PlainTheme(Theme):
    """A theme written before cross-tabulations existed: it declares none."""

    slug = "plain_theme"
    title = "Plain theme"
    item_label = "visit"
    sections = (
        FormSection(
            "only",
            "Only",
            questions=(
                Question(
                    key="seen",
                    text="Was the child seen?",
                    kind=QuestionKind.CHOICE,
                    name="whether the child was seen",
                    options=(Option("yes", "Yes"), Option("no", "No")),
                ),
            ),
        ),
    )
    findings = (Finding("Child seen", "seen", ("yes",)),)


def test_a_theme_without_cross_tabs_still_reports(borough: Borough):
    theme = PlainTheme()
    assert theme.cross_tabs == ()
    for seen in ("yes", "yes", "no"):
        submit(borough, theme, {"seen": seen})
    tables = report_tables(theme, scope(borough, theme))
    assert [t.caption for t in tables] == ["Headline findings", "Was the child seen?"]
    assert table(tables, "Headline findings") == {"Child seen": (2, 67)}
    assert table(tables, "Was the child seen?") == {"Yes": (2, 67), "No": (1, 33)}
    page = render_section(theme, scope(borough, theme))
    assert "3 sampled visits audited" in page
    assert "Cross-tabulations" not in page


def test_a_cross_tab_can_be_declared_by_any_theme(borough: Borough):
    """The declarative type is public: a theme adds ``cross_tabs`` and the report counts it."""

    class Crossed(PlainTheme):
        slug = "crossed_theme"
        cross_tabs = (
            CrossTab(
                "Of the children seen, how many were seen",
                PlainTheme.findings[0],
                PlainTheme.findings[0],
            ),
        )

    theme = Crossed()
    submit(borough, theme, {"seen": "yes"})
    submit(borough, theme, {"seen": "no"})
    tables = report_tables(theme, scope(borough, theme))
    assert table(tables, "Cross-tabulations") == {
        "Of the children seen, how many were seen": (1, 1, 100)
    }
