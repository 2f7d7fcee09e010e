"""Who may open which page, and which case files and audits each role can see."""

from __future__ import annotations

import re
from random import Random

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.audits import workflow
from core.extensions import db
from core.models import Audit, AuditKind, AuditStatus
from core.tools.registry import get_registry
from tests.factories import Borough


def audit_of(borough: Borough, case_key: str, auditor_key: str, submitted: bool = True) -> Audit:
    """An audit of one of the borough's cases, started (and submitted) by one of its users."""
    audit = workflow.start_audit(
        get_registry(),
        borough.cases[case_key],
        borough.user(auditor_key),
        "children_audit",
        f"{case_key}-{auditor_key}",
    )
    if submitted:
        registry = get_registry()
        answers = registry.demo_answers("children_audit", audit.case, Random(1), audit.service_id)
        assert answers is not None
        workflow.submit(audit, answers, registry.score("children_audit", answers, audit.service_id))
    return audit


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Audit)) or 0


# -- every endpoint declares a permission --------------------------------------


def test_every_endpoint_declares_the_permission_it_needs(app: Flask):
    """No page is reachable without a declared permission: @requires is on every view."""
    undeclared = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "required_permission", None) is None
    )
    assert undeclared == [], f"endpoints without @requires: {undeclared}"


def test_a_page_without_a_declared_permission_is_refused_to_everyone(app, client, auth, borough):
    """A route added without @requires answers 403, even to a senior manager."""
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    assert client.get("/undeclared").status_code == 403  # signed out: refused, not redirected
    auth.login("senior@test.example")
    response = client.get("/undeclared")
    assert response.status_code == 403
    assert b"secret" not in response.data
    assert b"You do not have access to this page" in response.data


# -- signed out ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/cases/", "/reports/", "/admin/", "/admin/users"])
def test_signed_out_visitors_are_sent_to_sign_in(client, borough, path):
    """Every protected page redirects a signed-out visitor to the sign-in page."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")


def test_signed_out_visitors_cannot_open_a_case_or_start_an_audit(client, borough):
    """Case pages and the start form need signing in; nothing is created."""
    case = borough.cases["cin"]
    assert client.get(f"/cases/{case.id}").location.startswith("/sign-in")
    started = client.post(f"/audits/start/{case.id}", data={"tool": "children_audit"})
    assert started.status_code == 302 and started.location.startswith("/sign-in")
    assert audit_count() == 0


def test_sign_in_page_and_stylesheet_are_public(client):
    """The sign-in page and the GOV.UK stylesheet load without signing in."""
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert b"Sign in to" in page.data
    css = client.get("/static/govuk/govuk-frontend.min.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    css.close()


# -- roles ---------------------------------------------------------------------


ROLE_MATRIX = [
    # Analysts see reports only, never a case or an audit.
    ("analyst", "/cases/", 403),
    ("analyst", "/cases/{cin}", 403),
    ("analyst", "/audits/{audit}", 403),
    ("analyst", "/audits/{audit}/edit", 403),
    ("analyst", "/admin/", 403),
    ("analyst", "/reports/", 200),
    # Administrators run the system but read no case file and no report.
    ("admin", "/cases/", 403),
    ("admin", "/cases/{cin}", 403),
    ("admin", "/audits/{audit}", 403),
    ("admin", "/reports/", 403),
    ("admin", "/admin/", 200),
    # Social workers see their own cases, but no aggregate reports.
    ("worker", "/reports/", 403),
    ("worker", "/admin/", 403),
    ("worker", "/cases/", 200),
    ("worker", "/cases/{cin}", 200),
    ("worker", "/audits/{audit}", 200),
    # Managers and reviewers: cases and reports, no administration.
    ("team_manager", "/admin/", 403),
    ("team_manager", "/reports/", 200),
    ("iro", "/admin/tools", 403),
    ("iro", "/reports/", 200),
    ("senior", "/admin/users", 403),
    ("senior", "/cases/{lac}", 200),
]


@pytest.mark.parametrize(("user", "path", "status"), ROLE_MATRIX)
def test_each_role_reaches_only_its_own_pages(client, auth, borough, user, path, status):
    """Each role gets its pages, and a 403 'no access' page for the others."""
    audit = audit_of(borough, "cin", "team_manager")
    url = path.format(cin=borough.cases["cin"].id, lac=borough.cases["lac"].id, audit=audit.id)
    auth.login(f"{user}@test.example")
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert b"You do not have access to this page" in response.data
        assert b"C100001" not in response.data


def test_analysts_cannot_start_audits(client, auth, borough):
    """An analyst posting the start form is refused and no audit is created."""
    auth.login("analyst@test.example")
    case = borough.cases["cin"]
    response = client.post(f"/audits/start/{case.id}", data={"tool": "children_audit"})
    assert response.status_code == 403
    assert audit_count() == 0


@pytest.mark.parametrize(("user", "lands_on"), [("admin", "/admin/"), ("analyst", "/reports/")])
def test_home_page_sends_non_auditors_to_their_own_pages(client, auth, borough, user, lands_on):
    """Administrators land on administration and analysts on reports."""
    auth.login(f"{user}@test.example")
    response = client.get("/")
    assert response.status_code == 302
    assert response.location == lands_on


# -- which case files each user sees -------------------------------------------


def references_listed(client: FlaskClient, query: str = "") -> set[str]:
    page = client.get(f"/cases/{query}").get_data(as_text=True)
    return set(re.findall(r">([CA]\d{6})</a>", page))


VISIBLE_CASES = [
    ("team_manager", {"C100001", "C100002", "C100009"}),
    ("deputy", {"C100001", "C100002", "C100009"}),
    ("south_manager", {"C200001"}),
    ("service_manager", {"C100001", "C100002", "C100009", "C200001"}),
    ("worker", {"C100001", "C100002", "C100009"}),
    ("other_worker", {"C200001"}),
    ("iro", {"C100001", "C100002", "C100009", "C200001", "C300001", "A400001"}),
    ("senior", {"C100001", "C100002", "C100009", "C200001", "C300001", "A400001"}),
]


@pytest.mark.parametrize(("user", "expected"), VISIBLE_CASES)
def test_find_a_case_lists_only_the_files_a_user_may_see(client, auth, borough, user, expected):
    """Team managers see their team, service managers their service, reviewers all."""
    auth.login(f"{user}@test.example")
    assert references_listed(client) == expected


@pytest.mark.parametrize(
    ("user", "case_key", "status"),
    [
        ("team_manager", "cin", 200),
        ("team_manager", "south", 404),
        ("team_manager", "lac", 404),
        ("service_manager", "south", 200),
        ("service_manager", "lac", 404),
        ("service_manager", "adult", 404),
        ("worker", "cp", 200),
        ("worker", "south", 404),
        ("worker", "lac", 404),
        ("iro", "adult", 200),
        ("senior", "lac", 200),
    ],
)
def test_a_case_outside_the_users_reach_is_not_found(client, auth, borough, user, case_key, status):
    """Opening a case you may not see looks exactly like a case that does not exist."""
    auth.login(f"{user}@test.example")
    case = borough.cases[case_key]
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == status
    if status == 404:
        assert case.reference.encode() not in response.data
        assert b"Page not found" in response.data


def test_searching_or_filtering_never_reaches_another_teams_cases(client, auth, borough):
    """A team manager searching for another team's reference, or filtering by it, finds nothing."""
    auth.login("team_manager@test.example")
    by_reference = client.get("/cases/?q=C200001")
    assert by_reference.status_code == 200
    assert b"0 case files found." in by_reference.data
    assert references_listed(client, f"?team={borough.south.id}") == set()
    assert references_listed(client, "?q=c1000") == {"C100001", "C100002", "C100009"}


# -- which audits each user sees -----------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("team_manager", 200),  # the auditor
        ("deputy", 404),  # same team, but a draft is work in progress
        ("service_manager", 404),
        ("iro", 404),
        ("senior", 404),
        ("worker", 404),  # the allocated social worker
    ],
)
def test_a_draft_is_visible_to_its_auditor_only(client, auth, borough, user, status):
    """Only the person who started a draft can open it."""
    draft = audit_of(borough, "cin", "team_manager", submitted=False)
    auth.login(f"{user}@test.example")
    assert client.get(f"/audits/{draft.id}").status_code == status
    case_page = client.get(f"/cases/{borough.cases['cin'].id}").get_data(as_text=True)
    assert (f"/audits/{draft.id}" in case_page) is (status == 200)


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("team_manager", 200),
        ("deputy", 200),
        ("worker", 200),  # the allocated social worker reads feedback on their case
        ("service_manager", 200),
        ("iro", 200),
        ("senior", 200),
        ("south_manager", 404),  # another team in the same service
        ("other_worker", 404),
        ("care_manager", 404),
    ],
)
def test_a_submitted_audit_is_visible_within_the_cases_reach(client, auth, borough, user, status):
    """A submitted audit is read by the case's team, service, worker and reviewers only."""
    audit = audit_of(borough, "cin", "team_manager")
    assert audit.status is AuditStatus.SUBMITTED
    auth.login(f"{user}@test.example")
    response = client.get(f"/audits/{audit.id}")
    assert response.status_code == status
    if status == 404:
        assert b"C100001" not in response.data


def test_social_worker_sees_audits_of_their_cases_on_their_home_page(client, auth, borough):
    """Feedback from a manager's submitted audit shows on the allocated worker's home page."""
    submitted = audit_of(borough, "cin", "team_manager")
    draft = audit_of(borough, "cp", "team_manager", submitted=False)
    auth.login("worker@test.example")
    home = client.get("/").get_data(as_text=True)
    assert "Audits of your work" in home
    assert f"/audits/{submitted.id}" in home
    assert f"/audits/{draft.id}" not in home
    auth.logout()
    auth.login("other_worker@test.example")
    assert f"/audits/{submitted.id}" not in client.get("/").get_data(as_text=True)


def test_a_submitted_audit_stays_with_the_team_where_it_was_done(client, auth, borough):
    """Access to an audit follows the team at audit time, even if the case later moves."""
    audit = audit_of(borough, "cin", "team_manager")
    case = borough.cases["cin"]
    case.team_id = borough.south.id
    case.allocated_worker = borough.user("other_worker")
    db.session.commit()
    auth.login("team_manager@test.example")
    assert client.get(f"/audits/{audit.id}").status_code == 200
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_team_managers_report_only_on_their_own_team(client, auth, borough):
    """A team manager asking for the whole service's report is told to choose their team."""
    auth.login("team_manager@test.example")
    response = client.get(f"/reports/?scope=service-{borough.cin.id}")
    assert response.status_code == 400
    assert b"Choose a part of the council you can report on" in response.data
    assert b"CIN North (Children in Need)" in response.data
    assert b"CIN South" not in response.data


# -- who can start an audit ----------------------------------------------------


def start(client: FlaskClient, case_id: int, tool: str = "children_audit", token: str = "t-1"):
    return client.post(f"/audits/start/{case_id}", data={"tool": tool, "token": token})


@pytest.mark.parametrize(
    ("user", "case_key", "kind"),
    [
        ("team_manager", "cin", AuditKind.LINE_MANAGEMENT),
        ("deputy", "cp", AuditKind.LINE_MANAGEMENT),
        ("service_manager", "south", AuditKind.LINE_MANAGEMENT),
        ("worker", "cin", AuditKind.SELF_AUDIT),
        ("iro", "lac", AuditKind.INDEPENDENT),
        ("senior", "south", AuditKind.SENIOR_SAMPLE),
    ],
)
def test_each_auditor_starts_the_kind_of_audit_their_role_carries_out(
    client, auth, borough, user, case_key, kind
):
    """The case page names the kind of audit, and starting one records that kind."""
    case = borough.cases[case_key]
    auth.login(f"{user}@test.example")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"This will be a <strong>{kind.label.lower()}</strong> audit." in page
    assert "Start the children’s case file audit" in page
    response = start(client, case.id)
    assert response.status_code == 302
    audit = db.session.scalar(select(Audit))
    assert response.location == f"/audits/{audit.id}/edit"
    assert audit.kind is kind
    assert audit.auditor_id == borough.user(user).id
    assert audit.status is AuditStatus.DRAFT


@pytest.mark.parametrize(
    ("user", "case_key"),
    [
        ("worker", "south"),  # another worker's case
        ("worker", "lac"),
        ("team_manager", "south"),  # another team
        ("south_manager", "cin"),
        ("service_manager", "lac"),  # another service
        ("care_manager", "cin"),
    ],
)
def test_nobody_can_start_an_audit_of_a_case_they_cannot_see(client, auth, borough, user, case_key):
    """Posting the start form for a case out of reach is a 404 and creates nothing."""
    auth.login(f"{user}@test.example")
    response = start(client, borough.cases[case_key].id)
    assert response.status_code == 404
    assert audit_count() == 0


def test_starting_with_a_tool_not_used_in_the_directorate_is_refused(client, auth, borough):
    """An IRO trying the children's audit on an adults' case gets a message on the case page."""
    auth.login("iro@test.example")
    case = borough.cases["adult"]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    # Only the adults' tool is offered there, and the borough has it switched off.
    assert "The adults’ case file audit is switched off for Older People’s Social Work" in page
    assert 'value="children_audit"' not in page
    response = start(client, case.id)
    assert response.status_code == 302
    assert response.location == f"/cases/{case.id}"
    shown = client.get(response.location).get_data(as_text=True)
    assert "The Children’s case file audit is not used in Adults’ social care." in shown
    assert audit_count() == 0


def test_starting_with_an_unknown_tool_is_refused(client, auth, borough):
    """A tampered tool name gives a plain message, not an error page, and creates nothing."""
    auth.login("team_manager@test.example")
    case = borough.cases["cin"]
    response = start(client, case.id, tool="no_such_tool")
    assert response.status_code == 302 and response.location == f"/cases/{case.id}"
    assert "That audit tool is not installed." in client.get(response.location).get_data(
        as_text=True
    )
    assert audit_count() == 0


def test_a_closed_case_offers_no_start_button(client, auth, borough):
    """The page of a closed case says so and shows no start form."""
    auth.login("team_manager@test.example")
    page = client.get(f"/cases/{borough.cases['closed'].id}").get_data(as_text=True)
    assert "This case is closed, so new audits cannot be started." in page
    assert "Start the children" not in page
    assert "/audits/start/" not in page


def test_a_closed_case_cannot_be_audited_by_posting_the_start_form(client, auth, borough):
    """Posting the start form for a closed case is refused and creates no audit."""
    auth.login("team_manager@test.example")
    case = borough.cases["closed"]
    response = start(client, case.id)
    assert response.status_code == 302
    assert response.location == f"/cases/{case.id}"
    assert audit_count() == 0


def test_a_workers_home_lists_audits_of_their_cases_and_of_them_newest_first(
    client, auth, borough
):
    """Audits of the worker's cases and of the worker (supervision) are merged, latest first."""
    registry = get_registry()
    worker, manager = borough.user("worker"), borough.user("service_manager")
    service_id = worker.team.service_id
    registry.set_switch("supervision_audit", service_id, True)
    of_case = audit_of(borough, "cin", "team_manager")
    of_worker = workflow.start_staff_audit(registry, worker, manager, "supervision_audit", "sup")
    answers = registry.demo_answers("supervision_audit", None, Random(1), service_id)
    assert answers is not None
    workflow.submit(
        of_worker, answers, registry.score("supervision_audit", answers, service_id)
    )
    auth.login("worker@test.example")
    home = client.get("/").get_data(as_text=True)
    section = home[home.index("Audits of your work") :]
    latest, earlier = f"/audits/{of_worker.id}", f"/audits/{of_case.id}"
    assert latest in section and earlier in section
    assert section.index(latest) < section.index(earlier)
