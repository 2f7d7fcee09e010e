"""A council switches to Ofsted's four-point scale: forms, scoring, checks and reports
change; audits already submitted keep their grades."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from core.extensions import db
from core.grading.council import council_scale, current_choice, save_choice
from core.hookspecs import hookimpl
from core.models import Audit, Grade, Rating, TrailEntry
from core.reports.content import outcome_table
from core.templating import label_of
from core.tools import AnswerValue, Score, ToolInfo
from core.tools.registry import get_registry, previous_audit
from core.tools.reporting import ALL_KINDS, ReportScope, standards_report_context
from tests.conftest import AuthActions
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

TOOL = "children_audit"
TODAY = date.today()


def offered(service_id: int) -> list[tuple[str, str]]:
    form = get_registry().form(TOOL, None, service_id)
    return [(o.value, o.label) for o in form.question("overall_grade").options]


def use_ofsted(**labels: str) -> None:
    save_choice("ofsted", labels, False, None)
    db.session.commit()


def test_switching_to_ofsteds_scale_changes_the_form_the_suggestion_and_the_checks(
    borough: Borough,
):
    registry = get_registry()
    service = borough.cin.id
    partly = children_answers(overall="partially_met", grade="adequate")
    outstanding = children_answers(default="met", overall="met", grade="outstanding")

    assert [v for v, _ in offered(service)] == ["inadequate", "adequate", "good"]
    assert registry.score(TOOL, partly, service).suggested_grade is Grade.ADEQUATE
    refused = registry.check(TOOL, outstanding, registry.score(TOOL, outstanding, service), service)
    assert [p.message for p in refused if p.question == "overall_grade"] == [
        "Outstanding is not used in this service yet: choose Inadequate, Adequate or Good"
    ]

    use_ofsted()

    assert offered(service) == [
        ("inadequate", "Inadequate"),
        ("requires_improvement", "Requires improvement to be good"),
        ("good", "Good"),
        ("outstanding", "Outstanding"),
    ]
    ofsted = children_answers(overall="partially_met", grade="requires_improvement")
    score = registry.score(TOOL, ofsted, service)
    assert score.suggested_grade is Grade.REQUIRES_IMPROVEMENT
    assert registry.check(TOOL, ofsted, score, service) == []
    # Outstanding is one of Ofsted's four points: offered without the service's setting.
    score = registry.score(TOOL, outstanding, service)
    assert [p.question for p in registry.check(TOOL, outstanding, score, service)] == [
        "judgement_reason"  # differs from the suggested Good: a reason, nothing more
    ]


def test_the_councils_words_reach_the_form_and_the_cap_message(borough: Borough):
    use_ofsted(inadequate="Serious concerns", requires_improvement="Requires improvement")
    service = borough.cin.id
    assert offered(service)[:2] == [
        ("inadequate", "Serious concerns"),
        ("requires_improvement", "Requires improvement"),
    ]
    registry = get_registry()
    capped = children_answers({3: "not_met"}, overall="not_met", grade="good")
    score = registry.score(TOOL, capped, service)
    assert score.notes[0].endswith("the grade cannot be higher than Serious concerns.")
    assert (
        "Statutory requirements are not met (standard 3), so the grade must be Serious concerns"
        in [p.message for p in registry.check(TOOL, capped, score, service)]
    )


def test_audits_already_submitted_keep_their_grades_and_reports_count_them(borough: Borough):
    tm = borough.user("team_manager")
    old = submitted_audit(
        borough.cases["cin"],
        tm,
        children_answers(overall="partially_met", grade="adequate"),
        on=TODAY - timedelta(days=20),
    )
    use_ofsted(adequate="Adequate (old scale)")
    new = submitted_audit(
        borough.cases["cp"],
        tm,
        children_answers(overall="partially_met", grade="requires_improvement"),
        on=TODAY - timedelta(days=5),
    )
    db.session.expire_all()
    assert (old.grade, old.suggested_grade) == ("adequate", "adequate")
    assert (new.grade, new.suggested_grade) == ("requires_improvement", "requires_improvement")
    # Pages name each grade in the council's words, on the scale or not.
    assert label_of(old.grade) == "Adequate (old scale)"
    assert label_of(new.grade) == "Requires improvement to be good"

    scope = ReportScope(tool=TOOL, start=TODAY - timedelta(days=365), end=TODAY)
    context = standards_report_context(scope, [("standard_1", "Standard 1", "chronology")])
    # Ofsted's four, best first, and the old Adequate in a row of its own.
    assert context["grade_columns"] == [
        "outstanding",
        "good",
        "requires_improvement",
        "adequate",
        "inadequate",
    ]
    counts = context["outcomes"][ALL_KINDS]["grade"].counts
    assert (counts["adequate"], counts["requires_improvement"]) == (1, 1)
    table = outcome_table(context["outcomes"], [], "grade", "grades", TOOL)
    assert [row[0] for row in table.rows] == [
        "Outstanding",
        "Good",
        "Requires improvement to be good",
        "Adequate (old scale)",
        "Inadequate",
    ]


def test_without_old_grades_a_report_shows_only_the_scales_grades(borough: Borough):
    use_ofsted()
    submitted_audit(
        borough.cases["cin"],
        borough.user("team_manager"),
        children_answers(default="met", overall="met", grade="good"),
        on=TODAY - timedelta(days=3),
    )
    scope = ReportScope(tool=TOOL, start=TODAY - timedelta(days=365), end=TODAY)
    context = standards_report_context(scope, [])
    assert context["grade_columns"] == ["outstanding", "good", "requires_improvement", "inadequate"]


def persistently(borough: Borough, on: bool) -> None:
    registry = get_registry()
    settings = registry.settings(TOOL, borough.cin.id) | {"cap_persistently": on}
    registry.set_switch(TOOL, borough.cin.id, True, settings)
    db.session.commit()


def draft_of(borough: Borough, token: str) -> Audit:
    from core.audits import workflow

    return workflow.start_audit(
        get_registry(), borough.cases["cin"], borough.user("team_manager"), TOOL, token
    )


@pytest.mark.parametrize(("last_time", "capped"), [("not_met", True), ("met", False)])
def test_persistently_caps_only_when_the_cases_previous_audit_also_found_standard_3_not_met(
    borough: Borough, last_time: str, capped: bool
):
    persistently(borough, True)
    registry = get_registry()
    earlier = submitted_audit(
        borough.cases["cin"],
        borough.user("team_manager"),
        children_answers({3: last_time}, overall="partially_met", grade="adequate"),
        on=TODAY - timedelta(days=90),
    )
    draft = draft_of(borough, f"persist-{last_time}")
    db.session.commit()
    assert previous_audit(draft) == earlier
    answers = children_answers({3: "not_met"}, overall="partially_met", grade="adequate")
    score = registry.score(TOOL, answers, borough.cin.id, audit=draft)
    assert (score.highest_grade is Grade.INADEQUATE) is capped
    problems = registry.check(TOOL, answers, score, borough.cin.id)
    assert any("must be Inadequate" in p.message for p in problems) is capped
    # Without the audit (no look back), the rule has nothing to go on: not persistent.
    assert registry.score(TOOL, answers, borough.cin.id).highest_grade is None


def test_any_not_met_caps_by_default_even_on_a_cases_first_audit(borough: Borough):
    draft = draft_of(borough, "first")
    db.session.commit()
    assert previous_audit(draft) is None
    answers = children_answers({3: "not_met"}, overall="not_met", grade="inadequate")
    score = get_registry().score(TOOL, answers, borough.cin.id, audit=draft)
    assert score.highest_grade is Grade.INADEQUATE


def test_the_previous_audit_is_the_cases_last_submitted_one_before_this(borough: Borough):
    tm = borough.user("team_manager")
    case = borough.cases["cin"]
    first = submitted_audit(case, tm, children_answers(), on=TODAY - timedelta(days=200))
    second = submitted_audit(case, tm, children_answers(), on=TODAY - timedelta(days=100))
    submitted_audit(borough.cases["cp"], tm, children_answers(), on=TODAY - timedelta(days=50))
    assert previous_audit(second) == first
    assert previous_audit(first) is None
    assert previous_audit(draft_of(borough, "latest")) == second


# -- the administrator's page -------------------------------------------------------------


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions, borough: Borough) -> FlaskClient:
    assert auth.login("admin@test.example").status_code == 302
    return client


def error_messages(page: bytes) -> list[str]:
    body = page.decode().split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [html.unescape(m) for m in re.findall(r'<a href="#[a-z_-]+">([^<]+)</a>', body)]


def field_value(page: bytes, name: str) -> str:
    match = re.search(rf'<input [^>]*name="{name}"[^>]*value="([^"]*)"', page.decode())
    assert match, name
    return html.unescape(match.group(1))


def test_only_administrators_choose_the_grade_scale(
    client: FlaskClient, auth: AuthActions, borough: Borough
):
    assert auth.login("team_manager@test.example").status_code == 302
    assert client.get("/admin/grades").status_code == 403
    assert client.post("/admin/grades", data={"scale": "ofsted"}).status_code == 403
    assert current_choice().scale is None


def test_the_page_refuses_bad_choices_and_keeps_what_was_typed(admin: FlaskClient):
    page = admin.post(
        "/admin/grades",
        data={
            "scale": "excellent",
            "order": "",
            "label-good": "Good",
            "label-inadequate": "x" * 61,
        },
    )
    assert page.status_code == 400
    assert error_messages(page.data) == [
        "Select the grade scale the council uses",
        "Select the order the grades are shown in",
        "The council’s words for Inadequate must be 60 characters or fewer",
    ]
    assert field_value(page.data, "label-inadequate") == "x" * 61
    page = admin.post(
        "/admin/grades",
        data={"scale": "ofsted", "order": "worst_first", "label-requires_improvement": "good "},
    )
    assert page.status_code == 400
    assert error_messages(page.data) == [
        "The words for Good must be different from the words for Requires improvement to be "
        "good, “Good”"
    ]
    assert field_value(page.data, "label-requires_improvement") == "good"
    assert current_choice().scale is None  # nothing saved


def test_saving_the_scale_applies_to_new_audits_and_is_in_the_trail(
    admin: FlaskClient, borough: Borough
):
    page = admin.get("/admin/grades")
    assert page.status_code == 200
    assert re.search(r'value="tools" checked', page.data.decode())
    saved = admin.post(
        "/admin/grades",
        data={"scale": "ofsted", "order": "best_first", "label-requires_improvement": "RI"},
    )
    assert saved.status_code == 302
    assert offered(borough.cin.id) == [
        ("outstanding", "Outstanding"),
        ("good", "Good"),
        ("requires_improvement", "RI"),
        ("inadequate", "Inadequate"),
    ]
    again = admin.get("/admin/grades").data.decode()
    assert 'value="ofsted" checked' in again and 'value="best_first" checked' in again
    assert field_value(again.encode(), "label-requires_improvement") == "RI"
    entry = db.session.scalars(
        select(TrailEntry).where(TrailEntry.action == "grading.scale_updated")
    ).one()
    assert entry.after["scale"] == "ofsted"
    assert entry.after["labels"] == {"requires_improvement": "RI"}
    # Back to each tool's own: the children's audit declares the framework report's.
    admin.post("/admin/grades", data={"scale": "tools", "order": "worst_first"})
    assert council_scale("framework").code == "framework"
    assert [v for v, _ in offered(borough.cin.id)] == ["inadequate", "adequate", "good"]


# -- the scoring hook's ``previous`` -------------------------------------------------------


class LookBack:
    """A tool whose score hook names ``previous``; it records what core passed."""

    slug = "test_look_back"

    def __init__(self) -> None:
        self.seen: list[object] = []

    @hookimpl
    def careaudit_tool(self) -> ToolInfo:
        return ToolInfo(
            slug=self.slug, title="Look back", version="0.1", directorates=("children",)
        )

    @hookimpl
    def careaudit_score_audit(self, answers, previous) -> Score:
        self.seen.append(previous)
        return Score(counts={})


class NoLookBack(LookBack):
    """The same tool, as an older tool is written: its score hook takes only the answers."""

    slug = "test_no_look_back"

    @hookimpl
    def careaudit_score_audit(self, answers) -> Score:
        self.seen.append("called")
        return Score(counts={})


@pytest.mark.parametrize("tool_class", [LookBack, NoLookBack])
def test_a_score_hook_gets_the_previous_audits_answers_only_if_it_asks(
    borough: Borough, tool_class: type[LookBack]
):
    from core.audits import workflow

    registry = get_registry()
    tool = tool_class()
    registry.register(tool, name=tool.slug)
    try:
        registry.set_switch(tool.slug, borough.cin.id, True)
        db.session.commit()
        case, tm = borough.cases["cin"], borough.user("team_manager")
        earlier = workflow.start_audit(registry, case, tm, tool.slug, "look-1")
        workflow.submit(earlier, {"x": AnswerValue(Rating.NOT_MET)}, Score(counts={}))
        db.session.commit()
        draft = workflow.start_audit(registry, case, tm, tool.slug, "look-2")
        db.session.commit()
        assert registry.score(tool.slug, {}, borough.cin.id, audit=draft) is not None
        if tool_class is LookBack:
            assert tool.seen == [{"x": AnswerValue(Rating.NOT_MET)}]
        else:
            assert tool.seen == ["called"]
        assert registry.accepts(tool.slug, "careaudit_score_audit", "previous") is (
            tool_class is LookBack
        )
    finally:
        registry.unregister(tool)


def test_the_summary_page_offers_the_councils_grades_apart_from_the_rating(
    client: FlaskClient, auth: AuthActions, borough: Borough
):
    """Standard 14 as the auditor sees it: the rating across the standards, then the grade
    on the council's scale, each with its own hint."""
    use_ofsted()
    assert auth.login("team_manager@test.example").status_code == 302
    started = client.post(
        f"/audits/start/{borough.cases['cin'].id}", data={"tool": TOOL, "token": "summary"}
    )
    audit_id = int(re.search(r"/audits/(\d+)", started.location).group(1))
    page = html.unescape(client.get(f"/audits/{audit_id}/sections/standard_14").data.decode())
    assert "Can you give an overall rating" in page
    assert "Your rating across the standards: Met, Partially met or Not met." in page
    assert (
        "Your overall judgement of the quality of practice, on the council’s grade scale: "
        "Inadequate, Requires improvement to be good, Good or Outstanding." in page
    )
    grades = re.findall(r'name="overall_grade" type="radio" value="([a-z_]+)"', page)
    assert grades == ["inadequate", "requires_improvement", "good", "outstanding"]


def test_past_audits_import_with_the_grade_they_were_given_on_any_scale(borough: Borough):
    """A council on Ofsted's scale imports its old spreadsheets: Adequate stays Adequate;
    Ofsted's grade is read in its own words, short or long, and in the council's."""
    from core.models import ImportKind, ImportStatus
    from tests.core.imports import run
    from tests.core.imports.test_audits_import import audits_file, imported, row

    use_ofsted(good="Good practice")
    result = run(
        ImportKind.AUDITS,
        audits_file(
            row(day="2025-01-10", grade="Adequate"),
            row(day="2025-02-10", grade="Requires improvement"),
            row(day="2025-03-10", grade="Requires improvement to be good"),
            row(day="2025-04-10", grade="Good practice", overall="Met"),
        ),
        tool=TOOL,
    )
    assert result.status is ImportStatus.IMPORTED, result.error
    assert [a.grade for a in imported()] == [
        "adequate",
        "requires_improvement",
        "requires_improvement",
        "good",
    ]


def test_on_the_framework_scale_outstanding_is_counted_only_for_tools_that_can_offer_it(
    borough: Borough,
):
    registry = get_registry()
    assert registry.report_grades(TOOL) == ["outstanding", "good", "adequate", "inadequate"]
    # The supervision audit has no Outstanding setting: no empty row for it...
    assert registry.report_grades("supervision_audit") == ["good", "adequate", "inadequate"]
    # ...unless an audit has it; and on Ofsted's scale it is one of the four.
    assert registry.report_grades("supervision_audit", {"outstanding"})[0] == "outstanding"
    use_ofsted()
    assert registry.report_grades("supervision_audit") == [
        "outstanding",
        "good",
        "requires_improvement",
        "inadequate",
    ]
