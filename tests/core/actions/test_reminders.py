"""`careaudit remind` and the follow-up: actions due soon and overdue, re-audits on a date."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select

from core.actions import followup
from core.extensions import db
from core.models import Allocation, AllocationStatus, ReAudit, Reminder
from core.programme.reminders import send_due
from tests.core.actions.helpers import emails_to
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit


def _audit(borough: Borough):
    return submitted_audit(
        borough.cases["cin"],
        borough.user("team_manager"),
        children_answers({3: "not_met"}, overall="not_met", grade="inadequate"),
    )


def _action(borough: Borough, audit, due: date):
    action = followup.set_action(
        audit,
        question="standard_3",
        label="Standard 3",
        description="Visit the child.",
        owner=borough.user("worker"),
        due=due,
        by=borough.user("team_manager"),
    )
    db.session.commit()
    return action


def _reminded(app: Flask, kind: str) -> list:
    return [m for m in emails_to(app, "worker@test.example") if kind in m.subject]


def test_an_action_is_reminded_once_when_due_soon_and_once_when_overdue(
    app: Flask, borough: Borough
):
    today = date.today()
    audit = _audit(borough)
    action = _action(borough, audit, today + timedelta(days=3))

    counts = send_due(today)
    assert counts["action_due_soon"] == 1
    [soon] = _reminded(app, "Reminder: your action is due")
    assert f"/actions/{action.id}" in soon.body and "Standard 3" in soon.body
    again = send_due(today + timedelta(days=1))
    assert again.get("action_due_soon", 0) == 0

    late = send_due(today + timedelta(days=4))
    assert late["action_overdue"] == 1
    assert send_due(today + timedelta(days=5)).get("action_overdue", 0) == 0
    assert len(_reminded(app, "Overdue: your action")) == 1
    kinds = set(
        db.session.scalars(select(Reminder.kind).where(Reminder.user_id == action.owner_id))
    )
    assert {"action_due_soon", "action_overdue"} <= kinds


def test_done_actions_and_far_off_ones_are_not_reminded(app: Flask, borough: Borough):
    today = date.today()
    audit = _audit(borough)
    _action(borough, audit, today + timedelta(days=60))
    done = _action(borough, audit, today + timedelta(days=2))
    followup.mark_done(done, "Seen.", borough.user("worker"))
    db.session.commit()
    counts = send_due(today)
    assert counts.get("action_due_soon", 0) == 0 and counts.get("action_overdue", 0) == 0


def test_a_reopened_action_with_a_new_date_is_reminded_about_the_new_date(
    app: Flask, borough: Borough
):
    today = date.today()
    audit = _audit(borough)
    action = _action(borough, audit, today + timedelta(days=1))
    assert send_due(today)["action_due_soon"] == 1
    followup.mark_done(action, "Seen.", borough.user("worker"))
    followup.reopen(action, "Not yet.", borough.user("team_manager"), today + timedelta(days=4))
    db.session.commit()
    assert send_due(today + timedelta(days=1))["action_due_soon"] == 1


def test_a_re_audit_on_a_date_is_allocated_that_day_and_told_once(app: Flask, borough: Borough):
    today = date.today()
    audit = _audit(borough)
    on = today + timedelta(days=10)
    followup.request_reaudit(
        audit,
        auditor=borough.user("team_manager"),
        after_actions=False,
        on_date=on,
        by=borough.user("team_manager"),
        today=today,
    )
    db.session.commit()
    send_due(today)
    assert db.session.scalar(select(ReAudit.allocation_id)) is None

    counts = send_due(on)
    allocation = db.session.scalar(select(Allocation))
    assert allocation is not None and allocation.rule_id is None
    assert allocation.status is AllocationStatus.ALLOCATED
    assert allocation.due_date == on + timedelta(days=followup.REAUDIT_DAYS)
    # Told once, by the re-audit's own email: the programme's "allocated" email skips it.
    assert counts["allocated"] == 0
    told = [m for m in emails_to(app, "team_manager@test.example") if "Re-audit" in m.subject]
    assert len(told) == 1
    assert send_due(on + timedelta(days=1))["allocated"] == 0
    assert db.session.scalar(select(ReAudit.became_due_on)) == on
