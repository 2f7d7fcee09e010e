"""What the demo borough must show of safeguarding concerns: answered, escalated, open.

Called from tests/core/test_demo.py, which loads the demo once for every feature."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import select

from core.concerns import workflow
from core.extensions import db
from core.models import AuditStatus, Concern


def check_demo_concerns(runner: FlaskCliRunner) -> None:
    """Two answered (one late, after escalation), one overdue and escalated, one open."""
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
