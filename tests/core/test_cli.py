"""The careaudit command line: listing tools, loading the demo, creating the first admin."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from core.demo import DEMO_PASSWORD, DEMO_SIGN_INS, DOMAIN
from core.extensions import db
from core.models import Answer, Audit, AuditStatus, Case, CaseCategory, Rating, Role, User
from core.passwords import verify_password
from tests.factories import Borough

ADMIN_PASSWORD = "a long enough passphrase"


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# -- tools -----------------------------------------------------------------------


BUILT_IN_TOOLS = ["adult_audit", "children_audit", "rereferral_theme", "supervision_audit"]


def test_tools_json_lists_each_tool_and_where_it_is_on(runner: FlaskCliRunner, borough: Borough):
    """`careaudit tools --json` gives each tool's slug, version, directorates and services."""
    result = runner.invoke(args=["tools", "--json"])
    assert result.exit_code == 0, result.output
    tools = json.loads(result.output)
    by_slug = {tool["slug"]: tool for tool in tools}
    assert list(by_slug) == BUILT_IN_TOOLS
    assert all(tool["version"] for tool in tools)
    adults, children = by_slug["adult_audit"], by_slug["children_audit"]
    assert adults["directorates"] == ["adults"]
    assert adults["services"] == []  # the borough switches on the children's audit only
    assert children["title"] == "Children’s case file audit"
    assert children["version"] == "1.0"
    assert children["directorates"] == ["children"]
    assert children["services"] == ["Children in Care", "Children in Need"]


def test_tools_json_shows_a_tool_switched_off_everywhere(runner: FlaskCliRunner, app):
    """With no switch set, a tool is listed with no services."""
    result = runner.invoke(args=["tools", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["services"] == []
    table = runner.invoke(args=["tools"])
    assert "switched off everywhere" in table.output


def test_tools_table_names_the_tool_and_its_services(runner: FlaskCliRunner, borough: Borough):
    """Plain `careaudit tools` prints a line per tool and the services where it is on."""
    result = runner.invoke(args=["tools"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "adult_audit  Adults’ case file audit  v1.0"
    assert lines[1].strip() == "on for: switched off everywhere"
    assert lines[2] == "children_audit  Children’s case file audit  v1.0"
    assert lines[3].strip() == "on for: Children in Care, Children in Need"


# -- demo ------------------------------------------------------------------------


def sign_ins_printed(output: str) -> dict[str, str]:
    """Role label -> email, from the demo's sign-in table."""
    found = re.findall(rf"^  (.+?)\s+(\S+@{re.escape(DOMAIN)})$", output, re.M)
    return dict(found)


EXPECTED_SIGN_INS = {role.label: f"{local}@{DOMAIN}" for role, local, _ in DEMO_SIGN_INS}


def test_demo_loads_a_synthetic_borough_once(runner: FlaskCliRunner, client: FlaskClient, app):
    """`careaudit demo` fills an empty database, prints the sign-ins, and refuses to run twice."""
    if db.engine.dialect.name != "sqlite":
        # The load itself runs on PostgreSQL for the demo_borough fixture (the report
        # tally's check); this command test takes a minute there and adds nothing.
        pytest.skip("the demo command is tested on SQLite (make run's database)")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo borough" in result.output
    assert "audits fed back to workers" in result.output
    assert "A re-referral themed audit" in result.output  # a plugin's demo data
    assert f"password for all: {DEMO_PASSWORD}" in result.output
    assert sign_ins_printed(result.output) == EXPECTED_SIGN_INS
    assert len(EXPECTED_SIGN_INS) == len(Role) == 8

    # About 600 cases and 60 staff, one of each role at least.
    assert count(Case) == 600
    assert 50 <= count(User) <= 70
    roles = set(db.session.scalars(select(User.role).distinct()))
    assert roles == set(Role)

    # Synthetic data only: reserved email domain, invented references, short initials.
    emails = db.session.scalars(select(User.email)).all()
    assert all(email.endswith(".example") for email in emails)
    cases = db.session.scalars(select(Case)).all()
    assert all(re.fullmatch(r"[CA]\d{6}-\d{3}", case.reference) for case in cases)
    assert all(case.initials is None or len(case.initials) <= 4 for case in cases)
    assert all(
        case.reference[0] == ("A" if case.category_record.directorate.code == "adults" else "C")
        for case in cases
    )
    assert {case.category for case in cases} >= {
        CaseCategory.CHILD_IN_NEED,
        CaseCategory.LOOKED_AFTER,
        CaseCategory.ADULT_CARE_AND_SUPPORT,
    }

    # Audits look like real practice: drafts in progress, outcomes on every submitted one,
    # and "partially met" the commonest rating across standards 1 to 13.
    statuses = dict(
        db.session.execute(select(Audit.status, func.count()).group_by(Audit.status)).all()
    )
    assert statuses[AuditStatus.DRAFT] > 0
    assert statuses[AuditStatus.SUBMITTED] > 100
    # Themed audits record findings, not an overall rating.
    unrated = select(func.count()).where(
        Audit.status == AuditStatus.SUBMITTED,
        Audit.overall_rating.is_(None),
        Audit.tool != "rereferral_theme",
    )
    assert db.session.scalar(unrated) == 0
    standards = [f"standard_{n}" for n in range(1, 14)]
    ratings = db.session.execute(
        select(Answer.rating, func.count())
        .join(Audit, Answer.audit_id == Audit.id)
        .where(Answer.question.in_(standards), Audit.status == AuditStatus.SUBMITTED)
        .group_by(Answer.rating)
        .order_by(func.count().desc())
    ).all()
    assert ratings[0][0] is Rating.PARTIALLY_MET
    assert {rating for rating, _ in ratings} >= {Rating.MET, Rating.NOT_MET}

    # The printed sign-ins work.
    signed_in = client.post(
        "/sign-in", data={"email": f"team.manager@{DOMAIN}", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in.location == "/"

    # Running it again would mix two demos: refused, with the way out named.
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert "--reset" in again.output
    assert count(Case) == 600

    # --if-empty (for start-up scripts) leaves the demo alone and prints the sign-ins.
    if_empty = runner.invoke(args=["demo", "--if-empty"])
    assert if_empty.exit_code == 0, if_empty.output
    assert "the demo was not reloaded" in if_empty.output
    assert sign_ins_printed(if_empty.output) == EXPECTED_SIGN_INS
    assert count(Case) == 600


def test_demo_reset_deletes_everything_then_loads_the_demo(
    runner: FlaskCliRunner, borough: Borough, monkeypatch: pytest.MonkeyPatch
):
    """`careaudit demo --reset` deletes everything there was, then loads the demo into the
    empty database. Loading itself is tested once, above: it is the slowest thing the
    suite does, so here the loader only records what it found."""
    from core import demo

    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0 and "--reset" in refused.output
    found: list[tuple[int, dict[str, int]]] = []

    def load(seed: int) -> str:
        rows = {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
        found.append((seed, {name: n for name, n in rows.items() if n}))
        return "Loaded the demo borough."

    monkeypatch.setattr(demo, "load", load)
    result = runner.invoke(args=["demo", "--reset"])
    assert result.exit_code == 0, result.output
    assert found == [(2011, {})]  # every table empty when the demo is loaded
    assert sign_ins_printed(result.output) == EXPECTED_SIGN_INS


def test_demo_if_empty_leaves_a_real_database_alone(runner: FlaskCliRunner, borough: Borough):
    """On a database with other data, --if-empty loads nothing and prints no demo sign-ins."""
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "the demo was not loaded" in result.output
    assert sign_ins_printed(result.output) == {}
    assert count(Case) == len(borough.cases)


# -- create-user -----------------------------------------------------------------


def create_user(runner: FlaskCliRunner, *options: str):
    return runner.invoke(args=["create-user", *options])


def test_create_user_makes_an_administrator_who_can_sign_in(
    runner: FlaskCliRunner, client: FlaskClient, app
):
    """`careaudit create-user` with options creates an administrator with a hashed password."""
    result = create_user(
        runner,
        "--email",
        "First.Admin@Test.Example",
        "--name",
        "First Admin",
        "--role",
        "administrator",
        "--password",
        ADMIN_PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert "Created system administrator First.Admin@Test.Example." in result.output
    user = db.session.scalar(select(User))
    assert user is not None
    assert (user.email, user.name, user.role) == (
        "first.admin@test.example",
        "First Admin",
        Role.ADMINISTRATOR,
    )
    assert user.active
    assert user.password_hash.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in user.password_hash
    signed_in = client.post(
        "/sign-in", data={"email": "first.admin@test.example", "password": ADMIN_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_create_user_prompts_for_what_is_missing(runner: FlaskCliRunner, app):
    """Without options, create-user asks for email, name and password (twice)."""
    result = runner.invoke(
        args=["create-user"],
        input=f"it@test.example\nIT Desk\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Email:" in result.output and "Repeat for confirmation:" in result.output
    assert ADMIN_PASSWORD not in result.output
    user = db.session.scalar(select(User).where(User.email == "it@test.example"))
    assert user is not None and user.role is Role.ADMINISTRATOR
    assert verify_password(user.password_hash, ADMIN_PASSWORD)


def test_create_user_refuses_an_unknown_role(runner: FlaskCliRunner, app):
    """A misspelt role is a usage error listing the roles, and no user is created."""
    result = create_user(
        runner,
        "--email",
        "x@test.example",
        "--name",
        "X",
        "--role",
        "superuser",
        "--password",
        ADMIN_PASSWORD,
    )
    assert result.exit_code == 2
    assert "Invalid value for --role" in result.output
    assert "administrator" in result.output and "senior_manager" in result.output
    assert count(User) == 0


def test_create_user_leaves_team_roles_to_the_web_pages(runner: FlaskCliRunner, app):
    """Roles needing a team or service are refused: they are set up in administration."""
    result = create_user(
        runner,
        "--email",
        "x@test.example",
        "--name",
        "X",
        "--role",
        "team_manager",
        "--password",
        ADMIN_PASSWORD,
    )
    assert result.exit_code == 2
    assert "create team and service roles in the web admin pages" in result.output
    assert count(User) == 0


def test_create_user_refuses_a_short_password(runner: FlaskCliRunner, app):
    """The command line asks for as long a password as the admin pages (12 characters)."""
    result = create_user(runner, "--email", "x@test.example", "--name", "X", "--password", "short")
    assert result.exit_code == 2
    assert "12 characters" in result.output
    assert count(User) == 0


def test_create_user_refuses_an_email_already_in_use(runner: FlaskCliRunner, borough: Borough):
    """A second account for the same email, in any capitals, is refused."""
    result = create_user(
        runner, "--email", "ADMIN@test.example", "--name", "Again", "--password", ADMIN_PASSWORD
    )
    assert result.exit_code == 1
    assert "a user with email ADMIN@test.example already exists" in result.output
    assert count(User) == len(borough.users)
