"""Nothing about a concern can be changed or deleted once saved: responses are added."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from core.concerns import workflow
from core.extensions import db
from core.models import Concern, ConcernEscalation, ConcernResponse
from core.models.concerns import ConcernIsPermanent
from tests.core.test_access import audit_of
from tests.factories import Borough


@pytest.fixture
def concern(app: Flask, borough: Borough) -> Concern:
    audit = audit_of(borough, "cin", "team_manager")
    with app.test_request_context():
        raised = workflow.raise_concern(audit, borough.user("iro"), "A child may be at risk")
        workflow.add_response(raised, borough.user("team_manager"), "Visited", "TM", date.today())
        db.session.commit()
    return raised


def test_a_concern_and_its_response_cannot_be_edited(concern: Concern):
    concern.description = "Something else"
    with pytest.raises(ConcernIsPermanent):
        db.session.flush()
    db.session.rollback()
    concern.responses[0].action_taken = "Nothing"
    with pytest.raises(ConcernIsPermanent):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Concern, concern.id).description == "A child may be at risk"


def test_a_concern_and_its_response_cannot_be_deleted(concern: Concern):
    for row in (concern.responses[0], concern):
        db.session.delete(row)
        with pytest.raises(ConcernIsPermanent):
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(select(func.count(Concern.id))) == 1


def test_responses_and_escalations_are_added_alongside(app: Flask, borough, concern: Concern):
    """Adding rows about a concern does not count as changing it."""
    with app.test_request_context():
        workflow.add_response(concern, borough.user("deputy"), "Again", "Deputy", date.today())
    db.session.add(ConcernEscalation(concern=concern, told=0))
    db.session.commit()
    assert db.session.scalar(select(func.count(ConcernResponse.id))) == 2


def test_no_page_deletes_or_edits_a_concern(app: Flask):
    """The concern pages take GET and POST only, and POST only adds (raise, respond)."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("concerns.")]
    assert rules
    for rule in rules:
        assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS", "POST"}, rule
        assert "delete" not in rule.rule and "edit" not in rule.rule


def test_postgresql_refuses_changes_made_in_sql(app: Flask, concern: Concern):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    for statement in (
        "UPDATE concern SET description = 'x'",
        "DELETE FROM concern_response",
        "UPDATE concern_response SET done_by = 'x'",
    ):
        with pytest.raises(DBAPIError, match="never changed or deleted"):
            db.session.execute(text(statement))
        db.session.rollback()


def test_the_demo_reset_still_deletes_everything(app: Flask, concern: Concern):
    from core.demo import delete_everything

    delete_everything()
    assert db.session.scalar(select(func.count(Concern.id))) == 0
