"""The demo's feedback: at every stage, in the trail, the chain intact."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from core.extensions import db
from core.feedback.demo import demo
from core.history import audit_history
from core.models import (
    Agreement,
    Answer,
    Audit,
    AuditKind,
    AuditStatus,
    Feedback,
    Rating,
)
from core.trail import chain
from tests.factories import Borough

TODAY = date(2026, 12, 2)


def _demo_audits(borough: Borough) -> None:
    """Audits written straight to the tables, as the demo does: no signal, no trail."""
    rng = random.Random(5)
    manager, worker = borough.user("team_manager"), borough.user("worker")
    for n in range(40):
        day = TODAY - timedelta(days=rng.randint(0, 120))
        audit = Audit(
            tool="children_audit",
            form_version="1.0",
            case_id=borough.cases["cin" if n % 2 else "cp"].id,
            service_id=borough.cin.id,
            team_id=borough.north.id,
            auditor_id=manager.id,
            worker_id=worker.id,
            kind=AuditKind.LINE_MANAGEMENT,
            status=AuditStatus.SUBMITTED,
            audit_date=day,
            created_at=datetime.combine(day, time(9)),
            submitted_at=datetime.combine(day, time(11)),
        )
        db.session.add(audit)
        db.session.flush()
        for number in range(1, 14):
            rating = Rating.NOT_MET if number == 3 else Rating.PARTIALLY_MET
            db.session.add(Answer(audit_id=audit.id, question=f"standard_{number}", rating=rating))
    # A self-audit needs no feedback.
    own = Audit(
        tool="children_audit",
        form_version="1.0",
        case_id=borough.cases["cin"].id,
        service_id=borough.cin.id,
        team_id=borough.north.id,
        auditor_id=worker.id,
        worker_id=worker.id,
        kind=AuditKind.SELF_AUDIT,
        status=AuditStatus.SUBMITTED,
        audit_date=TODAY,
        submitted_at=datetime.combine(TODAY, time(10)),
    )
    db.session.add(own)
    db.session.commit()


def test_the_demo_shows_feedback_at_every_stage(app, borough: Borough):
    _demo_audits(borough)
    demo(random.Random(2011), TODAY)
    made = db.session.scalars(select(Feedback)).all()
    recent = db.session.scalars(
        select(Audit.id).where(
            Audit.kind != AuditKind.SELF_AUDIT,
            Audit.submitted_at >= datetime.combine(TODAY - timedelta(days=90), time()),
        )
    ).all()
    assert sorted(f.audit_id for f in made) == sorted(recent)
    assert any(f.agreement is Agreement.AGREE for f in made)
    disagreeing = [f for f in made if f.agreement is Agreement.DISAGREE]
    # Workers disagree with low ratings, a standard or two at a time.
    assert disagreeing
    assert all(1 <= len(f.disagreements) <= 2 for f in disagreeing)
    assert any(f.is_overdue(TODAY) for f in made)
    assert any(f.discussed_on is not None for f in made)
    assert any(f.acknowledged_at is None and not f.is_overdue(TODAY) for f in made)
    for feedback in made:
        assert feedback.discussed_on is None or feedback.discussed_on <= TODAY
        if feedback.replied_at is not None:
            assert feedback.acknowledged_at is not None
            assert feedback.acknowledged_at <= feedback.replied_at
    # Each step is in the audit's history, dated when it happened; the chain verifies.
    replied = next(f for f in made if f.replied_at is not None)
    steps = audit_history(replied.audit)
    assert [s.action for s in steps][:4] == [
        "audit.created",
        "audit.submitted",
        "feedback.requested",
        "feedback.acknowledged",
    ]
    assert steps[3].at == replied.acknowledged_at
    with db.engine.connect() as connection:
        assert chain.verify(connection).intact
