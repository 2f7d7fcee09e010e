"""What the demo borough must show of actions: realistic numbers, one re-audit compared.

Called from tests/core/test_demo.py, which loads the demo once for every feature."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from core.demo import DEMO_PASSWORD
from core.extensions import db
from core.models import ActionStatus, FollowUp, ReAudit, RemedialAction


def check_demo_actions(client, auth) -> None:
    """Actions of every kind, and a re-audit compared."""
    today = date.today()
    actions = db.session.scalars(select(RemedialAction)).all()
    counts = Counter(a.status for a in actions)
    overdue = sum(1 for a in actions if a.is_overdue(today))
    assert len(actions) >= 40
    assert counts[ActionStatus.CONFIRMED] >= 10 and counts[ActionStatus.DONE] >= 5
    assert counts[ActionStatus.OPEN] - overdue >= 3 and overdue >= 3
    assert any(a.reopened for a in actions)
    assert db.session.scalar(select(FollowUp.audit_id)) is not None

    compared = [r for r in db.session.scalars(select(ReAudit)) if r.allocation is not None]
    assert len(compared) == 1
    [reaudit] = compared
    assert reaudit.allocation.audit is not None and reaudit.allocation.audit.is_submitted

    auth.login("senior.manager@northwick.example", password=DEMO_PASSWORD)
    page = client.get(f"/actions/reaudits/{reaudit.id}").get_data(as_text=True)
    assert "Better" in page
    listing = client.get("/actions/")
    assert listing.status_code == 200
    auth.logout()
