"""The adults' audit through the test client: start, submit, and the report's figures."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.audits import workflow
from core.extensions import db
from core.models import Answer, Audit, AuditKind, AuditStatus, CaseCategory, Rating, Role
from core.testing import complete_audit, save_section
from core.tools import ReportScope, ReportSection
from core.tools.registry import get_registry
from tests.factories import Borough, make_case, make_user
from tests.helpers import children_answers, submitted_audit
from tests.plugins.adult_audit import adult_answers, adult_form

TODAY = date.today()
IN_PERIOD = TODAY - timedelta(days=10)


@pytest.fixture
def adults(borough: Borough) -> Borough:
    """The borough with an adults' team manager and the adults' audit on for Older People."""
    borough.users["adult_manager"] = make_user(
        "adult_manager", Role.TEAM_MANAGER, team=borough.older_team
    )
    db.session.commit()
    get_registry().set_switch("adult_audit", borough.older.id, True)
    db.session.commit()
    return borough


def version_of(page: bytes) -> str:
    match = re.search(rb'name="version" value="(\d+)"', page)
    assert match, "the page carries the audit's version"
    return match.group(1).decode()


def start(client: FlaskClient, case_id: int, token: str = "adult-token-1") -> str:
    response = client.post(f"/audits/start/{case_id}", data={"tool": "adult_audit", "token": token})
    assert response.status_code == 302
    assert "/edit" in response.location, "the audit started"
    return response.location


def audit_id_of(edit_url: str) -> int:
    return int(edit_url.split("/")[2])


def submit(client: FlaskClient, audit_id: int):
    """Post *Check your answers* with the audit's current version, as its Submit button
    does (a page that blocks has no button: this is the post it would refuse)."""
    audit = db.session.get(Audit, audit_id)
    db.session.refresh(audit)
    return client.post(f"/audits/{audit_id}/check", data={"version": audit.version})


def error_links(page: bytes, audit_id: int) -> list[str]:
    """Where the error summary's links go: ``section#field`` on the audit's section pages."""
    summary = page.split(b"govuk-error-summary__list", 1)[1].split(b"</ul>", 1)[0]
    prefix = f"/audits/{audit_id}/sections/".encode()
    links = re.findall(rb'<a href="([^"]+)">', summary)
    assert all(link.startswith(prefix) for link in links), links
    return [link[len(prefix) :].decode() for link in links]


# -- the tool through the registry -------------------------------------------------


def test_the_tool_is_built_in_for_adults(app):
    tool = get_registry().get("adult_audit")
    assert tool is not None
    assert (tool.version, tool.directorates, tool.subject) == ("1.0", ("adults",), "case")
    assert tool.default_on
    assert [spec.key for spec in tool.settings] == ["outstanding_grade"]
    assert tool.default_settings() == {"outstanding_grade": False}
    assert "adult_audit" in [t.slug for t in get_registry().for_directorate("adults")]
    assert "adult_audit" not in [t.slug for t in get_registry().for_directorate("children")]


# -- the journey -------------------------------------------------------------------


def test_team_manager_audits_an_adult_case_end_to_end(client, auth, adults: Borough):
    """Start from the case page, submit with errors, then submit properly."""
    case = adults.cases["adult"]
    assert auth.login("adult_manager@test.example").status_code == 302

    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert b'name="tool" value="adult_audit"' in page.data
    assert b'value="children_audit"' not in page.data

    edit_url = start(client, case.id)
    tasks = client.get(edit_url)
    assert tasks.status_code == 200
    assert b"Adult Social Care Case File Audit Form" in tasks.data
    assert b"An up-to-date chronology or case summary is on file." in tasks.data
    assert b"If it isn\xe2\x80\x99t recorded on the file, it didn\xe2\x80\x99t happen" in tasks.data
    audit = db.session.scalar(select(Audit))
    assert (audit.tool, audit.form_version) == ("adult_audit", "1.0")
    assert audit.kind is AuditKind.LINE_MANAGEMENT
    standard_7 = client.get(f"/audits/{audit.id}/sections/standard_7")
    assert b"Not met caps the overall grade at Inadequate." in standard_7.data  # its hint

    # Save some sections with answers missing, then try to submit: every problem listed,
    # linked to its section, every value kept, nothing submitted.
    partial = {
        "standard_1": "not_met",
        "standard_1__comment": "",
        "standard_2": "met",
        "strengths": "Kept text",
    }
    for key in ("standard_1", "standard_2", "standard_14"):
        assert save_section(client, audit.id, key, partial).status_code == 302
    bad = submit(client, audit.id)
    assert bad.status_code == 400
    assert error_links(bad.data, audit.id) == [
        "standard_1#standard_1__comment",
        *(f"standard_{n}#standard_{n}" for n in range(3, 14)),
        "standard_14#overall_rating",
        "standard_14#overall_grade",
        "standard_14#areas_for_development",
    ]
    # Each message names the standard and quotes its words (shortened), so the error
    # summary says which standard is meant.
    assert (
        "Enter the evidence for standard 1 (An up-to-date chronology or case summary is on "
        "file.)" in bad.get_data(as_text=True)
    )
    assert (
        "Select whether standard 7 (Safeguarding concerns were recognised and acted on, and "
        "the…) is met, partially met, not met or not applicable" in bad.get_data(as_text=True)
    )
    assert b"Submit audit" not in bad.data
    sections = {
        key: client.get(f"/audits/{audit.id}/sections/{key}").data
        for key in ("standard_1", "standard_2", "standard_14")
    }
    assert b"Kept text" in sections["standard_14"]
    assert re.search(rb'value="not_met"\s+checked', sections["standard_1"])
    assert re.search(
        rb'name="standard_2" type="radio" value="met"\s+checked', sections["standard_2"]
    )
    db.session.expire_all()
    assert db.session.get(Audit, audit.id).status is AuditStatus.DRAFT

    # Submit properly: two standards met, the rest partially met -> Partially met, Adequate.
    done = complete_audit(client, audit.id, adult_form(ratings={1: "met", 2: "met"}))
    assert done.status_code == 302 and done.location == f"/audits/{audit.id}/submitted"
    db.session.expire_all()
    audit = db.session.get(Audit, audit.id)
    assert audit.status is AuditStatus.SUBMITTED
    assert (audit.suggested_rating, audit.suggested_grade) == ("partially_met", "adequate")
    assert (audit.overall_rating, audit.grade) == ("partially_met", "adequate")
    answers = db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.audit_id == audit.id)
    )
    assert answers == 13 + 4  # standards, then rating, grade, strengths, areas
    shown = client.get(f"/audits/{audit.id}")
    assert shown.status_code == 200 and b"Submitted" in shown.data


def test_safeguarding_not_met_is_capped_on_submission(client, auth, adults: Borough):
    """A grade above Inadequate with standard 7 Not met is refused, naming safeguarding."""
    auth.login("adult_manager@test.example")
    audit_id = audit_id_of(start(client, adults.cases["adult"].id))
    data = adult_form(ratings={7: "not_met"}, default="met", overall="met", grade="good")
    refused = complete_audit(client, audit_id, data)
    assert refused.status_code == 400
    assert error_links(refused.data, audit_id) == [
        "standard_14#overall_grade",
        "standard_14#judgement_reason",
    ]
    assert b"Safeguarding is not met (standard 7), so the grade must be Inadequate" in (
        refused.data
    )
    assert b"Standard 7 (safeguarding) is not met" in refused.data  # the suggestion's note
    summary = client.get(f"/audits/{audit_id}/sections/standard_14")
    assert b"Standard 7 (safeguarding) is not met" in summary.data  # also where it is judged

    data.update(overall_rating="not_met", overall_grade="inadequate")
    assert save_section(client, audit_id, "standard_14", data).status_code == 302
    done = submit(client, audit_id)
    assert done.status_code == 302 and done.location == f"/audits/{audit_id}/submitted"
    audit = db.session.scalar(select(Audit))
    db.session.refresh(audit)
    assert audit.status is AuditStatus.SUBMITTED
    assert (audit.suggested_rating, audit.overall_rating, audit.grade) == (
        "not_met",
        "not_met",
        "inadequate",
    )


def test_carer_file_offers_standard_9_as_not_applicable(client, auth, adults: Borough):
    """On a carer's own file standard 9 starts as Not applicable, with the reason shown."""
    carer = make_case("A400002", adults.older_team, CaseCategory.ADULT_CARER)
    db.session.commit()
    auth.login("adult_manager@test.example")
    audit_id = audit_id_of(start(client, carer.id))
    page = client.get(f"/audits/{audit_id}/sections/standard_9").data
    assert re.search(rb'name="standard_9" type="radio" value="not_applicable"\s+checked', page)
    assert b"this is the carer\xe2\x80\x99s own file" in page
    page = client.get(f"/audits/{audit_id}/sections/standard_7").data
    assert re.search(rb'name="standard_7" type="radio" value="not_applicable"', page)
    assert not re.search(rb'name="standard_7" type="radio" value="not_applicable"\s+checked', page)


def test_outstanding_is_offered_where_the_service_switches_it_on(client, auth, adults: Borough):
    """The grades are offered on the summary section's page (standard 14)."""
    auth.login("adult_manager@test.example")
    audit_id = audit_id_of(start(client, adults.cases["adult"].id))
    summary_url = f"/audits/{audit_id}/sections/standard_14"
    page = client.get(summary_url).data
    assert b'value="outstanding"' not in page
    assert b'name="overall_grade" type="radio" value="good"' in page
    get_registry().set_switch(
        "adult_audit", adults.older.id, True, settings={"outstanding_grade": True}
    )
    db.session.commit()
    assert b'name="overall_grade" type="radio" value="outstanding"' in client.get(summary_url).data


def test_adult_tool_is_not_offered_for_a_childrens_case(client, auth, adults: Borough):
    """Children's cases offer only the children's tool, and a forged start is refused."""
    auth.login("senior@test.example")
    case = adults.cases["cin"]
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert b'value="children_audit"' in page.data
    assert b"adult_audit" not in page.data
    forged = client.post(
        f"/audits/start/{case.id}",
        data={"tool": "adult_audit", "token": "forged"},
        follow_redirects=True,
    )
    assert b"is not used in Children\xe2\x80\x99s social care" in forged.data
    assert db.session.scalar(select(func.count()).select_from(Audit)) == 0


# -- the report against a hand count -------------------------------------------------


@pytest.fixture
def known_audits(adults: Borough) -> Borough:
    """Five adults' audits in Older People this period, plus three that must not count.

    Hand count for Older People's Social Work, last 12 months:
      standard 1: line management met, met, not met; independent partially met, N/A
        -> met 2, partially met 1, not met 1, N = 4, N/A 1 (line management: 2, 0, 1)
      standard 7: met, N/A, not met, partially met, partially met
        -> met 1, partially met 2, not met 1, N = 4, N/A 1
      standard 9: partially met, met, partially met, N/A (carer's own file), partially met
        -> met 1, partially met 3, not met 0, N = 4, N/A 1
      overall rating: met 1, partially met 3, not met 1; grade: good 1, adequate 3, inadequate 1
    """
    b = adults
    manager, iro = b.user("adult_manager"), b.user("iro")
    person = b.cases["adult"]
    carer = make_case("A400002", b.older_team, CaseCategory.ADULT_CARER)
    db.session.commit()

    def audit(case, auditor, answers, on=IN_PERIOD):
        return submitted_audit(case, auditor, answers, on=on, tool="adult_audit")

    audit(
        person,
        manager,
        adult_answers({1: "met", 7: "met"}, overall="partially_met", grade="adequate"),
    )
    audit(
        person,
        manager,
        adult_answers({1: "met", 7: "not_applicable"}, default="met", overall="met", grade="good"),
    )
    audit(
        person,
        manager,
        adult_answers({1: "not_met", 7: "not_met"}, overall="not_met", grade="inadequate"),
    )
    audit(
        carer,
        iro,
        adult_answers(
            {1: "partially_met", 9: "not_applicable"}, overall="partially_met", grade="adequate"
        ),
    )
    audit(
        person,
        iro,
        adult_answers({1: "not_applicable"}, overall="partially_met", grade="adequate"),
    )
    # Not counted: too old, a draft, and a children's audit in another service.
    audit(
        person,
        manager,
        adult_answers({1: "met"}, overall="partially_met", grade="adequate"),
        on=TODAY - timedelta(days=400),
    )
    workflow.start_audit(get_registry(), person, manager, "adult_audit", "draft-token")
    submitted_audit(
        b.cases["cin"],
        b.user("team_manager"),
        children_answers({1: "met"}, overall="partially_met", grade="adequate"),
        on=IN_PERIOD,
    )
    return b


def adult_section(page: bytes) -> bytes:
    section = page.split(b'id="section-adult_audit"', 1)[1]
    return section.split(b"</section>", 1)[0]


def cell(page: bytes, question: str, rating: str, kind: str = "all") -> str:
    panel = adult_section(page).split(f'data-kind="{kind}"'.encode(), 1)[1]
    row = panel.split(f'data-question="{question}"'.encode(), 1)[1]
    match = re.search(rf'data-rating="{rating}">([^<]*)'.encode(), row)
    assert match
    return match.group(1).decode().strip()


def figure(page: bytes, question: str, rating: str, kind: str = "all") -> str:
    """A cell's whole text, count and share: e.g. "2 (50%)"."""
    panel = adult_section(page).split(f'data-kind="{kind}"'.encode(), 1)[1]
    row = panel.split(f'data-question="{question}"'.encode(), 1)[1]
    html = row.split(f'data-rating="{rating}">'.encode(), 1)[1].split(b"</td>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.decode())).strip()


def outcome(page: bytes, distribution: str, key: str, kind: str = "all") -> str:
    panel = adult_section(page).split(f'data-kind="{kind}"'.encode(), 1)[1]
    table = panel.split(f'data-distribution="{distribution}"'.encode(), 1)[1]
    row = table.split(f'data-outcome="{key}"'.encode(), 1)[1]
    match = re.search(rb'govuk-table__cell--numeric">([^<]*)<', row)
    assert match
    return match.group(1).decode().strip()


def test_report_page_shows_the_hand_counted_figures(client, auth, known_audits: Borough):
    """Per standard and per kind, with N and N/A apart, and the outcome distributions."""
    auth.login("senior@test.example")
    page = client.get(f"/reports/?scope=service-{known_audits.older.id}&period=last-12-months")
    assert page.status_code == 200
    data = page.data
    assert b"Adults\xe2\x80\x99 case file audits" in data
    assert b'id="section-children_audit"' not in data  # another service's tool
    section = adult_section(data)
    assert b"All kinds together (5)" in section
    assert b"Line management (3)" in section and b"Independent (2)" in section

    expected = {
        "standard_1": ("2 (50%)", "1 (25%)", "1 (25%)", "4", "1"),
        "standard_7": ("1 (25%)", "2 (50%)", "1 (25%)", "4", "1"),
        "standard_9": ("1 (25%)", "3 (75%)", "0 (0%)", "4", "1"),
    }
    columns = ("met", "partially_met", "not_met", "applicable", "not_applicable")
    for question, figures in expected.items():
        shown = tuple(figure(data, question, column) for column in columns)
        assert shown == figures, question

    assert cell(data, "standard_1", "met", kind="line_management") == "2"
    assert cell(data, "standard_1", "not_met", kind="line_management") == "1"
    assert cell(data, "standard_1", "partially_met", kind="independent") == "1"
    assert cell(data, "standard_1", "not_applicable", kind="independent") == "1"

    assert [outcome(data, "rating", k) for k in ("met", "partially_met", "not_met")] == [
        "1",
        "3",
        "1",
    ]
    grades = ("outstanding", "good", "adequate", "inadequate")
    assert [outcome(data, "grade", k) for k in grades] == ["0", "1", "3", "1"]
    assert outcome(data, "rating", "partially_met", kind="independent") == "2"


def test_report_section_hook_counts_in_scope(app, known_audits: Borough):
    section = get_registry().report_section(
        ReportScope(
            tool="adult_audit",
            start=TODAY - timedelta(days=365),
            end=TODAY,
            service_id=known_audits.older.id,
        )
    )
    assert isinstance(section, ReportSection)
    assert section.audit_count == 5
    assert section.template == "adult_audit/report_section.html"
    assert section.title == "Adults’ case file audits"
    rows = {row.key: row for row in section.context["tables"]["all"]}
    assert rows["standard_7"].counts == {Rating.MET: 1, Rating.PARTIALLY_MET: 2, Rating.NOT_MET: 1}
    assert section.context["outcomes"]["all"]["grade"].counts["adequate"] == 3


def test_the_report_says_when_there_are_no_adult_audits(client, auth, adults: Borough):
    auth.login("senior@test.example")
    page = client.get(f"/reports/?scope=service-{adults.older.id}")
    assert page.status_code == 200
    assert b"No adults\xe2\x80\x99 case file audits were submitted" in page.data
