"""Acknowledgements not made in time: on the compliance page and in the weekly digest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from core.extensions import db
from core.programme.compliance import overdue_acknowledgements
from core.programme.reminders import send_due
from tests.core.feedback.helpers import feedback_of, submit_through_pages
from tests.factories import Borough


@pytest.fixture
def overdue(client, borough: Borough):
    """The worker's feedback, due three days ago and not acknowledged."""
    audit = submit_through_pages(client, borough)
    feedback = feedback_of(audit)
    feedback.due_on = date.today() - timedelta(days=3)
    db.session.commit()
    return feedback


def _section(page: str) -> str:
    start = page.index('id="overdue-acknowledgements-heading"')
    return page[start : page.index("Reports due", start)]


def test_overdue_acknowledgements_are_listed_in_scope(client, auth, borough, overdue):
    auth.login("service_manager@test.example")
    section = _section(client.get("/programme/compliance").get_data(as_text=True))
    assert "Worker" in section and "C100001" in section and "3 days late" in section
    assert f"/audits/{overdue.audit_id}#feedback" in section
    # Another team of the same service: none.
    south = client.get(f"/programme/compliance?team={borough.south.id}").get_data(as_text=True)
    assert "C100001" not in _section(south)
    auth.logout()
    auth.login("senior@test.example")
    adults = client.get(f"/programme/compliance?directorate={borough.adults.id}")
    assert "C100001" not in _section(adults.get_data(as_text=True))
    whole = client.get("/programme/compliance").get_data(as_text=True)
    assert "C100001" in _section(whole)


def test_acknowledged_or_not_yet_due_is_not_overdue(app: Flask, borough, overdue):
    today = date.today()
    assert [f.id for f in overdue_acknowledgements(today)] == [overdue.id]
    assert overdue_acknowledgements(today - timedelta(days=3)) == []  # due that day: not late
    overdue.acknowledged_at = overdue.created_at
    db.session.commit()
    assert overdue_acknowledgements(today) == []


def test_the_weekly_digest_lists_them_for_the_workers_managers(app: Flask, borough, overdue):
    today = date.today()
    app.config["DIGEST_WEEKDAY"] = today.weekday()
    outbox = app.extensions["mailman"].outbox
    before = len(outbox)
    counts = send_due(today)
    digests = {m.to[0]: m for m in outbox[before:] if m.subject.startswith("Weekly digest")}
    assert counts["digest"] == 3
    assert set(digests) == {
        "Team Manager <team_manager@test.example>",
        "Deputy <deputy@test.example>",
        "Service Manager <service_manager@test.example>",
    }
    team = digests["Team Manager <team_manager@test.example>"]
    assert team.subject == "Weekly digest: 1 audit not acknowledged in CIN North"
    assert "One audit sent to a worker in CIN North was not acknowledged" in team.body
    assert "- C100001: Children" in team.body and "sent to Worker" in team.body
    assert "allocated audit" not in team.body  # nothing allocated is overdue
    service = digests["Service Manager <service_manager@test.example>"]
    assert "(CIN North)" in service.body
    assert send_due(today)["digest"] == 0  # not twice the same day


def test_one_digest_carries_overdue_audits_and_acknowledgements(app: Flask, client, borough):
    """A manager with both gets one email naming both."""
    from core.programme import periods
    from core.programme.allocation import allocate
    from core.tools.registry import get_registry
    from tests.factories import add_programme

    add_programme(borough)
    allocate(get_registry(), periods.month("2026-12"), seed=11)
    audit = submit_through_pages(client, borough)
    assert feedback_of(audit).due_on < date(2027, 1, 4)
    monday = date(2027, 1, 4)
    app.config["DIGEST_WEEKDAY"] = monday.weekday()
    send_due(monday)
    digest = next(
        m
        for m in app.extensions["mailman"].outbox
        if m.subject.startswith("Weekly digest") and m.to[0].startswith("Team Manager")
    )
    assert " overdue audit" in digest.subject
    assert digest.subject.endswith(" and 1 audit not acknowledged in CIN North")
    assert "allocated audits in CIN North were overdue" in digest.body
    assert "was not acknowledged by its due date" in digest.body
