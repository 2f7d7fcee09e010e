"""The moderation loop through the web pages: drawn, moderated blind, compared, told."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.extensions import db
from core.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Moderation,
    ModerationJudgement,
    ModerationStatus,
    Reminder,
    TrailEntry,
)
from core.moderation.draw import draw
from core.programme import periods
from core.testing import complete_audit
from tests.core.test_audit_journey import start
from tests.factories import Borough, children_form


def outbox(app: Flask) -> list:
    return list(getattr(app.extensions["mailman"], "outbox", []))


def submit(client: FlaskClient, edit_url: str, **form: object) -> None:
    data = children_form(**form)  # type: ignore[arg-type]
    done = complete_audit(client, int(edit_url.split("/")[2]), data)
    assert done.status_code == 302, done.data[:2000]


def line_audit(client: FlaskClient, auth, borough: Borough) -> Audit:
    """The CIN North team manager audits case C100001: standards 1-3 Met, the rest
    Partially met, overall Partially met and Good."""
    auth.login("team_manager@test.example")
    edit_url = start(client, borough.cases["cin"].id, token="line")
    submit(
        client,
        edit_url,
        ratings={1: "met", 2: "met", 3: "met"},
        overall="partially_met",
        grade="adequate",
    )
    auth.logout()
    audit = db.session.scalar(select(Audit).where(Audit.kind == AuditKind.LINE_MANAGEMENT))
    assert audit is not None and audit.status is AuditStatus.SUBMITTED
    return audit


def test_a_line_audit_is_drawn_moderated_blind_compared_and_fed_back(
    app: Flask, client: FlaskClient, auth, borough: Borough
):
    line = line_audit(client, auth, borough)
    case = borough.cases["cin"]

    # Drawn: seeded and logged.
    run = draw(periods.month_of(date.today()), seed=2026, started_by="test")
    assert run.drawn == 1 and f"seed {run.seed}" in run.log[0]
    moderation = db.session.scalar(select(Moderation))
    assert moderation.line_audit_id == line.id
    assert moderation.moderator_id == borough.user("iro").id

    # Blind: the moderator cannot open the line audit nor see it on the case page,
    # though independent reviewers see every submitted audit otherwise.
    auth.login("iro@test.example")
    assert client.get(f"/audits/{line.id}").status_code == 404
    case_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/audits/{line.id}" not in case_page
    # Nor "Who has looked at this case", which would name the line audit's steps.
    assert 'id="who-has-looked"' not in case_page
    home = client.get("/").get_data(as_text=True)
    assert "Line audits to moderate" in home and case.reference in home
    blind = client.get(f"/moderation/{moderation.id}").get_data(as_text=True)
    assert "This moderation is blind" in blind
    assert "Team Manager" not in blind  # not even who did the line audit
    # ... and cannot record agreement before auditing.
    assert client.post(f"/moderation/{moderation.id}", data={}).status_code == 405

    # A senior manager is not moderating it and still sees it.
    auth.logout()
    auth.login("senior@test.example")
    assert client.get(f"/audits/{line.id}").status_code == 200
    auth.logout()

    # The moderator audits the same file with the same tool: an independent audit.
    auth.login("iro@test.example")
    started = client.post(f"/moderation/{moderation.id}/start")
    assert started.status_code == 302
    edit_url = started.location
    again = client.post(f"/moderation/{moderation.id}/start")  # a double click
    assert again.location == edit_url
    assert db.session.scalar(select(func.count(Audit.id))) == 2
    # Still blind while the moderator's audit is a draft.
    assert client.get(f"/audits/{line.id}").status_code == 404
    submit(
        client,
        edit_url,
        ratings={1: "met", 2: "partially_met", 3: "not_met"},
        overall="partially_met",
        grade="inadequate",
        judgement_reason="Standard 3 is not met: no plan on file.",
    )
    db.session.expire_all()
    moderation = db.session.get(Moderation, moderation.id)
    second = moderation.moderation_audit
    assert moderation.status is ModerationStatus.AUDITED
    assert second.kind is AuditKind.INDEPENDENT
    # The moderator's audit checks the line auditor: no feedback round for the worker.
    from core.models import Feedback

    assert db.session.scalar(select(Feedback).where(Feedback.audit_id == second.id)) is None
    assert (second.tool, second.case_id, second.form_version) == (
        line.tool,
        line.case_id,
        line.form_version,
    )

    # Both side by side: the line audit is no longer hidden.
    assert client.get(f"/audits/{line.id}").status_code == 200
    assert 'id="who-has-looked"' in client.get(f"/cases/{case.id}").get_data(as_text=True)
    page = client.get(f"/moderation/{moderation.id}").get_data(as_text=True)
    row = re.search(r'data-standard="standard_3".*?</tr>', page, re.S).group(0)
    assert 'data-col="line"><strong class="govuk-tag govuk-tag--green">Met' in row
    assert 'data-col="moderator"><strong class="govuk-tag govuk-tag--red">Not met' in row
    overall = re.search(r'data-standard="overall".*?</tr>', page, re.S).group(0)
    assert "Adequate" in overall and "Inadequate" in overall
    # Standards with the same ratings start as agreed, different ones as disagreed.
    assert re.search(
        r'id="agree-standard_1" name="agree-standard_1" type="radio" value="yes" checked', page
    )
    assert re.search(
        r'id="agree-standard_3-no" name="agree-standard_3" type="radio" value="no" checked', page
    )

    # Disagreeing needs a reason: every problem listed, what was typed kept.
    form = {f"agree-standard_{n}": "yes" for n in range(1, 14)}
    form.update({"agree-standard_2": "no", "agree-standard_3": "no", "agree-overall": "no"})
    form.update({"reason-standard_2": "Partly evidenced only.", "comment": "Kept note"})
    refused = client.post(f"/moderation/{moderation.id}", data=form)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert 'href="#reason-standard_3"' in text and 'href="#reason-overall"' in text
    assert "Partly evidenced only." in text and "Kept note" in text
    assert db.session.get(Moderation, moderation.id).status is ModerationStatus.AUDITED

    form.update(
        {
            "reason-standard_3": "No plan on file.",
            "reason-overall": "Standard 3 caps this at Inadequate.",
        }
    )
    done = client.post(f"/moderation/{moderation.id}", data=form)
    assert done.status_code == 302
    db.session.expire_all()
    moderation = db.session.get(Moderation, moderation.id)
    assert moderation.status is ModerationStatus.COMPLETED
    judgements = {j.question: j for j in moderation.judgements}
    assert len(judgements) == 14
    assert not judgements["standard_3"].agrees
    assert judgements["standard_3"].reason == "No plan on file."
    assert judgements["standard_1"].agrees and judgements["overall"].reason
    # Recording again changes nothing.
    client.post(f"/moderation/{moderation.id}", data={**form, "agree-standard_1": "no"})
    assert db.session.scalar(select(func.count(ModerationJudgement.id))) == 14
    auth.logout()

    # The line auditor and their managers are told, by message and email.
    told = {
        r.user_id
        for r in db.session.scalars(select(Reminder).where(Reminder.topic.like("moderated:%")))
    }
    assert told == {borough.user("team_manager").id, borough.user("service_manager").id}
    emails = [m for m in outbox(app) if "Moderation of the audit" in m.subject]
    assert {m.to[0].split("<")[1].rstrip(">") for m in emails} == {
        "team_manager@test.example",
        "service_manager@test.example",
    }
    assert "disagreed on 2" in emails[0].body

    # The line auditor sees the outcome on the audit and the comparison.
    auth.login("team_manager@test.example")
    shown = client.get(f"/audits/{line.id}").get_data(as_text=True)
    assert 'id="moderation-panel"' in shown
    assert "did not agree" in shown and "No plan on file." in shown
    comparison = client.get(f"/moderation/{moderation.id}")
    assert comparison.status_code == 200
    assert "Standard 3 caps this at Inadequate." in comparison.get_data(as_text=True)
    auth.logout()
    auth.login("service_manager@test.example")
    assert client.get(f"/moderation/{moderation.id}").status_code == 200
    auth.logout()

    # Out of scope: another team's manager, the case's social worker; analysts.
    for email, status in (
        ("south_manager@test.example", 404),
        ("worker@test.example", 404),
        ("analyst@test.example", 403),
        ("care_manager@test.example", 404),
    ):
        auth.login(email)
        assert client.get(f"/moderation/{moderation.id}").status_code == status, email
        assert client.post(f"/moderation/{moderation.id}/start").status_code in (403, 404)
        auth.logout()
    # The worker sees the line audit (their case) but not the moderation panel.
    auth.login("worker@test.example")
    assert 'id="moderation-panel"' not in client.get(f"/audits/{line.id}").get_data(as_text=True)
    auth.logout()

    # The audit's history: drawn, started, audited, completed, all against the line audit.
    actions = db.session.scalars(
        select(TrailEntry.action)
        .where(TrailEntry.object_type == "audit", TrailEntry.object_id == str(line.id))
        .order_by(TrailEntry.id)
    ).all()
    assert [a for a in actions if a.startswith("moderation.")] == [
        "moderation.drawn",
        "moderation.started",
        "moderation.audited",
        "moderation.completed",
    ]

    # The agreement page counts the pair, but one pair is too few to say anything.
    auth.login("iro@test.example")
    agreement = client.get("/moderation/agreement").get_data(as_text=True)
    assert "1 moderated audit compared" in agreement
    assert "too few moderated audits to say" in agreement
    assert "0.65" not in agreement
    listing = client.get("/moderation/").get_data(as_text=True)
    assert case.reference in listing and f"seed {run.seed}" in listing
