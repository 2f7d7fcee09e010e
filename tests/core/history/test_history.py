"""The history of an audit, read from the audit trail."""

from __future__ import annotations

import re
from datetime import datetime

from core import trail
from core.audits import workflow
from core.extensions import db
from core.history import Step, audit_history
from core.models import Audit, AuditKind, AuditStatus
from core.tools.registry import get_registry
from tests.factories import Borough


def _draft(borough: Borough, case_key: str = "cin", token: str = "h") -> Audit:
    return workflow.start_audit(
        get_registry(),
        borough.cases[case_key],
        borough.user("team_manager"),
        "children_audit",
        token,
    )


def test_steps_oldest_first_without_views_and_saves_counted(app, borough: Borough):
    audit = _draft(borough)
    manager = borough.user("team_manager")
    for _ in range(3):
        workflow.save_draft(audit, {})
    trail.record_view("audit.viewed", audit, summary="Viewed it", actor=manager)
    # Another helper's follow-up, recorded with the audit as the object.
    trail.record("actions.set", audit, summary="Action set: update the chronology", actor=manager)
    db.session.commit()
    steps = audit_history(audit)
    assert [s.action for s in steps] == ["audit.created", "audit.saved", "actions.set"]
    assert steps[1].times == 3
    assert steps[2].what == "Action set: update the chronology"
    assert steps[2].who == "Team Manager"  # the name from "Name <email>"
    assert steps[0].who.startswith("careaudit")  # no one signed in: the command is named
    assert not any(s.from_record for s in steps)


def test_another_audits_entries_are_not_mixed_in(app, borough: Borough):
    """object_id is text: audit 1's history must not pick up audit 10's or 11's."""
    first = _draft(borough, "cin", "a")
    others = [_draft(borough, "cp", f"b{n}") for n in range(11)]
    trail.record("actions.set", others[-1], summary="Not the first audit's")
    db.session.commit()
    assert "Not the first audit's" not in [s.what for s in audit_history(first)]


def test_audits_older_than_the_trail_take_their_dates_from_the_record(app, borough: Borough):
    """An audit written without trail entries (before the trail, or the demo's)."""
    submitted = datetime(2026, 6, 3, 14, 30)
    audit = Audit(
        tool="children_audit",
        form_version="1.0",
        case_id=borough.cases["cin"].id,
        service_id=borough.cin.id,
        team_id=borough.north.id,
        auditor_id=borough.user("team_manager").id,
        kind=AuditKind.LINE_MANAGEMENT,
        status=AuditStatus.SUBMITTED,
        audit_date=submitted.date(),
        created_at=datetime(2026, 6, 1, 9, 0),
        submitted_at=submitted,
    )
    db.session.add(audit)
    db.session.commit()
    trail.record("feedback.acknowledged", audit, summary="Worker read and acknowledged the audit")
    db.session.commit()
    steps = audit_history(audit)
    assert [(s.action, s.from_record) for s in steps] == [
        ("audit.created", True),
        ("audit.submitted", True),
        ("feedback.acknowledged", False),
    ]
    assert steps[1].when == "3 June 2026, 3:30pm"  # British Summer Time


def test_times_are_shown_in_uk_time():
    assert Step(datetime(2026, 12, 2, 0, 5), "A", "B", "x").when == "2 December 2026, 12:05am"
    assert Step(datetime(2026, 7, 1, 11, 59), "A", "B", "x").when == "1 July 2026, 12:59pm"


def test_every_audit_page_shows_its_history(client, auth, borough: Borough):
    audit = _draft(borough)
    auth.login("team_manager@test.example")
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "History of this audit" in page
    assert re.findall(r'data-action="([\w.]+)"', page) == ["audit.created"]
    assert "Started the audit" in page


def test_an_often_read_audit_has_its_history_read_without_its_views(app, borough: Borough):
    """Every look at an audit adds a trail entry; the history reads its steps through
    the index that leaves views out, so it costs the same after a thousand views."""
    from sqlalchemy import event

    audit = _draft(borough)
    manager = borough.user("team_manager")
    for _ in range(30):
        trail.record_view("audit.viewed", audit, summary="Viewed it", actor=manager)
    seen: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "FROM trail_entry" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        steps = audit_history(audit)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert [s.action for s in steps] == ["audit.created"]
    [(statement, parameters)] = seen
    cursor = db.session.connection().connection.cursor()
    if db.engine.dialect.name == "sqlite":
        cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "TEMP B-TREE" not in plan, plan  # read in order, no sort
    else:  # a table this small is read whole or sorted unless the planner is told not to
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {statement}", parameters)
        plan = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "ix_trail_entry_object_steps" in plan, plan
