"""The follow-up's forms with hostile values: a message, never a 500, nothing stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.actions import followup
from core.extensions import db
from core.models import ReAudit, RemedialAction
from tests.core.test_hostile_input import HOSTILE
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

FIELDS = [
    "question", "description", "owner", "due_day", "due_month", "due_year", "step",
    "done-evidence", "review-decision", "review-reason", "review-due_day", "review-due_month",
    "review-due_year", "auditor", "when", "team", "service", "status",
]  # fmt: skip


@pytest.fixture
def setup(borough: Borough):
    audit = submitted_audit(
        borough.cases["cin"],
        borough.user("team_manager"),
        children_answers({3: "not_met"}, overall="not_met", grade="inadequate"),
    )
    action = followup.set_action(
        audit,
        question="standard_3",
        label="Standard 3",
        description="Visit.",
        owner=borough.user("team_manager"),
        due=date.today() + timedelta(days=3),
        by=borough.user("team_manager"),
    )
    db.session.commit()
    return audit, action


@pytest.mark.parametrize("label", list(HOSTILE))
def test_hostile_values_get_a_message(client, auth, setup, label):
    audit, action = setup
    value = HOSTILE[label]
    fields = dict.fromkeys(FIELDS, value)
    auth.login("team_manager@test.example")
    urls = [
        f"/actions/audit/{audit.id}/new",
        f"/actions/audit/{audit.id}/reaudit",
        f"/actions/{action.id}",
        f"/actions/audit/{audit.id}/sign-off",
    ]
    for url in urls:
        assert client.post(url, data=fields).status_code < 500, url
    for step in ("done", "review"):
        assert client.post(f"/actions/{action.id}", data=fields | {"step": step}).status_code < 500
    for url in ("/actions/", "/actions/actions.csv"):
        assert client.get(url, query_string=fields).status_code < 500
    assert db.session.scalar(select(func.count(RemedialAction.id))) == 1
    assert db.session.scalar(select(func.count(ReAudit.id))) == 0
