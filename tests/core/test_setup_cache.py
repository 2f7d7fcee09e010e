"""The council's set-up is read once per worker, and a change shows on the next page
(core.setup_cache).

Which tools are on where, their settings and the grade scale are read by nearly every
page and change a few times a year. A worker keeps them under the set-up's token,
which every change gives a new value as it commits: the next request, on any worker
of any server, reads afresh. Counting statements, not timing them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, update

from core import setup_cache
from core.audits import workflow
from core.extensions import db
from core.grading.council import forget, save_choice
from core.models import Category, ServiceTool, SetupVersion, Team
from core.testing import sign_in
from core.tools.registry import get_registry
from tests.factories import Borough

TOOL = "children_audit"
SET_UP = ("FROM service_tool", "FROM council_grade_scale", "FROM setup_version")


@contextmanager
def set_up_reads(app: Flask) -> Iterator[Callable[[], list[str]]]:
    """The statements sent while the block runs that read the set-up on their own
    (not the session's lookup, which carries the token as a column)."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        flat = " ".join(statement.split())
        own = flat.startswith("SELECT") and not flat.startswith("SELECT user_session")
        if own and any(table in flat for table in SET_UP):
            seen.append(flat)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield lambda: list(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def overall_grade_page(borough: Borough) -> str:
    """The address of a draft's section that offers the grades (in the council's words)."""
    draft = workflow.start_audit(
        get_registry(), borough.cases["cin"], borough.users["team_manager"], TOOL, None
    )
    db.session.commit()
    form = get_registry().form(TOOL, None, borough.cin.id)
    section = next(s for s in form.sections if any(q.key == "overall_grade" for q in s.questions))
    # The test client's requests share the test's app context, and with it what a
    # request keeps in ``g``: start the pages from nothing kept, as a server would.
    forget()
    return f"/audits/{draft.id}/sections/{section.key}"


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_a_page_reads_the_set_up_once_then_keeps_it(
    app: Flask, client: FlaskClient, borough: Borough
):
    pages = [overall_grade_page(borough), "/", f"/cases/{borough.cases['cin'].id}"]
    sign_in(client, "team_manager")
    with set_up_reads(app) as first:
        for url in pages:
            page(client, url)
    assert first(), "the first pages read the switches, the settings and the grade scale"
    db.session.expire_all()
    with set_up_reads(app) as second:
        for url in pages:
            page(client, url)
    assert second() == []


def test_the_grade_scale_changed_shows_on_the_next_page(
    app: Flask, client: FlaskClient, borough: Borough
):
    url = overall_grade_page(borough)
    sign_in(client, "team_manager")
    assert "Serious concerns" not in page(client, url)
    save_choice("ofsted", {"inadequate": "Serious concerns"}, False, None)
    db.session.commit()
    assert "Serious concerns" in page(client, url)


def test_a_tool_switched_off_shows_on_the_next_page(
    app: Flask, client: FlaskClient, borough: Borough
):
    case_page = f"/cases/{borough.cases['cin'].id}"
    sign_in(client, "team_manager")
    assert f'value="{TOOL}"' in page(client, case_page)
    # A bulk statement, not an object: the change is noticed either way.
    db.session.execute(
        update(ServiceTool)
        .where(ServiceTool.tool == TOOL, ServiceTool.service_id == borough.cin.id)
        .values(enabled=False)
    )
    db.session.commit()
    assert f'value="{TOOL}"' not in page(client, case_page)


def test_a_change_rolled_back_keeps_the_token(app: Flask, borough: Borough):
    token = db.session.scalar(select(SetupVersion.token))
    assert token is not None
    save_choice("ofsted", {}, False, None)
    db.session.rollback()
    assert db.session.scalar(select(SetupVersion.token)) == token
    save_choice("ofsted", {}, False, None)
    db.session.commit()
    assert db.session.scalar(select(SetupVersion.token)) not in (token, None)


def test_a_request_that_changes_the_set_up_reads_its_own_change(app: Flask, borough: Borough):
    registry = get_registry()
    service = borough.cin.id
    spec = next(s for s in registry.setting_specs(TOOL) if s.kind == "bool")
    with app.test_request_context("/"):
        before = registry.settings(TOOL, service)[spec.key]
        registry.set_switch(TOOL, service, True, {spec.key: not before})
        assert registry.settings(TOOL, service)[spec.key] is (not before)
        db.session.commit()
        assert registry.settings(TOOL, service)[spec.key] is (not before)


def test_what_is_kept_cannot_be_changed_through_what_a_caller_gets(app: Flask, borough: Borough):
    registry = get_registry()
    with app.test_request_context("/"):
        settings = registry.settings(TOOL, borough.cin.id)
        for value in settings.values():
            if isinstance(value, list | dict):
                value.clear()
        settings.clear()
    with app.test_request_context("/"):
        assert registry.settings(TOOL, borough.cin.id) != {}


def test_outside_a_request_nothing_is_kept_between_transactions(app: Flask, borough: Borough):
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert setup_cache.kept(("a question",), read) == 1
    assert setup_cache.kept(("a question",), read) == 1  # the same transaction
    db.session.commit()
    assert setup_cache.kept(("a question",), read) == 2


def test_a_report_page_asks_for_no_version_token_of_its_own(
    app: Flask, client: FlaskClient, borough: Borough
):
    """The set-up's and the report tally's tokens come with the session's lookup."""
    url = f"/reports/?scope=team-{borough.north.id}"
    sign_in(client, "team_manager")
    page(client, url)
    tokens: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        flat = " ".join(statement.split())
        if "_version" in flat and not flat.startswith("SELECT user_session"):
            tokens.append(flat)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        page(client, url)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert tokens == []


def test_a_change_to_the_organisation_shows_on_the_next_report(
    app: Flask, client: FlaskClient, borough: Borough
):
    """Teams, services, directorates and case categories are set-up too: the report's
    choices of scope and category, kept with it, follow a change at once."""
    sign_in(client, "senior_manager")
    assert "Edge of care" not in page(client, "/reports/")
    borough.north.name = "Edge of care"
    db.session.add(Team(name="Duty and assessment", service_id=borough.north.service_id))
    db.session.commit()
    shown = page(client, "/reports/")
    assert "Edge of care" in shown and "Duty and assessment" in shown
    category = db.session.scalars(select(Category)).first()
    category.label = "Child in need (section 17)"
    db.session.commit()
    assert "Child in need (section 17)" in page(client, "/reports/")
