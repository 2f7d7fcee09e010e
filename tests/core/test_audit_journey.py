"""The whole journey through the test client: sign in, start, draft, submit, read."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.extensions import db
from core.models import Answer, Audit, AuditKind, AuditStatus, Rating
from tests.factories import Borough, children_form


def version_of(page: bytes) -> str:
    match = re.search(rb'name="version" value="(\d+)"', page)
    assert match, "the audit form carries its version"
    return match.group(1).decode()


def start(client: FlaskClient, case_id: int, token: str = "token-1") -> str:
    response = client.post(
        f"/audits/start/{case_id}", data={"tool": "children_audit", "token": token}
    )
    assert response.status_code == 302
    return response.location


def test_team_manager_audits_a_case_end_to_end(client, auth, borough: Borough):
    """Start, save a draft, come back, submit with errors, submit, read-only, report."""
    case = borough.cases["cin"]
    assert auth.login("team_manager@test.example").status_code == 302

    found = client.get("/cases/?q=C1000")
    assert b"C100001" in found.data and b"C200001" not in found.data

    page = client.get(f"/cases/{case.id}")
    assert b"Start the children" in page.data

    edit_url = start(client, case.id)
    form = client.get(edit_url)
    assert form.status_code == 200
    assert b"If it isn\xe2\x80\x99t recorded on the file, it didn\xe2\x80\x99t happen" in form.data
    assert b"Is there an up to date chronology on file? Comment on quality." in form.data

    # Save a partial draft.
    saved = client.post(
        edit_url,
        data={
            "version": version_of(form.data),
            "action": "save",
            "standard_1": "met",
            "standard_2__comment": "Half done",
        },
    )
    assert saved.status_code == 302
    audit = db.session.scalar(select(Audit))
    assert audit.status is AuditStatus.DRAFT
    assert audit.kind is AuditKind.LINE_MANAGEMENT

    # Come back later from the home page: the draft is listed and its answers kept.
    home = client.get("/")
    assert b"Drafts to finish" in home.data and b"C100001" in home.data
    again = client.get(edit_url)
    assert re.search(rb'value="met"\s+checked', again.data)
    assert b"Half done" in again.data

    # Submit with missing answers: every error shown, every value kept, nothing submitted.
    bad = client.post(
        edit_url,
        data={
            "version": version_of(again.data),
            "action": "submit",
            "standard_1": "not_met",
            "standard_1__comment": "",
            "strengths": "Kept text",
        },
    )
    assert bad.status_code == 400
    summary = re.findall(rb'<a href="#([a-z0-9_]+)">', bad.data)
    assert "standard_1__comment" in [s.decode() for s in summary]
    assert "standard_13" in [s.decode() for s in summary]
    assert "areas_for_development" in [s.decode() for s in summary]
    assert b"Kept text" in bad.data
    assert re.search(rb'value="not_met"\s+checked', bad.data)
    db.session.expire_all()
    assert db.session.get(Audit, audit.id).status is AuditStatus.DRAFT

    # Submit properly.
    data = children_form(
        ratings={1: "met", 2: "met"}, version=version_of(bad.data), action="submit"
    )
    done = client.post(edit_url, data=data)
    assert done.status_code == 302 and done.location == f"/audits/{audit.id}"
    db.session.expire_all()
    audit = db.session.get(Audit, audit.id)
    assert audit.status is AuditStatus.SUBMITTED
    assert audit.overall_rating == Rating.PARTIALLY_MET.value
    assert audit.suggested_rating == Rating.PARTIALLY_MET.value
    assert audit.grade == "adequate"
    answers = db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.audit_id == audit.id)
    )
    assert answers == 13 + 3 + 4  # standards, standard 6 items, summary answers

    # Read-only: the edit page redirects; a late POST changes nothing.
    assert client.get(edit_url).status_code == 302
    late = client.post(edit_url, data={**data, "standard_1": "not_met"})
    assert late.status_code == 302
    db.session.expire_all()
    rating = db.session.scalar(
        select(Answer.rating).where(Answer.audit_id == audit.id, Answer.question == "standard_1")
    )
    assert rating is Rating.MET
    shown = client.get(f"/audits/{audit.id}")
    assert shown.status_code == 200 and b"Submitted" in shown.data

    # The report counts it.
    report = client.get(f"/reports/?scope=team-{borough.north.id}")
    assert report.status_code == 200
    assert b"1 audit" in report.data


def test_submitting_twice_creates_nothing_twice(client, auth, borough: Borough):
    """A double click on Start or Submit gives one audit, submitted once."""
    auth.login("team_manager@test.example")
    case = borough.cases["cin"]
    first = start(client, case.id, token="same")
    second = start(client, case.id, token="same")
    assert first == second
    assert db.session.scalar(select(func.count()).select_from(Audit)) == 1

    version = version_of(client.get(first).data)
    data = children_form(version=version, action="submit")
    assert client.post(first, data=data).status_code == 302
    resend = client.post(first, data=data, follow_redirects=True)
    assert b"already been submitted" in resend.data
    audit = db.session.scalar(select(Audit))
    assert audit.status is AuditStatus.SUBMITTED
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 20


def test_only_the_submit_button_submits(client, auth, borough: Borough):
    """Enter in a box posts the form's first button, "Save and continue": a complete
    audit posted without the submit action (none, empty, unknown) stays a draft."""
    auth.login("team_manager@test.example")
    edit_url = start(client, borough.cases["cin"].id)
    page = client.get(edit_url).data.decode()
    form = page[page.index('<form method="post"') :]
    buttons = re.findall(r'<button type="submit" value="(\w+)" name="action"', form)
    assert buttons[0] == "save", "the first submit button is the one Enter presses"
    assert "submit" in buttons[1:]
    assert "You cannot change an audit once it is submitted" in form

    for action in (None, "", "save", "submit-audit"):
        version = version_of(client.get(edit_url).data)
        data = children_form(version=version, strengths=f"Typed with action {action!r}.")
        if action is not None:
            data["action"] = action
        saved = client.post(edit_url, data=data)
        assert saved.status_code == 302 and saved.location.endswith(edit_url)
        audit = db.session.scalar(select(Audit))
        db.session.refresh(audit)
        assert audit.status is AuditStatus.DRAFT
        strengths = db.session.scalar(select(Answer.value).where(Answer.question == "strengths"))
        assert strengths == f"Typed with action {action!r}."


def test_stale_form_does_not_overwrite_newer_answers(client, auth, borough: Borough):
    """Saving a form loaded at an older version shows a conflict and keeps the input."""
    auth.login("team_manager@test.example")
    edit_url = start(client, borough.cases["cin"].id)
    old_version = version_of(client.get(edit_url).data)
    # Another tab saves first.
    client.post(edit_url, data={"version": old_version, "action": "save", "standard_1": "met"})
    # The stale tab saves its own answer.
    stale = client.post(
        edit_url,
        data={
            "version": old_version,
            "action": "save",
            "standard_1": "not_met",
            "standard_1__comment": "My typed evidence",
        },
    )
    assert stale.status_code == 409
    assert b"changed after you opened it" in stale.data
    assert b"My typed evidence" in stale.data
    assert re.search(rb'value="not_met"\s+checked', stale.data)
    rating = db.session.scalar(select(Answer.rating).where(Answer.question == "standard_1"))
    assert rating is Rating.MET
    # Saving again from the conflict page is a deliberate overwrite and goes through.
    retry = client.post(
        edit_url,
        data={"version": version_of(stale.data), "action": "save", "standard_1": "not_met"},
    )
    assert retry.status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalar(select(Answer.rating).where(Answer.question == "standard_1"))
        is Rating.NOT_MET
    )


def test_invalid_values_are_refused_and_shown_back(client, auth, borough: Borough):
    """A tampered option is an error message, not a 500, and nothing is saved."""
    auth.login("team_manager@test.example")
    edit_url = start(client, borough.cases["cin"].id)
    version = version_of(client.get(edit_url).data)
    response = client.post(
        edit_url,
        data={
            "version": version,
            "action": "save",
            "standard_1": "brilliant",
            "strengths": "Typed",
        },
    )
    assert response.status_code == 400
    assert b"Select one of the options" in response.data
    assert b"Typed" in response.data
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_only_the_auditor_can_edit_a_draft(client, auth, borough: Borough):
    """Another manager in the same team cannot open someone else's draft."""
    auth.login("team_manager@test.example")
    edit_url = start(client, borough.cases["cin"].id)
    auth.logout()
    auth.login("deputy@test.example")
    assert client.get(edit_url).status_code == 404  # drafts are private to their auditor
