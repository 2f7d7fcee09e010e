"""A safeguarding concern through the test client: raised from a draft, told at once,
escalated when nobody answers in time, answered, counted on the escalation page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.concerns import workflow
from core.extensions import db
from core.models import (
    Answer,
    Audit,
    AuditStatus,
    Concern,
    ConcernEscalation,
    ConcernResponse,
    Job,
    JobStatus,
    TrailEntry,
)
from tests.core.test_audit_journey import start, version_of
from tests.factories import Borough

MAILBOX = "safeguarding@test.example"
DESCRIPTION = "Bruising recorded at school three weeks ago; no strategy discussion on file."


@pytest.fixture
def mailbox(app: Flask) -> str:
    app.config["SAFEGUARDING_EMAIL"] = MAILBOX
    return MAILBOX


def login_as(auth, key: str) -> None:
    """Sign out whoever is signed in, then sign in as one of the borough's users."""
    auth.logout()
    assert auth.login(f"{key}@test.example").status_code == 302


def outbox(app: Flask) -> list:
    return list(getattr(app.extensions["mailman"], "outbox", []))


def recipients(app: Flask) -> list[str]:
    return sorted(address for email in outbox(app) for address in email.to)


def clear_outbox(app: Flask) -> None:
    app.extensions["mailman"].outbox.clear()


def draft_from_client(client: FlaskClient, borough: Borough) -> tuple[Audit, str]:
    """An independent reviewer's draft audit of the CIN case, opened in the form."""
    start(client, borough.cases["cin"].id)
    audit = db.session.scalar(select(Audit))
    page = client.get(f"/audits/{audit.id}/sections/standard_1")
    assert page.status_code == 200
    return audit, version_of(page.data)


def raise_from_draft(client: FlaskClient, borough: Borough) -> tuple[Audit, Concern]:
    audit, version = draft_from_client(client, borough)
    assert b"If a child or adult may be at risk now" in client.get(f"/audits/{audit.id}/edit").data
    page = client.get(f"/audits/{audit.id}/sections/standard_1")
    assert f'formaction="/concerns/audits/{audit.id}/save-and-raise"'.encode() in page.data
    saved = client.post(
        f"/concerns/audits/{audit.id}/save-and-raise",
        data={
            "version": version,
            "action": "raise_concern",
            "section": "standard_1",
            "standard_1": "not_met",
            "standard_1__comment": "Chronology out of date",
        },
    )
    assert saved.status_code == 302
    assert saved.location == f"/concerns/audits/{audit.id}/raise"
    form = client.get(saved.location)
    assert form.status_code == 200
    assert b"Your draft has been saved" in form.data
    token = re.search(rb'name="token" type="hidden" value="([^"]+)"', form.data)
    assert token, "the form carries a one-off token"
    raised = client.post(
        saved.location, data={"description": DESCRIPTION, "token": token.group(1).decode()}
    )
    assert raised.status_code == 302
    concern = db.session.scalar(select(Concern))
    assert raised.location == f"/concerns/{concern.id}"
    page = client.get(raised.location)
    assert b"been raised. Service Manager, Team Manager, Deputy and the Safeguarding" in page.data
    return audit, concern


def test_a_concern_raised_from_a_draft_escalated_then_answered(
    app: Flask, client: FlaskClient, auth, borough: Borough, mailbox: str, runner, monkeypatch
):
    login_as(auth, "iro")
    audit, concern = raise_from_draft(client, borough)

    # Saved at once, the audit still a draft with the answers typed before raising it.
    assert audit.status is AuditStatus.DRAFT
    answers = {a.question: a for a in db.session.scalars(select(Answer))}
    assert answers["standard_1"].comment == "Chronology out of date"
    again = client.get(f"/audits/{audit.id}/sections/standard_1")
    assert b"Chronology out of date" in again.data
    assert concern.description == DESCRIPTION
    assert concern.team_id == borough.north.id and concern.service_id == borough.cin.id
    assert concern.worker_id == borough.user("worker").id
    assert concern.raised_by_id == borough.user("iro").id

    # Told at once: the team's managers, the service manager and the safeguarding mailbox.
    assert recipients(app) == [
        "Deputy <deputy@test.example>",
        "Service Manager <service_manager@test.example>",
        "Team Manager <team_manager@test.example>",
        MAILBOX,
    ]
    for email in outbox(app):
        assert "C100001" in email.subject
        assert f"/concerns/{concern.id}" in email.body
        assert DESCRIPTION not in email.body  # read in careaudit, where views are recorded

    # The raiser sees it on the audit's page and on their home page.
    own = client.get(f"/audits/{audit.id}")
    assert b"Safeguarding concerns raised from this audit" in own.data
    assert b"Waiting for a response" in client.get("/").data

    # On the managers' home pages, and the concern itself; another team's manager: 404.
    for manager in ("team_manager", "deputy", "service_manager", "senior"):
        login_as(auth, manager)
        home = client.get("/")
        assert b"Safeguarding concerns waiting for a response" in home.data, manager
        assert b"C100001" in home.data
        page = client.get(f"/concerns/{concern.id}")
        assert page.status_code == 200
        assert DESCRIPTION.encode() in page.data
        # The audit itself is a draft, visible to its auditor only.
        assert b"still a draft" in page.data
    for outsider in ("south_manager", "care_manager", "worker", "other_worker"):
        login_as(auth, outsider)
        assert client.get(f"/concerns/{concern.id}").status_code == 404, outsider
        assert b"C100001" not in client.get("/").data, outsider
    login_as(auth, "analyst")
    assert client.get(f"/concerns/{concern.id}").status_code == 403
    login_as(auth, "worker")
    assert client.get("/concerns/").status_code == 403
    login_as(auth, "south_manager")
    listing = client.get("/concerns/")
    assert listing.status_code == 200 and b"C100001" not in listing.data

    # Not answered by the end of the day it was due: escalated once, to senior managers.
    clear_outbox(app)
    on_due_day = runner.invoke(args=["concerns", "escalate", "--today", str(concern.due_on)])
    assert "Escalated 0 " in on_due_day.output
    day_after = str(concern.due_on + timedelta(days=1))
    escalated = runner.invoke(args=["concerns", "escalate", "--today", day_after])
    assert escalated.exit_code == 0, escalated.output
    assert "Escalated 1 " in escalated.output
    again = runner.invoke(args=["concerns", "escalate", "--today", day_after])
    assert "Escalated 0 " in again.output
    assert db.session.scalar(select(func.count(ConcernEscalation.id))) == 1
    told = recipients(app)
    assert "Senior <senior@test.example>" in told
    assert "Team Manager <team_manager@test.example>" in told
    assert MAILBOX in told
    assert len(told) == len(set(told))  # each told once

    # The next day, on the escalation page: overdue and escalated.
    monkeypatch.setattr(workflow, "today", lambda: concern.due_on + timedelta(days=1))
    login_as(auth, "senior")
    board = client.get("/concerns/")
    assert board.status_code == 200
    assert re.search(rb'data-count="overdue">1<', board.data)
    assert b"Escalated" in board.data

    # The team manager answers: what was done, by whom, when.
    login_as(auth, "team_manager")
    bad = client.post(
        f"/concerns/{concern.id}",
        data={"action_taken": "Visited", "done_by": "", "done_on_day": "31", "done_on_month": "2"},
    )
    assert bad.status_code == 400
    assert b"Enter who did it" in bad.data
    assert b"must include a year" in bad.data
    assert b'href="#done_on_day"' in bad.data
    assert b"Visited" in bad.data  # what was typed is kept
    done_on = concern.raised_at.date()
    answered = client.post(
        f"/concerns/{concern.id}",
        data={
            "action_taken": "Strategy discussion held; child seen at home.",
            "done_by": "Duty team manager",
            "done_on_day": str(done_on.day),
            "done_on_month": str(done_on.month),
            "done_on_year": str(done_on.year),
        },
    )
    assert answered.status_code == 302
    # A second response is added; the first stays as it was.
    client.post(
        f"/concerns/{concern.id}",
        data={
            "action_taken": "Child protection conference booked.",
            "done_by": "Team Manager",
            "done_on_day": str(done_on.day),
            "done_on_month": str(done_on.month),
            "done_on_year": str(done_on.year),
        },
    )
    responses = db.session.scalars(select(ConcernResponse).order_by(ConcernResponse.id)).all()
    assert [r.action_taken for r in responses] == [
        "Strategy discussion held; child seen at home.",
        "Child protection conference booked.",
    ]
    page = client.get(f"/concerns/{concern.id}")
    assert b"Strategy discussion held" in page.data and b"conference booked" in page.data

    # Shown as answered on the escalation page.
    login_as(auth, "senior")
    board = client.get("/concerns/")
    assert re.search(rb'data-count="answered">1<', board.data)
    assert re.search(rb'data-count="overdue">0<', board.data)
    assert re.search(rb'data-count="open">0<', board.data)
    assert b"Every concern has a response" in board.data

    # The audit's history (from the trail): each event with the audit as its object.
    events = db.session.execute(
        select(TrailEntry.action, TrailEntry.object_type, TrailEntry.object_id)
        .where(TrailEntry.action.like("concern.%"), TrailEntry.action != "concern.viewed")
        .order_by(TrailEntry.id)
    ).all()
    assert [e.action for e in events] == [
        "concern.raised",
        "concern.escalated",
        "concern.answered",
        "concern.answered",
    ]
    assert {(e.object_type, e.object_id) for e in events} == {("audit", str(audit.id))}


def test_the_description_is_required_short_and_kept_on_error(
    client: FlaskClient, auth, borough: Borough
):
    login_as(auth, "iro")
    audit, _ = draft_from_client(client, borough)
    url = f"/concerns/audits/{audit.id}/raise"
    empty = client.post(url, data={"description": "   "})
    assert empty.status_code == 400
    assert b"There is a problem" in empty.data
    assert b"Describe why a child or adult may be at risk now" in empty.data
    long = "Found " + "x" * 1000
    too_long = client.post(url, data={"description": long})
    assert too_long.status_code == 400
    assert b"1000 characters or fewer" in too_long.data
    assert long.encode() in too_long.data
    assert db.session.scalar(select(func.count(Concern.id))) == 0


def test_a_resent_form_raises_one_concern(app: Flask, client: FlaskClient, auth, borough):
    login_as(auth, "iro")
    audit, _ = draft_from_client(client, borough)
    data = {"description": DESCRIPTION, "token": "one-off"}
    first = client.post(f"/concerns/audits/{audit.id}/raise", data=data)
    second = client.post(f"/concerns/audits/{audit.id}/raise", data=data)
    assert first.location == second.location
    assert db.session.scalar(select(func.count(Concern.id))) == 1
    # Someone else sending the same token by hand raises their own.
    login_as(auth, "team_manager")
    audit.status = AuditStatus.SUBMITTED
    db.session.commit()
    third = client.post(f"/concerns/audits/{audit.id}/raise", data=data)
    assert third.status_code == 302 and third.location != first.location


def test_unsaveable_answers_keep_the_form_and_say_the_concern_is_not_raised(
    client: FlaskClient, auth, borough: Borough
):
    login_as(auth, "iro")
    audit, version = draft_from_client(client, borough)
    stale = client.post(
        f"/concerns/audits/{audit.id}/save-and-raise",
        data={
            "version": str(int(version) + 5),
            "action": "raise_concern",
            "section": "standard_14",
            "strengths": "Typed",
        },
    )
    assert stale.status_code == 409
    assert b"Your safeguarding concern has not been raised yet" in stale.data
    assert b"Typed" in stale.data
    assert f'href="/concerns/audits/{audit.id}/raise"'.encode() in stale.data
    # This button never submits an audit.
    refused = client.post(
        f"/concerns/audits/{audit.id}/save-and-raise", data={"version": version, "action": "submit"}
    )
    assert refused.status_code == 400
    assert db.session.get(Audit, audit.id).status is AuditStatus.DRAFT


def test_a_submitted_audit_page_links_to_the_concern_form(client, auth, borough: Borough):
    """Anyone who may read the audit may raise a concern from it: here its worker."""
    from tests.core.test_access import audit_of

    audit = audit_of(borough, "cin", "team_manager")
    login_as(auth, "worker")
    page = client.get(f"/audits/{audit.id}")
    assert f'href="/concerns/audits/{audit.id}/raise"'.encode() in page.data
    raised = client.post(f"/concerns/audits/{audit.id}/raise", data={"description": "At risk"})
    assert raised.status_code == 302
    # The worker sees the concern they raised, but answers nothing and lists nothing.
    concern = db.session.scalar(select(Concern))
    assert client.get(f"/concerns/{concern.id}").status_code == 200
    assert client.post(f"/concerns/{concern.id}", data={"action_taken": "x"}).status_code == 403
    # Someone who cannot read the audit cannot raise from it.
    login_as(auth, "south_manager")
    assert client.get(f"/concerns/audits/{audit.id}/raise").status_code == 404
    refused = client.post(f"/concerns/audits/{audit.id}/raise", data={"description": "x"})
    assert refused.status_code == 404


def test_an_audit_without_a_case_tells_its_own_teams_managers(
    app: Flask, client: FlaskClient, auth, borough: Borough
):
    """A themed audit's sampled item has no case: the audit's team and service are told."""
    from core.audits.workflow import new_audit
    from core.models import AuditKind
    from core.tools.registry import get_registry

    audit = new_audit(
        get_registry().get("children_audit"),
        borough.user("iro"),
        AuditKind.INDEPENDENT,
        borough.cin.id,
        borough.south.id,
        facts={"label": "Referral R-1"},
    )
    login_as(auth, "iro")
    raised = client.post(f"/concerns/audits/{audit.id}/raise", data={"description": "At risk"})
    assert raised.status_code == 302
    concern = db.session.scalar(select(Concern))
    assert concern.case_id is None and concern.team_id == borough.south.id
    assert recipients(app) == [
        "Service Manager <service_manager@test.example>",
        "South Manager <south_manager@test.example>",
    ]
    login_as(auth, "south_manager")
    assert b"Referral R-1" in client.get("/").data


def test_raising_never_fails_when_the_mail_server_is_down(
    app: Flask, client: FlaskClient, auth, borough: Borough, mailbox: str, monkeypatch
):
    from flask_mailman import EmailMessage

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    login_as(auth, "iro")
    _, concern = raise_from_draft(client, borough)
    assert concern.id is not None
    statuses = db.session.scalars(select(Job.status)).all()
    assert statuses and set(statuses) == {JobStatus.FAILED}
    # The managers still see it on their home pages and Messages.
    login_as(auth, "team_manager")
    assert b"C100001" in client.get("/").data
