"""Bad input never gives a 500: every route, every parameter, hostile values.

The review found 28 inputs that gave a 500. This walks ``app.url_map`` as an
administrator, a senior manager and a team manager, with path ids of objects that
exist and of 10^25, and sends every query parameter and form field the views read
(found in the source, the templates and the WTForms classes, so new ones are picked
up) a table of hostile values. Any 5xx fails. It runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import zlib
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.audits.answering import DATE_PARTS
from core.audits.workflow import new_audit
from core.extensions import db
from core.models import Allocation, AuditKind, AuditRule, CasePool, Frequency, Role
from core.tools.registry import get_registry
from plugins.themed_audits.models import ThemedAudit
from tests.factories import PASSWORD, Borough, children_form
from tests.plugins.themed_audits.helpers import population_csv
from tests.plugins.themed_audits.test_journey import create, draw, upload

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = {
    "nul": "a\x00b",
    "huge number": "1" + "0" * 25,
    "long": "x" * 5000,
    "5,000 digits": "9" * 5000,
    "superscript two": "²",
    "arabic three": "٣",
    "bad month": "0000-01",
    "month zero": "9999-00",
    "empty": "",
}

#: Fields read from dictionaries or loops, which the source scan cannot see.
EXTRA_FIELDS = {
    "quantity",
    "frequency",
    "pool",
    "months",
    "version",
    "email",
    "password",
    "new_password",
    "confirm",
    "current_password",
    "code",
    "user",
    "case",
    "audit",
    "service",
    "directorate",
    "date_from",
    "date_to",
    "start",
    "end",
    "rows-category",
    "source-category-0",
    "target-category-0",
    *children_form(),
}

#: Routes that end the session the walk runs in (tested elsewhere), and static files.
SKIP_ENDPOINTS = {"auth.logout", "auth.sign_out", "static"}


def _tool_fields() -> set[str]:
    """Every field of every audit tool's form: answers, comments and date parts."""
    from core import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    names = set()
    with app.app_context():
        registry = get_registry()
        for info in registry.all():
            try:
                definition = registry.form(info.slug, None, None)
            except Exception:  # a tool that needs a case: its fields are below
                continue
            for question in definition.questions():
                names |= {question.key, f"{question.key}__comment"}
                names |= {f"{question.key}__{part}" for part in DATE_PARTS}
    return names


def _field_names() -> set[str]:
    names = set(EXTRA_FIELDS) | _tool_fields()
    sources = [*ROOT.glob("core/**/*.py"), *ROOT.glob("plugins/**/*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"request\.(?:args|form)\.get(?:list)?\(\s*\"([\w-]+)\"", text))
        names |= set(re.findall(r"^\s+(\w+) = \w+Field\(", text, flags=re.MULTILINE))
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("plugins/**/*.html")]:
        names |= set(re.findall(r'\bname="([A-Za-z_][\w-]*)"', path.read_text(encoding="utf-8")))
    return names - {"csrf_token", "viewport", "theme-color"}


FIELDS = sorted(_field_names())


@pytest.fixture
def objects(borough: Borough) -> dict[str, int]:
    """An existing object for each kind of id in a path."""
    rule = AuditRule(
        auditor_role=Role.TEAM_MANAGER,
        tool="children_audit",
        quantity=1,
        frequency=Frequency.MONTHLY,
        pool=CasePool.TEAM,
    )
    db.session.add(rule)
    allocation = Allocation(
        period="2026-11",
        rule=rule,
        auditor_id=borough.user("team_manager").id,
        slot=0,
        case_id=borough.cases["cin"].id,
        tool="children_audit",
        kind=AuditKind.LINE_MANAGEMENT,
        due_date=date(2026, 11, 30),
    )
    db.session.add(allocation)
    db.session.commit()
    registry = get_registry()
    audit = new_audit(
        registry.get("children_audit"),
        borough.user("team_manager"),
        AuditKind.LINE_MANAGEMENT,
        borough.cin.id,
        borough.north.id,
        case=borough.cases["cin"],
    )
    # A safeguarding concern raised from that draft (core.concerns).
    from core.models import Concern

    concern = Concern(
        audit_id=audit.id,
        service_id=borough.cin.id,
        team_id=borough.north.id,
        raised_by_id=borough.user("team_manager").id,
        description="A child may be at risk now.",
        response_days=1,
        due_on=date(2026, 11, 30),
    )
    db.session.add(concern)
    db.session.commit()
    # A submitted audit's action, done (so its review form is live), and a re-audit.
    from core.actions import followup
    from tests.helpers import children_answers, submitted_audit

    done = submitted_audit(
        borough.cases["cp"],
        borough.user("team_manager"),
        children_answers({3: "not_met"}, overall="not_met", grade="inadequate"),
    )
    action = followup.set_action(
        done,
        question="standard_3",
        label="Standard 3",
        description="Visit the child.",
        owner=borough.user("worker"),
        due=date.today(),
        by=borough.user("team_manager"),
    )
    followup.mark_done(action, "Seen.", borough.user("worker"))
    reaudit = followup.request_reaudit(
        done,
        auditor=borough.user("team_manager"),
        after_actions=True,
        on_date=None,
        by=borough.user("team_manager"),
        today=date.today(),
    )
    db.session.commit()
    return {
        "action_id": action.id,
        "reaudit_id": reaudit.id,
        "concern_id": concern.id,
        "audit_id": audit.id,
        "case_id": borough.cases["cin"].id,
        "user_id": borough.user("worker").id,
        "staff_id": borough.user("worker").id,
        "team_id": borough.north.id,
        "service_id": borough.cin.id,
        "directorate_id": borough.children.id,
        "rule_id": rule.id,
        "allocation_id": allocation.id,
    }


def _paths(app: Flask, objects: dict[str, int]) -> list[tuple[str, str, list[str]]]:
    """(endpoint, url, methods) for each rule: with existing ids, and with 10^25."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        methods = sorted((rule.methods or set()) & {"GET", "POST"})
        converters = rule._converters  # argument name -> converter
        for huge in (False, True):
            values = {}
            for name, converter in converters.items():
                if type(converter).__name__ == "IntegerConverter":
                    values[name] = 10**25 if huge else objects.get(name, 1)
                else:
                    values[name] = "children_audit" if "tool" in name else "cases"
            if huge and not converters:
                continue
            found.append((rule.endpoint, rule.build(values, append_unknown=False)[1], methods))
    return found


def _sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, email


#: What _send answers for a redirect to the sign-in page.
SIGNED_OUT = 0


def _send(client: FlaskClient, method: str, url: str, fields: dict[str, str] | None) -> int:
    """The status code; 500 when the view raises (the test client passes errors on)."""
    try:
        if fields is None:
            response = client.open(url, method=method)
        elif method == "GET":
            response = client.get(url, query_string=fields)
        else:
            response = client.post(url, data=fields)
        if response.status_code == 302 and "/sign-in" in (response.location or ""):
            return SIGNED_OUT if "/sign-in" not in url else 302
        return response.status_code
    except Exception:  # any exception is a 500 to a user
        db.session.rollback()  # the test's session outlives the request
        return 500


#: The routes are walked in this many parts, by blueprint, so that the parts run on
#: different cores (pytest -n auto) instead of one long test holding up the suite.
PARTS = 4


def _part_of(endpoint: str) -> int:
    return zlib.crc32(endpoint.split(".", 1)[0].encode()) % PARTS


@pytest.mark.parametrize("part", range(PARTS))
def test_no_route_gives_a_500_for_hostile_input(
    app: Flask, client: FlaskClient, objects: dict[str, int], part: int
):
    """As an administrator, a senior manager and a team manager, in turn.

    Each route gets the whole table once, from the first of them it lets in; the
    others send it nothing, which also shows how it treats a missing parameter.
    """
    cases = {label: dict.fromkeys(FIELDS, value) for label, value in HOSTILE.items()}
    covered: set[tuple[str, str]] = set()
    failures = []
    paths = [p for p in _paths(app, objects) if _part_of(p[0]) == part]
    assert paths, "every part has routes to walk"
    for user in ("admin", "senior", "team_manager"):
        _sign_in(client, f"{user}@test.example")
        for endpoint, url, methods in paths:
            for method in methods:
                first = _send(client, method, url, None)  # nothing sent at all
                if first == SIGNED_OUT:  # an earlier route ended the session: sign in again
                    _sign_in(client, f"{user}@test.example")
                    first = _send(client, method, url, None)
                if first >= 500:
                    failures.append(f"{user}: {method} {url} ({endpoint}) with nothing")
                if first == 403 or (url, method) in covered:
                    continue  # refused before any input is read, or done already
                covered.add((url, method))
                failures += [
                    f"{user}: {method} {url} ({endpoint}) with {label}"
                    for label, fields in cases.items()
                    if _send(client, method, url, fields) >= 500
                ]
    assert not failures, "\n".join(failures)


def test_a_nul_character_is_refused_with_a_message(client, borough: Borough):
    """PostgreSQL cannot store NUL: the sign-in form refuses it before any query."""
    response = client.post("/sign-in", data={"email": "admin@test.example\x00", "password": "x"})
    assert response.status_code == 400
    assert "null character" in response.get_data(as_text=True)
    assert client.get("/sign-in?next=%00").status_code == 400


def test_ids_beyond_the_database_integer_are_not_found(client, auth, borough: Borough):
    auth.login("senior@test.example")
    assert client.get(f"/cases/{10**25}").status_code == 404
    assert client.get(f"/cases/?page={10**25}").status_code == 200
    assert client.get(f"/programme/compliance?team={10**25}").status_code == 200


@pytest.mark.parametrize("period", ["0000-01", "9999-00", "9999-12", "٢٠٢٦-١١", "2026-27-Q9"])
def test_impossible_periods_are_an_error_message(client, auth, borough: Borough, period: str):
    auth.login("senior@test.example")
    assert client.get("/reports/", query_string={"period": period}).status_code < 500
    compliance = client.get("/programme/compliance", query_string={"period": period})
    assert compliance.status_code == 400
    assert "Choose a period from the list" in compliance.get_data(as_text=True)


# -- the themed audit's uploads and sample ---------------------------------------


@pytest.fixture
def theme_on(borough: Borough) -> Borough:
    get_registry().set_switch("rereferral_theme", borough.cin.id, True)
    db.session.commit()
    return borough


def test_themed_audit_hostile_files_and_numbers_get_messages(client, auth, theme_on):
    """A cell over 128 KB, a NUL, a 300-character file name; a seed of 10^20, ² and
    5,000 digits as sizes: each is a message, never a 500, and nothing is stored."""
    auth.login("iro@test.example")
    themed_id = create(client)
    huge_cell = population_csv(2).replace("CIN North", "CIN North" + "x" * 140_000, 1)
    assert upload(client, themed_id, huge_cell).status_code == 400
    assert upload(client, themed_id, population_csv(2) + "R9,\x00,2026-05-01").status_code == 400
    assert upload(client, themed_id, population_csv(40), "p" * 300 + ".csv").status_code == 302
    for size, seed in (("12", str(10**20)), ("²", ""), ("9" * 5000, ""), ("12", "٣")):
        refused = draw(client, themed_id, size, seed)
        assert refused.status_code == 400, (size[:5], seed[:5])
    assert db.session.get(ThemedAudit, themed_id).draw is None
