"""Each main page asks the database a fixed number of questions, however much it lists.

A page that loads each row's case, auditor or team one by one (the "N+1" pattern) gets
slower with every audit a council adds. Each page here is fetched twice: once on a small
borough, once after more cases, audits (drafts and submitted, by every auditor, about
every case) and feedback have been added, and must issue no more SQL statements the
second time. Counting statements, not timing them, so the test is exact on any machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from core.audits import workflow
from core.cases.views import CASE_AUDITS_SHOWN
from core.extensions import db
from core.models import AuditKind, Case, CaseAssignment, CaseCategory, Role, Service, Team
from core.testing import make_case, make_user, sign_in
from core.tools.registry import get_registry
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

#: (who, page). ``{...}`` are filled from the borough; every page must answer 200.
PAGES = [
    ("team_manager", "/"),
    ("worker", "/"),
    ("iro", "/"),
    ("senior", "/"),
    ("service_manager", "/"),
    ("team_manager", "/cases/"),
    ("team_manager", "/cases/?q=C7"),
    ("team_manager", "/cases/{cin}"),
    ("team_manager", "/cases/{cin}?audits=all"),
    ("team_manager", "/audits/{audit}"),
    ("team_manager", "/audits/{draft}/edit"),
    ("team_manager", "/audits/{draft}/sections/standard_1"),
    ("team_manager", "/audits/{draft}/check"),
    ("team_manager", "/reports/?scope=team-{north}"),
    ("senior", "/reports/"),
    ("service_manager", "/programme/compliance"),
    ("senior", "/programme/runs"),
    ("team_manager", "/staff/"),
    ("team_manager", "/actions/"),
    ("iro", "/themed-audits/"),
    ("admin", "/admin/users"),
    ("admin", "/admin/services"),
]


@contextmanager
def counting(app: Flask) -> Iterator[Callable[[], int]]:
    """Count the SQL statements sent while the block runs."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield lambda: len(seen)
    finally:
        event.remove(engine, "before_cursor_execute", note)


def grow(borough: Borough, rounds: int, start: int) -> None:
    """Add cases and audits: submitted ones by each auditor about several cases, and drafts.

    Each new case has a social worker of its own, so a list that loads each row's
    worker one by one shows it (rows sharing one worker would hide it)."""
    registry = get_registry()
    for n in range(start, start + rounds):
        worker = make_user(f"worker_{n}", Role.SOCIAL_WORKER, borough.north)
        case = make_case(f"C7{n:05d}", borough.north, CaseCategory.CHILD_IN_NEED, worker)
        db.session.commit()
        for auditor, kind in (
            ("team_manager", AuditKind.LINE_MANAGEMENT),
            ("iro", AuditKind.INDEPENDENT),
        ):
            submitted_audit(
                case,
                borough.users[auditor],
                children_answers(overall="partially_met", grade="adequate"),
                on=date.today() - timedelta(days=n % 60),
                kind=kind,
            )
        workflow.start_audit(
            registry, case, borough.users["team_manager"], "children_audit", f"draft-{n}"
        )
        db.session.commit()


def grow_case(borough: Borough, case: Case) -> None:
    """More on the measured case page: audits by other auditors (more than the page lists
    at first), and who held it before."""
    answers = children_answers(overall="partially_met", grade="adequate")
    for _ in range(CASE_AUDITS_SHOWN // 2 + 1):
        submitted_audit(case, borough.users["iro"], answers, kind=AuditKind.INDEPENDENT)
        submitted_audit(case, borough.users["deputy"], answers)
    for n, (team, worker) in enumerate(
        [(borough.south, "other_worker"), (borough.north, "deputy"), (borough.south, None)]
    ):
        db.session.add(
            CaseAssignment(
                case_id=case.id,
                team_id=team.id,
                worker_id=borough.users[worker].id if worker else None,
                category=CaseCategory.CHILD_IN_NEED.value,
                started_on=date(2024, 1 + n, 1),
                ended_on=date(2024, 2 + n, 1),
            )
        )
    db.session.commit()


def grow_organisation(borough: Borough) -> None:
    """More services, each with teams, for the administrator's lists."""
    for n in range(3):
        service = Service(name=f"Grown service {n}", directorate_id=borough.cin.directorate_id)
        db.session.add(service)
        db.session.flush()
        for t in range(2):
            db.session.add(Team(name=f"Grown team {n}-{t}", service_id=service.id))
    db.session.commit()


def statements(app: Flask, client: FlaskClient, who: str, url: str) -> int:
    with counting(app) as count:
        response = client.get(url)
    assert response.status_code == 200, f"{who} {url}: {response.status_code}"
    return count()


def measure(app: Flask, client: FlaskClient, who: str, url: str) -> int:
    """Statements for the page once warm (first-use lookups done), with every row asked
    for anew as a server's fresh session would: the client shares the test's app
    context and session, so objects the warm fetch loaded are expired, and a row loaded
    one by one shows up as a statement of its own."""
    statements(app, client, who, url)
    db.session.expire_all()  # nothing cached from the warm fetch: each row is asked for anew
    return statements(app, client, who, url)


def test_no_page_asks_more_questions_as_the_council_grows(
    app: Flask, client: FlaskClient, borough: Borough
):
    """Every page in ``PAGES``, measured on the same borough before and after it grows
    (one borough for all pages: building it is most of the test's time)."""
    grow(borough, rounds=2, start=1)
    case = borough.cases["cin"]
    audit = submitted_audit(
        case, borough.users["team_manager"], children_answers(overall="met", grade="good")
    )
    draft = workflow.start_audit(
        get_registry(), case, borough.users["team_manager"], "children_audit", "the-draft"
    )
    db.session.commit()
    ids = {"cin": case.id, "audit": audit.id, "draft": draft.id, "north": borough.north.id}
    urls = [(who, page.format(**ids)) for who, page in PAGES]

    def measure_all() -> dict[tuple[str, str], int]:
        counts = {}
        for who, url in urls:
            client.post("/sign-out")
            sign_in(client, who)
            counts[(who, url)] = measure(app, client, who, url)
        return counts

    small = measure_all()
    grow(borough, rounds=5, start=100)
    grow_case(borough, case)
    grow_organisation(borough)
    large = measure_all()
    grown = [
        f"{who} {url}: {small[(who, url)]} statements, then {large[(who, url)]} with more rows"
        for who, url in urls
        if large[(who, url)] > small[(who, url)]
    ]
    assert not grown, "\n".join(grown)
