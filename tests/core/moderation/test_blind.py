"""Blind moderation in core.access, and the moderator's form under hostile input."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from core.access import audit_visibility, can_view_audit
from core.extensions import db
from core.models import Audit, Moderation, ModerationStatus, Role
from core.moderation.draw import draw
from core.programme import periods
from tests.core.moderation.helpers import submitted_audit
from tests.core.test_hostile_input import HOSTILE
from tests.factories import Borough, make_user


@pytest.fixture
def drawn(borough: Borough) -> Moderation:
    submitted_audit(borough.cases["cin"], borough.user("team_manager"), "line")
    draw(periods.month_of(date.today()), seed=1)
    return db.session.scalar(select(Moderation))


def test_only_the_moderator_is_blind_and_only_while_their_audit_is_open(
    borough: Borough, drawn: Moderation
):
    line = drawn.line_audit
    moderator = borough.user("iro")
    other_iro = make_user("iro_two", Role.INDEPENDENT_REVIEWER)
    db.session.commit()
    assert not can_view_audit(moderator, line)
    assert can_view_audit(other_iro, line)
    assert can_view_audit(borough.user("senior"), line)
    assert can_view_audit(borough.user("team_manager"), line)
    listed = db.session.scalars(
        select(Audit.id).where(Audit.case_id == line.case_id, audit_visibility(moderator))
    ).all()
    assert line.id not in listed
    drawn.status = ModerationStatus.AUDITED
    db.session.commit()
    assert can_view_audit(moderator, line)


def _audited(borough: Borough, drawn: Moderation) -> Moderation:
    second = submitted_audit(borough.cases["cin"], borough.user("iro"), "moderator")
    drawn.moderation_audit_id = second.id
    drawn.status = ModerationStatus.AUDITED
    db.session.commit()
    return drawn


def test_the_agreement_form_never_gives_a_500(
    client: FlaskClient, auth, borough: Borough, drawn: Moderation
):
    moderation = _audited(borough, drawn)
    auth.login("iro@test.example")
    keys = [f"standard_{n}" for n in range(1, 14)] + ["overall"]
    for label, value in HOSTILE.items():
        form = {f"agree-{k}": value for k in keys} | {f"reason-{k}": value for k in keys}
        form["comment"] = value
        response = client.post(f"/moderation/{moderation.id}", data=form)
        assert response.status_code == 400, label
    # A reason or note too long is a message; nothing is recorded.
    long = {f"agree-{k}": "no" for k in keys} | {f"reason-{k}": "x" * 2001 for k in keys}
    response = client.post(f"/moderation/{moderation.id}", data=long)
    assert response.status_code == 400
    assert "2000 characters or fewer" in response.get_data(as_text=True)
    note = {f"agree-{k}": "yes" for k in keys} | {"comment": "y" * 4001}
    assert client.post(f"/moderation/{moderation.id}", data=note).status_code == 400
    assert db.session.get(Moderation, moderation.id).status is ModerationStatus.AUDITED
    for path in (f"/moderation/{10**25}", "/moderation/999999", f"/moderation/{10**25}/start"):
        assert client.get(path).status_code in (404, 405)


def test_the_actions_page_does_not_unblind_the_moderator(
    client: FlaskClient, auth, borough: Borough, drawn: Moderation
):
    """An action names the standard and what was wrong with the line audit."""
    from core.models import RemedialAction

    line = drawn.line_audit
    db.session.add(
        RemedialAction(
            audit_id=line.id,
            question_label="The whole file",
            description="Record the child's wishes and feelings",
            owner_id=borough.user("worker").id,
            set_by_id=borough.user("team_manager").id,
            due_date=date.today(),
        )
    )
    db.session.commit()
    auth.login("iro@test.example")
    page = client.get("/actions/").get_data(as_text=True)
    assert "Record the child" not in page
    drawn.status = ModerationStatus.AUDITED
    db.session.commit()
    page = client.get("/actions/").get_data(as_text=True)
    assert "Record the child" in page
