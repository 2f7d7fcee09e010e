"""The demo borough shows safeguarding concerns: answered, escalated and open."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import select

from core.concerns import workflow
from core.extensions import db
from core.models import AuditStatus, Concern


def test_the_demo_has_answered_escalated_and_open_concerns(runner: FlaskCliRunner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    concerns = db.session.scalars(select(Concern).order_by(Concern.raised_at)).all()
    today = workflow.today()
    statuses = [c.status(today) for c in concerns]
    assert statuses.count("answered") == 2
    assert statuses.count("overdue") == 1
    assert statuses.count("open") == 1
    assert sum(1 for c in concerns if c.escalation is not None) == 2  # one answered late
    opened = next(c for c in concerns if c.status(today) == "open")
    assert opened.audit.status is AuditStatus.DRAFT  # raised mid-audit
    for concern in concerns:
        assert all(concern.raised_at <= r.recorded_at for r in concern.responses)
    # The demo's overdue concern has already been escalated: cron finds nothing more.
    again = runner.invoke(args=["concerns", "escalate"])
    assert "Escalated 0 " in again.output
