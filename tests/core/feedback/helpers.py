"""Submitting an audit through the pages, for the feedback tests."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from core.extensions import db
from core.models import Audit, Feedback
from core.testing import complete_audit
from tests.factories import PASSWORD, Borough, children_form


def submit_through_pages(
    client: FlaskClient, borough: Borough, case_key: str = "cin", auditor: str = "team_manager"
) -> Audit:
    """Sign in as ``auditor``, start and submit a children's audit (standard 3 not met)."""
    client.post("/sign-in", data={"email": f"{auditor}@test.example", "password": PASSWORD})
    case = borough.cases[case_key]
    started = client.post(
        f"/audits/start/{case.id}", data={"tool": "children_audit", "token": f"t-{case_key}"}
    )
    assert started.status_code == 302, started.data
    data = children_form(ratings={3: "not_met", 5: "met"}, overall="not_met", grade="inadequate")
    submitted = complete_audit(client, int(started.location.split("/")[2]), data)
    assert submitted.status_code == 302, re.findall(
        rb"<a [^>]*href=\"[^\"]+\">[^<]+", submitted.data
    )
    client.post("/sign-out")
    audit = db.session.scalar(select(Audit).where(Audit.case_id == case.id))
    assert audit is not None and audit.is_submitted
    return audit


def feedback_of(audit: Audit) -> Feedback | None:
    db.session.expire_all()
    return db.session.scalar(select(Feedback).where(Feedback.audit_id == audit.id))
