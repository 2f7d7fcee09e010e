"""What the demo borough must show of moderation: a sample with some disagreement.

Called from tests/core/test_demo.py, which loads the demo once for every feature."""

from __future__ import annotations

from collections import Counter

from flask.testing import FlaskClient
from sqlalchemy import select

from core.demo import DEMO_PASSWORD, DOMAIN
from core.extensions import db
from core.models import Moderation, ModerationJudgement, ModerationStatus


def check_demo_moderation(client: FlaskClient) -> None:
    """Six months drawn, most completed, some disagreement, figures on the agreement page."""
    moderations = db.session.scalars(select(Moderation)).all()
    by_status = Counter(m.status for m in moderations)
    assert len({m.period for m in moderations}) == 6
    assert by_status[ModerationStatus.COMPLETED] >= 30
    assert by_status[ModerationStatus.DRAWN] >= 1 and by_status[ModerationStatus.AUDITED] >= 1
    judgements = db.session.scalars(select(ModerationJudgement)).all()
    disagreed = [j for j in judgements if not j.agrees]
    assert 0.05 < len(disagreed) / len(judgements) < 0.4
    assert all(j.reason for j in disagreed)
    # Nobody moderates a file they hold or manage, or their own audit.
    for moderation in moderations:
        line = moderation.line_audit
        assert moderation.moderator_id not in {line.auditor_id, line.worker_id}

    signed_in = client.post("/sign-in", data={"email": f"iro@{DOMAIN}", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    page = client.get("/moderation/agreement").get_data(as_text=True)
    assert "95% interval" in page and "Grade drift" in page
    assert "Line auditors graded higher than the moderator" in page
    client.post("/sign-out")
