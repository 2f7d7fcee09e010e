"""Line audits to moderate, made through the audit workflow."""

from __future__ import annotations

from datetime import date
from random import Random

from core.audits import workflow
from core.extensions import db
from core.models import Audit, Case, User
from core.tools.registry import get_registry


def submitted_audit(case: Case, auditor: User, token: str, day: date | None = None) -> Audit:
    """A submitted audit of ``case`` by ``auditor`` (its kind follows their role)."""
    registry = get_registry()
    audit = workflow.start_audit(registry, case, auditor, "children_audit", token)
    answers = registry.demo_answers("children_audit", case, Random(token), audit.service_id)
    assert answers is not None
    workflow.submit(audit, answers, registry.score("children_audit", answers, audit.service_id))
    if day is not None:
        audit.audit_date = day
        db.session.commit()
    return audit
