"""The whole journey through the test client: start, the task list, one section at a time,
check your answers, submit, the confirmation, and reading the audit back."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.extensions import db
from core.models import Answer, Audit, AuditKind, AuditStatus, Rating
from core.testing import complete_audit, save_section
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


def the_audit() -> Audit:
    audit = db.session.scalar(select(Audit))
    db.session.refresh(audit)
    return audit


def test_team_manager_audits_a_case_end_to_end(client, auth, borough: Borough):
    """Task list, sections saved one at a time, check your answers, submit, confirmation."""
    case = borough.cases["cin"]
    assert auth.login("team_manager@test.example").status_code == 302
    page = client.get(f"/cases/{case.id}")
    assert b"Start the children" in page.data

    tasks_url = start(client, case.id)
    tasks = client.get(tasks_url)
    assert tasks.status_code == 200
    text = tasks.data.decode()
    assert "If it isn’t recorded on the file, it didn’t happen" in text
    assert "You have completed 0 of 14 sections." in text
    assert "Standard 1" in text and "Is there an up to date chronology on file?" in text
    assert text.count("Not yet started") == 14
    assert "Cannot submit yet" in text
    audit = the_audit()
    assert audit.kind is AuditKind.LINE_MANAGEMENT

    # One section: its questions only, guidance before the answer, and no way to submit.
    first = client.get(f"/audits/{audit.id}/sections/standard_1")
    assert first.status_code == 200
    section = first.data.decode()
    assert "Is there an up to date chronology on file? Comment on quality." in section
    assert "standard_2" not in section
    assert 'value="submit"' not in section

    saved = client.post(
        f"/audits/{audit.id}/sections/standard_1",
        data={"version": version_of(first.data), "action": "save", "standard_1": "met"},
    )
    assert saved.status_code == 302
    assert saved.location == f"/audits/{audit.id}/sections/standard_2", "on to the next section"
    assert the_audit().status is AuditStatus.DRAFT

    # A section half done is "Incomplete"; a finished one "Completed".
    save_section(client, audit.id, "standard_2", {"standard_2": "not_met"})
    text = client.get(tasks_url).data.decode()
    assert "You have completed 1 of 14 sections." in text
    assert text.count("Incomplete") == 1

    # Come back later from the home page: the draft is listed and its answers kept.
    home = client.get("/")
    assert b"Drafts to finish" in home.data and b"C100001" in home.data
    again = client.get(f"/audits/{audit.id}/sections/standard_1")
    assert re.search(rb'value="met"\s+checked', again.data)

    # Check your answers before everything is done: what is missing, linked to its
    # section, and no submit button.
    check = client.get(f"/audits/{audit.id}/check")
    assert check.status_code == 200
    text = check.data.decode()
    assert "You cannot submit the audit yet" in text
    assert f'/audits/{audit.id}/sections/standard_2#standard_2__comment"' in text
    assert f'/audits/{audit.id}/sections/standard_14#areas_for_development"' in text
    assert "Submit audit" not in text

    # Finish every section, then submit from check your answers.
    data = children_form(ratings={1: "met", 2: "met"})
    assert complete_audit(client, audit.id, data, submit=False).status_code == 302
    check = client.get(f"/audits/{audit.id}/check")
    text = check.data.decode()
    assert "You cannot submit the audit yet" not in text
    assert "Submit audit" in text
    assert text.count(">Change<") >= 20  # every answer can be changed from here
    assert "Evidence for standard 7." in text
    assert the_audit().status is AuditStatus.DRAFT, "checking is not submitting"
    done = client.post(f"/audits/{audit.id}/check", data={"version": version_of(check.data)})
    assert done.status_code == 302 and done.location == f"/audits/{audit.id}/submitted"

    confirmation = client.get(done.location).data.decode()
    assert "govuk-panel" in confirmation and "Audit submitted" in confirmation
    assert "What happens next" in confirmation
    assert borough.cases["cin"].allocated_worker.name in confirmation

    audit = the_audit()
    assert audit.status is AuditStatus.SUBMITTED
    assert audit.overall_rating == Rating.PARTIALLY_MET.value
    assert audit.suggested_rating == Rating.PARTIALLY_MET.value
    assert audit.grade == "adequate"
    answers = db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.audit_id == audit.id)
    )
    assert answers == 13 + 3 + 4  # standards, standard 6 items, summary answers

    # Read-only: every page of the form redirects; a late POST changes nothing.
    assert client.get(tasks_url).status_code == 302
    assert client.get(f"/audits/{audit.id}/check").status_code == 302
    late = save_section(client, audit.id, "standard_1", {"standard_1": "not_met"})
    assert late.status_code == 302
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

    audit = the_audit()
    assert complete_audit(client, audit.id, children_form()).status_code == 302
    resend = client.post(
        f"/audits/{audit.id}/check", data={"version": audit.version}, follow_redirects=True
    )
    assert b"already been submitted" in resend.data
    assert the_audit().status is AuditStatus.SUBMITTED
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 20


def test_no_section_page_can_submit(client, auth, borough: Borough):
    """Enter in a box posts the form's first button, "Save and continue". Whatever a
    section page posts (no action, an empty one, "submit"), it saves and never submits:
    only "Check your answers" submits."""
    auth.login("team_manager@test.example")
    start(client, borough.cases["cin"].id)
    audit = the_audit()
    url = f"/audits/{audit.id}/sections/standard_14"
    page = client.get(url).data.decode()
    form = page[page.index(f'<form method="post" action="{url}"') :]
    buttons = re.findall(r'<button type="submit" value="(\w+)" name="action"', form)
    assert buttons[0] == "save", "the first submit button is the one Enter presses"
    assert "submit" not in buttons

    complete_audit(client, audit.id, children_form(), submit=False)
    for action in (None, "", "save", "submit"):
        data = children_form(strengths=f"Typed with action {action!r}.")
        data["version"] = str(the_audit().version)
        if action is not None:
            data["action"] = action
        saved = client.post(url, data=data)
        assert saved.status_code == 302 and saved.location.endswith("/check")
        assert the_audit().status is AuditStatus.DRAFT
        strengths = db.session.scalar(select(Answer.value).where(Answer.question == "strengths"))
        assert strengths == f"Typed with action {action!r}."


def test_save_and_go_back_returns_to_the_task_list(client, auth, borough: Borough):
    auth.login("team_manager@test.example")
    tasks_url = start(client, borough.cases["cin"].id)
    audit = the_audit()
    saved = client.post(
        f"/audits/{audit.id}/sections/standard_4",
        data={"version": audit.version, "action": "tasks", "standard_4": "met"},
    )
    assert saved.status_code == 302 and saved.location == tasks_url
    assert "Standard 4" in client.get(tasks_url).data.decode()


def test_a_section_keeps_the_other_sections_answers(client, auth, borough: Borough):
    """Saving one section replaces its own answers (a cleared box clears) and no other."""
    auth.login("team_manager@test.example")
    start(client, borough.cases["cin"].id)
    audit = the_audit()
    complete_audit(client, audit.id, children_form(), submit=False)
    save_section(client, audit.id, "standard_3", {"standard_3": "met", "standard_3__comment": ""})
    rows = {
        a.question: a for a in db.session.scalars(select(Answer).where(Answer.audit_id == audit.id))
    }
    assert rows["standard_3"].rating is Rating.MET and rows["standard_3"].comment is None
    assert rows["standard_4"].comment == "Evidence for standard 4."
    assert rows["strengths"].value == "Child seen alone at every visit."


def test_stale_form_does_not_overwrite_newer_answers(client, auth, borough: Borough):
    """Saving a section loaded at an older version shows a conflict and keeps the input."""
    auth.login("team_manager@test.example")
    start(client, borough.cases["cin"].id)
    audit = the_audit()
    url = f"/audits/{audit.id}/sections/standard_1"
    old_version = version_of(client.get(url).data)
    # Another tab saves first.
    client.post(url, data={"version": old_version, "action": "save", "standard_1": "met"})
    # The stale tab saves its own answer.
    stale = client.post(
        url,
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
        url, data={"version": version_of(stale.data), "action": "save", "standard_1": "not_met"}
    )
    assert retry.status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalar(select(Answer.rating).where(Answer.question == "standard_1"))
        is Rating.NOT_MET
    )


def test_answers_changed_since_checking_are_not_submitted(client, auth, borough: Borough):
    """Submit from a check page drawn before a save in another tab: refused, shown again."""
    auth.login("team_manager@test.example")
    start(client, borough.cases["cin"].id)
    audit = the_audit()
    complete_audit(client, audit.id, children_form(), submit=False)
    checked = client.get(f"/audits/{audit.id}/check")
    save_section(client, audit.id, "standard_14", children_form(strengths="Changed in tab 2"))
    refused = client.post(f"/audits/{audit.id}/check", data={"version": version_of(checked.data)})
    assert refused.status_code == 409
    assert "its answers changed after you opened this page" in refused.data.decode()
    assert "Changed in tab 2" in refused.data.decode()
    assert the_audit().status is AuditStatus.DRAFT


def test_invalid_values_are_refused_and_shown_back(client, auth, borough: Borough):
    """A tampered option is an error message, not a 500, and nothing is saved."""
    auth.login("team_manager@test.example")
    start(client, borough.cases["cin"].id)
    audit = the_audit()
    response = client.post(
        f"/audits/{audit.id}/sections/standard_1",
        data={
            "version": audit.version,
            "action": "save",
            "standard_1": "brilliant",
            "standard_1__comment": "Typed",
        },
    )
    assert response.status_code == 400
    assert b"Select one of the options" in response.data
    assert b"Typed" in response.data
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_an_unknown_section_is_not_found(client, auth, borough: Borough):
    auth.login("team_manager@test.example")
    start(client, borough.cases["cin"].id)
    assert client.get(f"/audits/{the_audit().id}/sections/standard_99").status_code == 404


def test_only_the_auditor_can_edit_a_draft(client, auth, borough: Borough):
    """Another manager in the same team cannot open someone else's draft."""
    auth.login("team_manager@test.example")
    tasks_url = start(client, borough.cases["cin"].id)
    audit_id = the_audit().id
    auth.logout()
    auth.login("deputy@test.example")
    assert client.get(tasks_url).status_code == 404  # drafts are private to their auditor
    assert client.get(f"/audits/{audit_id}/sections/standard_1").status_code == 404
    assert client.get(f"/audits/{audit_id}/check").status_code == 404
    assert client.post(f"/audits/{audit_id}/check", data={"version": 1}).status_code == 404


def test_change_lands_on_the_chosen_answer(client, auth, borough: Borough):
    """A rating's "Change" link goes to the radio chosen, so focus lands on the answer."""
    auth.login("team_manager@test.example")
    start(client, borough.cases["cin"].id)
    audit = the_audit()
    complete_audit(client, audit.id, children_form(ratings={1: "not_met"}), submit=False)
    check = client.get(f"/audits/{audit.id}/check").data.decode()
    assert f'/audits/{audit.id}/sections/standard_1#standard_1-3"' in check  # Not met, 3rd
    assert f'/audits/{audit.id}/sections/standard_2#standard_2-2"' in check  # Partially met
    section = client.get(f"/audits/{audit.id}/sections/standard_1").data.decode()
    radio = re.search(r'<input[^>]*id="standard_1-3"[^>]*>', section)
    assert radio and 'value="not_met"' in radio.group()
