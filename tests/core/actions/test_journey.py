"""The follow-up loop through the web pages: a Not met standard, the worker acknowledges
and replies, an action set, done, reopened, done again, confirmed; the re-audit
allocated, submitted and compared; the audit's history tells it all."""

from __future__ import annotations

import csv
import io

from flask import Flask
from sqlalchemy import select

from core.extensions import db
from core.models import (
    ActionStatus,
    Allocation,
    AllocationStatus,
    FollowUp,
    ReAudit,
    RemedialAction,
    TrailEntry,
)
from tests.core.actions.helpers import due_fields, emails_to, in_days, submit_audit
from tests.factories import Borough


def test_the_whole_loop_from_not_met_to_a_compared_re_audit(
    app: Flask, client, auth, borough: Borough
):
    case = borough.cases["cin"]
    auth.login("team_manager@test.example")
    # Standard 3 (statutory requirements) Not met caps the grade at Inadequate.
    audit_id = submit_audit(
        client, case.id, "first", ratings={3: "not_met"}, overall="not_met", grade="inadequate"
    )

    # The audit page names what needs an action; sign-off is refused until one is set.
    page = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert "Actions and follow-up" in page and "Standard 3 is Not met" in page
    assert "The overall grade is Inadequate" in page
    refused = client.post(f"/actions/audit/{audit_id}/sign-off", follow_redirects=True)
    assert "cannot be signed off yet" in refused.get_data(as_text=True)
    assert db.session.get(FollowUp, audit_id) is None

    # The form: the worker is the default owner; mistakes are shown and typed values kept.
    form = client.get(f"/actions/audit/{audit_id}/new?question=standard_3").get_data(as_text=True)
    worker = borough.user("worker")
    assert f'<option value="{worker.id}" selected>' in form
    assert '<option value="standard_3" selected>' in form
    bad = client.post(
        f"/actions/audit/{audit_id}/new",
        data={"question": "standard_3", "description": "", "owner": str(worker.id)}
        | due_fields(in_days(-1)),
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Enter what must be done" in text and "must be today or in the future" in text
    assert 'value="standard_3" selected' in text
    made = client.post(
        f"/actions/audit/{audit_id}/new",
        data={
            "question": "standard_3",
            "description": "Update the chronology with the last three visits.",
            "owner": str(worker.id),
        }
        | due_fields(in_days(14)),
    )
    assert made.status_code == 302
    action = db.session.scalar(select(RemedialAction))
    assert (action.question, action.question_label, action.owner_id) == (
        "standard_3",
        "Standard 3",
        worker.id,
    )
    assert action.status is ActionStatus.OPEN
    [told] = [m for m in emails_to(app, "worker@test.example") if "action" in m.subject]
    assert "An action for you" in told.subject and f"/actions/{action.id}" in told.body

    # Now it can be signed off, and a re-audit asked for once the actions are confirmed.
    assert client.post(f"/actions/audit/{audit_id}/sign-off").status_code == 302
    assert db.session.get(FollowUp, audit_id) is not None
    asked = client.post(
        f"/actions/audit/{audit_id}/reaudit",
        data={"auditor": str(borough.user("team_manager").id), "when": "after_actions"},
    )
    assert asked.status_code == 302
    reaudit = db.session.scalar(select(ReAudit))
    assert reaudit.allocation_id is None
    # The audit's page says so, with the action set.
    shown = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert 'id="signed-off">Follow-up signed off by' in shown
    assert 'id="reaudit">Re-audit by' in shown
    assert action.description in shown
    assert "Sign off the follow-up" not in shown and "Ask for a re-audit" not in shown
    auth.logout()

    # The worker reads the audit, acknowledges it and replies (the right of reply).
    auth.login("worker@test.example")
    assert "Audits to read and acknowledge" in client.get("/").get_data(as_text=True)
    assert client.post(f"/feedback/{audit_id}/acknowledge").status_code == 302
    replied = client.post(
        f"/feedback/{audit_id}/reply",
        data={"agreement": "agree", "comment": "Agreed: the chronology was behind."},
    )
    assert replied.status_code == 302

    # The owner sees the action on the home page and marks it done with the evidence.
    home = client.get("/").get_data(as_text=True)
    assert "Your actions" in home and "Update the chronology" in home
    empty = client.post(f"/actions/{action.id}", data={"step": "done", "done-evidence": " "})
    assert empty.status_code == 400
    client.post(
        f"/actions/{action.id}",
        data={"step": "done", "done-evidence": "Chronology updated on file, 3 visits added."},
    )
    db.session.expire_all()
    assert db.session.get(RemedialAction, action.id).status is ActionStatus.DONE
    # The owner is not a manager: they cannot confirm their own action.
    own = client.post(
        f"/actions/{action.id}", data={"step": "review", "review-decision": "confirm"}
    )
    assert own.status_code == 400
    db.session.expire_all()
    assert db.session.get(RemedialAction, action.id).status is ActionStatus.DONE
    auth.logout()

    # The deputy reopens it with a reason (a reason is required); the owner is told.
    auth.login("deputy@test.example")
    assert "Actions done, to confirm" in client.get("/").get_data(as_text=True)
    no_reason = client.post(
        f"/actions/{action.id}", data={"step": "review", "review-decision": "reopen"}
    )
    assert no_reason.status_code == 400
    assert "Enter why the action is reopened" in no_reason.get_data(as_text=True)
    client.post(
        f"/actions/{action.id}",
        data={
            "step": "review",
            "review-decision": "reopen",
            "review-reason": "The visit of 5 March is still missing.",
        },
    )
    db.session.expire_all()
    action = db.session.get(RemedialAction, action.id)
    assert action.status is ActionStatus.OPEN and action.reopened == 1
    assert any("reopened" in m.subject for m in emails_to(app, "worker@test.example"))
    auth.logout()

    auth.login("worker@test.example")
    client.post(
        f"/actions/{action.id}", data={"step": "done", "done-evidence": "Visit of 5 March added."}
    )
    auth.logout()

    # Confirmed: every action is, so the re-audit is allocated to the auditor and told.
    auth.login("team_manager@test.example")
    confirmed = client.post(
        f"/actions/{action.id}",
        data={"step": "review", "review-decision": "confirm"},
        follow_redirects=True,
    )
    assert "the re-audit is now allocated" in confirmed.get_data(as_text=True)
    db.session.expire_all()
    reaudit = db.session.get(ReAudit, reaudit.id)
    allocation = reaudit.allocation
    assert allocation is not None and allocation.rule_id is None
    assert allocation.auditor_id == borough.user("team_manager").id
    assert allocation.status is AllocationStatus.ALLOCATED and allocation.due_date == in_days(28)
    assert any("Re-audit allocated" in m.subject for m in emails_to(app, "team_manager@test"))
    assert "C100001" in client.get("/").get_data(as_text=True)

    # The re-audit, started from the allocation: standard 3 is now met.
    second_id = submit_audit(
        client, case.id, "second", ratings={3: "met", 4: "not_met"}, judgement_reason="Better."
    )
    db.session.expire_all()
    allocation = db.session.get(Allocation, allocation.id)
    assert allocation.audit_id == second_id and allocation.status is AllocationStatus.COMPLETED

    # Both audits link to the comparison, which shows the change per standard; only the
    # second says it is a re-audit.
    first_page = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    second_page = client.get(f"/audits/{second_id}").get_data(as_text=True)
    assert f"/actions/reaudits/{reaudit.id}" in first_page
    assert f"/actions/reaudits/{reaudit.id}" in second_page
    assert "This audit is a re-audit of" in second_page
    assert "This audit is a re-audit of" not in first_page
    compared = client.get(f"/actions/reaudits/{reaudit.id}").get_data(as_text=True)
    row3 = compared.split('data-key="standard_3"')[1].split("</tr>")[0]
    row4 = compared.split('data-key="standard_4"')[1].split("</tr>")[0]
    row5 = compared.split('data-key="standard_5"')[1].split("</tr>")[0]
    assert "Better" in row3 and "Worse" in row4 and "Same" in row5
    assert 'data-key="overall_rating"' in compared and 'data-key="grade"' in compared
    assert "1 better, 11 the same, 1 worse" in compared

    # The Actions page counts it; the CSV lists it and the download is recorded.
    listing = client.get("/actions/").get_data(as_text=True)
    assert 'data-count="confirmed">1<' in listing and 'data-count="open">0<' in listing
    download = client.get("/actions/actions.csv?status=confirmed")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert row["Standard"] == "Standard 3" and row["Status"] == "Confirmed"
    assert row["Reopened"] == "1" and row["Owner"] == "Worker"
    assert db.session.scalar(
        select(TrailEntry.id).where(
            TrailEntry.action == "export.downloaded", TrailEntry.summary.like("%actions CSV%")
        )
    )

    # The audit's trail holds each step, against the audit.
    steps = list(
        db.session.scalars(
            select(TrailEntry.action)
            .where(TrailEntry.object_type == "audit", TrailEntry.object_id == str(audit_id))
            .order_by(TrailEntry.id)
        )
    )
    assert "action.viewed" not in steps and "reaudit.viewed" not in steps  # views: elsewhere
    for step in (
        "audit.submitted",
        "feedback.acknowledged",
        "feedback.replied",
        "action.set",
        "followup.signed_off",
        "reaudit.requested",
        "action.done",
        "action.reopened",
        "action.confirmed",
        "reaudit.due",
    ):
        assert step in steps
    history = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert "History of this audit" in history and "Agreed: the chronology was behind." in history


def test_people_out_of_scope_get_not_found(client, auth, borough: Borough):
    auth.login("team_manager@test.example")
    audit_id = submit_audit(
        client,
        borough.cases["cin"].id,
        "a",
        ratings={3: "not_met"},
        overall="not_met",
        grade="inadequate",
    )
    client.post(
        f"/actions/audit/{audit_id}/new",
        data={
            "question": "standard_3",
            "description": "Do it.",
            "owner": str(borough.user("worker").id),
        }
        | due_fields(in_days(7)),
    )
    client.post(
        f"/actions/audit/{audit_id}/reaudit",
        data={"auditor": str(borough.user("team_manager").id), "when": "on_date"}
        | due_fields(in_days(30)),
    )
    action = db.session.scalar(select(RemedialAction))
    reaudit = db.session.scalar(select(ReAudit))
    assert action is not None and reaudit is not None
    auth.logout()
    for outsider in ("south_manager", "other_worker", "care_manager"):
        auth.login(f"{outsider}@test.example")
        for url in (
            f"/actions/{action.id}",
            f"/actions/audit/{audit_id}/new",
            f"/actions/audit/{audit_id}/reaudit",
            f"/actions/reaudits/{reaudit.id}",
        ):
            assert client.get(url).status_code == 404, (outsider, url)
        assert client.post(f"/actions/audit/{audit_id}/sign-off").status_code == 404
        assert "Do it." not in client.get("/actions/").get_data(as_text=True)
        assert "Do it." not in client.get("/actions/actions.csv").get_data(as_text=True)
        auth.logout()
    # Analysts and administrators have no Actions page at all.
    for role in ("analyst", "admin"):
        auth.login(f"{role}@test.example")
        assert client.get("/actions/").status_code == 403
        auth.logout()
    # The worker, who can see the audit, may read but not review or set actions.
    auth.login("worker@test.example")
    assert client.get(f"/actions/{action.id}").status_code == 200
    assert client.get(f"/actions/audit/{audit_id}/new").status_code == 404
    auth.logout()
