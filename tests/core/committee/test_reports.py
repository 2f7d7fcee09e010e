"""A committee report: built from the report page, edited as a draft, issued, versioned."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.models import CommitteeReport, CommitteeReportStatus, PinnedComment, TrailEntry
from tests.core.committee.conftest import IN_PERIOD, Known, answers_with
from tests.helpers import submitted_audit


def build(client, **fields) -> CommitteeReport:
    """Press "Build a committee report" on the report page with its current parameters."""
    data = {"period": "last-12-months", "scope": "all", **fields}
    response = client.post("/committee/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    report_id = int(re.search(r"/committee/(\d+)$", response.headers["Location"])[1])
    return db.session.get(CommitteeReport, report_id)


def actions() -> list[str]:
    return list(db.session.scalars(select(TrailEntry.action).order_by(TrailEntry.id)))


def answer_id(audit, question: str) -> int:
    return next(a.id for a in audit.answers if a.question == question)


def section_keys(report: CommitteeReport, client) -> list[str]:
    html = client.get(f"/committee/{report.id}").get_data(as_text=True)
    return re.findall(r'name="sections" type="checkbox" value="([^"]+)"', html)


# -- building ---------------------------------------------------------------------------


def test_the_report_pages_button_saves_a_draft_with_its_parameters(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client, kind=["line_management", "independent"], unit="month", length="6")
    assert report.status is CommitteeReportStatus.DRAFT
    assert report.version == 1 and report.series_id == report.id
    assert (report.period_key, report.scope_key) == ("last-12-months", "all")
    assert report.kinds == ["line_management", "independent"]
    assert (report.trend_unit, report.trend_length) == ("month", 6)
    assert report.title.startswith("Audit report: Whole council")
    assert "committee.created" in actions()
    page = client.get(f"/committee/{report.id}").get_data(as_text=True)
    assert "Draft" in page and "Save draft" in page


def test_a_report_the_user_may_not_build_is_a_message_not_a_draft(client, auth, known: Known):
    auth.login("service_manager@test.example")  # Children in Need only
    response = client.post("/committee/", data={"period": "last-12-months", "scope": "all"})
    assert response.status_code == 400
    assert "Choose a part of the council you can report on" in response.get_data(as_text=True)
    response = client.post("/committee/", data={"period": "someday", "scope": "all"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(CommitteeReport.id))) == 0


# -- editing a draft ----------------------------------------------------------------------


def test_a_draft_keeps_its_title_sections_and_narratives(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client)
    keys = section_keys(report, client)
    assert "summary" in keys and "results-children_audit" in keys
    response = client.post(
        f"/committee/{report.id}",
        data={
            "title": "Quarterly audit report to the corporate parenting board",
            "sections": ["summary", "results-children_audit"],
            "narrative-results-children_audit": "Chronologies remain the weakest standard.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.title == "Quarterly audit report to the corporate parenting board"
    assert report.sections == ["summary", "results-children_audit"]
    assert report.narratives == {
        "results-children_audit": "Chronologies remain the weakest standard."
    }
    assert "committee.changed" in actions()
    preview = client.get(f"/committee/{report.id}/preview").get_data(as_text=True)
    assert "Chronologies remain the weakest standard." in preview
    assert "This is a draft" in preview


def test_a_draft_with_mistakes_shows_them_and_keeps_what_was_typed(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client)
    response = client.post(
        f"/committee/{report.id}",
        data={"title": "", "narrative-summary": "Typed but not saved"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a title for the report" in html
    assert "Choose at least one section" in html
    assert "Typed but not saved" in html
    db.session.refresh(report)
    assert report.narratives == {}


# -- pinning ------------------------------------------------------------------------------


def test_a_comment_is_pinned_from_the_narrative_page_and_unpinned_from_the_report(
    client, auth, known: Known
):
    auth.login("iro@test.example")
    report = build(client)
    pin_page = client.get(f"/reports/narrative/?report={report.id}&q=missing")
    html = pin_page.get_data(as_text=True)
    assert "Pin to this report" in html
    answer = answer_id(known.line, "standard_3")
    back = f"/reports/narrative/?report={report.id}&q=missing"
    response = client.post(
        f"/committee/{report.id}/pins",
        data={"answer": str(answer), "section": "results-children_audit", "back": back},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == back  # the same filtered page
    pinned = db.session.scalars(select(PinnedComment)).one()
    assert pinned.text == "Chronology MISSING since the transfer"
    assert pinned.source.startswith("Standard 3, rated Not met, line management audit")
    assert "Pinned" in client.get(back).get_data(as_text=True)

    # Pinned twice: still one.
    client.post(
        f"/committee/{report.id}/pins",
        data={"answer": str(answer), "section": "results-children_audit", "back": back},
    )
    assert db.session.scalar(select(func.count(PinnedComment.id))) == 1

    # The copy is what the report quotes.
    preview = client.get(f"/committee/{report.id}/preview").get_data(as_text=True)
    assert "Chronology MISSING since the transfer" in preview
    assert known.borough.cases["cin"].reference not in preview

    assert "committee.viewed" in actions()  # reading the pinned comments is recorded

    client.post(f"/committee/{report.id}/pins/{pinned.id}/remove")
    assert db.session.scalar(select(func.count(PinnedComment.id))) == 0
    assert {"committee.pinned", "committee.unpinned"} <= set(actions())


def test_a_comment_outside_the_reports_scope_cannot_be_pinned(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client, scope=f"team-{known.borough.north.id}")
    for audit in (known.south, known.old):
        client.post(
            f"/committee/{report.id}/pins",
            data={"answer": str(answer_id(audit, "standard_3")), "section": "summary"},
        )
    # Nor into a section the report does not have, nor a back address elsewhere.
    response = client.post(
        f"/committee/{report.id}/pins",
        data={
            "answer": str(answer_id(known.line, "standard_3")),
            "section": "no-such-section",
            "back": "https://example.org/",
        },
    )
    assert response.headers["Location"].startswith("/reports/narrative/")
    assert db.session.scalar(select(func.count(PinnedComment.id))) == 0


# -- issuing, and never changing after --------------------------------------------------------


def issue(client, report: CommitteeReport):
    return client.post(f"/committee/{report.id}/issue", data={"confirm": "yes"})


def test_issuing_asks_for_confirmation(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client)
    assert "Issue version 1" in client.get(f"/committee/{report.id}/issue").get_data(as_text=True)
    response = client.post(f"/committee/{report.id}/issue", data={})
    assert response.status_code == 400
    assert "Confirm that the report is ready to issue" in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.status is CommitteeReportStatus.DRAFT


def test_an_issued_report_is_frozen_with_its_version_and_date(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client)
    client.post(
        f"/committee/{report.id}/pins",
        data={"answer": str(answer_id(known.line, "standard_3")), "section": "summary"},
    )
    assert issue(client, report).status_code == 302
    db.session.expire_all()
    report = db.session.get(CommitteeReport, report.id)
    assert report.status is CommitteeReportStatus.ISSUED
    assert report.issued_on == date.today()
    assert report.issued_by.email == "iro@test.example"
    assert report.document["status"] == "issued"
    assert report.document["version"] == 1
    assert report.document["issued_on"] == date.today().isoformat()
    frozen = report.document
    assert "committee.issued" in actions()

    # New audits do not change what was issued.
    submitted_audit(
        known.borough.cases["cin"],
        known.borough.user("team_manager"),
        answers_with({3: ("met", "A later audit")}),
        on=IN_PERIOD,
    )
    preview = client.get(f"/committee/{report.id}/preview").get_data(as_text=True)
    assert "Version 1, issued" in preview
    assert "This is a draft" not in preview
    assert "Chronology MISSING since the transfer" in preview
    db.session.expire_all()
    assert db.session.get(CommitteeReport, report.id).document == frozen


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", {"title": "Changed", "sections": ["summary"]}),
        ("/pins", {"answer": "1", "section": "summary"}),
        ("/pins/1/remove", {}),
        ("/issue", {"confirm": "yes"}),
    ],
)
def test_every_change_to_an_issued_report_is_refused_with_a_clear_message(
    client, auth, known: Known, path, data
):
    auth.login("iro@test.example")
    report = build(client)
    issue(client, report)
    response = client.post(f"/committee/{report.id}{path}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "cannot be changed" in html and "Start a new version" in html
    db.session.expire_all()
    assert db.session.get(CommitteeReport, report.id).title != "Changed"


def test_a_new_version_copies_the_issued_report_into_a_draft(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client)
    client.post(
        f"/committee/{report.id}",
        data={"title": "Board report", "sections": ["summary"], "narrative-summary": "Steady."},
    )
    client.post(
        f"/committee/{report.id}/pins",
        data={"answer": str(answer_id(known.line, "standard_3")), "section": "summary"},
    )
    issue(client, report)
    response = client.post(f"/committee/{report.id}/new-version")
    assert response.status_code == 302
    draft = db.session.scalars(select(CommitteeReport).where(CommitteeReport.version == 2)).one()
    assert draft.status is CommitteeReportStatus.DRAFT
    assert draft.series_id == report.id
    assert draft.title == "Board report"
    assert draft.sections == ["summary"]
    assert draft.narratives == {"summary": "Steady."}
    assert [p.text for p in draft.pins] == ["Chronology MISSING since the transfer"]
    assert "committee.new_version" in actions()

    # The draft can change; version 1 still cannot.
    assert (
        client.post(
            f"/committee/{draft.id}", data={"title": "Board report v2", "sections": ["summary"]}
        ).status_code
        == 302
    )
    listing = client.get("/committee/").get_data(as_text=True)
    assert listing.count(f'data-series="{report.id}"') == 1
    assert "Version 1" in listing and "Version 2" in listing


def test_a_draft_starts_no_new_version(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client)
    client.post(f"/committee/{report.id}/new-version")
    assert db.session.scalar(select(func.count(CommitteeReport.id))) == 1


# -- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["team_manager", "deputy", "analyst", "worker", "admin"])
def test_only_leads_build_committee_reports(client, auth, known: Known, who):
    auth.login(f"{who}@test.example")
    assert client.get("/committee/").status_code == 403
    response = client.post("/committee/", data={"period": "last-12-months", "scope": "all"})
    assert response.status_code == 403


def test_a_lead_sees_only_reports_on_parts_of_the_council_they_report_on(
    client, auth, known: Known
):
    auth.login("iro@test.example")
    whole = build(client)
    north = build(client, scope=f"team-{known.borough.north.id}")
    auth.logout()
    auth.login("service_manager@test.example")  # Children in Need
    assert client.get(f"/committee/{whole.id}").status_code == 404
    assert client.get(f"/committee/{north.id}").status_code == 200
    listing = client.get("/committee/").get_data(as_text=True)
    assert f"/committee/{north.id}" in listing
    assert f'/committee/{whole.id}"' not in listing


def test_the_build_button_posts_the_report_pages_parameters(app, client, auth, known: Known):
    """The macro the report page uses: its hidden fields build the same report."""
    from flask import render_template_string

    auth.login("iro@test.example")
    args = {
        "period": ["last-12-months"],
        "scope": ["all"],
        "kind": ["independent"],
        "view": ["trend"],
    }
    with app.test_request_context():
        html = render_template_string(
            '{% from "committee/_macros.html" import build_form %}{{ build_form(args) }}',
            args=args,
        )
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html)
    assert ("kind", "independent") in fields and all(name != "view" for name, _ in fields)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        if name != "csrf_token":
            data.setdefault(name, []).append(value)
    report = build(client, **data)
    assert report.kinds == ["independent"]
