"""The plugin contract: documented, tested hook by hook, and enough for a new tool."""

from __future__ import annotations

import inspect
import random
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import hookspecs
from core.exports.document import Table
from core.extensions import db
from core.models import Audit, AuditStatus, CaseCategory, Rating
from core.testing import complete_audit
from core.tools import (
    ActionNeed,
    AnswerProblem,
    AnswerValue,
    FormDefinition,
    Question,
    QuestionKind,
    ReportScope,
    ReportSection,
    Score,
    Section,
    ToolInfo,
    count_ratings,
    hookimpl,
)
from core.tools.registry import get_registry
from core.tools.reporting import audit_counts_by_kind
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

HOOK_NAMES = sorted(name for name in dir(hookspecs) if name.startswith("careaudit_"))


def test_every_hook_spec_is_documented():
    """A tool author can learn each hook from its docstring."""
    assert HOOK_NAMES, "the contract declares hooks"
    for name in HOOK_NAMES:
        doc = inspect.getdoc(getattr(hookspecs, name))
        assert doc and len(doc) > 40, f"{name} needs a docstring"


def test_every_hook_spec_has_a_test():
    """Each hook has a test_hook_<name> below, so the contract stays exercised."""
    module = sys.modules[__name__]
    missing = [name for name in HOOK_NAMES if not hasattr(module, f"test_hook_{name}")]
    assert not missing, f"hooks without a test: {missing}"


# -- one test per hook, through the app's registry ----------------------------


def test_hook_careaudit_tool(app):
    """The children's audit declares its slug, version, directorate and what it audits."""
    tool = get_registry().get("children_audit")
    assert tool is not None
    assert (tool.version, tool.directorates, tool.subject) == ("1.0", ("children",), "case")
    assert any(spec.key == "outstanding_grade" for spec in tool.settings)


def test_hook_careaudit_audit_form(app, borough: Borough):
    """The form has 14 standards and pre-sets Not applicable from the case's category."""
    form = get_registry().form("children_audit", borough.cases["cin"], borough.cin.id)
    assert isinstance(form, FormDefinition)
    assert [s.label for s in form.sections] == [f"Standard {n}" for n in range(1, 15)]
    assert form.question("standard_6").initial == Rating.NOT_APPLICABLE.value
    assert form.question("standard_1").initial is None


def test_hook_careaudit_score_audit(app):
    """Scoring returns counts and a suggestion, and copes with a half-finished draft."""
    registry = get_registry()
    score = registry.score("children_audit", children_answers(default="met"), None)
    assert isinstance(score, Score)
    assert score.counts[Rating.MET] == 13 and score.suggested_rating is Rating.MET
    empty = registry.score("children_audit", {}, None)
    assert empty is not None and empty.suggested_rating is None


def test_hook_careaudit_check_answers(app):
    """Cross-question rules: a grade above the cap is refused with a reason."""
    registry = get_registry()
    answers = children_answers({3: "not_met"}, overall="not_met", grade="good")
    score = registry.score("children_audit", answers, None)
    problems = registry.check("children_audit", answers, score, None)
    assert any(p.question == "overall_grade" for p in problems)


def test_hook_careaudit_report_section(app, borough: Borough):
    """The report section counts the audits in scope."""
    submitted_audit(
        borough.cases["cin"],
        borough.user("team_manager"),
        children_answers(overall="partially_met", grade="adequate"),
    )
    today = date.today()
    section = get_registry().report_section(
        ReportScope(
            tool="children_audit", start=today.replace(day=1), end=today, service_id=borough.cin.id
        )
    )
    assert isinstance(section, ReportSection)
    assert section.audit_count == 1
    assert section.template == "children_audit/report_section.html"


def test_hook_careaudit_report_tables(app, borough: Borough, checklist):
    """A tool adds its own tables: the children's audit, Standard 6's items by kind of audit."""
    answers = children_answers(overall="partially_met", grade="adequate")
    answers["standard_6_health"] = AnswerValue(None, "no")
    submitted_audit(borough.cases["cin"], borough.user("team_manager"), answers)
    today = date.today()
    scope = ReportScope(tool="children_audit", start=today.replace(day=1), end=today)
    (table,) = get_registry().report_tables(scope)
    assert isinstance(table, Table)
    rows = {row[0]: row for row in table.rows}
    line, independent = slice(1, 6), slice(6, 11)
    assert table.columns[line] == tuple(
        f"Line management: {c}" for c in ("Yes", "No", "Not applicable", "N", "Yes (%)")
    )
    assert rows["An up to date PEP (Personal Education Plan)"][line] == (1, 0, 0, 1, 100)
    assert rows["A current health assessment"][line] == (0, 1, 0, 1, 0)
    assert rows["A current health assessment"][independent] == (0, 0, 0, 0, None)
    # A tool that declares no tables gives none.
    assert get_registry().report_tables(replace(scope, tool=checklist.slug)) == []


def test_hook_careaudit_demo_answers(app, borough: Borough):
    """Demo answers are complete, reproducible from the seed, and pass the tool's checks."""
    registry = get_registry()
    case = borough.cases["lac"]
    first = registry.demo_answers("children_audit", case, random.Random(7), None)
    again = registry.demo_answers("children_audit", case, random.Random(7), None)
    assert first == again
    assert first is not None
    score = registry.score("children_audit", first, None)
    assert registry.check("children_audit", first, score, None) == []


# -- a new tool needs no change to core ---------------------------------------


class VisitsChecklist:
    """A tiny tool, registered for one test: two questions, one report line."""

    slug = "test_checklist"

    @hookimpl
    def careaudit_tool(self) -> ToolInfo:
        return ToolInfo(
            slug=self.slug,
            title="Visits checklist",
            version="0.1",
            directorates=("children",),
            template_folder=Path(__file__).parent / "tool_fixtures",
        )

    @hookimpl
    def careaudit_audit_form(self, case, settings) -> FormDefinition:
        return FormDefinition(
            tool=self.slug,
            version="0.1",
            title="Visits checklist",
            sections=(
                Section(
                    key="visits",
                    title="Visits",
                    questions=(
                        Question(
                            key="visits_on_time",
                            name="visits on time",
                            text="Were statutory visits on time?",
                            kind=QuestionKind.RATING,
                        ),
                        Question(
                            key="visits_seen_alone",
                            name="how many visits saw the child alone",
                            text="How many visits saw the child alone?",
                            kind=QuestionKind.NUMBER,
                            minimum=0,
                        ),
                    ),
                ),
            ),
        )

    @hookimpl
    def careaudit_score_audit(self, answers) -> Score:
        counts, not_applicable = count_ratings(answers, ["visits_on_time"])
        rating = answers.get("visits_on_time", AnswerValue()).rating
        return Score(
            counts=counts,
            not_applicable=not_applicable,
            overall_rating=rating,
            suggested_rating=rating,
        )

    @hookimpl
    def careaudit_check_answers(self, answers) -> list[AnswerProblem]:
        return []

    @hookimpl
    def careaudit_report_section(self, scope: ReportScope) -> ReportSection:
        met = db.session.scalar(
            select(func.count(Audit.id)).where(
                *scope.conditions(), Audit.overall_rating == Rating.MET.value
            )
        )
        total = audit_counts_by_kind(scope)["all"]
        return ReportSection(
            tool=self.slug,
            title="Visits checklist results",
            template="test_checklist/section.html",
            context={"met": met, "total": total},
            audit_count=total,
        )


@pytest.fixture
def checklist(app):
    tool = VisitsChecklist()
    registry = get_registry()
    registry.register(tool, name=tool.slug)
    try:
        yield tool
    finally:
        registry.unregister(tool)


def test_new_tool_plugs_in_without_changing_core(client, auth, borough: Borough, checklist):
    """Register, switch on, audit end to end and report, using only the hooks."""
    registry = get_registry()
    registry.set_switch("test_checklist", borough.cin.id, True)
    db.session.commit()

    auth.login("team_manager@test.example")
    case_page = client.get(f"/cases/{borough.cases['cin'].id}")
    assert b"Start the visits checklist" in case_page.data
    started = client.post(
        f"/audits/start/{borough.cases['cin'].id}", data={"tool": "test_checklist", "token": "t1"}
    )
    audit_id = int(started.location.split("/")[2])
    assert client.get(started.location).status_code == 200
    bad = complete_audit(
        client, audit_id, {"visits_on_time": "met", "visits_seen_alone": "lots"}
    )
    assert bad.status_code == 400
    assert b"Were statutory visits on time?" in bad.data
    assert b"must be a whole number" in bad.data and b'value="lots"' in bad.data

    done = complete_audit(client, audit_id, {"visits_on_time": "met", "visits_seen_alone": "3"})
    assert done.status_code == 302
    audit = db.session.scalar(select(Audit).where(Audit.tool == "test_checklist"))
    assert audit.status is AuditStatus.SUBMITTED and audit.overall_rating == "met"

    report = client.get(f"/reports/?scope=team-{borough.north.id}")
    assert b"Visits checklist results" in report.data
    assert b"Visits on time: 1 of 1 audits." in report.data


class StrictChecklist(VisitsChecklist):
    """The checklist, stricter: visits only partly on time need an action too."""

    slug = "strict_checklist"

    @hookimpl
    def careaudit_outcomes_needing_action(self, answers, audit) -> list[ActionNeed]:
        rating = answers.get("visits_on_time", AnswerValue()).rating
        if rating in (Rating.NOT_MET, Rating.PARTIALLY_MET):
            return [ActionNeed("visits_on_time", "Visits were not all on time")]
        return []


def test_hook_careaudit_outcomes_needing_action(app, borough: Borough, checklist):
    """A tool may say which outcomes need an action; one that does not gets core's rule
    (every Not met, and an Inadequate grade)."""
    from core.actions.rules import outcomes_needing_action

    strict = StrictChecklist()
    registry = get_registry()
    registry.register(strict, name=strict.slug)
    try:
        for slug in ("test_checklist", "strict_checklist"):
            registry.set_switch(slug, borough.cin.id, True)
        db.session.commit()
        case, manager = borough.cases["cin"], borough.user("team_manager")
        partly = {"visits_on_time": AnswerValue(Rating.PARTIALLY_MET, None, "Two late.")}
        implemented = submitted_audit(case, manager, partly, tool="strict_checklist")
        assert registry.outcomes_needing_action(
            "strict_checklist", partly, implemented, borough.cin.id
        ) == [ActionNeed("visits_on_time", "Visits were not all on time")]
        assert outcomes_needing_action(implemented) == [
            ActionNeed("visits_on_time", "Visits were not all on time")
        ]
        # The checklist does not implement the hook: core's rule, Not met only.
        plain = submitted_audit(case, manager, partly, tool="test_checklist")
        assert registry.outcomes_needing_action("test_checklist", partly, plain, None) is None
        assert outcomes_needing_action(plain) == []
        not_met = {"visits_on_time": AnswerValue(Rating.NOT_MET, None, "None on time.")}
        failed = submitted_audit(case, manager, not_met, tool="test_checklist")
        assert outcomes_needing_action(failed) == [
            ActionNeed("visits_on_time", "Visits on time is Not met")
        ]
        # The children's audit: standard 3 Not met, and the grade it caps at Inadequate.
        children = submitted_audit(
            case,
            manager,
            children_answers({3: "not_met"}, overall="not_met", grade="inadequate"),
        )
        assert outcomes_needing_action(children) == [
            ActionNeed("standard_3", "Standard 3 is Not met"),
            ActionNeed(None, "The overall grade is Inadequate"),
        ]
    finally:
        registry.unregister(strict)


def test_tool_for_another_directorate_is_not_offered(client, auth, borough: Borough):
    """The children's audit is not offered for an adult's case."""
    auth.login("iro@test.example")
    page = client.get(f"/cases/{borough.cases['adult'].id}")
    assert b"Start the children" not in page.data
    refused = client.post(
        f"/audits/start/{borough.cases['adult'].id}",
        data={"tool": "children_audit", "token": "x"},
        follow_redirects=True,
    )
    assert b"is not used in Adults" in refused.data


def test_case_categories_cover_both_directorates():
    """Every category belongs to the children's or the adults' directorate."""
    assert {c.directorate_code for c in CaseCategory} == {"children", "adults"}


def test_hook_careaudit_blueprints(app):
    """A plugin's own pages are registered at start-up (the themed audits framework)."""
    assert "themed_audits" in app.blueprints
    assert any(rule.endpoint == "themed_audits.index" for rule in app.url_map.iter_rules())


def test_hook_careaudit_menu_links(client, auth, borough: Borough):
    """A plugin's menu link is shown only to roles with its permission."""
    auth.login("iro@test.example")
    assert b'href="/themed-audits/"' in client.get("/").data
    auth.logout()
    auth.login("team_manager@test.example")
    assert b'href="/themed-audits/"' not in client.get("/").data


def test_hook_careaudit_commands(runner):
    """A plugin's command joins the careaudit command line (`careaudit new-theme`)."""
    result = runner.invoke(args=["--help"])
    assert "new-theme" in result.output


def test_hook_careaudit_demo_data(demo_borough):
    """Plugins add their own demo records: the demo has a re-referral themed audit, sampled.
    (tests/core/test_cli.py checks the demo command says so.)"""
    from plugins.themed_audits.models import SampleDraw, ThemedAudit

    themed = db.session.scalar(select(ThemedAudit))
    draw = db.session.scalar(select(SampleDraw))
    assert themed is not None and draw is not None
    assert (draw.population_size, draw.sample_size) == (276, 125)
    # ... and the demo has completed audits of every built-in tool.
    done = set(
        db.session.scalars(
            select(Audit.tool).where(Audit.status == AuditStatus.SUBMITTED).distinct()
        )
    )
    assert done == {tool.slug for tool in get_registry().all()}


def test_hook_careaudit_upcoming_reports(client, auth, borough: Borough):
    """A running themed audit's report joins the schedule of reports on the compliance page."""
    from datetime import timedelta

    from plugins.themed_audits.models import ThemedAudit

    today = date.today()
    db.session.add(
        ThemedAudit(
            theme="rereferral_theme",
            title="Re-referrals this year",
            rationale="Why",
            commissioned_by="LSCB",
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=60),
            lead_id=borough.user("iro").id,
        )
    )
    db.session.commit()
    auth.login("iro@test.example")
    page = client.get("/programme/compliance").get_data(as_text=True)
    assert "Themed audit: Re-referrals this year" in page
