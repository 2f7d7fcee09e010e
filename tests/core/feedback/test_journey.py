"""The feedback loop through the pages: submitted, told, read, replied to, discussed."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select

from core.extensions import db
from core.models import Agreement, Answer, Disagreement, Reminder
from tests.core.feedback.helpers import feedback_of, submit_through_pages
from tests.factories import Borough


def _outbox(app: Flask) -> list:
    return list(getattr(app.extensions["mailman"], "outbox", []))


def _answers(audit_id: int) -> list[tuple[str, str | None, str | None, str | None]]:
    rows = db.session.scalars(select(Answer).where(Answer.audit_id == audit_id).order_by(Answer.id))
    return [(a.question, a.rating and a.rating.value, a.value, a.comment) for a in rows]


def test_the_whole_loop_through_the_pages(app: Flask, client, auth, borough: Borough):
    """Submit -> worker and managers told -> worker acknowledges and disagrees on one
    standard -> the reply shows beside the unchanged audit -> the manager records the
    supervision -> the history lists each step in order."""
    audit = submit_through_pages(client, borough)
    today = date.today()
    feedback = feedback_of(audit)
    assert feedback is not None
    assert feedback.worker_id == borough.user("worker").id
    assert feedback.team_id == borough.north.id
    assert feedback.due_on == today + timedelta(days=14)

    # The worker and the deputy are emailed; the team manager submitted it and is not.
    to = {m.to[0] for m in _outbox(app) if "audit" in m.subject.lower()}
    assert to == {"Worker <worker@test.example>", "Deputy <deputy@test.example>"}
    worker_email = next(m for m in _outbox(app) if m.to == ["Worker <worker@test.example>"])
    assert "C100001" in worker_email.subject
    assert f"/audits/{audit.id}" in worker_email.body
    told = set(db.session.scalars(select(Reminder.user_id).where(Reminder.kind == "feedback")))
    assert told == {borough.user("worker").id, borough.user("deputy").id}
    before = _answers(audit.id)

    # The worker sees it on their home page and reads it.
    auth.login("worker@test.example")
    home = client.get("/").get_data(as_text=True)
    assert "Audits to read and acknowledge" in home
    assert f"/audits/{audit.id}#feedback" in home
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "I have read this audit" in page and "Reply to the audit" in page
    assert client.post(f"/feedback/{audit.id}/acknowledge").status_code == 302
    assert feedback_of(audit).acknowledged_at is not None
    assert "Audits to read and acknowledge" not in client.get("/").get_data(as_text=True)

    # ... and replies: disagrees with standard 3, with a reason and a comment.
    form = client.get(f"/feedback/{audit.id}/reply")
    assert form.status_code == 200
    assert "Standard 3" in form.get_data(as_text=True)
    sent = client.post(
        f"/feedback/{audit.id}/reply",
        data={
            "agreement": "disagree",
            "reason__standard_3": "The chronology was updated before the audit.",
            "comment": "Happy to talk it through.",
        },
    )
    assert sent.status_code == 302
    feedback = feedback_of(audit)
    assert feedback.agreement is Agreement.DISAGREE
    assert [(d.question, d.reason) for d in feedback.disagreements] == [
        ("standard_3", "The chronology was updated before the audit.")
    ]
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "The chronology was updated before the audit." in page
    assert "Happy to talk it through." in page
    assert "I have read this audit" not in page and "Reply to the audit" not in page
    assert _answers(audit.id) == before  # the reply never changes the audit

    # A second reply is refused and changes nothing.
    again = client.post(
        f"/feedback/{audit.id}/reply", data={"agreement": "agree", "comment": "Changed my mind"}
    )
    assert again.status_code == 302
    assert feedback_of(audit).agreement is Agreement.DISAGREE
    assert db.session.scalar(select(Disagreement.id).where(Disagreement.reason == "x")) is None
    auth.logout()

    # The team manager sees it to discuss, with its status, and records the supervision.
    auth.login("team_manager@test.example")
    home = client.get("/").get_data(as_text=True)
    assert "Feedback to discuss in supervision" in home
    assert "Replied: disagrees" in home
    assert client.get(f"/feedback/{audit.id}/supervision").status_code == 200
    recorded = client.post(
        f"/feedback/{audit.id}/supervision",
        data={
            "discussed_day": str(today.day),
            "discussed_month": str(today.month),
            "discussed_year": str(today.year),
        },
    )
    assert recorded.status_code == 302
    assert feedback_of(audit).discussed_on == today
    assert "Feedback to discuss in supervision" not in client.get("/").get_data(as_text=True)

    # The history lists each step in order, and no views.
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert re.findall(r'data-action="([\w.]+)"', page) == [
        "audit.created",
        "audit.saved",  # each section saved: one line however many saves
        "audit.submitted",
        "feedback.requested",
        "feedback.acknowledged",
        "feedback.replied",
        "feedback.discussed",
    ]
    history = page[page.index('id="audit-history"') :]
    assert "Team Manager" in history and "Worker read and acknowledged the audit" in history
    assert "Worker replied: disagrees with 1 standard" in history


def test_agreeing_needs_no_reasons_and_ignores_any_typed(client, auth, borough: Borough):
    audit = submit_through_pages(client, borough)
    auth.login("worker@test.example")
    sent = client.post(
        f"/feedback/{audit.id}/reply",
        data={"agreement": "agree", "reason__standard_3": "Left from before", "comment": ""},
    )
    assert sent.status_code == 302
    feedback = feedback_of(audit)
    assert feedback.agreement is Agreement.AGREE
    assert feedback.disagreements == [] and feedback.comment is None
    # Replying acknowledges too.
    assert feedback.acknowledged_at is not None
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "Agrees with the audit" in page


def test_no_feedback_for_a_self_audit_or_a_file_with_no_worker(client, auth, borough: Borough):
    """A self-audit needs no feedback; an unallocated file has nobody to feed back to."""
    own = submit_through_pages(client, borough, "cin", auditor="worker")
    assert feedback_of(own) is None
    nobody = submit_through_pages(client, borough, "lac", auditor="care_manager")
    assert feedback_of(nobody) is None
    auth.login("care_manager@test.example")
    page = client.get(f"/audits/{nobody.id}").get_data(as_text=True)
    assert 'id="feedback"' not in page
    assert 'id="history"' in page


def test_a_staff_audit_is_fed_back_to_the_member_of_staff(app: Flask, client, auth, borough):
    """A supervision audit (subject_user) goes to the person whose record it is."""
    from random import Random

    from core.audits import workflow
    from core.tools.registry import get_registry

    registry = get_registry()
    registry.set_switch("supervision_audit", borough.cin.id, True)
    db.session.commit()
    audit = workflow.start_staff_audit(
        registry, borough.user("worker"), borough.user("service_manager"), "supervision_audit", "s"
    )
    answers = registry.demo_answers("supervision_audit", None, Random(3), audit.service_id)
    assert answers is not None
    workflow.submit(audit, answers, registry.score("supervision_audit", answers, audit.service_id))
    feedback = feedback_of(audit)
    assert feedback is not None and feedback.worker_id == borough.user("worker").id
    auth.login("worker@test.example")
    assert "Audits to read and acknowledge" in client.get("/").get_data(as_text=True)
    assert client.post(f"/feedback/{audit.id}/acknowledge").status_code == 302
    assert feedback_of(audit).acknowledged_at is not None
