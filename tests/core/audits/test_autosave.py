"""Autosave and the live suggestion, as the page script uses them (the server's side).

The script posts the section's form with ``autosave=1`` and gets JSON back: the new
version, a status line and the suggestion drawn by the tool's rules from the answers as
typed. The version check is the one "Save and continue" uses, so a background save from
a stale tab never overwrites a newer save.
"""

from __future__ import annotations

from flask import render_template
from sqlalchemy import event, func, select

from core.audits.views import definition_of
from core.extensions import db
from core.models import Answer, Audit, Rating
from core.testing import complete_audit
from core.tools.questions import FormDefinition, Question, QuestionKind, Section
from core.tools.results import Score
from tests.factories import Borough, children_form


def draft(client, auth, borough: Borough) -> Audit:
    auth.login("team_manager@test.example")
    client.post(
        f"/audits/start/{borough.cases['cin'].id}", data={"tool": "children_audit", "token": "t"}
    )
    return db.session.scalar(select(Audit))


def autosave(client, audit: Audit, key: str, version: int, **fields: str):
    return client.post(
        f"/audits/{audit.id}/sections/{key}",
        data={"version": version, "autosave": "1", **fields},
    )


def rating_of(audit: Audit, key: str) -> Rating | None:
    return db.session.scalar(
        select(Answer.rating).where(Answer.audit_id == audit.id, Answer.question == key)
    )


def test_an_autosave_stores_the_section_and_returns_the_new_version(client, auth, borough):
    audit = draft(client, auth, borough)
    version = audit.version
    reply = autosave(client, audit, "standard_1", version, standard_1="met")
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["saved"] is True
    assert body["version"] == version + 1
    assert body["message"].startswith("Saved at ")
    assert rating_of(audit, "standard_1") is Rating.MET
    # The next save carries the version the last one returned, and goes through.
    again = autosave(client, audit, "standard_1", body["version"], standard_1="not_met")
    assert again.status_code == 200 and rating_of(audit, "standard_1") is Rating.NOT_MET


def test_an_autosave_reports_what_it_saved_without_reading_the_audit_back(
    app, client, auth, borough
):
    """The reply's version is the one this save wrote: read back after the commit it
    could be a newer one saved meanwhile in another tab (and cost a statement)."""
    audit = draft(client, auth, borough)
    autosave(client, audit, "standard_1", audit.version, standard_1="met")  # warm
    version = db.session.scalar(select(Audit.version).where(Audit.id == audit.id))
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        reply = autosave(client, audit, "standard_1", version, standard_1="not_met")
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert reply.get_json()["version"] == version + 1
    written = max(i for i, statement in enumerate(sent) if statement.startswith("UPDATE audit"))
    assert not [s for s in sent[written:] if s.startswith("SELECT audit.")], sent[written:]


def test_the_suggestion_follows_the_answers_as_they_are_typed(client, auth, borough):
    """Standard 3 Not met caps the grade: the suggestion says so on the next answer."""
    audit = draft(client, auth, borough)
    complete_audit(client, audit.id, children_form(default="met"), submit=False)
    db.session.refresh(audit)
    reply = autosave(
        client,
        audit,
        "standard_3",
        audit.version,
        standard_3="not_met",
        standard_3__comment="Visits late",
    ).get_json()
    assert "Standard 3 is not met" in reply["suggestion"]
    assert "Not met" in reply["suggestion"]
    assert "so far" in reply["suggestion"], "a draft's suggestion says it is from answers so far"


def test_a_stale_autosave_saves_nothing(client, auth, borough):
    """Another tab saved first: the background save is refused and says why."""
    audit = draft(client, auth, borough)
    stale = audit.version
    autosave(client, audit, "standard_1", stale, standard_1="met")
    refused = autosave(client, audit, "standard_1", stale, standard_1="not_met")
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["saved"] is False and body["version"] is None
    assert "changed in another window" in body["message"]
    assert rating_of(audit, "standard_1") is Rating.MET


def test_a_value_that_cannot_be_stored_is_not_autosaved(client, auth, borough):
    audit = draft(client, auth, borough)
    reply = autosave(client, audit, "standard_1", audit.version, standard_1="brilliant")
    assert reply.status_code == 400
    assert reply.get_json()["message"] == "Not saved automatically: Select one of the options."
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_a_submitted_audit_is_never_autosaved(client, auth, borough):
    audit = draft(client, auth, borough)
    complete_audit(client, audit.id, children_form())
    reply = autosave(client, audit, "standard_1", audit.version + 99, standard_1="not_met")
    assert reply.status_code == 409
    assert "submitted" in reply.get_json()["message"]
    assert rating_of(audit, "standard_1") is Rating.PARTIALLY_MET


def test_the_section_page_loads_the_script_without_inline_code(client, auth, borough):
    audit = draft(client, auth, borough)
    page = client.get(f"/audits/{audit.id}/sections/standard_1").data.decode()
    assert '<script src="/static/audit-form.js" defer></script>' in page
    assert "data-autosave-url" in page and 'id="autosave-status"' in page
    assert client.get("/static/audit-form.js").status_code == 200


def test_guidance_comes_before_the_answer_and_describes_it(client, auth, borough):
    """Reading order: the guidance, then the radios; the fieldset names the guidance."""
    audit = draft(client, auth, borough)
    page = client.get(f"/audits/{audit.id}/sections/standard_2").data.decode()
    guidance = page.index('id="standard_2-guidance"')
    radios = page.index('name="standard_2"')
    assert guidance < radios
    fieldset = page[page.rindex("<fieldset", 0, radios) : radios]
    assert 'aria-describedby="standard_2-guidance' in fieldset
    definition = definition_of(audit)
    first_paragraph = definition.question("standard_2").guidance[0]
    assert first_paragraph[:40] in page[guidance:radios]


def test_a_tool_that_does_not_score_says_nothing_about_ratings(app):
    """A findings form (no rated questions) gets no "Met 0 ... of 0 applicable"."""
    findings = FormDefinition(
        tool="findings",
        version="1",
        title="Re-referrals",
        sections=(
            Section("a", "Referral", (Question("why", "Why re-referred?", QuestionKind.TEXT),)),
        ),
    )
    empty = Score(counts={})
    with app.test_request_context():
        html = render_template("audits/_score.html", audit=None, definition=findings, score=empty)
        assert "applicable" not in html and "Suggested" not in html
        noted = Score(counts={}, notes=("Two of three referrals were within 12 months.",))
        html = render_template("audits/_score.html", audit=None, definition=findings, score=noted)
        assert "Two of three referrals" in html and "applicable" not in html
