"""The supervision audit end to end: staff record -> start -> answer -> submit -> read -> report.

Uses the ``borough`` fixture: a service manager for Children in Need (teams CIN North
and CIN South), a social worker ``worker`` and a deputy in CIN North, ``other_worker``
in CIN South.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from random import Random

import pytest
from flask.testing import FlaskClient

from core.audits import workflow
from core.audits.answering import completeness_problems
from core.extensions import db
from core.models import Answer, Audit, AuditKind, AuditStatus, Rating, Role, User
from core.testing import complete_audit, save_section
from core.tools import AnswerValue
from core.tools.questions import AuditSubject
from core.tools.registry import get_registry
from core.tools.reporting import ALL_KINDS, ReportScope
from plugins.supervision_audit.report import report_section
from plugins.supervision_audit.scoring import frequency_of
from tests.factories import Borough, make_user
from tests.plugins.supervision_audit import supervision_answers, supervision_form

SLUG = "supervision_audit"
#: The staff record's start button: "Start a" (or "the") and the tool's title in lower case.
START_BUTTON = re.compile(rb"<button[^>]*>Start (?:a|the) supervision audit</button>")
_tokens = itertools.count(1)


@pytest.fixture
def on(borough: Borough) -> Borough:
    """The borough with the supervision audit switched on for Children in Need."""
    get_registry().set_switch(SLUG, borough.cin.id, True)
    db.session.commit()
    return borough


def start(client: FlaskClient, staff: User, token: str = "start-1"):
    return client.post(f"/staff/{staff.id}/audits", data={"tool": SLUG, "token": token})


def started_audit(client: FlaskClient, staff: User) -> int:
    response = start(client, staff, f"start-{next(_tokens)}")
    assert response.status_code == 302
    match = re.fullmatch(r"/audits/(\d+)/edit", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def section_page(client: FlaskClient, audit_id: int, key: str) -> str:
    response = client.get(f"/audits/{audit_id}/sections/{key}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def submit(client: FlaskClient, audit_id: int):
    """Post *Check your answers* with the audit's current version, as its Submit button does."""
    return client.post(f"/audits/{audit_id}/check", data={"version": audit_row(audit_id).version})


def error_summary(page: str) -> str:
    return page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]


def stored(audit_id: int) -> dict[str, Answer]:
    db.session.expire_all()
    audit = db.session.get(Audit, audit_id)
    assert audit is not None
    return {answer.question: answer for answer in audit.answers}


def audit_row(audit_id: int) -> Audit:
    db.session.expire_all()
    audit = db.session.get(Audit, audit_id)
    assert audit is not None
    return audit


# -- starting -------------------------------------------------------------------------


def test_service_manager_starts_from_the_staff_record(client, auth, on: Borough):
    """Staff list -> staff record -> "Start the supervision audit" -> the form."""
    worker = on.user("worker")
    auth.login("service_manager@test.example")
    listing = client.get("/staff/")
    assert listing.status_code == 200
    assert f'href="/staff/{worker.id}"'.encode() in listing.data
    record = client.get(f"/staff/{worker.id}")
    assert record.status_code == 200
    assert START_BUTTON.search(record.data)
    assert f'value="{SLUG}"'.encode() in record.data

    response = start(client, worker, "same-token")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.fullmatch(r"/audits/\d+/edit", location)
    # A double click sends the same token: the same audit, not a second one.
    assert start(client, worker, "same-token").headers["Location"] == location

    audit = audit_row(int(location.split("/")[2]))
    assert audit.tool == SLUG and audit.form_version == "1.0"
    assert audit.subject_user_id == worker.id and audit.case_id is None
    assert (audit.service_id, audit.team_id) == (on.cin.id, on.north.id)
    assert audit.kind is AuditKind.LINE_MANAGEMENT and audit.status is AuditStatus.DRAFT


def test_form_opens_with_the_last_12_months_and_the_policy(client, auth, on: Borough):
    """Period pre-set to the last 12 months; expected sessions from the service's setting."""
    get_registry().set_switch(SLUG, on.cin.id, True, settings={"sessions_per_year": 10})
    db.session.commit()
    auth.login("service_manager@test.example")
    audit_id = started_audit(client, on.user("worker"))
    tasks = client.get(f"/audits/{audit_id}/edit").data.decode()
    assert "Does supervision focus on the child’s plan" in tasks
    page = section_page(client, audit_id, "period")
    today = date.today()
    year_ago = today.replace(year=today.year - 1) if (today.month, today.day) != (2, 29) else None
    assert re.search(rf'name="period_end__year"[^>]*value="{today.year}"', page)
    assert re.search(rf'name="period_end__day"[^>]*value="{today.day}"', page)
    if year_ago:
        assert re.search(rf'name="period_start__year"[^>]*value="{year_ago.year}"', page)
        assert re.search(rf'name="period_start__month"[^>]*value="{year_ago.month}"', page)
    page = section_page(client, audit_id, "frequency")
    assert re.search(r'name="sessions_expected"[^>]*value="10"', page)
    assert "policy of 10 sessions a year" in page
    assert "Does supervision focus on the child’s plan" in section_page(
        client, audit_id, "plan_focus"
    )


def test_adult_staff_get_the_adults_wording(client, auth, borough: Borough):
    """A senior manager's sample of an adult social worker's supervision names the adult."""
    adult_worker = make_user("adult_worker", Role.SOCIAL_WORKER, team=borough.older_team)
    get_registry().set_switch(SLUG, borough.older.id, True)
    db.session.commit()
    auth.login("senior@test.example")
    audit_id = started_audit(client, adult_worker)
    assert audit_row(audit_id).kind is AuditKind.SENIOR_SAMPLE
    page = client.get(f"/audits/{audit_id}/edit").data.decode()
    assert "Does supervision focus on the adult’s plan" in page
    assert "child’s" not in page


def test_team_manager_cannot_start_one(client, auth, on: Borough):
    """Team managers see their team's records but service managers audit supervision."""
    worker = on.user("worker")
    auth.login("team_manager@test.example")
    record = client.get(f"/staff/{worker.id}")
    assert record.status_code == 200
    assert not START_BUTTON.search(record.data)
    assert f'value="{SLUG}"'.encode() not in record.data
    refused = start(client, worker)
    assert refused.status_code == 302
    assert refused.headers["Location"] == f"/staff/{worker.id}"
    assert "You cannot audit Worker" in client.get(refused.headers["Location"]).data.decode()
    assert db.session.scalar(db.select(db.func.count(Audit.id))) == 0


def test_switched_off_tool_cannot_start(client, auth, borough: Borough):
    worker = borough.user("worker")
    auth.login("service_manager@test.example")
    record = client.get(f"/staff/{worker.id}").data.decode()
    assert "The supervision audit is switched off for Children in Need" in record
    refused = start(client, worker)
    assert "switched off" in client.get(refused.headers["Location"]).data.decode()


def test_case_pages_do_not_offer_the_supervision_audit(client, auth, on: Borough):
    """A staff tool cannot audit a case: its start button would only be refused."""
    auth.login("service_manager@test.example")
    page = client.get(f"/cases/{on.cases['cin'].id}")
    assert page.status_code == 200
    assert not START_BUTTON.search(page.data)


# -- answering -----------------------------------------------------------------------------


def test_impossible_values_are_refused_and_kept(client, auth, on: Borough):
    """31 February and "abc" sessions: 400 on the section's page, errors listed, what was
    typed kept, nothing saved."""
    auth.login("service_manager@test.example")
    audit_id = started_audit(client, on.user("worker"))
    data = supervision_form(
        recorded="abc", expected="11", period_end__day="31", period_end__month="2"
    )
    response = save_section(client, audit_id, "period", data)
    assert response.status_code == 400
    page = response.data.decode()
    assert 'href="#period_end__day">The end of the period must be a real date' in (
        error_summary(page)
    )
    assert re.search(r'name="period_end__day"[^>]*value="31"', page)
    assert re.search(r'name="period_end__month"[^>]*value="2"', page)

    response = save_section(client, audit_id, "frequency", data)
    assert response.status_code == 400
    page = response.data.decode()
    assert (
        'href="#sessions_recorded">The number of sessions recorded must be a whole number, like 3'
        in error_summary(page)
    )
    assert re.search(r'name="sessions_recorded"[^>]*value="abc"', page)
    assert re.search(r'name="sessions_expected"[^>]*value="11"', page)  # the rest kept too
    assert stored(audit_id) == {}


def test_missing_and_inconsistent_answers_are_listed_and_saved_as_a_draft(
    client, auth, on: Borough
):
    auth.login("service_manager@test.example")
    audit_id = started_audit(client, on.user("worker"))
    data = supervision_form(recorded="4", expected="0", overall="met", grade="good")
    del data["supervision_agreement"]
    data["strengths"] = ""
    data["plan_focus"] = "not_met"
    data["plan_focus__comment"] = ""
    # Every section saves: missing and inconsistent answers stop only the submit.
    assert complete_audit(client, audit_id, data, submit=False).status_code == 302
    response = submit(client, audit_id)
    assert response.status_code == 400
    page = response.data.decode()
    assert "Check your answers before submitting the audit" in page
    summary = error_summary(page)
    sections = f"/audits/{audit_id}/sections"
    for link, message in (
        (
            "supervision_agreement#supervision_agreement",
            "Select whether the supervision agreement is met, partially met, not met or not "
            "applicable",
        ),
        (
            "plan_focus#plan_focus__comment",
            "Enter the evidence for the focus on the plan, reducing harm and improving outcomes",
        ),
        ("frequency#sessions_expected", "The expected number of sessions must be 1 or more"),
        ("summary#strengths", "Enter the areas of strength"),
    ):
        assert f'href="{sections}/{link}">{message}' in summary, message
    answers = stored(audit_id)
    assert answers["sessions_recorded"].value == "4"
    assert audit_row(audit_id).status is AuditStatus.DRAFT
    # Nothing was expected, so there is no compliance to store.
    assert answers["frequency_compliance"].value is None


def test_complete_audit_stores_the_computed_frequency_and_outcome(client, auth, on: Borough):
    """9 of 12 sessions: 75% compliance, frequency Partially met, stored as answer rows."""
    auth.login("service_manager@test.example")
    audit_id = started_audit(client, on.user("worker"))
    response = complete_audit(client, audit_id, supervision_form(recorded="9", expected="12"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/audits/{audit_id}/submitted"
    answers = stored(audit_id)
    assert (answers["frequency_compliance"].value, answers["frequency_compliance"].rating) == (
        "75",
        None,
    )
    assert answers["frequency_rating"].rating is Rating.PARTIALLY_MET
    assert answers["period_end"].value == date.today().isoformat()
    audit = audit_row(audit_id)
    assert audit.status is AuditStatus.SUBMITTED
    # Eight quality questions Met and the frequency Partially met: Met, Good.
    assert (audit.suggested_rating, audit.suggested_grade) == ("met", "good")
    assert (audit.overall_rating, audit.grade) == ("met", "good")
    shown = client.get(f"/audits/{audit_id}").data.decode()
    assert re.search(
        r"Frequency of supervision</dt>\s*<dd[^>]*>\s*<strong[^>]*>Partially met", shown
    )


def test_draft_shows_the_frequency_and_never_keeps_a_stale_one(client, auth, on: Borough):
    """Saving works out the frequency; clearing the numbers clears it again."""
    auth.login("service_manager@test.example")
    audit_id = started_audit(client, on.user("worker"))
    saved = complete_audit(client, audit_id, supervision_form(recorded="2"), submit=False)
    assert saved.status_code == 302
    assert audit_row(audit_id).status is AuditStatus.DRAFT
    page = section_page(client, audit_id, "frequency")
    assert re.search(r'id="frequency_compliance">17<', page)
    assert "Fewer than 3 supervision sessions in 12 months: the report flags this." in page
    assert stored(audit_id)["frequency_rating"].rating is Rating.NOT_MET

    cleared = save_section(client, audit_id, "frequency", supervision_form(recorded=""))
    assert cleared.status_code == 302
    answers = stored(audit_id)
    assert "sessions_recorded" not in answers
    assert answers["frequency_compliance"].value is None
    assert answers["frequency_rating"].rating is None


def test_flagged_record_suggests_not_met_and_a_different_judgement_needs_a_reason(
    client, auth, on: Borough
):
    auth.login("service_manager@test.example")
    audit_id = started_audit(client, on.user("worker"))
    data = supervision_form(recorded="1", overall="partially_met", grade="adequate")
    refused = complete_audit(client, audit_id, data)
    assert refused.status_code == 400
    # On check your answers, linked to the summary section where the reason is asked.
    assert (
        f'href="/audits/{audit_id}/sections/summary#judgement_reason">'
        "Enter why your overall rating or grade differs from the suggestion"
    ) in error_summary(refused.data.decode())
    data["judgement_reason"] = "Sessions held weekly in a group were recorded elsewhere."
    assert save_section(client, audit_id, "summary", data).status_code == 302
    assert submit(client, audit_id).status_code == 302
    audit = audit_row(audit_id)
    assert (audit.suggested_rating, audit.overall_rating) == ("not_met", "partially_met")
    assert stored(audit_id)["frequency_rating"].rating is Rating.NOT_MET


# -- reading the result ---------------------------------------------------------------------


@pytest.fixture
def submitted(client, auth, on: Borough) -> int:
    auth.login("service_manager@test.example")
    audit_id = started_audit(client, on.user("worker"))
    assert complete_audit(client, audit_id, supervision_form()).status_code == 302
    auth.logout()
    return audit_id


def test_supervisee_reads_their_own_result(client, auth, on: Borough, submitted: int):
    """The worker may open the audit of their supervision, and finds it on their staff record."""
    worker = on.user("worker")
    auth.login("worker@test.example")
    assert client.get(f"/audits/{submitted}").status_code == 200
    record = client.get(f"/staff/{worker.id}")
    assert record.status_code == 200
    assert f'href="/audits/{submitted}"'.encode() in record.data


def test_supervisee_finds_their_result_from_the_home_page(
    client, auth, on: Borough, submitted: int
):
    auth.login("worker@test.example")
    assert f'href="/audits/{submitted}"'.encode() in client.get("/").data


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("team_manager@test.example", 200),  # the worker's team (CIN North)
        ("senior@test.example", 200),
        ("other_worker@test.example", 404),  # another social worker
        ("south_manager@test.example", 404),  # another team's manager
    ],
)
def test_who_else_may_read_it(client, auth, on: Borough, submitted: int, email, status):
    auth.login(email)
    assert client.get(f"/audits/{submitted}").status_code == status


# -- demo answers --------------------------------------------------------------------------


def test_demo_answers_are_complete_checked_and_varied(app, on: Borough):
    """Through the hooks: every demo audit passes core's completeness and the tool's checks."""
    registry = get_registry()
    worker = on.user("worker")
    definition = registry.form(SLUG, None, on.cin.id, AuditSubject(kind="staff", staff=worker))
    rng = Random(2011)
    suggestions, flagged = set(), 0
    for _ in range(200):
        answers = registry.demo_answers(SLUG, None, rng, on.cin.id)
        assert answers is not None
        score = registry.score(SLUG, answers, on.cin.id)
        assert completeness_problems(definition, answers) == []
        assert registry.check(SLUG, answers, score, on.cin.id) == []
        assert answers["frequency_compliance"] == score.derived["frequency_compliance"]
        suggestions.add(score.suggested_rating)
        flagged += frequency_of(answers).flagged
    assert suggestions == {Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET}
    assert 20 <= flagged <= 80  # about one record in five


# -- the report ---------------------------------------------------------------------------


def submit_staff_audit(
    auditor: User, staff: User, answers: dict[str, AnswerValue], on_day: date | None = None
) -> Audit:
    """Start and submit a staff audit the way the web journey does."""
    registry = get_registry()
    audit = workflow.start_staff_audit(registry, staff, auditor, SLUG, f"t-{next(_tokens)}")
    workflow.submit(audit, answers, registry.score(SLUG, answers, audit.service_id))
    if on_day is not None:
        audit.audit_date = on_day
        db.session.commit()
    return audit


@pytest.fixture
def known(on: Borough) -> Borough:
    """Five supervision audits in Children in Need this period, and three that do not count.

    Hand count (compliance %, frequency, supervision agreement, outcome):
      line management (service manager):
        A1 worker        9/12  75  Partially met  met             met / good
        A2 deputy       12/12 100  Met            not met         partially met / adequate
        A3 other_worker  2/8   25  Not met (flag) met             not met / inadequate
      senior management sample:
        A4 worker        0/12   0  Not met (flag) not applicable  not met / inadequate
        A5 deputy       11/15  73  Partially met  partially met   partially met / adequate
    All: frequency Met 1, Partially met 2, Not met 2; average compliance 273 / 5 = 54.6 -> 55;
    flagged 2, none recorded at all 1. Line management: average 200 / 3 -> 67, flagged 1.
    Senior sample: average 73 / 2 = 36.5 -> 37 (halves up), flagged 1, none recorded 1.
    """
    b = on
    manager, senior = b.user("service_manager"), b.user("senior")
    worker, deputy, other = b.user("worker"), b.user("deputy"), b.user("other_worker")
    submit_staff_audit(manager, worker, supervision_answers(9, 12, overall="met", grade="good"))
    submit_staff_audit(
        manager,
        deputy,
        supervision_answers(
            12,
            12,
            {"supervision_agreement": "not_met"},
            default="partially_met",
            overall="partially_met",
            grade="adequate",
        ),
    )
    submit_staff_audit(
        manager, other, supervision_answers(2, 8, overall="not_met", grade="inadequate")
    )
    submit_staff_audit(
        senior,
        worker,
        supervision_answers(
            0,
            12,
            {"supervision_agreement": "not_applicable"},
            default="partially_met",
            overall="not_met",
            grade="inadequate",
        ),
    )
    submit_staff_audit(
        senior,
        deputy,
        supervision_answers(
            11,
            15,
            {"supervision_agreement": "partially_met"},
            overall="partially_met",
            grade="adequate",
        ),
    )
    # Not counted: too old, a draft, and an audit in another service.
    submit_staff_audit(
        manager,
        worker,
        supervision_answers(12, 12, overall="met", grade="good"),
        on_day=date.today() - timedelta(days=400),
    )
    workflow.start_staff_audit(get_registry(), worker, manager, SLUG, "draft-token")
    adult_worker = make_user("adult_worker", Role.SOCIAL_WORKER, team=b.older_team)
    get_registry().set_switch(SLUG, b.older.id, True)
    db.session.commit()
    submit_staff_audit(
        senior, adult_worker, supervision_answers(0, 12, overall="not_met", grade="inadequate")
    )
    return b


def test_section_figures_match_the_hand_count(known: Borough):
    today = date.today()
    scope = ReportScope(
        tool=SLUG, start=today - timedelta(days=365), end=today, service_id=known.cin.id
    )
    section = report_section(scope)
    assert section.audit_count == 5
    context = section.context
    line, senior = AuditKind.LINE_MANAGEMENT.value, AuditKind.SENIOR_SAMPLE.value
    assert context["average_compliance"] == {ALL_KINDS: 55, line: 67, senior: 37}
    assert context["flagged"] == {ALL_KINDS: 2, line: 1, senior: 1}
    assert context["none_recorded"].get(ALL_KINDS) == 1
    assert context["none_recorded"].get(line, 0) == 0
    frequency = context["frequency"][ALL_KINDS]
    assert frequency.counts == {Rating.MET: 1, Rating.PARTIALLY_MET: 2, Rating.NOT_MET: 2}
    agreement = {row.key: row for row in context["tables"][ALL_KINDS]}["supervision_agreement"]
    assert agreement.counts == {Rating.MET: 2, Rating.PARTIALLY_MET: 1, Rating.NOT_MET: 1}
    assert (agreement.applicable, agreement.not_applicable) == (4, 1)
    outcomes = context["outcomes"][ALL_KINDS]
    assert outcomes["rating"].counts == {"met": 1, "partially_met": 2, "not_met": 2}
    assert outcomes["grade"].counts["inadequate"] == 2


def section_of(page: bytes) -> bytes:
    return page.split(b'id="section-supervision_audit"', 1)[1]


def cell(section: bytes, question: str, rating: str, kind: str = "all") -> str:
    panel = section.split(f'data-kind="{kind}"'.encode(), 1)[1]
    row = panel.split(f'data-question="{question}"'.encode(), 1)[1]
    match = re.search(rf'data-rating="{rating}">([^<]*)'.encode(), row)
    assert match
    return match.group(1).decode().strip()


def figure(section: bytes, name: str, kind: str = "all") -> str:
    panel = section.split(f'data-kind="{kind}"'.encode(), 1)[1]
    match = re.search(rf'data-figure="{name}">([^<]*)'.encode(), panel)
    assert match
    return match.group(1).decode().strip()


def test_report_page_shows_the_hand_counted_figures(client, auth, known: Borough):
    auth.login("senior@test.example")
    page = client.get(f"/reports/?scope=service-{known.cin.id}")
    assert page.status_code == 200
    assert b"Supervision audits" in page.data
    section = section_of(page.data)
    assert b"Line management (3)" in section and b"Senior management sample (2)" in section
    # Frequency compliance distribution, with shares.
    assert cell(section, "frequency_rating", "met") == "1"
    assert cell(section, "frequency_rating", "partially_met") == "2"
    assert cell(section, "frequency_rating", "not_met") == "2"
    assert b'data-share="not_met">40%' in section
    assert cell(section, "frequency_rating", "met", kind="line_management") == "1"
    assert cell(section, "frequency_rating", "partially_met", kind="senior_sample") == "1"
    # Average compliance and the flag.
    assert figure(section, "average_compliance") == "55%"
    assert figure(section, "average_compliance", kind="line_management") == "67%"
    assert figure(section, "average_compliance", kind="senior_sample") == "37%"
    assert figure(section, "flagged") == "2"
    assert figure(section, "flagged", kind="line_management") == "1"
    assert figure(section, "none_recorded") == "1"
    assert figure(section, "none_recorded", kind="line_management") == "0"
    # Quality questions.
    assert cell(section, "supervision_agreement", "met") == "2"
    assert cell(section, "supervision_agreement", "applicable") == "4"
    assert cell(section, "supervision_agreement", "not_applicable") == "1"
    assert cell(section, "plan_focus", "partially_met") == "2"
    assert cell(section, "supervision_agreement", "not_met", kind="line_management") == "1"
    together = section.split(b'data-kind="all"', 1)[1]  # the last tab: all kinds together
    agreement = together.split(b'data-question="supervision_agreement"', 1)[1].split(b"</tr>")[0]
    assert re.search(rb'data-rating="met">2 <span[^>]*>\(50%\)', agreement)


def test_report_without_supervision_audits_says_so(client, auth, on: Borough):
    auth.login("senior@test.example")
    page = client.get(f"/reports/?scope=service-{on.cin.id}")
    assert b"No supervision audits were submitted for Children in Need" in section_of(page.data)
