"""Home page sections and audit panels: each says by a probe whether it has anything, and
the page asks every probe in one statement before calling only those that do.

That each real section still appears when it has something to show is specified by the
journeys of feedback, actions, concerns and moderation (tests/core/*/test_journey.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, exists, select

from core.audits import panels
from core.extensions import db
from core.models import Audit, User
from core.testing import sign_in
from tests.factories import Borough
from tests.helpers import statements_run, submitted_audit


@pytest.fixture
def only_these_sections(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registered sections set aside for the test's own (and the statements kept
    for them, which go with them)."""
    monkeypatch.setattr(panels, "_HOME", {})
    monkeypatch.setattr(panels, "_HOME_ASKED", {})
    yield


@pytest.fixture
def only_these_panels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registered audit panels set aside for the test's own."""
    monkeypatch.setattr(panels, "_AUDIT", {})
    yield


def section(name: str, calls: list[str], probe: panels.HomeProbe | None) -> None:
    def show(user: User) -> panels.Panel | None:
        calls.append(name)
        return None

    show.__qualname__ = name
    panels.home_section(probe=probe)(show)


def test_only_sections_whose_probe_says_yes_are_called(
    app: Flask, borough: Borough, only_these_sections: None
):
    calls: list[str] = []
    section("no_probe", calls, None)
    section("says_no", calls, lambda user: False)
    section("says_yes", calls, lambda user: True)
    section("sql_no", calls, lambda user: select(Audit.id).where(Audit.auditor_id == -1).exists())
    section("sql_yes", calls, lambda user: select(User.id).where(User.id == user.id).exists())

    with app.test_request_context():
        panels.for_home(borough.users["team_manager"])

    assert calls == ["no_probe", "says_yes", "sql_yes"]


def test_every_probe_is_asked_in_one_statement(
    app: Flask, borough: Borough, only_these_sections: None
):
    calls: list[str] = []
    for n in range(4):
        section(f"empty_{n}", calls, lambda user: exists().where(Audit.auditor_id == -1))
    seen: list[str] = []
    manager = borough.users["team_manager"]
    db.session.refresh(manager)  # loaded, as a request's user is

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        with app.test_request_context():
            assert panels.for_home(manager) == []
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert len(seen) == 1 and seen[0].count("EXISTS") == 4
    assert calls == []


def test_a_home_with_nothing_to_do_asks_about_follow_up_work_once(
    app: Flask, client: FlaskClient, borough: Borough
):
    """A team manager with no feedback, actions, concerns or moderations waiting: the
    sections' tables are each read only inside the one probe statement."""
    sign_in(client, "team_manager")
    client.get("/")
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        home = client.get("/")
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert home.status_code == 200
    follow_up = ("FROM concern", "FROM feedback", "FROM moderation", "FROM remedial_action")
    asking = [s for s in seen if any(table in s for table in follow_up)]
    assert len(asking) == 1, asking
    assert all(table in asking[0] for table in follow_up)


def audit_panel(name: str, calls: list[str], probe: panels.AuditProbe | None) -> None:
    def show(audit: Audit, user: User) -> panels.Panel | None:
        calls.append(name)
        return None

    show.__qualname__ = name
    panels.audit_panel(probe=probe)(show)


def test_only_audit_panels_whose_probe_says_yes_are_called(
    app: Flask, borough: Borough, only_these_panels: None
):
    calls: list[str] = []
    audit_panel("no_probe", calls, None)
    audit_panel("says_no", calls, lambda audit, user: False)
    audit_panel("sql_no", calls, lambda audit, user: exists().where(Audit.id == -audit.id))
    audit_panel("sql_yes", calls, lambda audit, user: exists().where(User.id == user.id))
    audit = _any_audit(borough)

    with app.test_request_context():
        panels.for_audit(audit, borough.users["team_manager"])

    assert calls == ["no_probe", "sql_yes"]


def test_a_panel_given_its_answers_gets_each_condition_answered_in_the_one_statement(
    app: Flask, borough: Borough, only_these_panels: None
):
    """A probe may give several conditions: the panel is called when any holds and, if
    it asks for them, is given every answer, so it need not ask them again."""
    given: dict[str, tuple[bool, ...]] = {}

    def register(name: str, probe: panels.AuditProbe) -> None:
        def show(audit: Audit, user: User, answers: tuple[bool, ...]) -> panels.Panel | None:
            given[name] = answers
            return None

        show.__qualname__ = name
        panels.audit_panel(probe=probe, answers=True)(show)

    def nothing(audit: Audit) -> object:
        return exists().where(Audit.id == -audit.id)

    def something(user: User) -> object:
        return exists().where(User.id == user.id)

    register("mixed", lambda audit, user: (False, nothing(audit), something(user), True))
    register("all_no", lambda audit, user: (False, nothing(audit)))
    register("one", lambda audit, user: something(user))
    audit = _any_audit(borough)

    with app.test_request_context(), statements_run() as statements:
        panels.for_audit(audit, borough.users["team_manager"])

    assert given == {"mixed": (False, False, True, True), "one": (True,)}
    asking = [s for s in statements if "EXISTS" in s]
    assert len(asking) == 1, asking


def _any_audit(borough: Borough) -> Audit:
    from core.audits import workflow
    from core.tools.registry import get_registry

    audit = workflow.start_audit(
        get_registry(), borough.cases["cin"], borough.user("team_manager"), "children_audit", "p"
    )
    db.session.commit()
    return audit


def test_an_audit_without_concerns_or_moderation_asks_about_them_once(
    app: Flask, client: FlaskClient, borough: Borough
):
    """Its team manager reads a submitted audit nobody raised a concern on or moderated:
    those panels' tables are read only inside the one probe statement, and whether the
    manager may see the audit is not asked again after the page found it."""
    audit = submitted_audit(borough.cases["cin"], borough.user("team_manager"), {})
    path = f"/audits/{audit.id}"
    sign_in(client, "team_manager")
    client.get(path)
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        page = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert page.status_code == 200
    probes = [s for s in seen if s.startswith("SELECT EXISTS (SELECT * FROM concern ")]
    assert len(probes) == 1 and "FROM moderation" in probes[0], probes
    reads = [s for s in seen if s.startswith(("SELECT concern.", "SELECT moderation."))]
    assert reads == []
    reading = ("SELECT audit.", "SELECT EXISTS (SELECT * FROM audit ")
    reading_the_audit = [s for s in seen if s.startswith(reading)]
    assert len(reading_the_audit) == 1, reading_the_audit


def test_the_probes_are_built_once_for_a_user_and_asked_on_every_visit(
    app: Flask, borough: Borough, only_these_sections: None
):
    calls: list[str] = []
    built: list[int] = []

    def inactive(user: User):
        built.append(user.id)
        return select(User.id).where(User.id == user.id, User.active.is_(False)).exists()

    section("inactive", calls, inactive)
    manager, worker = borough.users["team_manager"], borough.users["worker"]
    with app.test_request_context():
        panels.for_home(manager)
        panels.for_home(manager)
    assert calls == [] and built == [manager.id]

    manager.active = False  # what the probe asks changes: the kept statement sees it
    db.session.commit()
    with app.test_request_context():
        panels.for_home(manager)
        panels.for_home(worker)
    assert calls == ["inactive"]
    assert built == [manager.id, worker.id]


def test_a_section_registered_later_is_asked_about(
    app: Flask, borough: Borough, only_these_sections: None
):
    calls: list[str] = []
    section("first", calls, lambda user: True)
    with app.test_request_context():
        panels.for_home(borough.users["team_manager"])
    section("second", calls, lambda user: True)
    with app.test_request_context():
        panels.for_home(borough.users["team_manager"])
    assert calls == ["first", "first", "second"]
